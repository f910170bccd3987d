#!/usr/bin/env bash
# Where an authenticated read's time goes: builds the release binary, starts it on a fresh
# SQLite file (bcrypt cost 4: only the setup logs in), drives GET /customers/{ref} with wrk and
# samples the server with perf (DWARF call graphs), then prints the functions that hold the
# largest share of the samples, callees included. Installs wrk and linux-perf if missing.
#
# Knobs: PROFILE_SECONDS (sampling time, default 5), PROFILE_PORT (default 18391),
#        PROFILE_PATH (default /customers/{ref}; `{ref}` is replaced), PROFILE_LOG (RUST_LOG,
#        default info: production logging).
# Usage: bash bench/profile.sh   (or `make profile`); the raw data stays in target/bench/perf.data
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_TOOL=profile
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
cd "$ROOT"
SECONDS_TO_SAMPLE="${PROFILE_SECONDS:-5}"
PORT="${PROFILE_PORT:-18391}"
PATH_TEMPLATE="${PROFILE_PATH:-/customers/{ref\}}"
BASE="http://127.0.0.1:$PORT"
PASSWORD='Kx9!vTq2#mWz'
OUT="$ROOT/target/bench"
TMP="$(mktemp -d)"
SERVER_PID=""

cleanup() {
    stop_pid "$SERVER_PID"
    rm -rf "$TMP"
}
trap cleanup EXIT

ensure_command wrk wrk
ensure_command perf linux-perf

cargo build --release --bin glue-customers
mkdir -p "$OUT"
DATABASE_URL="sqlite://$TMP/glue.db" GLUE_LISTEN="127.0.0.1:$PORT" GLUE_BCRYPT_COST=4 \
    GLUE_JWT_KEY_FILE="$TMP/key.pem" GLUE_DOUBLE_OPT_IN=false GLUE_MAIL_DIR="$TMP/mail" \
    RUST_LOG="${PROFILE_LOG:-info}" \
    target/release/glue-customers serve >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
wait_until_ok "$BASE/ready" "$SERVER_PID" "$TMP/server.log"

read -r REF TOKEN < <(python3 - "$BASE" "$PASSWORD" <<'PY'
import json, sys, urllib.request
base, password = sys.argv[1], sys.argv[2]
def post(path, document):
    request = urllib.request.Request(base + path, data=json.dumps(document).encode(),
        headers={"Content-Type": "application/vnd.api+json"}, method="POST")
    return json.load(urllib.request.urlopen(request))
email = "profile@example.com"
customer = post("/customers", {"data": {"type": "customers", "attributes": {
    "email": email, "gender": "Female", "salutation": "Mrs", "firstName": "Pro",
    "lastName": "File", "password": password, "confirmPassword": password,
    "acceptedTerms": True}}})
tokens = post("/access-tokens", {"data": {"type": "access-tokens",
    "attributes": {"username": email, "password": password}}})
print(customer["data"]["id"], tokens["data"]["attributes"]["accessToken"])
PY
)
TARGET="$BASE${PATH_TEMPLATE//\{ref\}/$REF}"
echo "profiling GET $TARGET for ${SECONDS_TO_SAMPLE}s" >&2
wrk -t2 -c16 -d"$((SECONDS_TO_SAMPLE + 3))s" --latency \
    -H "Authorization: Bearer $TOKEN" -H "Accept: application/vnd.api+json" "$TARGET" \
    >"$TMP/wrk.txt" &
WRK_PID=$!
sleep 1
perf record -q -F 499 --call-graph dwarf,16384 -p "$SERVER_PID" -o "$OUT/perf.data" \
    -- sleep "$SECONDS_TO_SAMPLE" 2>/dev/null
wait "$WRK_PID"
grep -E "Requests/sec|  50%|  99%" "$TMP/wrk.txt"
echo
echo "share of samples, callees included (>= 3 %):"
perf report -i "$OUT/perf.data" --children --sort symbol -g none --percent-limit 3 --stdio \
    2>/dev/null | grep '%' | grep -v -E 'thread_start|clone3|start_thread|call_once|backtrace' \
    | cut -c1-140
