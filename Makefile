# The two commands a newcomer needs: `make run` and `make test`.
.PHONY: run test test-sqlite test-postgres test-serializable lint bench bench-scale profile openapi migrate fuzz

# Starts the service on SQLite (var/glue.db, created and migrated on first start).
run:
	GLUE_LOG_FORMAT=$${GLUE_LOG_FORMAT:-text} cargo run --bin glue-customers -- serve

# The whole suite on SQLite; the API suite again on PostgreSQL when TEST_DATABASE_URL is set.
test: test-sqlite test-postgres

test-sqlite:
	TEST_DATABASE_URL= cargo test --all-targets

test-postgres:
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "API suite on PostgreSQL ($$TEST_DATABASE_URL)"; \
		cargo test --test api; \
	else \
		echo "TEST_DATABASE_URL not set: skipping the PostgreSQL run"; \
	fi

# The API suite on PostgreSQL with every transaction serializable (as distributed
# PostgreSQL-compatible databases run them): conflicts must be retried, never answered 500.
test-serializable:
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		case "$$TEST_DATABASE_URL" in *\?*) sep='&';; *) sep='?';; esac; \
		TEST_DATABASE_URL="$$TEST_DATABASE_URL$${sep}options=-c%20default_transaction_isolation%3Dserializable" \
			cargo test --test api; \
	else \
		echo "TEST_DATABASE_URL not set: skipping the serializable run"; \
	fi

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

# Throughput as a fraction of the machine's limits (framework and bcrypt ceilings), latency,
# cold start and memory, on SQLite and PostgreSQL, on a release build (installs wrk if
# missing); the ratio table is printed and written to target/bench/latest.json (bench/run.sh).
# Then the partner API at 1,000 and 1,000,000 customers (bench/scale.sh; BENCH_SCALE=0 skips it).
bench:
	bash bench/run.sh
	@if [ "$${BENCH_SCALE:-1}" != 0 ]; then bash bench/scale.sh; fi

# The partner API's scale benchmark alone: import rate, p50/p99 of its queries, ratios to 1,000.
bench-scale:
	bash bench/scale.sh

# Where an authenticated read's time goes: perf samples of the release build under wrk, the
# heaviest functions printed, target/bench/perf.data kept (installs wrk and linux-perf if missing).
profile:
	bash bench/profile.sh

# A bounded soak (SOAK_DURATION, default 5m) of two instances on one PostgreSQL database at
# 80 % of the capacity measured first: errors must be 0, p99 per interval, RSS (bench/soak.sh).
.PHONY: soak
soak:
	bash bench/soak.sh

# Rewrites openapi/openapi.json from the handlers' annotations.
openapi:
	cargo run -q --bin glue-customers -- openapi > openapi/openapi.json

migrate:
	cargo run --bin glue-customers -- migrate

# Schema-driven fuzzing (schemathesis, installed into target/fuzz/venv on first use) against a
# fresh server: any 5xx, valid request refused or invalid one accepted fails (fuzz/run.sh).
fuzz:
	bash fuzz/run.sh
