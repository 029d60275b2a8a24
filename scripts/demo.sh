#!/usr/bin/env bash
# Run playbooks/demo.yml twice; the second run must change nothing (changed=0 in every recap line).
# `make demo` runs this through scripts/with_simulator.py, which provides the CHECKMK_* variables.
set -euo pipefail

# The play runs on the implicit localhost: no inventory is needed, so no warning about it either.
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false

echo "=== demo, first run"
ansible-playbook playbooks/demo.yml "$@"

echo "=== demo, second run: must report changed=0"
output=$(mktemp)
trap 'rm -f "$output"' EXIT
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
echo "demo: second run changed nothing"
