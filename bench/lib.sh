# Shell helpers shared by bench/run.sh, bench/scale.sh, bench/soak.sh and bench/profile.sh.
# Sourced, not run. The sourcing script sets BENCH_TOOL (the prefix of its messages) first, and
# PG_HOST, PG_PORT, PG_USER before it calls psql_admin or drop_database.

log() { printf '\n==> %s\n' "$*" >&2; }
warn() { printf '%s: warning: %s\n' "${BENCH_TOOL:-bench}" "$*" >&2; }
die() { printf '%s: error: %s\n' "${BENCH_TOOL:-bench}" "$*" >&2; exit 1; }

# stop_pid PID: stops a process this script started (nothing when empty or gone).
stop_pid() {
    local pid=$1
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
}

# psql_admin SQL: one statement on the server's `postgres` database; rows as plain lines.
psql_admin() {
    PGCONNECT_TIMEOUT=5 PGOPTIONS="-c client_min_messages=warning" \
        psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -Atc "$1"
}

# drop_database NAME: drops a throw-away database, ending its connections (PostgreSQL 13+
# FORCE, else plainly); a warning, not an error, when it cannot.
drop_database() {
    psql_admin "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null 2>&1 ||
        psql_admin "DROP DATABASE IF EXISTS \"$1\"" >/dev/null 2>&1 ||
        warn "could not drop database $1"
}

# curl for the local server only: --noproxy so a proxy in the environment never sees the traffic.
local_curl() {
    curl -sS --noproxy '*' --max-time 60 "$@"
}

# json_get FILE data.attributes.accessToken -> prints the value at that dotted path.
json_get() {
    python3 -c '
import json, sys
value = json.load(open(sys.argv[1]))
for key in sys.argv[2].split("."):
    value = value[int(key)] if isinstance(value, list) else value[key]
print(value)' "$1" "$2"
}

# ensure_command COMMAND PACKAGE: installs the Debian package when the command is missing.
ensure_command() {
    command -v "$1" >/dev/null && return
    log "installing $2 from the Debian archive"
    local sudo="" apt_log
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    apt_log=$(mktemp)
    # dpkg is chatty even with -qq; keep its output for the error case only.
    if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; } \
        >"$apt_log" 2>&1; then
        cat "$apt_log" >&2
        rm -f "$apt_log"
        die "could not install $2 with apt-get"
    fi
    rm -f "$apt_log"
    command -v "$1" >/dev/null || die "$1 is still not on PATH after apt-get install $2"
}

# wait_until_ok URL PID LOGFILE [SECONDS]: polls URL for a 200 for up to SECONDS (30) while
# PID lives.
wait_until_ok() {
    local url=$1 pid=$2 logfile=$3 limit=${4:-30}
    local deadline=$((SECONDS + limit))
    until local_curl -fo /dev/null --max-time 1 "$url" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 40 "$logfile" >&2 || true
            die "the process serving $url exited during start-up"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 40 "$logfile" >&2 || true
            die "no 200 from $url within $limit s"
        fi
        sleep 0.2
    done
}
