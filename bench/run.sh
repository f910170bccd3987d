#!/usr/bin/env bash
# make bench: throughput of glue-customers as a fraction of this machine's limits, measured in
# one run, on SQLite and on PostgreSQL (issue 16 items 1 and 4; issue 13's login timing).
#
#  1. cargo build --release --bins: the service and bench-ceiling (src/bin/bench-ceiling.rs).
#  2. The ceilings, measured before and after the scenarios (their mean is the divisor, the two
#     values show how much the machine drifted meanwhile):
#       framework  bench-ceiling serving GET /noop -> {"ok":true} with actix-web and the
#                  service's worker count, driven by wrk exactly like the scenarios;
#       hashing    bench-ceiling bcrypt: bcrypt verifies per second at the bench's cost (10),
#                  one thread per core, in-process.
#  3. For each database (SQLite in a fresh temp file; PostgreSQL in a throw-away database
#     glue_bench_<pid>_main created with psql on 127.0.0.1:5432 and dropped at exit; skipped
#     with a note when PostgreSQL does not answer):
#       cold start   bench/cold_start.py: fresh database to the first 200 on /ready, 5 times;
#       set-up       a customer with 3 addresses, two partner clients made with the CLI
#                    (customers:read tokens:introspect for the scenarios; customers:write to
#                    seed 300 customers through POST /backend/customers, bench/seed.py);
#       scenarios    wrk, every response's status checked (bench/report.lua), non-2xx,
#                    socket errors and timeouts are failures:
#                      read            GET /customers/{ref} with a bearer token
#                      read_include    GET /customers/{ref}?include=addresses
#                      partner_list    GET /backend/customers?page[limit]=20, partner token
#                      client_credentials  POST /token (HTTP Basic)
#                      introspection   POST /token/introspect of a customer access token
#                      refresh         POST /token refresh_token, one rotating chain per
#                                      connection (8 threads x 1 connection, bench/refresh.lua)
#                      health          GET /health: the service's middleware, no database
#                      login           POST /access-tokens (one bcrypt verify each)
#                      register        POST /customers, a new email each (one bcrypt hash each)
#       login timing bench/password_grant_timing.py: median failed-login time for a known and
#                    an unknown email side by side (and a successful one), on both doors;
#       memory       VmRSS / VmHWM of the server from /proc.
#  4. bench/login_timing.py: failed-login timing after bcrypt cost changes (medians within 10 %).
#  5. bench/results.py: the ratio table, and target/bench/<timestamp>.json + latest.json.
#
# Knobs (environment):
#   BENCH_DURATION         wrk duration per scenario and for the framework ceiling (10s)
#   BENCH_CONNECTIONS      wrk connections (16), BENCH_THREADS wrk threads (2)
#   BENCH_HASH_CONNECTIONS wrk connections of login and registration (BENCH_CONNECTIONS). wrk
#                          counts completed requests only, so the bcrypt work in flight when a
#                          run ends is lost; the service hashes one password per core at a
#                          time, so that is at most one hash per core (~0.6 % of 10 s at cost
#                          10). A longer run shrinks it.
#   BENCH_WORKERS          GLUE_WORKERS of the service and of the ceiling (GLUE_WORKERS, else
#                          the number of cores)
#   BENCH_BCRYPT_COST      GLUE_BCRYPT_COST of the service and the hashing ceiling's cost (10)
#   BENCH_CEILING_SECONDS  length of each bcrypt ceiling measurement (5)
#   BENCH_COLD_RUNS        cold starts per database (5)
#   BENCH_SEED_CUSTOMERS   customers seeded before the partner list (300)
#   BENCH_LOGIN_SAMPLES    samples per case of the known/unknown login timing (15)
#   BENCH_DATABASES        which halves to run ("sqlite postgres")
#   BENCH_PORT             port of the service on 127.0.0.1 (18181; the cold starts use +2)
#   BENCH_PG_HOST, BENCH_PG_PORT, BENCH_PG_USER   the PostgreSQL server (127.0.0.1, 5432,
#                          postgres; trust auth or PGPASSWORD)
#   BENCH_DATABASE_URL     postgres:// URL used for the PostgreSQL half instead of a throw-away
#                          database; the bench leaves its customers there, and the PostgreSQL
#                          cold start is skipped (that database is not fresh).
#   BENCH_TIMING_*         see bench/login_timing.py
#
# Usage: bash bench/run.sh   (from anywhere; `make bench`)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_DIR="$ROOT/bench"
BENCH_TOOL=bench
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
cd "$ROOT"

PORT="${BENCH_PORT:-18181}"
COLD_PORT=$((PORT + 2))
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-16}"
HASH_CONNECTIONS="${BENCH_HASH_CONNECTIONS:-$CONNECTIONS}"
THREADS="${BENCH_THREADS:-2}"
# The refresh scenario runs one connection per thread (see bench/refresh.lua).
REFRESH_THREADS=8
WORKERS="${BENCH_WORKERS:-${GLUE_WORKERS:-$(nproc)}}"
BCRYPT_COST="${BENCH_BCRYPT_COST:-10}"
CEILING_SECONDS="${BENCH_CEILING_SECONDS:-5}"
COLD_RUNS="${BENCH_COLD_RUNS:-5}"
SEED_CUSTOMERS="${BENCH_SEED_CUSTOMERS:-300}"
LOGIN_SAMPLES="${BENCH_LOGIN_SAMPLES:-15}"
DATABASES="${BENCH_DATABASES:-sqlite postgres}"
PG_HOST="${BENCH_PG_HOST:-127.0.0.1}"
PG_PORT="${BENCH_PG_PORT:-5432}"
PG_USER="${BENCH_PG_USER:-postgres}"
PG_PREFIX="glue_bench_$$_"
BASE="http://127.0.0.1:$PORT"
JSON_API="application/vnd.api+json"
# Satisfies the default password policy (the same one tests/api/helpers.rs uses).
PASSWORD='Kx9!vTq2#mWz'
# wrk's default 2 s timeout would count queued logins as failures: 16 concurrent bcrypt
# verifies on 2 cores wait for each other by design.
WRK_TIMEOUT=30s
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/release/glue-customers"
CEILING_BIN="$TARGET_DIR/release/bench-ceiling"
RUN_ID="$(date +%s)-$$"

TMP="$(mktemp -d)"
RES="$TMP/results"
mkdir -p "$RES"
SERVER_PID=""
CEILING_PID=""
PG_AVAILABLE=false
FAILURES=()

fail() { FAILURES+=("$*"); printf 'bench: FAILURE: %s\n' "$*" >&2; }

# Every database this run made starts with glue_bench_<pid>_ (the cold starts' ones too).
drop_bench_databases() {
    $PG_AVAILABLE || return 0
    local name
    for name in $(psql_admin "SELECT datname FROM pg_database WHERE starts_with(datname, '$PG_PREFIX')" 2>/dev/null); do
        drop_database "$name"
    done
}

# Always stop what we started, drop our databases and remove the temp dir.
cleanup() {
    stop_pid "$SERVER_PID"
    stop_pid "$CEILING_PID"
    drop_bench_databases
    rm -rf "$TMP"
}
trap cleanup EXIT
# Turn Ctrl-C / kill into a normal exit so the EXIT trap runs.
trap 'exit 130' INT
trap 'exit 143' TERM

show_server_log() {
    if [[ -s $TMP/server.log ]]; then
        printf -- '--- server log (last 40 lines) ---\n' >&2
        tail -n 40 "$TMP/server.log" >&2
    fi
}

# Checked before the four-minute build, not after it.
check_databases() {
    local db
    for db in $DATABASES; do
        [[ $db == sqlite || $db == postgres ]] || die "BENCH_DATABASES: unknown database '$db'"
    done
    if [[ -n ${BENCH_DATABASE_URL:-} ]]; then
        [[ $BENCH_DATABASE_URL == postgres://* || $BENCH_DATABASE_URL == postgresql://* ]] ||
            die "BENCH_DATABASE_URL must be a postgres:// URL"
    fi
    [[ " $DATABASES " == *" postgres "* ]] || return 0
    if ! command -v psql >/dev/null; then
        warn "psql is not installed: the PostgreSQL half is skipped"
    elif psql_admin 'SELECT 1' >/dev/null 2>"$TMP/psql.err"; then
        PG_AVAILABLE=true
    else
        warn "PostgreSQL at $PG_HOST:$PG_PORT (role $PG_USER) does not answer: $(head -n 1 "$TMP/psql.err")"
    fi
    if ! $PG_AVAILABLE && [[ -z ${BENCH_DATABASE_URL:-} ]]; then
        warn "the PostgreSQL half is skipped"
    fi
}

build() {
    log "cargo build --release --bins"
    cargo build --release --bins
    [[ -x $BIN ]] || die "release binary not found at $BIN"
    [[ -x $CEILING_BIN ]] || die "bench-ceiling not found at $CEILING_BIN"
}

# run_wrk NAME OUT_JSON SCRIPT URL [extra wrk args...]
# wrk with $THREADS/$CONNECTIONS (overridable for one call); its BENCH_RESULT line goes to
# OUT_JSON, and any non-2xx, socket error or timeout is a failure.
run_wrk() {
    local name=$1 out=$2 script=$3 url=$4
    shift 4
    log "$name: $url ($DURATION, $THREADS threads, $CONNECTIONS connections)"
    wrk --threads "$THREADS" --connections "$CONNECTIONS" --duration "$DURATION" \
        --timeout "$WRK_TIMEOUT" --latency --script "$script" "$@" "$url" >"$TMP/wrk.txt" 2>&1 || {
        cat "$TMP/wrk.txt" >&2
        die "wrk failed for $name"
    }
    grep -v '^BENCH_RESULT ' "$TMP/wrk.txt" | sed -n '/Thread Stats/,/Transfer/p' | grep -v Transfer || true
    local summary requests non2xx socket_errors timeouts statuses
    summary=$(python3 "$BENCH_DIR/results.py" extract "$TMP/wrk.txt" "$out") ||
        die "no result from wrk for $name"
    read -r requests non2xx socket_errors timeouts statuses <<<"$summary"
    if ((requests == 0)); then
        fail "$name: no request completed"
    fi
    if ((non2xx != 0)); then
        fail "$name: $non2xx non-2xx responses (status:count $statuses)"
    fi
    if ((socket_errors != 0 || timeouts != 0)); then
        fail "$name: $socket_errors socket errors, $timeouts timeouts"
    fi
}

# ---- ceilings --------------------------------------------------------------------------------

measure_ceilings() {
    local phase=$1
    log "hashing ceiling ($phase): bcrypt cost $BCRYPT_COST, ${CEILING_SECONDS} s, one thread per core"
    "$CEILING_BIN" bcrypt --cost "$BCRYPT_COST" --seconds "$CEILING_SECONDS" \
        >"$RES/ceiling-hashing-$phase.json" || die "bench-ceiling bcrypt failed"
    cat "$RES/ceiling-hashing-$phase.json"

    "$CEILING_BIN" serve --workers "$WORKERS" --listen 127.0.0.1:0 >"$TMP/ceiling.out" 2>&1 &
    CEILING_PID=$!
    local deadline=$((SECONDS + 30)) address=""
    until address=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    if line.startswith("{"):
        print(json.loads(line)["listen"]); break
else:
    sys.exit(1)' "$TMP/ceiling.out" 2>/dev/null); do
        kill -0 "$CEILING_PID" 2>/dev/null || { cat "$TMP/ceiling.out" >&2; die "bench-ceiling serve exited"; }
        ((SECONDS < deadline)) || die "bench-ceiling serve did not start within 30 s"
        sleep 0.1
    done
    local status
    status=$(local_curl -o "$TMP/noop.json" -w '%{http_code} %{content_type}' "http://$address/noop")
    [[ $status == "200 application/json" && $(cat "$TMP/noop.json") == '{"ok":true}' ]] ||
        die "bench-ceiling /noop answered $status: $(cat "$TMP/noop.json")"
    run_wrk "framework ceiling ($phase)" "$RES/ceiling-framework-$phase.json" \
        "$BENCH_DIR/report.lua" "http://$address/noop"
    stop_pid "$CEILING_PID"
    CEILING_PID=""
}

# ---- one database ----------------------------------------------------------------------------

start_server() {
    local url=$1
    # Something already answering on the port would be benchmarked instead of our binary.
    if local_curl -o /dev/null --max-time 2 "$BASE/health" 2>/dev/null; then
        die "something already answers on $BASE; set BENCH_PORT to a free port"
    fi
    log "starting $BIN on $BASE (${url%%://*}, bcrypt cost $BCRYPT_COST, $WORKERS workers)"
    # Started directly (no subshell) so $! is the server's own pid, for kill and /proc.
    DATABASE_URL="$url" \
        GLUE_LISTEN="127.0.0.1:$PORT" \
        GLUE_WORKERS="$WORKERS" \
        GLUE_BCRYPT_COST="$BCRYPT_COST" \
        GLUE_JWT_KEY_FILE="$TMP/key.pem" \
        GLUE_DOUBLE_OPT_IN=false \
        GLUE_LOGIN_MAX_FAILURES=1000000 \
        GLUE_MAIL_DIR="$TMP/mail" \
        GLUE_LOG_FORMAT=text \
        RUST_LOG=warn \
        "$BIN" serve >"$TMP/server.log" 2>&1 &
    SERVER_PID=$!
    wait_until_ok "$BASE/ready" "$SERVER_PID" "$TMP/server.log"
}

stop_server() {
    stop_pid "$SERVER_PID"
    SERVER_PID=""
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

# Registers the bench customer, logs in, adds 3 addresses; sets EMAIL, REFERENCE, ACCESS_TOKEN.
create_customer() {
    log "registering a customer with 3 addresses"
    EMAIL="bench-$RUN_ID-$1@example.com"
    local body status i
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
    for i in 1 2 3; do
        body="{\"data\":{\"type\":\"addresses\",\"attributes\":{\"salutation\":\"Mrs\",\"firstName\":\"Sonia\",\"lastName\":\"Wagner\",\"address1\":\"Julie-Wolfthorn-Strasse $i\",\"address2\":\"$((i * 10))\",\"zipCode\":\"1011$i\",\"city\":\"Berlin\",\"iso2Code\":\"DE\",\"phone\":\"+49 30 1234$i\",\"isDefaultShipping\":$([[ $i == 1 ]] && echo true || echo false),\"isDefaultBilling\":$([[ $i == 2 ]] && echo true || echo false)}}}"
        status=$(local_curl -o "$TMP/address.json" -w '%{http_code}' -X POST "$BASE/customers/$REFERENCE/addresses" \
            -H "Content-Type: $JSON_API" -H "Accept: $JSON_API" -H "Authorization: Bearer $ACCESS_TOKEN" \
            --data-binary "$body")
        [[ $status == 201 ]] || die "POST /customers/$REFERENCE/addresses answered $status: $(cat "$TMP/address.json")"
    done
    echo "customer $REFERENCE ($EMAIL) with 3 addresses"
}

# create_client URL NAME SCOPES -> prints the Authorization header value (HTTP Basic).
create_client() {
    local json id secret
    json=$(DATABASE_URL="$1" "$BIN" client create --name "$2" --scopes "$3" --json) ||
        die "glue-customers client create --name $2 failed"
    id=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_id"])')
    secret=$(printf '%s' "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["client_secret"])')
    printf 'Basic %s' "$(printf '%s:%s' "$id" "$secret" | base64 -w0)"
}

# client_token BASIC -> prints a client_credentials access token.
client_token() {
    local status
    status=$(local_curl -o "$TMP/cc.json" -w '%{http_code}' -X POST "$BASE/token" \
        -H "Authorization: $1" -d grant_type=client_credentials)
    [[ $status == 200 ]] || die "client_credentials grant answered $status: $(cat "$TMP/cc.json")"
    json_get "$TMP/cc.json" access_token
}

# Partner clients made with the CLI, and the seeded customers; sets BASIC and PARTNER_TOKEN.
create_partners() {
    local url=$1 seed_basic seed_token
    log "partner clients (glue-customers client create) and $SEED_CUSTOMERS seeded customers"
    BASIC=$(create_client "$url" bench "customers:read tokens:introspect")
    PARTNER_TOKEN=$(client_token "$BASIC")
    seed_basic=$(create_client "$url" bench-seed "customers:write")
    seed_token=$(client_token "$seed_basic")
    python3 "$BENCH_DIR/seed.py" "$BASE" "$seed_token" "$SEED_CUSTOMERS" "$RUN_ID" ||
        die "seeding customers failed"
}

# One refresh-token chain per wrk thread (each thread runs one connection); sets REFRESH_TOKENS.
create_refresh_chains() {
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

# After the scenarios, plain requests whose bodies are checked too: wrk only sees statuses.
check_bodies() {
    local db=$1 status
    status=$(local_curl -o "$TMP/check.json" -w '%{http_code}' "$BASE/customers/$REFERENCE?include=addresses" \
        -H "Authorization: Bearer $ACCESS_TOKEN" -H "Accept: $JSON_API")
    if [[ $status != 200 ]] || [[ $(json_get "$TMP/check.json" data.id) != "$REFERENCE" ]] ||
        [[ $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["included"]))' "$TMP/check.json") != 3 ]]; then
        fail "$db: GET /customers/$REFERENCE?include=addresses after the run answered $status without its 3 addresses"
    fi
    status=$(local_curl -o "$TMP/check.json" -w '%{http_code}' "$BASE/backend/customers?page%5Blimit%5D=20" \
        -H "Authorization: Bearer $PARTNER_TOKEN" -H "Accept: $JSON_API")
    if [[ $status != 200 ]] ||
        [[ $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["data"]))' "$TMP/check.json") != 20 ]]; then
        fail "$db: the partner list page after the run answered $status without 20 customers"
    fi
    login_once "$TMP/check.json" || fail "$db: POST /access-tokens after the run answered $LOGIN_STATUS"
    status=$(local_curl -u "x:y" -o /dev/null -w '%{http_code}' "$BASE/token/introspect" -d "token=$ACCESS_TOKEN")
    [[ $status == 401 ]] || fail "$db: introspection with a wrong client secret answered $status, not 401"
}

# memory_mib FIELD -> the field of /proc/<server>/status (kB) in MiB.
memory_mib() {
    awk -v field="$1:" '$1 == field { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status"
}

bench_database() {
    local db=$1 url out="$RES/$1" cold_args=()
    mkdir -p "$out"
    if [[ $db == sqlite ]]; then
        url="sqlite://$TMP/bench-sqlite.db"
    elif [[ -n ${BENCH_DATABASE_URL:-} ]]; then
        url=$BENCH_DATABASE_URL
        warn "PostgreSQL: using BENCH_DATABASE_URL; the bench leaves its customers there"
    elif $PG_AVAILABLE; then
        psql_admin "CREATE DATABASE \"${PG_PREFIX}main\"" >/dev/null
        url="postgres://$PG_USER@$PG_HOST:$PG_PORT/${PG_PREFIX}main"
    else
        echo "PostgreSQL at $PG_HOST:$PG_PORT did not answer" >"$out/skipped.txt"
        log "PostgreSQL: skipped ($(cat "$out/skipped.txt"))"
        return
    fi
    log "===== $db ====="

    if [[ $db == postgres ]]; then
        cold_args=(--pg-host "$PG_HOST" --pg-port "$PG_PORT" --pg-user "$PG_USER" --pg-prefix "${PG_PREFIX}cold")
    fi
    if [[ $db == postgres ]] && { [[ -n ${BENCH_DATABASE_URL:-} ]] || ! $PG_AVAILABLE; }; then
        warn "PostgreSQL cold start skipped: BENCH_DATABASE_URL is not a fresh database"
    else
        log "cold start on $db ($COLD_RUNS runs)"
        python3 "$BENCH_DIR/cold_start.py" --binary "$BIN" --backend "$db" --runs "$COLD_RUNS" \
            --port "$COLD_PORT" --workdir "$TMP/cold-$db" --out "$out/cold-start.json" "${cold_args[@]}" ||
            fail "$db: cold start measurement failed"
    fi

    start_server "$url"
    create_customer "$db"
    create_partners "$url"
    local idle_rss
    idle_rss=$(memory_mib VmRSS)

    run_wrk "$db read" "$out/scenario-read.json" "$BENCH_DIR/report.lua" \
        "$BASE/customers/$REFERENCE" -H "Authorization: Bearer $ACCESS_TOKEN" -H "Accept: $JSON_API"
    run_wrk "$db read_include" "$out/scenario-read_include.json" "$BENCH_DIR/report.lua" \
        "$BASE/customers/$REFERENCE?include=addresses" -H "Authorization: Bearer $ACCESS_TOKEN" -H "Accept: $JSON_API"
    run_wrk "$db partner_list" "$out/scenario-partner_list.json" "$BENCH_DIR/report.lua" \
        "$BASE/backend/customers?page%5Blimit%5D=20" -H "Authorization: Bearer $PARTNER_TOKEN" -H "Accept: $JSON_API"
    BENCH_FORM_BODY="grant_type=client_credentials" \
        run_wrk "$db client_credentials" "$out/scenario-client_credentials.json" "$BENCH_DIR/form_post.lua" \
        "$BASE/token" -H "Authorization: $BASIC"
    BENCH_FORM_BODY="token=$ACCESS_TOKEN" \
        run_wrk "$db introspection" "$out/scenario-introspection.json" "$BENCH_DIR/form_post.lua" \
        "$BASE/token/introspect" -H "Authorization: $BASIC"
    create_refresh_chains
    BENCH_REFRESH_TOKENS="$REFRESH_TOKENS" THREADS=$REFRESH_THREADS CONNECTIONS=$REFRESH_THREADS \
        run_wrk "$db refresh" "$out/scenario-refresh.json" "$BENCH_DIR/refresh.lua" "$BASE/token"
    run_wrk "$db health" "$out/scenario-health.json" "$BENCH_DIR/report.lua" "$BASE/health"
    BENCH_LOGIN_EMAIL="$EMAIL" BENCH_LOGIN_PASSWORD="$PASSWORD" CONNECTIONS=$HASH_CONNECTIONS \
        run_wrk "$db login" "$out/scenario-login.json" "$BENCH_DIR/login.lua" "$BASE/access-tokens"
    BENCH_RUN_ID="$RUN_ID-$db" BENCH_LOGIN_PASSWORD="$PASSWORD" CONNECTIONS=$HASH_CONNECTIONS \
        run_wrk "$db register" "$out/scenario-register.json" "$BENCH_DIR/register.lua" "$BASE/customers"
    check_bodies "$db"

    BENCH_LOGIN_TIMING_JSON="$out/login-timing.json" \
        python3 "$BENCH_DIR/password_grant_timing.py" "$BASE" "$EMAIL" "$PASSWORD" "$LOGIN_SAMPLES" ||
        fail "$db: login timing (known vs unknown email) failed"

    kill -0 "$SERVER_PID" 2>/dev/null || { show_server_log; die "the server died during the $db benchmark"; }
    printf '{"idle_rss_mib": %s, "rss_mib": %s, "peak_rss_mib": %s}\n' \
        "$idle_rss" "$(memory_mib VmRSS)" "$(memory_mib VmHWM)" >"$out/memory.json"
    if grep -q ' ERROR ' "$TMP/server.log"; then
        fail "$db: the server logged errors (see below)"
        show_server_log
    fi
    stop_server
}

main() {
    local load_start
    load_start=$(cut -d' ' -f1-3 /proc/loadavg)
    check_databases
    ensure_command wrk wrk
    build

    measure_ceilings before
    local db
    for db in $DATABASES; do
        bench_database "$db"
    done
    measure_ceilings after

    log "failed-login timing after bcrypt cost changes"
    BENCH_TIMING_JSON="$RES/failed-login-timing.json" python3 "$BENCH_DIR/login_timing.py" "$BIN" ||
        fail "failed-login timing: the medians differ by more than 10 %"

    if ((${#FAILURES[@]} > 0)); then
        printf '%s\n' "${FAILURES[@]}" >"$RES/failures.txt"
    fi
    python3 "$BENCH_DIR/results.py" report --dir "$RES" --out-dir "$TARGET_DIR/bench" --root "$ROOT" \
        --setting "duration=\"$DURATION\"" --setting "threads=$THREADS" \
        --setting "connections=$CONNECTIONS" --setting "refresh_connections=$REFRESH_THREADS" \
        --setting "hash_connections=$HASH_CONNECTIONS" \
        --setting "workers=$WORKERS" --setting "bcrypt_cost=$BCRYPT_COST" \
        --setting "ceiling_seconds=$CEILING_SECONDS" --setting "cold_runs=$COLD_RUNS" \
        --setting "seed_customers=$SEED_CUSTOMERS" --setting "login_samples=$LOGIN_SAMPLES" \
        --setting "databases=\"$DATABASES\"" --setting "loadavg_at_start=\"$load_start\""

    if ((${#FAILURES[@]} > 0)); then
        printf '\nbench: FAILED:\n' >&2
        printf '  %s\n' "${FAILURES[@]}" >&2
        exit 1
    fi
    echo "all checks passed"
}

main "$@"
