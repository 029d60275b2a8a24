#!/usr/bin/env bash
# Run a demo playbook in pairs: the first run of a pair changes what it declares, the second must change
# nothing (changed=0 in every recap line) and activate nothing (no handler runs).
#   1. register everything and put the database into maintenance: the handler activates (reloads, exports) once;
#   2. take the maintenance downtime away again: only the downtime changes;
#   3. drift: edit one host and delete another by hand (scripts/demo_drift.py), then run the play in check mode:
#      the plan (the callback plugin lighthouse.monitoring.plan) shows exactly those two, and the run exits with 3.
# Every run prints the plan at its end; the second run of step 2 also checks that an empty plan exits with 0.
# `make demo` runs this through scripts/with_simulator.py, which provides the connection variables.
#   scripts/demo.sh                  playbooks/demo.yml (Checkmk), its handler activates
#   scripts/demo.sh opsview          playbooks/demo_opsview.yml, its handler reloads
#   scripts/demo.sh openitcockpit    playbooks/demo_openitcockpit.yml, its handler exports
#   scripts/demo.sh sensu            playbooks/demo_sensu.yml, its handler reloads Sensu
# DEMO_PLAN_DIR=DIR keeps the drift plan there as plan.txt, plan.json and plan.md (default: a temporary folder).
set -euo pipefail

backend=checkmk
case ${1:-} in
    opsview | openitcockpit | sensu)
        backend=$1
        shift
        ;;
esac
case $backend in
    checkmk) playbook=playbooks/demo.yml handler='Activate pending Checkmk changes' ;;
    opsview) playbook=playbooks/demo_opsview.yml handler='Reload Opsview' ;;
    openitcockpit)
        playbook=playbooks/demo_openitcockpit.yml handler='Refresh the openITCOCKPIT monitoring configuration'
        ;;
    sensu) playbook=playbooks/demo_sensu.yml handler='Reload Sensu, so that it reads its check definitions again' ;;
esac

# The play runs on the implicit localhost: no inventory is needed, so no warning about it either.
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
# Every run ends with its plan.
export ANSIBLE_CALLBACKS_ENABLED=lighthouse.monitoring.plan

output=$(mktemp)
plans=$(mktemp -d)
trap 'rm -rf "$output" "$plans"' EXIT
plan_dir=${DEMO_PLAN_DIR:-$plans}
mkdir -p "$plan_dir"

fail() {
    echo "demo: $*" >&2
    exit 1
}

# run_pair LABEL HANDLER_RUNS ARGS...: run the play twice with ARGS; the first run must run the activation
# handler HANDLER_RUNS times, the second must change and activate nothing.
run_pair() {
    local label=$1 handler_runs=$2
    shift 2
    echo "=== demo (${backend}), ${label}: first run"
    ansible-playbook "$playbook" "$@" | tee "$output"
    [ "$(grep -c "^RUNNING HANDLER .*${handler}" "$output")" = "$handler_runs" ] ||
        fail "${label}: the first run should have run the handler ${handler_runs} time(s)"

    echo "=== demo (${backend}), ${label}: second run, must report changed=0 and activate nothing"
    # An empty plan: LIGHTHOUSE_PLAN_FAIL_ON_CHANGES=true must leave the exit status 0.
    LIGHTHOUSE_PLAN_FAIL_ON_CHANGES=true ansible-playbook "$playbook" "$@" | tee "$output"
    grep -q 'changed=' "$output" || fail "${label}: no PLAY RECAP in the second run's output"
    if grep -E 'changed=[1-9]' "$output" >/dev/null; then
        fail "${label}: the second run changed something, so the demo is not idempotent"
    fi
    if grep -q '^RUNNING HANDLER' "$output"; then
        fail "${label}: the second run activated changes although nothing changed"
    fi
}

run_pair "register the shop, database in maintenance" 1 -e shop_maintenance=true "$@"
run_pair "maintenance over" 0 -e shop_maintenance=false "$@"
echo "demo (${backend}): every second run changed nothing and activated nothing"

echo "=== demo (${backend}), drift: a host edited and one deleted by hand, then the plan of a check-mode run"
python scripts/demo_drift.py "$backend"
status=0
LIGHTHOUSE_PLAN_FAIL_ON_CHANGES=true LIGHTHOUSE_PLAN_JSON="$plan_dir/plan.json" \
    LIGHTHOUSE_PLAN_MARKDOWN="$plan_dir/plan.md" ansible-playbook "$playbook" --check "$@" | tee "$output" || status=$?
[ "$status" = 3 ] || fail "drift: the check-mode run should have exited with 3 (a plan that is not empty), not $status"
sed -n '/^PLAN \*/,$p' "$output" >"$plan_dir/plan.txt"
echo "demo (${backend}): the check-mode run found the drift and exited with 3"
