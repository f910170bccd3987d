#!/usr/bin/env bash
# make soak: a bounded soak of two glue-customers instances on one fresh PostgreSQL database
# (issue 16 item 6).
#
#  1. cargo build --release --bins; a throw-away database glue_soak_<pid> on 127.0.0.1:5432
#     (psql, role postgres), dropped at exit. PostgreSQL is required: without it the soak fails.
#  2. Instances A and B on 127.0.0.1:$SOAK_PORT and +1, sharing GLUE_JWT_KEY_FILE (A creates the
#     key, B starts after it) and GLUE_JWT_ISSUER, so either accepts the other's tokens.
#  3. One account per storefront connection (registered on alternating instances, with 2
#     addresses), each logged in on the OTHER instance for its first tokens.
#  4. Calibration: the storefront mix alone, then logins alone, each at full speed on both
#     instances for $SOAK_CALIBRATION; the capacity of the mix with $SOAK_LOGIN_SHARE logins is
#     worked out from the two (bench/soak_report.py explains how).
#  5. The soak: $SOAK_DURATION in intervals of $SOAK_INTERVAL, each interval two wrk processes at
#     once (bench/soak.lua): the storefront mix (reads, reads with include=addresses, refresh
#     grants, profile PATCHes, address creation and deletion) and logins, paced to $SOAK_LOAD of
#     the capacity by soak.lua's delay(): wrk has no rate limit, so each connection spaces its
#     requests and corrects its pace every 2 s from the rate it achieved. Every connection moves
#     to the other instance at each interval, taking its tokens along. After each interval: its
#     p50/p99 and the VmRSS of both instances (/proc/<pid>/status).
#  6. The summary: p99 per interval, errors, RSS at the start and end of the load with a verdict,
#     a block to paste into the README, and target/bench/soak-<timestamp>.json (+ soak-latest).
#     Exit status 1 when any request failed (non-2xx, socket error, timeout) or a server logged
#     an ERROR line.
#
# Knobs (environment):
#   SOAK_DURATION       length of the soak (5m; s, m or h)
#   SOAK_INTERVAL       length of one interval, one row of the table (30s)
#   SOAK_CALIBRATION    each of the two calibration runs (15s)
#   SOAK_LOAD           fraction of the measured capacity to offer (0.8)
#   SOAK_LOGIN_SHARE    fraction of the requests that are logins (0.01)
#   SOAK_CONNECTIONS    storefront connections, one wrk thread each (8); logins use 2
#   SOAK_MIX            storefront weights (read=60,include=15,refresh=10,patch=8,address=7)
#   SOAK_BCRYPT_COST    GLUE_BCRYPT_COST of both instances (10)
#   SOAK_PORT           instance A's port on 127.0.0.1; B uses the next one (18191)
#   SOAK_PG_HOST, SOAK_PG_PORT, SOAK_PG_USER   the PostgreSQL server (127.0.0.1, 5432, postgres)
#
# Usage: bash bench/soak.sh   (from anywhere; `make soak`)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="$ROOT/bench"
BENCH_TOOL=soak
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
cd "$ROOT"

# seconds_of 5m -> 300
seconds_of() {
    local value=$1 number unit
    [[ $value =~ ^([0-9]+)([smh]?)$ ]] || { printf 'soak: error: %s is not a duration (e.g. 90s, 5m)\n' "$value" >&2; exit 2; }
    number=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]}
    case $unit in
        h) echo $((number * 3600)) ;;
        m) echo $((number * 60)) ;;
        *) echo "$number" ;;
    esac
}

DURATION_S=$(seconds_of "${SOAK_DURATION:-5m}")
INTERVAL_S=$(seconds_of "${SOAK_INTERVAL:-30s}")
CALIBRATION_S=$(seconds_of "${SOAK_CALIBRATION:-15s}")
LOAD="${SOAK_LOAD:-0.8}"
LOGIN_SHARE="${SOAK_LOGIN_SHARE:-0.01}"
CONNECTIONS="${SOAK_CONNECTIONS:-8}"
LOGIN_CONNECTIONS=2
MIX="${SOAK_MIX:-read=60,include=15,refresh=10,patch=8,address=7}"
BCRYPT_COST="${SOAK_BCRYPT_COST:-10}"
PORT_A="${SOAK_PORT:-18191}"
PORT_B=$((PORT_A + 1))
PG_HOST="${SOAK_PG_HOST:-127.0.0.1}"
PG_PORT="${SOAK_PG_PORT:-5432}"
PG_USER="${SOAK_PG_USER:-postgres}"
DATABASE="glue_soak_$$"
PASSWORD='Kx9!vTq2#mWz'
JSON_API="application/vnd.api+json"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/release/glue-customers"
((DURATION_S > 0 && INTERVAL_S > 0 && CALIBRATION_S > 0)) || { echo "soak: durations must be above 0" >&2; exit 2; }

TMP="$(mktemp -d)"
WORK="$TMP/soak"
mkdir -p "$WORK"
PID_A=""
PID_B=""
WRK_PIDS=()
DATABASE_CREATED=false

cleanup() {
    local pid
    for pid in "${WRK_PIDS[@]}"; do stop_pid "$pid"; done
    stop_pid "$PID_A"
    stop_pid "$PID_B"
    if $DATABASE_CREATED; then
        drop_database "$DATABASE"
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# start_instance NAME PORT -> sets PID_<NAME>
start_instance() {
    local name=$1 port=$2 pid
    if local_curl -o /dev/null --max-time 2 "http://127.0.0.1:$port/health" 2>/dev/null; then
        die "something already answers on 127.0.0.1:$port; set SOAK_PORT to a free port"
    fi
    DATABASE_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/$DATABASE" \
        GLUE_LISTEN="127.0.0.1:$port" \
        GLUE_JWT_KEY_FILE="$WORK/jwt-private.pem" \
        GLUE_JWT_ISSUER="http://127.0.0.1:$PORT_A" \
        GLUE_BCRYPT_COST="$BCRYPT_COST" \
        GLUE_DOUBLE_OPT_IN=false \
        GLUE_LOGIN_MAX_FAILURES=1000000 \
        GLUE_MAIL_DIR="$WORK/mail-$name" \
        GLUE_LOG_FORMAT=text \
        RUST_LOG=warn \
        "$BIN" serve >"$WORK/server-$name.log" 2>&1 &
    pid=$!
    printf -v "PID_$name" '%s' "$pid"
    wait_until_ok "http://127.0.0.1:$port/ready" "$pid" "$WORK/server-$name.log"
    echo "instance $name: pid $pid on 127.0.0.1:$port"
}

rss_mib() {
    awk '$1 == "VmRSS:" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

peak_mib() {
    awk '$1 == "VmHWM:" { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# The accounts (SOAK_ACCOUNTS for soak.lua) and the first state file: account i registered on
# the instance its connection uses first, logged in on the other.
create_accounts() {
    log "registering $CONNECTIONS accounts with 2 addresses each"
    local i port other body status ref token refresh accounts=() a
    : >"$WORK/state-storefront"
    for ((i = 1; i <= CONNECTIONS; i++)); do
        # Thread i starts (round 0) on B when i is odd: its first tokens come from A.
        if ((i % 2)); then port=$PORT_B other=$PORT_A; else port=$PORT_A other=$PORT_B; fi
        local email="soak-$$-$i@example.com"
        body="{\"data\":{\"type\":\"customers\",\"attributes\":{\"email\":\"$email\",\"gender\":\"Female\",\"salutation\":\"Ms\",\"firstName\":\"Soak\",\"lastName\":\"Account $i\",\"password\":\"$PASSWORD\",\"confirmPassword\":\"$PASSWORD\",\"acceptedTerms\":true}}}"
        status=$(local_curl -o "$WORK/reg.json" -w '%{http_code}' -X POST "http://127.0.0.1:$port/customers" \
            -H "Content-Type: $JSON_API" --data-binary "$body")
        [[ $status == 201 ]] || die "registration answered $status: $(cat "$WORK/reg.json")"
        ref=$(json_get "$WORK/reg.json" data.id)
        body="{\"data\":{\"type\":\"access-tokens\",\"attributes\":{\"username\":\"$email\",\"password\":\"$PASSWORD\"}}}"
        status=$(local_curl -o "$WORK/login.json" -w '%{http_code}' -X POST "http://127.0.0.1:$other/access-tokens" \
            -H "Content-Type: $JSON_API" --data-binary "$body")
        [[ $status == 201 ]] || die "login answered $status: $(cat "$WORK/login.json")"
        token=$(json_get "$WORK/login.json" data.attributes.accessToken)
        refresh=$(json_get "$WORK/login.json" data.attributes.refreshToken)
        for a in 1 2; do
            body="{\"data\":{\"type\":\"addresses\",\"attributes\":{\"salutation\":\"Ms\",\"firstName\":\"Soak\",\"lastName\":\"Account $i\",\"address1\":\"Soakweg $a\",\"address2\":\"$a\",\"zipCode\":\"1011$a\",\"city\":\"Berlin\",\"iso2Code\":\"DE\",\"isDefaultShipping\":$([[ $a == 1 ]] && echo true || echo false),\"isDefaultBilling\":$([[ $a == 1 ]] && echo true || echo false)}}}"
            # Made on the instance that did not issue the token.
            status=$(local_curl -o "$WORK/address.json" -w '%{http_code}' -X POST "http://127.0.0.1:$port/customers/$ref/addresses" \
                -H "Content-Type: $JSON_API" -H "Authorization: Bearer $token" --data-binary "$body")
            [[ $status == 201 ]] || die "address creation answered $status: $(cat "$WORK/address.json")"
        done
        accounts+=("$ref|$email")
        printf '%d %s %s - -1\n' "$i" "$token" "$refresh" >>"$WORK/state-storefront"
    done
    ACCOUNTS=$(IFS=,; echo "${accounts[*]}")
}

# soak_wrk CLASS ROUND SECONDS RATE OUT_JSON -> runs wrk for one class (storefront or login)
# in the background; the caller waits. Its output goes to $WORK/wrk-CLASS.txt.
soak_wrk() {
    local class=$1 round=$2 seconds=$3 rate=$4 threads=$CONNECTIONS
    [[ $class == login ]] && threads=$LOGIN_CONNECTIONS
    SOAK_MODE=$class SOAK_PASSWORD="$PASSWORD" SOAK_ACCOUNTS="$ACCOUNTS" \
        SOAK_PORTS="$PORT_A,$PORT_B" SOAK_ROUND="$round" SOAK_RATE="$rate" SOAK_MIX="$MIX" \
        SOAK_STATE="$WORK/state-$class" \
        wrk --threads "$threads" --connections "$threads" --duration "${seconds}s" --timeout 10s \
        --latency --script "$BENCH_DIR/soak.lua" "http://127.0.0.1:$PORT_A/" >"$WORK/wrk-$class.txt" 2>&1 &
    WRK_PIDS+=($!)
}

# wait_wrk OUT_PREFIX CLASS...: waits for the wrk processes and extracts their BENCH_RESULT lines.
wait_wrk() {
    local prefix=$1 pid class
    shift
    for pid in "${WRK_PIDS[@]}"; do
        wait "$pid" || { cat "$WORK"/wrk-*.txt >&2; die "wrk failed"; }
    done
    WRK_PIDS=()
    for class in "$@"; do
        python3 "$BENCH_DIR/results.py" extract "$WORK/wrk-$class.txt" "$WORK/$prefix-$class.json" >/dev/null ||
            { cat "$WORK/wrk-$class.txt" >&2; die "no result from wrk ($class)"; }
    done
}

main() {
    command -v psql >/dev/null || die "psql is not installed; make soak needs PostgreSQL"
    psql_admin 'SELECT 1' >/dev/null 2>"$TMP/psql.err" ||
        die "PostgreSQL at $PG_HOST:$PG_PORT (role $PG_USER) does not answer: $(head -n 1 "$TMP/psql.err"); make soak needs it"
    ensure_command wrk wrk
    log "cargo build --release --bins"
    cargo build --release --bins
    [[ -x $BIN ]] || die "release binary not found at $BIN"

    psql_admin "CREATE DATABASE \"$DATABASE\"" >/dev/null
    DATABASE_CREATED=true
    log "two instances on PostgreSQL database $DATABASE"
    start_instance A "$PORT_A"
    start_instance B "$PORT_B"
    local idle_a idle_b
    idle_a=$(rss_mib "$PID_A") idle_b=$(rss_mib "$PID_B")
    create_accounts
    : >"$WORK/state-login"

    log "calibration: the storefront mix alone, then logins alone, ${CALIBRATION_S} s each at full speed"
    soak_wrk storefront 0 "$CALIBRATION_S" 0
    wait_wrk calibration storefront
    soak_wrk login 0 "$CALIBRATION_S" 0
    wait_wrk calibration login
    local rates storefront_rate login_rate
    rates=$(python3 "$BENCH_DIR/soak_report.py" calibrate "$WORK" --share "$LOGIN_SHARE" \
        --load "$LOAD" --threads "$CONNECTIONS" --login-threads "$LOGIN_CONNECTIONS")
    read -r storefront_rate login_rate <<<"$rates"
    # The pacing learnt during calibration means nothing at the soak's rate.
    : >"$WORK/state-login"
    sed -i 's/ [^ ]*$/ -1/' "$WORK/state-storefront"

    local start_a start_b
    start_a=$(rss_mib "$PID_A") start_b=$(rss_mib "$PID_B")
    log "soak: ${DURATION_S} s in ${INTERVAL_S} s intervals (per connection: $storefront_rate storefront req/s, $login_rate logins/s)"
    local k=0 done_s=0 seconds
    while ((done_s < DURATION_S)); do
        k=$((k + 1))
        seconds=$((DURATION_S - done_s < INTERVAL_S ? DURATION_S - done_s : INTERVAL_S))
        soak_wrk storefront "$k" "$seconds" "$storefront_rate"
        soak_wrk login "$k" "$seconds" "$login_rate"
        wait_wrk "interval-$k" storefront login
        kill -0 "$PID_A" 2>/dev/null || die "instance A died during the soak"
        kill -0 "$PID_B" 2>/dev/null || die "instance B died during the soak"
        python3 "$BENCH_DIR/soak_report.py" interval "$WORK" "$k" "$seconds" \
            "$(rss_mib "$PID_A")" "$(rss_mib "$PID_B")"
        done_s=$((done_s + seconds))
    done

    printf '{"idle_a": %s, "idle_b": %s, "start_a": %s, "start_b": %s, "end_a": %s, "end_b": %s, "peak_a": %s, "peak_b": %s}\n' \
        "$idle_a" "$idle_b" "$start_a" "$start_b" "$(rss_mib "$PID_A")" "$(rss_mib "$PID_B")" \
        "$(peak_mib "$PID_A")" "$(peak_mib "$PID_B")" >"$WORK/rss.json"
    local error_lines
    error_lines=$(cat "$WORK/server-A.log" "$WORK/server-B.log" | grep -c ' ERROR ' || true)
    if ((error_lines > 0)); then
        printf -- '--- ERROR lines in the servers logs (first 20) ---\n' >&2
        grep -h ' ERROR ' "$WORK/server-A.log" "$WORK/server-B.log" | head -n 20 >&2
    fi
    python3 "$BENCH_DIR/soak_report.py" summary "$WORK" --out-dir "$TARGET_DIR/bench" --root "$ROOT" \
        --setting "duration_seconds=$DURATION_S" --setting "interval_seconds=$INTERVAL_S" \
        --setting "calibration_seconds=$CALIBRATION_S" --setting "load=$LOAD" \
        --setting "login_share=$LOGIN_SHARE" --setting "connections=$CONNECTIONS" \
        --setting "login_connections=$LOGIN_CONNECTIONS" --setting "mix=\"$MIX\"" \
        --setting "bcrypt_cost=$BCRYPT_COST" --setting "server_error_lines=$error_lines"
}

main "$@"
