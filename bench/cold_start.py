#!/usr/bin/env python3
"""Cold start (make bench, issue 16 item 4): from starting the release binary on a fresh
database (migrations included) to its first 200 on GET /ready, several times; prints each run and
the median, and writes them as JSON.

SQLite: a database file that does not exist yet, in a new directory, every run.
PostgreSQL: a new empty database every run (CREATE DATABASE with psql, not timed), dropped after.

The signing key is created before the timed runs (the first start creates it; that start is timed
too and reported apart as "with key generation"): several instances share a key they are given,
so the key's generation is not part of a normal start.

/ready is polled every 2 ms from the moment the process is spawned; a refused connection costs
microseconds, so the poll hardly competes with the start-up it measures.

Usage: cold_start.py --binary BIN --backend sqlite|postgres --runs N --port PORT --workdir DIR
                     --out FILE [--pg-host H --pg-port P --pg-user U --pg-prefix NAME_PREFIX]
Standard library only.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time

POLL_SECONDS = 0.002
DEADLINE_SECONDS = 60


def ready(port):
    """True on a 200 from /ready; False while the port refuses or the service is not ready."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        conn.request("GET", "/ready")
        status = conn.getresponse().status
        conn.close()
        return status == 200
    except OSError:
        return False


def psql(args, sql):
    env = dict(os.environ, PGCONNECT_TIMEOUT="5", PGOPTIONS="-c client_min_messages=warning")
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", args.pg_host,
                    "-p", str(args.pg_port), "-U", args.pg_user, "-d", "postgres", "-c", sql],
                   check=True, env=env, stdout=subprocess.DEVNULL)


def drop_database(args, name):
    try:
        psql(args, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except subprocess.CalledProcessError:
        psql(args, f'DROP DATABASE IF EXISTS "{name}"')


def one_start(args, run, key_file):
    """Times one start on a fresh database; answers milliseconds."""
    workdir = os.path.join(args.workdir, f"run-{run}")
    os.makedirs(workdir)
    database = None
    if args.backend == "sqlite":
        url = f"sqlite://{workdir}/cold.db"
    else:
        database = f"{args.pg_prefix}{run}"
        drop_database(args, database)
        psql(args, f'CREATE DATABASE "{database}"')
        url = f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{database}"
    env = dict(os.environ,
               DATABASE_URL=url,
               GLUE_LISTEN=f"127.0.0.1:{args.port}",
               GLUE_JWT_KEY_FILE=key_file,
               GLUE_MAIL_DIR=os.path.join(workdir, "mail"),
               GLUE_LOG_FORMAT="text",
               RUST_LOG="warn")
    log = open(os.path.join(workdir, "server.log"), "w")
    process = None
    try:
        started = time.perf_counter()
        process = subprocess.Popen([args.binary, "serve"], cwd=workdir, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        while not ready(args.port):
            if process.poll() is not None:
                log.flush()
                sys.exit(f"cold_start: the server exited during start-up (run {run}); "
                         f"see {workdir}/server.log:\n" + open(log.name).read()[-2000:])
            if time.perf_counter() - started > DEADLINE_SECONDS:
                sys.exit(f"cold_start: no 200 from /ready within {DEADLINE_SECONDS} s (run {run})")
            time.sleep(POLL_SECONDS)
        return (time.perf_counter() - started) * 1000
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        if database is not None:
            drop_database(args, database)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workdir", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--pg-prefix", default="glue_cold_")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    args.workdir = os.path.abspath(args.workdir)
    if args.runs < 1:
        sys.exit("cold_start: --runs must be at least 1")
    if ready(args.port):
        sys.exit(f"cold_start: something already answers on 127.0.0.1:{args.port}")
    os.makedirs(args.workdir, exist_ok=True)
    key_file = os.path.join(args.workdir, "jwt-private.pem")

    # Run 0 creates the key (the service does so when the file is missing).
    with_key_generation = one_start(args, 0, key_file)
    runs = [one_start(args, run, key_file) for run in range(1, args.runs + 1)]
    median = statistics.median(runs)
    print(f"cold start on {args.backend} (fresh database, migrations included, to the first "
          f"200 on /ready), {args.runs} runs:")
    print("  runs ms: " + ", ".join(f"{ms:.0f}" for ms in runs))
    print(f"  median {median:.0f} ms, min {min(runs):.0f} ms, max {max(runs):.0f} ms; "
          f"first start with RSA key generation: {with_key_generation:.0f} ms")
    result = {"backend": args.backend, "runs_ms": [round(ms, 1) for ms in runs],
              "median_ms": round(median, 1), "min_ms": round(min(runs), 1),
              "max_ms": round(max(runs), 1),
              "with_key_generation_ms": round(with_key_generation, 1)}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
