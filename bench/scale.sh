#!/usr/bin/env bash
# The partner API at scale (issue 15): part of `make bench`, alone as `make bench-scale`.
#
# For each database (SQLite in fresh temp files; PostgreSQL in throw-away databases
# glue_scale_<pid>_<size> on 127.0.0.1:5432, dropped at exit):
#   1. import   for each size (1,000 and 1,000,000 customers by default) a fresh database,
#               `glue-customers import FILE.csv --json` of a generated file (bench/scale.py
#               generate: the same rows at every size, the small file is the big one's head),
#               timed: rows per second through the import path, batches of 1,000 per
#               transaction, bcrypt hashes carried over as partners import them;
#   2. serve    one release-build server per size, all at once on consecutive ports, each with
#               a partner client (customers:read customers:write) made with the CLI and its
#               token from POST /token (client_credentials);
#   3. measure  bench/scale.py measure: p50/p99 of the first page, a keyset page deep in the
#               collection, filter[email], filter[q] and filter[updatedAt][gte] (after 50
#               changes), sequential requests on one connection per server, in rounds that
#               alternate between the sizes (the machine's drift touches both alike), every
#               answer checked.
# Then the table with the ratios to the smallest size: keyset, email and sync-filter p50 must be
# within 1.2x (exit 1 otherwise). Results: target/bench/scale-<time>.json and scale-latest.json.
#
# Knobs (environment):
#   BENCH_SCALE_SIZES      customers per run ("1000 1000000")
#   BENCH_SCALE_SAMPLES    measured requests per query and size (300; a tenth more first, as warm-up)
#   BENCH_DATABASES        which databases ("sqlite postgres")
#   BENCH_SCALE_PORT       first port of the servers on 127.0.0.1 (18281, then 18282, ...)
#   BENCH_PG_HOST, BENCH_PG_PORT, BENCH_PG_USER   the PostgreSQL server (127.0.0.1, 5432, postgres)
#
# Usage: bash bench/scale.sh   (make bench-scale). Needs about 1 GiB of disk per million rows
# for the database and the import file, in $TMPDIR.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH_TOOL=bench-scale
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
cd "$ROOT"
SIZES="${BENCH_SCALE_SIZES:-1000 1000000}"
SAMPLES="${BENCH_SCALE_SAMPLES:-300}"
DATABASES="${BENCH_DATABASES:-sqlite postgres}"
PORT="${BENCH_SCALE_PORT:-18281}"
PG_HOST="${BENCH_PG_HOST:-127.0.0.1}"
PG_PORT="${BENCH_PG_PORT:-5432}"
PG_USER="${BENCH_PG_USER:-postgres}"
PG_PREFIX="glue_scale_$$_"
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/glue-customers"
OUT_DIR="$ROOT/target/bench"
TMP="$(mktemp -d)"
SERVER_PIDS=()
PG_DATABASES=()

stop_servers() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do
        stop_pid "$pid"
    done
    SERVER_PIDS=()
}

cleanup() {
    stop_servers
    local name
    for name in "${PG_DATABASES[@]}"; do
        drop_database "$name"
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The service's environment for one database (the import, the CLI and the server share it):
# `env "${SERVICE_ENV[@]}" ...`, the server started directly so that $! is its own pid.
service_env_for() {
    SERVICE_ENV=(DATABASE_URL="$1" GLUE_LISTEN="127.0.0.1:$2" GLUE_JWT_KEY_FILE="$TMP/key.pem"
        GLUE_MAIL_DIR="$TMP/mail" GLUE_LOG_FORMAT=text RUST_LOG=warn)
}

json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# import_size DB SIZE: a fresh database of SIZE customers through the import; sets URL.
import_size() {
    local db=$1 size=$2 name
    if [[ $db == sqlite ]]; then
        URL="sqlite://$TMP/scale-$size.db"
    else
        name="${PG_PREFIX}${size}"
        psql_admin "CREATE DATABASE \"$name\"" >/dev/null
        PG_DATABASES+=("$name")
        URL="postgres://$PG_USER@$PG_HOST:$PG_PORT/$name"
    fi
    local file="$TMP/customers-$size.csv" result="$TMP/$db-$size"
    head -n $((size + 1)) "$TMP/customers.csv" >"$file"
    service_env_for "$URL" 0
    env "${SERVICE_ENV[@]}" "$BIN" migrate >/dev/null

    log "$db, $size customers: import"
    local started ended
    started=$(date +%s.%N)
    env "${SERVICE_ENV[@]}" "$BIN" import "$file" --json >"$result-report.json" ||
        die "the import failed: $(head -c 2000 "$result-report.json")"
    ended=$(date +%s.%N)
    python3 - "$result-report.json" "$started" "$ended" >"$result-import.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
seconds = float(sys.argv[3]) - float(sys.argv[2])
print(json.dumps({"seconds": round(seconds, 2), "imported": report["imported"],
                  "rejected": report["rejected"], "rows_per_second": round(report["read"] / seconds)}))
PY
    python3 -c 'import json, sys; r = json.load(open(sys.argv[1]))
sys.exit(r["imported"] != int(sys.argv[2]) or r["rejected"] != 0)' "$result-import.json" "$size" ||
        die "the import did not take every row: $(cat "$result-import.json") $(head -c 2000 "$result-report.json")"
    rm -f "$file"
}

# serve URL PORT: a server on the database with a partner client; sets TOKEN to the client's
# client_credentials token.
serve() {
    local url=$1 port=$2 base="http://127.0.0.1:$2" client client_id client_secret
    service_env_for "$url" "$port"
    client=$(env "${SERVICE_ENV[@]}" "$BIN" client create --name scale --scopes "customers:read customers:write" --json)
    client_id=$(json_field client_id <<<"$client")
    client_secret=$(json_field client_secret <<<"$client")
    env "${SERVICE_ENV[@]}" "$BIN" serve >"$TMP/server-$port.log" 2>&1 &
    SERVER_PIDS+=($!)
    wait_until_ok "$base/ready" "$!" "$TMP/server-$port.log" 60
    TOKEN=$(local_curl -f -u "$client_id:$client_secret" -X POST "$base/token" \
        -d grant_type=client_credentials | json_field access_token)
}

# run_database DB: every size imported, then all served and measured together.
run_database() {
    local db=$1 size port=$PORT targets=()
    for size in $SIZES; do
        import_size "$db" "$size"
        serve "$URL" "$port"
        targets+=("$size" "http://127.0.0.1:$port" "$TOKEN")
        port=$((port + 1))
        # Each server idles while the next size imports: measured only when all are up.
    done
    log "$db: queries, $SAMPLES each per size, alternating"
    python3 bench/scale.py measure "$SAMPLES" "$TMP/$db-queries.json" "${targets[@]}" ||
        { tail -n 20 "$TMP"/server-*.log >&2; die "measuring failed"; }
    stop_servers
    REPORT_ARGS+=("$db" "$TMP/$db-queries.json")
    for size in $SIZES; do REPORT_ARGS+=("$size" "$TMP/$db-$size-import.json"); done
    REPORT_ARGS+=(--)
}

databases=()
for db in $DATABASES; do
    case $db in
    sqlite) databases+=(sqlite) ;;
    postgres)
        if psql_admin 'SELECT 1' >/dev/null 2>&1; then
            databases+=(postgres)
        else
            printf 'bench-scale: PostgreSQL at %s:%s does not answer: its half is skipped\n' "$PG_HOST" "$PG_PORT" >&2
        fi
        ;;
    *) die "BENCH_DATABASES: unknown database '$db'" ;;
    esac
done

log "cargo build --release --bin glue-customers"
cargo build --release --bin glue-customers
largest=0
for size in $SIZES; do ((size > largest)) && largest=$size; done
log "generating $largest customers"
python3 bench/scale.py generate "$largest" "$TMP/customers.csv"

REPORT_ARGS=()
for db in "${databases[@]}"; do
    run_database "$db"
    if [[ $db == postgres ]]; then
        for name in "${PG_DATABASES[@]}"; do drop_database "$name"; done
        PG_DATABASES=()
    fi
    rm -f "$TMP"/scale-*.db*
done

mkdir -p "$OUT_DIR"
status=0
python3 bench/scale.py report "${REPORT_ARGS[@]}" >"$TMP/report.txt" || status=$?
grep -v '^SCALE_RESULT ' "$TMP/report.txt"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
grep '^SCALE_RESULT ' "$TMP/report.txt" | sed 's/^SCALE_RESULT //' >"$OUT_DIR/scale-$stamp.json"
cp "$OUT_DIR/scale-$stamp.json" "$OUT_DIR/scale-latest.json"
echo "results: target/bench/scale-$stamp.json"
exit "$status"
