#!/usr/bin/env bash
# Run playbooks/demo.yml twice: the first run activates its changes through the handler, once; the second
# must change nothing (changed=0 in every recap line) and activate nothing (no handler runs).
# `make demo` runs this through scripts/with_simulator.py, which provides the CHECKMK_* variables.
set -euo pipefail

# The play runs on the implicit localhost: no inventory is needed, so no warning about it either.
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

output=$(mktemp)
trap 'rm -f "$output"' EXIT

echo "=== demo, first run"
ansible-playbook playbooks/demo.yml "$@" | tee "$output"
if [ "$(grep -c '^RUNNING HANDLER .*Activate pending Checkmk changes' "$output")" != 1 ]; then
    echo "demo: the first run did not activate its changes exactly once" >&2
    exit 1
fi

echo "=== demo, second run: must report changed=0 and activate nothing"
ansible-playbook playbooks/demo.yml "$@" | tee "$output"

if ! grep -q 'changed=' "$output"; then
    echo "demo: no PLAY RECAP found in the second run's output" >&2
    exit 1
fi
if grep -E 'changed=[1-9]' "$output" >/dev/null; then
    echo "demo: the second run changed something, so the demo is not idempotent:" >&2
    grep -E 'changed=[1-9]' "$output" >&2
    exit 1
fi
if grep -q '^RUNNING HANDLER' "$output"; then
    echo "demo: the second run activated changes although nothing changed" >&2
    exit 1
fi
echo "demo: second run changed nothing and activated nothing"
