# lighthouse.monitoring: the one entry point for developers and CI. `make` lists the targets.
#
# Everything runs from a virtualenv in .venv, built from requirements-dev.txt. Tools find the
# collection through .cache/collections/ansible_collections/lighthouse/monitoring, a symlink to this
# repository, so `ANSIBLE_COLLECTIONS_PATH=.cache/collections` works for ansible-playbook and
# ansible-doc, and `.cache/collections` on PYTHONPATH works for imports in the tests.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
# `make test` runs its stages in the order listed, even with -j.
.NOTPARALLEL:

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
VENV_STAMP := $(VENV)/.installed

COLLECTIONS := $(CURDIR)/.cache/collections
COLLECTION_LINK := .cache/collections/ansible_collections/lighthouse/monitoring
DIST := .cache/dist
SANITY_ROOT := .cache/sanity/ansible_collections/lighthouse/monitoring
SANITY_PYTHON := 3.11

# Extra arguments, e.g. `make units PYTEST_ARGS="-k sync -x"` or `make sanity SANITY_ARGS="--test pylint"`.
# The integration tests run in two processes, a test file each at a time (a fault suite's scenarios stay in order,
# each process has its own simulators), but the targets and demos one test each at a time (see
# tests/integration/conftest.py); INTEGRATION_WORKERS= runs them in one.
INTEGRATION_WORKERS ?= -n 2 --dist loadgroup
PYTEST_ARGS ?=
SANITY_ARGS ?=
SIMULATOR_PORT ?= 8080
# `make demo BACKEND=checkmk`, `BACKEND=opsview`, `BACKEND=openitcockpit` or `BACKEND=sensu` runs one backend's demo;
# empty: all four.
BACKEND ?=
DEMO_BACKENDS := $(or $(BACKEND),checkmk opsview openitcockpit sensu)

# Run a command with the virtualenv first on PATH and the collection importable.
RUN := env PATH="$(BIN):$$PATH" ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" PYTHONPATH="$(COLLECTIONS)"

.PHONY: help venv link build collection lint format units contract integration faults fuzz mutants sanity test matrix docs docs-lock demo benchmark benchmark-inventory benchmark-simulator simulator lock clean

help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-20s %s\n", $$1, $$2}'

# --- Environment -------------------------------------------------------------------------------

venv: $(VENV_STAMP) ## Create .venv and install requirements-dev.txt (again only when it changes)

$(VENV_STAMP): requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "$(PYTHON) is older than Python 3.11, which ansible-core 2.19 needs: make PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --requirement requirements-dev.txt
	touch $@

link: $(COLLECTION_LINK) ## Make the collection importable as .cache/collections/ansible_collections/lighthouse/monitoring

$(COLLECTION_LINK):
	mkdir -p $(dir $@)
	ln -sfn ../../../.. $@  # relative: from .cache/collections/ansible_collections/lighthouse/ up to this repository

build: venv ## Build the collection artifact into .cache/dist and check that no local artefact is in it
	rm -rf $(DIST)
	$(RUN) ansible-galaxy collection build --force --output-path $(DIST) .
	@if tar -tzf $(DIST)/lighthouse-monitoring-*.tar.gz | grep -E '^(\.venv|\.cache|\.ansible|tests/output)/'; then \
		echo "build: the artifact contains local artefacts (listed above): extend build_ignore in galaxy.yml"; exit 1; fi

collection: venv link build ## Link the collection for the tools, and build it

# --- Checks ------------------------------------------------------------------------------------

lint: venv link ## ruff, shellcheck, the action-group check, changelog fragments, ansible-lint (with yamllint)
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) shellcheck .ci/run scripts/*.sh hooks/lighthouse-hook-common.sh hooks/proxmox/lighthouse-monitoring hooks/libvirt/qemu
	$(RUN) python scripts/check_action_groups.py
	$(RUN) antsibull-changelog lint
	$(RUN) ansible-lint

format: venv ## Let ruff fix what it can and format the Python code
	$(RUN) ruff check --fix .
	$(RUN) ruff format .

# The tests of the callback, inventory and lookup plugins load Ansible's controller-side plugin classes, which change
# state the module tests rely on (parameter decoding, captured warnings): they run in a pytest session of their own.
CONTROLLER_TESTS := tests/unit/plugins/callback tests/unit/plugins/inventory tests/unit/plugins/lookup

units: venv link ## Unit tests: pytest tests/unit
	$(RUN) scripts/run_pytest.sh tests/unit $(addprefix --ignore=,$(CONTROLLER_TESTS)) $(PYTEST_ARGS)
	$(RUN) python -m pytest $(CONTROLLER_TESTS) $(PYTEST_ARGS)

contract: venv link ## Contract tests of the simulators: pytest tests/contract
	$(RUN) scripts/run_pytest.sh tests/contract $(PYTEST_ARGS)

integration: venv link ## Integration tests, playbooks against the simulators (the fault suites too): pytest tests/integration
	$(RUN) scripts/run_pytest.sh tests/integration $(INTEGRATION_WORKERS) --durations=20 $(PYTEST_ARGS)

faults: venv link ## Only the fault suites (Checkmk, Opsview, openITCOCKPIT, Sensu) and the concurrency test (part of integration); prints their summary lines
	$(RUN) python -m pytest tests/integration/test_faults.py tests/integration/test_faults_opsview.py \
		tests/integration/test_faults_openitcockpit.py tests/integration/test_faults_sensu.py \
		tests/integration/test_concurrency.py $(PYTEST_ARGS)

fuzz: venv link ## Property tests with new random examples, ten times as many (make test replays the same ones); not part of test
	$(RUN) env LIGHTHOUSE_FUZZ=1 python -m pytest tests/unit/plugins/module_utils/test_hostile_input.py \
		tests/unit/plugins/module_utils/test_openitcockpit_hostile.py tests/unit/plugins/module_utils/test_sensu_hostile.py \
		$(PYTEST_ARGS)

mutants: venv link ## Deliberate mistakes, each on a copy, each caught by the fault suite or integration tests (MUTANTS=a,b); not part of test
	$(RUN) python scripts/mutants.py $(if $(MUTANTS),--only $(MUTANTS))

# ansible-test needs the collection at a path ending in ansible_collections/lighthouse/monitoring: it
# runs on a copy of the collection's files (see scripts/mirror_collection.py), with ansible-test's pip
# bootstrap script replaced by a stand-in where it cannot be downloaded (scripts/prepare_ansible_test.py).
sanity: venv ## ansible-test sanity (Python 3.11, no ignore files) on a copy in .cache/sanity
	$(RUN) python scripts/mirror_collection.py $(SANITY_ROOT)
	$(RUN) python scripts/prepare_ansible_test.py
	cd $(SANITY_ROOT) && env PATH="$(BIN):$$PATH" ansible-test sanity --venv --python $(SANITY_PYTHON) $(SANITY_ARGS)

test: venv collection lint docs units contract integration sanity ## Everything CI runs, cheapest first (the integration tests run `make demo` too)

# The release check, not part of test (it takes long): see scripts/matrix.py. MATRIX_ARGS="--only 2.21 --steps units".
matrix: link ## Units, sanity and integration (without the fault suites) on ansible-core 2.17-2.21; writes the README's table
	$(PYTHON) scripts/matrix.py $(MATRIX_ARGS)

# --- Documentation ---------------------------------------------------------------------------------

DOCS_VENV := .cache/docs-venv
DOCS_STAMP := $(DOCS_VENV)/.installed

$(DOCS_STAMP): docs/requirements.txt
	$(PYTHON) -m venv $(DOCS_VENV)
	$(DOCS_VENV)/bin/python -m pip install --disable-pip-version-check --requirement docs/requirements.txt
	touch $@

# antsibull-docs and Sphinx in a virtualenv of their own; ansible-doc from .venv.
docs: venv link $(DOCS_STAMP) ## Build the HTML documentation (modules, roles, plugins, the README as guides) into .cache/docs; any warning fails
	env PATH="$(CURDIR)/$(DOCS_VENV)/bin:$(BIN):$$PATH" ANSIBLE_COLLECTIONS_PATH="$(COLLECTIONS)" \
		$(DOCS_VENV)/bin/python scripts/docs.py

# --- Demo --------------------------------------------------------------------------------------

demo: venv link ## The demo playbooks twice each against the simulators (BACKEND=checkmk, opsview, openitcockpit or sensu for one); second runs change nothing
ifneq ($(filter-out checkmk opsview openitcockpit sensu,$(DEMO_BACKENDS)),)
	@echo "demo: unknown BACKEND=$(BACKEND): checkmk, opsview, openitcockpit or sensu"; exit 2
endif
ifneq ($(filter checkmk,$(DEMO_BACKENDS)),)
	$(RUN) python scripts/with_simulator.py --remote-sites remote1 \
		--agent-service 'CPU load=cpu_loads' --agent-service 'Filesystem /=df:/' -- scripts/demo.sh
endif
ifneq ($(filter opsview,$(DEMO_BACKENDS)),)
	$(RUN) python scripts/with_simulator.py --backend opsview -- scripts/demo.sh opsview
endif
ifneq ($(filter openitcockpit,$(DEMO_BACKENDS)),)
	$(RUN) python scripts/with_simulator.py --backend openitcockpit --satellite branch-satellite \
		--hosttemplate 'Linux server' -- scripts/demo.sh openitcockpit
endif
ifneq ($(filter sensu,$(DEMO_BACKENDS)),)
	$(RUN) python scripts/with_simulator.py --backend sensu -- scripts/demo.sh sensu
endif

benchmark: venv link ## Benchmark hosts three ways, then downtimes two ways (BENCHMARK_ARGS, DOWNTIME_BENCHMARK_ARGS); not part of test
	$(RUN) python benchmarks/hosts.py $(BENCHMARK_ARGS)
	$(RUN) python benchmarks/downtimes.py $(DOWNTIME_BENCHMARK_ARGS)

benchmark-inventory: venv link ## Time ansible-inventory with the Checkmk plugin beside a static inventory (INVENTORY_BENCHMARK_ARGS); not part of test
	$(RUN) python benchmarks/inventory.py $(INVENTORY_BENCHMARK_ARGS)

benchmark-simulator: venv ## Time the simulator's requests at 100 and at 10,000 hosts, side by side; not part of test
	$(RUN) python benchmarks/simulator.py

simulator: venv ## Serve the Checkmk simulator on 127.0.0.1 port 8080 (SIMULATOR_PORT=...) until Ctrl-C
	$(RUN) python tests/simulators/checkmk/run.py --host 127.0.0.1 --port $(SIMULATOR_PORT) --remote-sites remote1

# --- Maintenance -------------------------------------------------------------------------------

lock: ## Resolve requirements-dev.in again into requirements-dev.txt (every package pinned)
	rm -rf .cache/lock-venv
	$(PYTHON) -m venv .cache/lock-venv
	.cache/lock-venv/bin/python -m pip install --disable-pip-version-check --requirement requirements-dev.in
	{ echo "# Generated by 'make lock' from requirements-dev.in: edit that file, not this one."; \
	  echo "# Python 3.11."; \
	  .cache/lock-venv/bin/python -m pip freeze --disable-pip-version-check; } > requirements-dev.txt
	rm -rf .cache/lock-venv

docs-lock: ## Resolve docs/requirements.in again into docs/requirements.txt
	rm -rf .cache/docs-lock-venv
	$(PYTHON) -m venv .cache/docs-lock-venv
	.cache/docs-lock-venv/bin/python -m pip install --disable-pip-version-check --requirement docs/requirements.in
	{ echo "# Generated by 'make docs-lock' from docs/requirements.in: edit that file, not this one."; \
	  echo "# Python 3.11."; \
	  .cache/docs-lock-venv/bin/python -m pip freeze --disable-pip-version-check; } > docs/requirements.txt
	rm -rf .cache/docs-lock-venv

clean: ## Remove the virtualenv, caches, build and test output
	rm -rf $(VENV) .cache .ansible .pytest_cache .ruff_cache tests/output build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
