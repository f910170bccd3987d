#!/usr/bin/env bash
# Load benchmark for glue-customers: builds the release binary, starts it on a throw-away
# database, and drives three scenarios with wrk:
#   a  GET /customers/{ref}   authenticated read (JWT check + one database read + JSON:API body)
#   b  POST /access-tokens    login; bcrypt-bound by design, so expect a few requests per second
#   c  GET /health            no database, no auth: the actix-web baseline
#   d  POST /token            client_credentials grant (a partner client, HTTP Basic)
#   e  POST /token            refresh_token grant with rotation (one chain per connection)
#   f  POST /token/introspect introspection of a customer access token
# Every response is checked as well as timed (see bench/report.lua), and the server's memory is
# read from /proc at the end. Then bench/login_timing.py times failed logins after bcrypt cost
# changes (accounts made at two lower costs and a higher one, an unknown email) on a server
# restarted at another cost: the medians must agree within 10 %.
#
# Knobs (environment):
#   BENCH_DURATION      wrk duration per scenario           (default 10s)
#   BENCH_CONNECTIONS   wrk connections                     (default 16; 2 wrk threads)
#   BENCH_PORT          port on 127.0.0.1                   (default 18181)
#   BENCH_BCRYPT_COST   bcrypt cost                         (default 12, the production value)
#   BENCH_DATABASE_URL  postgres:// URL to use instead of a fresh SQLite file. The benchmark
#                       registers one customer there (a unique e-mail) and leaves it behind.
#
# Usage: bash bench/run.sh   (from anywhere; `make bench`)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="$ROOT/bench"
cd "$ROOT"

PORT="${BENCH_PORT:-18181}"
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-16}"
THREADS=2
# The refresh scenario runs one connection per thread (see bench/refresh.lua).
REFRESH_THREADS=8
BCRYPT_COST="${BENCH_BCRYPT_COST:-12}"
BASE="http://127.0.0.1:$PORT"
JSON_API="application/vnd.api+json"
# Satisfies the default password policy (the same one tests/api/helpers.rs uses).
PASSWORD='Kx9!vTq2#mWz'
# wrk's default 2 s timeout would count queued logins as failures: at bcrypt cost 12 one login
# takes ~0.25 s of CPU, so 16 concurrent logins on 2 cores wait ~2 s each by design.
WRK_TIMEOUT=30s
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/glue-customers"

TMP="$(mktemp -d)"
SERVER_PID=""
declare -A RESULT=()   # "<scenario>.<key>" -> value, filled from report.lua's BENCH_RESULT line
FAILURES=()

log() { printf '\n==> %s\n' "$*" >&2; }
warn() { printf 'bench: warning: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

# Always stop the server and remove the temp dir, whichever way the script ends.
cleanup() {
    if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
# Turn Ctrl-C / kill into a normal exit so the EXIT trap runs.
trap 'exit 130' INT
trap 'exit 143' TERM

# curl for the local server only: --noproxy so a proxy in the environment never sees the traffic.
local_curl() {
    curl -sS --noproxy '*' --max-time 30 "$@"
}

# json_get FILE data.attributes.accessToken -> prints the value at that dotted path.
json_get() {
    python3 -c '
import json, sys
value = json.load(open(sys.argv[1]))
for key in sys.argv[2].split("."):
    value = value[key]
print(value)' "$1" "$2"
}

show_server_log() {
    if [[ -s $TMP/server.log ]]; then
        printf -- '--- server log (last 40 lines) ---\n' >&2
        tail -n 40 "$TMP/server.log" >&2
    fi
}

ensure_wrk() {
    command -v wrk >/dev/null && return
    log "installing wrk from the Debian archive"
    local sudo=""
    [[ $(id -u) -eq 0 ]] || sudo="sudo"
    # dpkg is chatty even with -qq; keep its output for the error case only.
    if ! { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; } \
        >"$TMP/apt.log" 2>&1; then
        cat "$TMP/apt.log" >&2
        die "could not install wrk with apt-get"
    fi
    command -v wrk >/dev/null || die "wrk is still not on PATH after apt-get install"
}

# Checked before the four-minute build, not after it.
choose_database() {
    DATABASE_URL_FOR_SERVER="sqlite://$TMP/bench.db"
    if [[ -n ${BENCH_DATABASE_URL:-} ]]; then
        [[ $BENCH_DATABASE_URL == postgres://* || $BENCH_DATABASE_URL == postgresql://* ]] ||
            die "BENCH_DATABASE_URL must be a postgres:// URL"
        DATABASE_URL_FOR_SERVER="$BENCH_DATABASE_URL"
    fi
}

build() {
    log "cargo build --release"
    cargo build --release
    [[ -x $BIN ]] || die "release binary not found at $BIN"
}

start_server() {
    # Something already answering on the port would be benchmarked instead of our binary.
    if local_curl -o /dev/null --max-time 2 "$BASE/health" 2>/dev/null; then
        die "something already answers on $BASE; set BENCH_PORT to a free port"
    fi
    log "starting $BIN on $BASE (${DATABASE_URL_FOR_SERVER%%://*}, bcrypt cost $BCRYPT_COST)"
    # Started directly (no subshell) so $! is the server's own pid, for kill and /proc.
    DATABASE_URL="$DATABASE_URL_FOR_SERVER" \
        GLUE_LISTEN="127.0.0.1:$PORT" \
        GLUE_BCRYPT_COST="$BCRYPT_COST" \
        GLUE_JWT_KEY_FILE="$TMP/key.pem" \
        GLUE_DOUBLE_OPT_IN=false \
        GLUE_LOGIN_MAX_FAILURES=1000000 \
        GLUE_MAIL_DIR="$TMP/mail" \
        GLUE_LOG_FORMAT=text \
        RUST_LOG=warn \
        "$BIN" serve >"$TMP/server.log" 2>&1 &
    SERVER_PID=$!

    # Start-up generates an RSA key and runs migrations; give it a bounded 30 s.
    local deadline=$((SECONDS + 30))
    until local_curl -fo /dev/null --max-time 1 "$BASE/health" 2>/dev/null; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            show_server_log
            die "the server exited during start-up"
        fi
        if ((SECONDS >= deadline)); then
            show_server_log
            die "no 200 from $BASE/health within 30 s"
        fi
        sleep 0.5
    done
}

# Registers one customer and logs in; sets EMAIL, REFERENCE and ACCESS_TOKEN.
create_customer() {
    log "registering a customer and logging in"
    # Unique per run, so a reused PostgreSQL database does not answer "email taken".
    EMAIL="bench-$(date +%s)-$$@example.com"
    local body status
    body=$(python3 -c '
import json, sys
email, password = sys.argv[1], sys.argv[2]
print(json.dumps({"data": {"type": "customers", "attributes": {
    "email": email, "gender": "Female", "salutation": "Mrs",
    "firstName": "Sonia", "lastName": "Wagner",
    "password": password, "confirmPassword": password, "acceptedTerms": True}}}))' "$EMAIL" "$PASSWORD")
    status=$(local_curl -o "$TMP/register.json" -w '%{http_code}' -X POST "$BASE/customers" \
        -H "Content-Type: $JSON_API" -H "Accept: $JSON_API" --data-binary "$body")
    [[ $status == 201 ]] || die "POST /customers answered $status: $(cat "$TMP/register.json")"
    REFERENCE=$(json_get "$TMP/register.json" data.id)

    login_once "$TMP/login.json" || die "POST /access-tokens answered $LOGIN_STATUS: $(cat "$TMP/login.json")"
    ACCESS_TOKEN=$(json_get "$TMP/login.json" data.attributes.accessToken)
    [[ -n $ACCESS_TOKEN ]] || die "login returned an empty accessToken"
    echo "customer $REFERENCE ($EMAIL)"
}

# A partner client with the introspection scope, made with the CLI; sets BASIC (the
# Authorization header value).
create_partner() {
    log "registering a partner client with the CLI"
    local json id secret
    json=$(DATABASE_URL="$DATABASE_URL_FOR_SERVER" "$BIN" client create --name bench \
        --scopes "customers:read tokens:introspect" --json) || die "client create failed"
    id=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])')
    secret=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')
    BASIC="Basic $(printf '%s:%s' "$id" "$secret" | base64 -w0)"
}

# One refresh-token chain per wrk thread (each thread runs one connection); sets REFRESH_TOKENS.
create_refresh_chains() {
    log "logging in $REFRESH_THREADS times for the refresh chains"
    local tokens=() i status
    for ((i = 0; i < REFRESH_THREADS; i++)); do
        status=$(local_curl -o "$TMP/grant.json" -w '%{http_code}' -X POST "$BASE/token" \
            --data-urlencode grant_type=password --data-urlencode "username=$EMAIL" \
            --data-urlencode "password=$PASSWORD")
        [[ $status == 200 ]] || die "password grant answered $status: $(cat "$TMP/grant.json")"
        tokens+=("$(json_get "$TMP/grant.json" refresh_token)")
    done
    REFRESH_TOKENS=$(IFS=,; echo "${tokens[*]}")
}

# login_once OUTFILE -> 0 on 201 with an access token; sets LOGIN_STATUS.
login_once() {
    local body
    body=$(python3 -c '
import json, sys
print(json.dumps({"data": {"type": "access-tokens",
    "attributes": {"username": sys.argv[1], "password": sys.argv[2]}}}))' "$EMAIL" "$PASSWORD")
    LOGIN_STATUS=$(local_curl -o "$1" -w '%{http_code}' -X POST "$BASE/access-tokens" \
        -H "Content-Type: $JSON_API" -H "Accept: $JSON_API" --data-binary "$body")
    [[ $LOGIN_STATUS == 201 ]] && [[ -n $(json_get "$1" data.attributes.accessToken) ]]
}

# run_wrk NAME LUA_SCRIPT PATH [extra wrk args...]
# Prints wrk's own report and stores report.lua's BENCH_RESULT values in RESULT[NAME.*].
run_wrk() {
    local name=$1 script=$2 path=$3
    shift 3
    log "scenario $name: $path ($DURATION, $THREADS threads, $CONNECTIONS connections)"
    wrk --threads "$THREADS" --connections "$CONNECTIONS" --duration "$DURATION" \
        --timeout "$WRK_TIMEOUT" --latency --script "$script" "$@" "$BASE$path" |
        tee "$TMP/wrk-$name.txt"
    local line pair
    line=$(grep '^BENCH_RESULT ' "$TMP/wrk-$name.txt") || die "wrk printed no BENCH_RESULT line for $name"
    for pair in ${line#BENCH_RESULT }; do
        RESULT[$name.${pair%%=*}]=${pair#*=}
    done
    if [[ ${RESULT[$name.requests]} == 0 ]]; then
        FAILURES+=("$name: no request completed")
    fi
    if [[ ${RESULT[$name.socket_errors]} != 0 || ${RESULT[$name.timeouts]} != 0 ]]; then
        warn "$name: ${RESULT[$name.socket_errors]} socket errors, ${RESULT[$name.timeouts]} timeouts"
    fi
}

# require_all_2xx NAME: for scenarios where any non-2xx answer is a bug, not load shedding.
require_all_2xx() {
    local name=$1
    if [[ ${RESULT[$name.non2xx]} != 0 ]]; then
        FAILURES+=("$name: ${RESULT[$name.non2xx]} non-2xx responses (status:count ${RESULT[$name.statuses]})")
    fi
}

# After each scenario, one plain request whose body is checked too: wrk only sees statuses.
check_customer_read() {
    local status
    status=$(local_curl -o "$TMP/check.json" -w '%{http_code}' "$BASE/customers/$REFERENCE" \
        -H "Authorization: Bearer $ACCESS_TOKEN" -H "Accept: $JSON_API")
    if [[ $status != 200 ]] || [[ $(json_get "$TMP/check.json" data.id) != "$REFERENCE" ]]; then
        FAILURES+=("a: GET /customers/$REFERENCE after the run answered $status")
    fi
}

check_login() {
    login_once "$TMP/check.json" || FAILURES+=("b: POST /access-tokens after the run answered $LOGIN_STATUS")
}

check_health() {
    local status
    status=$(local_curl -o "$TMP/check.json" -w '%{http_code}' "$BASE/health")
    if [[ $status != 200 ]] || [[ $(json_get "$TMP/check.json" status) != ok ]]; then
        FAILURES+=("c: GET /health after the run answered $status")
    fi
}

# memory_mib FIELD -> the field of /proc/<server>/status (kB) in MiB.
memory_mib() {
    awk -v field="$1:" '$1 == field { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"
}

print_summary() {
    local rss=$1 hwm=$2 idle=$3
    log "summary ($(nproc) cores, bcrypt cost $BCRYPT_COST, $DURATION per scenario, $THREADS threads, $CONNECTIONS connections)"
    printf '%-26s %10s %10s %10s %8s %10s\n' scenario 'req/s' 'p50 ms' 'p99 ms' non-2xx 'sock.err'
    local name label
    for name in a b c d e f; do
        case $name in
            a) label="a GET /customers/{ref}" ;;
            b) label="b POST /access-tokens" ;;
            c) label="c GET /health" ;;
            d) label="d client_credentials" ;;
            e) label="e refresh_token grant" ;;
            f) label="f introspection" ;;
        esac
        printf '%-26s %10s %10s %10s %8s %10s\n' "$label" \
            "${RESULT[$name.rps]}" "${RESULT[$name.p50_ms]}" "${RESULT[$name.p99_ms]}" \
            "${RESULT[$name.non2xx]}" "$((RESULT[$name.socket_errors] + RESULT[$name.timeouts]))"
    done
    printf 'server memory after the runs: RSS %s MiB, peak RSS (VmHWM) %s MiB; idle before load: %s MiB\n' \
        "$rss" "$hwm" "$idle"
}

main() {
    choose_database
    ensure_wrk
    build
    start_server
    create_customer
    local idle_rss
    idle_rss=$(memory_mib VmRSS)

    run_wrk a "$BENCH_DIR/report.lua" "/customers/$REFERENCE" \
        -H "Authorization: Bearer $ACCESS_TOKEN" -H "Accept: $JSON_API"
    require_all_2xx a
    check_customer_read

    # Login is expected to be slow (bcrypt); non-2xx are reported, not fatal.
    BENCH_LOGIN_EMAIL="$EMAIL" BENCH_LOGIN_PASSWORD="$PASSWORD" \
        run_wrk b "$BENCH_DIR/login.lua" /access-tokens
    if [[ ${RESULT[b.non2xx]} != 0 ]]; then
        warn "b: ${RESULT[b.non2xx]} non-2xx responses (status:count ${RESULT[b.statuses]})"
    fi
    check_login

    run_wrk c "$BENCH_DIR/report.lua" /health
    require_all_2xx c
    check_health

    create_partner
    BENCH_FORM_BODY="grant_type=client_credentials" \
        run_wrk d "$BENCH_DIR/form_post.lua" /token -H "Authorization: $BASIC"
    require_all_2xx d

    create_refresh_chains
    BENCH_REFRESH_TOKENS="$REFRESH_TOKENS" THREADS=$REFRESH_THREADS CONNECTIONS=$REFRESH_THREADS \
        run_wrk e "$BENCH_DIR/refresh.lua" /token
    require_all_2xx e

    BENCH_FORM_BODY="token=$ACCESS_TOKEN" \
        run_wrk f "$BENCH_DIR/form_post.lua" /token/introspect -H "Authorization: $BASIC"
    require_all_2xx f
    if ! local_curl -u "x:y" -o /dev/null "$BASE/token/introspect" -d "token=$ACCESS_TOKEN" -w '%{http_code}' | grep -q 401; then
        FAILURES+=("f: introspection with a wrong client secret was not refused")
    fi

    python3 "$BENCH_DIR/password_grant_timing.py" "$BASE" "$EMAIL" "$PASSWORD" 15 ||
        FAILURES+=("password grant timing failed")

    kill -0 "$SERVER_PID" 2>/dev/null || die "the server died during the benchmark"
    print_summary "$(memory_mib VmRSS)" "$(memory_mib VmHWM)" "$idle_rss"

    log "failed-login timing after bcrypt cost changes"
    if ! python3 "$BENCH_DIR/login_timing.py" "$BIN"; then
        FAILURES+=("failed-login timing: the medians differ by more than 10 %")
    fi

    if ((${#FAILURES[@]} > 0)); then
        printf 'bench: FAILED:\n' >&2
        printf '  %s\n' "${FAILURES[@]}" >&2
        show_server_log
        exit 1
    fi
    echo "all checks passed"
}

main "$@"
