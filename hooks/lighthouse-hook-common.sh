# shellcheck shell=bash
# The shared part of the hypervisor hooks of lighthouse.monitoring (proxmox/lighthouse-monitoring and
# libvirt/qemu), sourced by them; not a program of its own. See hooks/README.md.
#
# A hook turns one hypervisor event into one run of the playbook lighthouse.monitoring.vm_lifecycle, against the
# monitoring system LIGHTHOUSE_BACKEND (checkmk, the default, opsview, openitcockpit or sensu):
#
#   lh_init                                       read the settings file; 1 when there is nothing to work with
#   lh_event KIND ID EVENT WHERE [VM_NAME]        queue the event and run it: detached, or here and now
#   lh_log MESSAGE...                             one line to LIGHTHOUSE_LOG, else syslog, else stderr
#
# What every hook keeps to, and this file makes easy:
# - it never exits non-zero because of monitoring: a hypervisor may abort the guest's start for that;
# - it writes nothing to standard output: libvirt reads a qemu hook's output as domain XML (migrate, restore);
# - the secrets (LH_SECRETS: CHECKMK_API_SECRET, OPSVIEW_PASSWORD, OITC_API_KEY, SENSU_API_PASSWORD, ...) travel
#   only in the playbook's environment: never logged, never on a command line, never in the environment of the
#   helpers (qm, pct, LIGHTHOUSE_ADDRESS_COMMAND). No tracing, hence set +xv;
# - the hypervisor does not wait for monitoring: with LIGHTHOUSE_BACKGROUND=1 (the default) the playbook runs
#   in a session of its own, with no file descriptor of the hypervisor's, and the hook returns at once;
# - runs are serialised (flock), and of the events of one VM still waiting, only the latest runs.

set +xv

LIGHTHOUSE_LIB=$(readlink -f "${BASH_SOURCE[0]}")
LIGHTHOUSE_TAG=lighthouse-monitoring
LIGHTHOUSE_EVENTS="created started stopped deleted"
# The settings that are secrets, of every backend: masked in the log, kept from the helpers.
LH_SECRETS=(CHECKMK_API_SECRET CHECKMK_VAR_AUTOMATION_SECRET OPSVIEW_PASSWORD OPSVIEW_TOKEN OITC_API_KEY
    SENSU_API_PASSWORD)
# The settings given to the playbook as extra vars when set: LIGHTHOUSE_<SETTING>=<variable>.
LH_PLAYBOOK_VARS=(FOLDER=vm_folder SITE=vm_site HOSTGROUP=vm_hostgroup TEMPLATES=vm_templates
    MONITORED_BY=vm_monitored_by CONTAINER=vm_container HOST_TEMPLATE=vm_host_template HOST_GROUPS=vm_host_groups
    SATELLITE=vm_satellite SUBSCRIPTIONS=vm_subscriptions REQUEST_CHECKS=vm_request_checks)

# lh_log MESSAGE...: log one line, the secrets masked.
lh_log() {
    local message="$*" name secret
    for name in "${LH_SECRETS[@]}"; do
        secret=${!name:-}
        [ -n "$secret" ] && message=${message//"$secret"/********}
    done
    message=${message//[[:cntrl:]]/ }
    if [ -n "${LIGHTHOUSE_LOG:-}" ]; then
        printf '%s %s[%s]: %s\n' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$LIGHTHOUSE_TAG" "$$" "$message" \
            2>/dev/null >>"$LIGHTHOUSE_LOG" && return 0
    elif [ -S /dev/log ] && command -v logger >/dev/null 2>&1; then
        logger -t "$LIGHTHOUSE_TAG" -- "$message" 2>/dev/null && return 0
    fi
    printf '%s: %s\n' "$LIGHTHOUSE_TAG" "$message" >&2
}

# lh_init: read the settings file (LIGHTHOUSE_HOOK_ENV, default /etc/lighthouse-monitoring/hook.env) and fill
# in the defaults. Returns 1, after logging why, when the hook cannot do anything.
lh_init() {
    local file=${LIGHTHOUSE_HOOK_ENV:-/etc/lighthouse-monitoring/hook.env}
    if [ ! -f "$file" ] || [ ! -r "$file" ]; then
        lh_log "cannot read the settings file $file: nothing done"
        return 1
    fi
    # The file is run as shell code, by root: refuse it when others than its owner can change it.
    if [ -n "$(find "$file" -prune \( -perm -020 -o -perm -002 \) 2>/dev/null)" ]; then
        lh_log "$file is writable by group or others, so it is not read (chmod 0600 $file): nothing done"
        return 1
    fi
    if [ -n "$(find "$file" -prune \( -perm -040 -o -perm -004 \) 2>/dev/null)" ]; then
        lh_log "warning: $file holds the API secret and is readable by group or others (chmod 0600 $file)"
    fi
    # Its error messages would quote the offending line, which may be the secret: they are dropped.
    # shellcheck source=/dev/null
    if ! . "$file" 2>/dev/null; then
        lh_log "$file could not be read as shell settings (a syntax error?): nothing done"
        return 1
    fi
    set +xv
    LIGHTHOUSE_HOOK_ENV=$file
    : "${ANSIBLE_PLAYBOOK:=ansible-playbook}"
    : "${LIGHTHOUSE_PLAYBOOK:=lighthouse.monitoring.vm_lifecycle}"
    : "${LIGHTHOUSE_BACKGROUND:=1}"
    : "${LIGHTHOUSE_STATE_DIR:=/run/lighthouse-monitoring}"
    : "${LIGHTHOUSE_TIMEOUT:=120}"
    : "${LIGHTHOUSE_BACKEND:=checkmk}"
    case $LIGHTHOUSE_BACKEND in
    checkmk | opsview | openitcockpit | sensu) ;;
    *)
        lh_log "LIGHTHOUSE_BACKEND=$LIGHTHOUSE_BACKEND is none of checkmk, opsview, openitcockpit, sensu:" \
            "nothing done"
        return 1
        ;;
    esac
    if ! [[ $LIGHTHOUSE_TIMEOUT =~ ^[1-9][0-9]*$ ]]; then
        lh_log "LIGHTHOUSE_TIMEOUT=$LIGHTHOUSE_TIMEOUT is not a number of seconds: 120 instead"
        LIGHTHOUSE_TIMEOUT=120
    fi
    return 0
}

# lh_is_event WORD: is WORD one of the events of the playbook?
lh_is_event() {
    [[ " $LIGHTHOUSE_EVENTS " == *" $1 "* ]] && [ -n "$1" ]
}

# lh_valid_name NAME: a host name monitoring accepts, and safe in a file name and in Ansible's extra vars
# (no Jinja2 braces, no spaces, no slashes).
lh_valid_name() {
    [[ $1 =~ ^[A-Za-z0-9_][A-Za-z0-9._-]{0,252}$ ]]
}

# lh_event KIND ID EVENT WHERE [VM_NAME]: KIND is proxmox or libvirt, ID the VM id or guest name (checked by
# the caller), EVENT one of LIGHTHOUSE_EVENTS. WHERE "hook": the hypervisor waits for us, so detach when
# LIGHTHOUSE_BACKGROUND=1; "here": run in the foreground (a call by hand or from automation).
lh_event() {
    local kind=$1 id=$2 event=$3 where=$4 name=${5:-} token variable
    token=$(lh_enqueue "$kind-$id")
    if [ "$where" = hook ] && [ "$LIGHTHOUSE_BACKGROUND" = 1 ]; then
        if command -v setsid >/dev/null 2>&1; then
            lh_log "$kind $id: $event: queued, the playbook runs in the background"
            (
                for variable in "${!CHECKMK_@}" "${!OPSVIEW_@}" "${!OITC_@}" "${!SENSU_@}" "${!ANSIBLE_@}" \
                    "${!LIGHTHOUSE_@}"; do
                    export "${variable?}"
                done
                # shellcheck disable=SC2016 # expanded by the new shell, from its arguments
                exec setsid "$BASH" -c '. "$1" && shift && lh_job "$@"' "$LIGHTHOUSE_TAG" \
                    "$LIGHTHOUSE_LIB" "$kind" "$id" "$event" "$token" "" "$name"
            ) </dev/null >/dev/null 2>&1 &
            return 0
        fi
        lh_log "$kind $id: setsid not found, so the playbook runs in the foreground"
    fi
    lh_job "$kind" "$id" "$event" "$token" "$LIGHTHOUSE_TIMEOUT" "$name"
}

# lh_enqueue KEY: note a new event of the VM KEY, which replaces any of its events still waiting; prints the
# event's token. Without a usable LIGHTHOUSE_STATE_DIR every event runs.
lh_enqueue() {
    local token file
    token="$(date +%s.%N)-$$-$RANDOM"
    file="$LIGHTHOUSE_STATE_DIR/$1.event"
    if { [ -d "$LIGHTHOUSE_STATE_DIR" ] || (umask 077 && mkdir -p "$LIGHTHOUSE_STATE_DIR" 2>/dev/null); } &&
        printf '%s\n' "$token" >"$file.$$" 2>/dev/null; then
        mv -f "$file.$$" "$file"
    fi
    printf '%s\n' "$token"
}

# lh_job KIND ID EVENT TOKEN WAIT [VM_NAME]: wait for our turn (at most WAIT seconds; empty: as long as it
# takes), then run the playbook for the event, unless a later event of the same VM came meanwhile. In the
# background, this is what runs in the detached session: there, every run ahead ends within its
# LIGHTHOUSE_TIMEOUT, and nobody waits for us.
lh_job() {
    local kind=$1 id=$2 event=$3 token=$4 wait=$5 name=${6:-} who="$1 $2" latest address line setting variable
    local -a extra_vars
    if [ -d "$LIGHTHOUSE_STATE_DIR" ] && command -v flock >/dev/null 2>&1 &&
        exec 9>>"$LIGHTHOUSE_STATE_DIR/lock"; then
        flock ${wait:+-w "$wait"} 9 || {
            lh_log "$who: $event: another run held the lock for $wait s: nothing done"
            return 0
        }
        read -r latest 2>/dev/null <"$LIGHTHOUSE_STATE_DIR/$kind-$id.event"
        if [ -n "${latest:-}" ] && [ "$latest" != "$token" ]; then
            lh_log "$who: $event: skipped, a later event of this VM replaces it"
            return 0
        fi
    fi

    if [ -z "$name" ]; then
        name=$(lh_vm_name "$kind" "$id") || {
            lh_log "$who: $event: the VM's name could not be found: nothing done"
            return 0
        }
    fi
    if ! lh_valid_name "$name"; then
        lh_log "$who: $event: '$name' is not a valid host name (letters, digits, '.', '-', '_'): nothing done"
        return 0
    fi
    [ "$name" != "$id" ] && who+=" ($name)"
    if ! lh_wanted "$name"; then
        lh_log "$who: $event: not in LIGHTHOUSE_GUESTS ($LIGHTHOUSE_GUESTS): nothing done"
        return 0
    fi

    extra_vars=(vm_name "$name" vm_event "$event" monitoring_backend "$LIGHTHOUSE_BACKEND")
    for setting in "${LH_PLAYBOOK_VARS[@]}"; do
        variable=LIGHTHOUSE_${setting%%=*}
        [ -n "${!variable:-}" ] && extra_vars+=("${setting#*=}" "${!variable}")
    done
    if [ -n "${LIGHTHOUSE_ADDRESS_COMMAND:-}" ] && { [ "$event" = created ] || [ "$event" = started ]; }; then
        read -r address line < <(lh_helper "$LIGHTHOUSE_ADDRESS_COMMAND" "$name")
        if [[ ${address:-} =~ ^[0-9A-Za-z.:_-]+$ ]]; then
            extra_vars+=(vm_address "$address")
        else
            lh_log "$who: LIGHTHOUSE_ADDRESS_COMMAND gave no address: the host keeps the one it has, if any"
        fi
    fi
    lh_playbook "$who" "$event" "$(lh_json "${extra_vars[@]}")"
}

# lh_helper COMMAND_LINE ARG...: run a helper (qm, pct, the address command) without the secrets in its
# environment, without our lock, within 30 seconds; its standard output only.
lh_helper() {
    local -a command
    read -ra command <<<"$1"
    shift
    (
        unset "${LH_SECRETS[@]}"
        exec timeout -k 5 30 "${command[@]}" "$@"
    ) </dev/null 2>/dev/null 9>&-
}

# lh_vm_name KIND ID: the VM's name, which is its host name in monitoring.
lh_vm_name() {
    local line
    case $1 in
    libvirt)
        printf '%s\n' "$2"
        return 0
        ;;
    proxmox)
        # A VM: `name:` of qm config. A container (hookscripts work for them too): `hostname:` of pct config.
        while IFS= read -r line; do
            case $line in "name: "?*)
                printf '%s\n' "${line#name: }"
                return 0
                ;;
            esac
        done < <(lh_helper "${LIGHTHOUSE_QM:-qm}" config "$2")
        while IFS= read -r line; do
            case $line in "hostname: "?*)
                printf '%s\n' "${line#hostname: }"
                return 0
                ;;
            esac
        done < <(lh_helper "${LIGHTHOUSE_PCT:-pct}" config "$2")
        ;;
    esac
    return 1
}

# lh_wanted NAME: is NAME matched by one of the glob patterns of LIGHTHOUSE_GUESTS (all, when it is empty)?
lh_wanted() {
    local pattern
    local -a patterns
    read -ra patterns <<<"${LIGHTHOUSE_GUESTS:-}"
    [ "${#patterns[@]}" -eq 0 ] && return 0
    for pattern in "${patterns[@]}"; do
        # shellcheck disable=SC2053 # the pattern is a glob on purpose
        [[ $1 == $pattern ]] && return 0
    done
    return 1
}

# lh_json KEY VALUE...: a JSON object of strings, for ansible-playbook -e.
lh_json() {
    local json="" separator="" value
    while [ $# -ge 2 ]; do
        value=${2//[[:cntrl:]]/}
        value=${value//\\/\\\\}
        value=${value//\"/\\\"}
        json+="$separator\"$1\": \"$value\""
        separator=", "
        shift 2
    done
    printf '{%s}' "$json"
}

# lh_playbook WHO EVENT EXTRA_VARS: run the playbook once, within LIGHTHOUSE_TIMEOUT, and log how it went.
lh_playbook() {
    local who=$1 event=$2 vars=$3 output rc variable line count=0
    local -a command words
    read -ra command <<<"$ANSIBLE_PLAYBOOK"
    if ! output=$(mktemp "${TMPDIR:-/tmp}/$LIGHTHOUSE_TAG.XXXXXX" 2>/dev/null); then
        lh_log "$who: $event: no temporary file for the playbook's output: nothing done"
        return 0
    fi
    lh_log "$who: $event: running $LIGHTHOUSE_PLAYBOOK ($LIGHTHOUSE_BACKEND)"
    (
        # The connection and Ansible's own settings, from the settings file, reach the playbook (and only it)
        # through the environment.
        for variable in "${!CHECKMK_@}" "${!OPSVIEW_@}" "${!OITC_@}" "${!SENSU_@}" "${!ANSIBLE_@}"; do
            [ "$variable" != ANSIBLE_PLAYBOOK ] && export "${variable?}"
        done
        export ANSIBLE_NOCOLOR="${ANSIBLE_NOCOLOR:-1}" ANSIBLE_RETRY_FILES_ENABLED="${ANSIBLE_RETRY_FILES_ENABLED:-0}"
        export ANSIBLE_LOCALHOST_WARNING="${ANSIBLE_LOCALHOST_WARNING:-false}"
        export ANSIBLE_INVENTORY_UNPARSED_WARNING="${ANSIBLE_INVENTORY_UNPARSED_WARNING:-false}"
        # Ansible refuses to run without a UTF-8 locale; libvirt runs its hooks with LC_ALL=C.
        case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
        *[Uu][Tt][Ff]-8* | *[Uu][Tt][Ff]8*) ;;
        *) export LC_ALL=C.UTF-8 ;;
        esac
        exec timeout -k 10 "$LIGHTHOUSE_TIMEOUT" "${command[@]}" "$LIGHTHOUSE_PLAYBOOK" -e "$vars"
    ) </dev/null >"$output" 2>&1 9>&-
    rc=$?
    case $rc in
    0)
        line=$(grep -m 1 -E '^[^ ]+ +: ok=' "$output")
        read -ra words <<<"${line#*:}"
        lh_log "$who: $event: done (${words[*]:0:2})"
        ;;
    124 | 137)
        lh_log "$who: $event: stopped after LIGHTHOUSE_TIMEOUT=${LIGHTHOUSE_TIMEOUT} s: monitoring may be behind"
        ;;
    *)
        lh_log "$who: $event: the playbook failed (exit $rc); monitoring may be behind:"
        while IFS= read -r line && [ "$count" -lt 10 ]; do
            lh_log "  ${line:0:500}"
            count=$((count + 1))
        done < <(grep -E '^(\[ERROR\]|ERROR)' "$output" || grep -E '^fatal:' "$output" ||
            grep -v '^[[:space:]]*$' "$output" | tail -n 5)
        ;;
    esac
    rm -f "$output"
    return 0
}
