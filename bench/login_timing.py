#!/usr/bin/env python3
"""Failed-login timing after bcrypt cost changes (make bench, part 2).

Registers one account at each of two costs below the configured one (and one above it),
restarts the release binary at the configured cost on the same database, then times wrong-password
logins against each account and against an unknown email, one request at a time, and prints the
median of each. Target: the medians of the accounts made at lower costs and of the unknown email
are within 10 % of each other, because every failed login is padded to the configured cost.

An account made at a higher cost than configured cannot be padded down (bcrypt's work is what
it is); it is re-hashed at its next successful login. Its median is printed for information
and is not part of the target.

Usage: login_timing.py BINARY   (standard library only; run.sh passes the release binary)
Knobs: BENCH_TIMING_SAMPLES (30), BENCH_TIMING_COST (11), BENCH_TIMING_LOWER ("8 10"),
BENCH_TIMING_HIGHER (12), BENCH_TIMING_PORT (18182).
"""

import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

PASSWORD = "Kx9!vTq2#mWz"
WRONG = "Wrong-Password-1!"
SAMPLES = int(os.environ.get("BENCH_TIMING_SAMPLES", "30"))
COST = int(os.environ.get("BENCH_TIMING_COST", "11"))
LOWER = [int(c) for c in os.environ.get("BENCH_TIMING_LOWER", "8 10").split()]
HIGHER = int(os.environ.get("BENCH_TIMING_HIGHER", "12"))
PORT = int(os.environ.get("BENCH_TIMING_PORT", "18182"))
TARGET = 0.10


def request(method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    headers = {"Content-Type": "application/vnd.api+json", "Accept": "application/vnd.api+json"}
    conn.request(method, path, body=json.dumps(body) if body else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


class Server:
    def __init__(self, binary, workdir, cost):
        env = {
            "PATH": os.environ.get("PATH", ""),
            "GLUE_LISTEN": f"127.0.0.1:{PORT}",
            "GLUE_BCRYPT_COST": str(cost),
            "RUST_LOG": "warn",
            # The accounts are logged into with wrong passwords only; confirmation is moot.
            "GLUE_DOUBLE_OPT_IN": "false",
            # Every sample is a failed login from one address: the brute-force limit would
            # block the benchmark itself.
            "GLUE_LOGIN_MAX_FAILURES": "1000000",
        }
        self.log = open(os.path.join(workdir, f"server-{cost}.log"), "w")
        self.process = subprocess.Popen([binary, "serve"], cwd=workdir, env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while True:
            try:
                if request("GET", "/health")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.time() > deadline:
                sys.exit(f"login_timing: the server at cost {cost} did not start")
            time.sleep(0.2)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=60)
        self.log.close()


def register(email):
    attributes = {"email": email, "gender": "Female", "salutation": "Mrs", "firstName": "Sonia",
                  "lastName": "Wagner", "password": PASSWORD, "confirmPassword": PASSWORD,
                  "acceptedTerms": True}
    status, data = request("POST", "/customers",
                           {"data": {"type": "customers", "attributes": attributes}})
    if status != 201:
        sys.exit(f"login_timing: registration of {email} answered {status}: {data[:200]!r}")


def failed_login_ms(email):
    body = {"data": {"type": "access-tokens", "attributes": {"username": email, "password": WRONG}}}
    started = time.perf_counter()
    status, _ = request("POST", "/access-tokens", body)
    elapsed = (time.perf_counter() - started) * 1000
    if status != 401:
        sys.exit(f"login_timing: a wrong password for {email} answered {status}")
    return elapsed


def main():
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as workdir:
        accounts = []
        for cost in LOWER + [HIGHER]:
            server = Server(binary, workdir, cost)
            email = f"made-at-cost-{cost}@example.com"
            register(email)
            server.stop()
            accounts.append((cost, email))
        server = Server(binary, workdir, COST)
        try:
            cases = [(f"account made at cost {c}", e, c < COST) for c, e in accounts]
            cases.append(("unknown email", "nobody-here@example.com", True))
            for _, email, _ in cases:  # warm-up: dummy hashes, connections
                failed_login_ms(email)
            samples = {label: [] for label, _, _ in cases}
            for _ in range(SAMPLES):  # interleaved, so that drift hits every case alike
                for label, email, _ in cases:
                    samples[label].append(failed_login_ms(email))
        finally:
            server.stop()
    print(f"\nfailed-login time, server at bcrypt cost {COST} ({SAMPLES} samples each, sequential)")
    print(f"{'case':32} {'median ms':>10} {'p90 ms':>10}")
    medians = {}
    for label, _, in_target in cases:
        values = sorted(samples[label])
        medians[label] = (statistics.median(values), in_target)
        p90 = values[int(len(values) * 0.9) - 1]
        note = "" if in_target else "  (above the configured cost: not in the target)"
        print(f"{label:32} {medians[label][0]:10.1f} {p90:10.1f}{note}")
    in_scope = [m for m, in_target in medians.values() if in_target]
    spread = (max(in_scope) - min(in_scope)) / min(in_scope)
    verdict = "ok" if spread <= TARGET else "ABOVE TARGET"
    print(f"spread of the medians in the target: {spread * 100:.1f} % (target <= {TARGET * 100:.0f} %): {verdict}")
    result = {"cost": COST, "samples": SAMPLES, "spread": spread,
              "medians_ms": {label: m for label, (m, _) in medians.items()}}
    out = os.environ.get("BENCH_TIMING_JSON")
    if out:
        with open(out, "w") as f:
            json.dump(result, f, indent=2)
    sys.exit(0 if spread <= TARGET else 1)


if __name__ == "__main__":
    main()
