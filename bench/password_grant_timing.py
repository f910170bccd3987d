#!/usr/bin/env python3
"""Median time of a failed login for a known and an unknown email, side by side, on
POST /access-tokens and on the password grant of POST /token (make bench): they must not tell
each other apart (checklist C1, C2; issue 13). Also the median of a successful login, for
reference. One request at a time, interleaved.

Usage: password_grant_timing.py BASE_URL KNOWN_EMAIL PASSWORD [SAMPLES]   (standard library only)
With BENCH_LOGIN_TIMING_JSON set, the medians are also written to that file as JSON.
The server must allow the failures: run.sh starts it with a high GLUE_LOGIN_MAX_FAILURES.
"""

import http.client
import json
import os
import statistics
import sys
import time
import urllib.parse


def grant(host, port, username, password):
    body = urllib.parse.urlencode(
        {"grant_type": "password", "username": username, "password": password})
    return timed(host, port, "/token", body, "application/x-www-form-urlencoded")


def access_tokens(host, port, username, password):
    body = json.dumps({"data": {"type": "access-tokens",
                                "attributes": {"username": username, "password": password}}})
    return timed(host, port, "/access-tokens", body, "application/vnd.api+json")


def timed(host, port, path, body, content_type):
    conn = http.client.HTTPConnection(host, port, timeout=60)
    started = time.perf_counter()
    conn.request("POST", path, body=body, headers={"Content-Type": content_type})
    status = conn.getresponse().status
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    return status, elapsed


def main():
    base, known, password = sys.argv[1], sys.argv[2], sys.argv[3]
    samples = int(sys.argv[4]) if len(sys.argv) > 4 else 15
    url = urllib.parse.urlparse(base)
    wrong = "Wrong-Password-1!"
    cases = [
        ("/access-tokens: known email, wrong password", access_tokens, known, wrong, 401),
        ("/access-tokens: unknown email", access_tokens, "nobody-here@example.com", wrong, 401),
        ("/access-tokens: right password", access_tokens, known, password, 201),
        ("/token: known email, wrong password", grant, known, wrong, 400),
        ("/token: unknown email", grant, "nobody-here@example.com", wrong, 400),
        ("/token: right password", grant, known, password, 200),
    ]
    times = {label: [] for label, _, _, _, _ in cases}
    for _ in range(samples):
        for label, call, username, secret, expected in cases:
            status, elapsed = call(url.hostname, url.port, username, secret)
            if status != expected:
                sys.exit(f"password_grant_timing: {label} answered {status}, expected {expected}")
            times[label].append(elapsed)
    medians = {label: statistics.median(values) for label, values in times.items()}
    print(f"\nlogin time, median of {samples} sequential samples each (ms)")
    print(f"  {'door':15} {'known email':>12} {'unknown email':>14} {'apart':>16} "
          f"{'right password':>15}")
    doors = {}
    for door in ("/access-tokens", "/token"):
        known_ms = medians[f"{door}: known email, wrong password"]
        unknown_ms = medians[f"{door}: unknown email"]
        right_ms = medians[f"{door}: right password"]
        apart = abs(known_ms - unknown_ms)
        print(f"  {door:15} {known_ms:12.1f} {unknown_ms:14.1f} "
              f"{apart:8.1f} ({apart / unknown_ms * 100:4.1f} %) {right_ms:15.1f}")
        doors[door] = {"known_email_wrong_password_ms": round(known_ms, 2),
                       "unknown_email_ms": round(unknown_ms, 2),
                       "apart_ms": round(apart, 2),
                       "apart_fraction": round(apart / unknown_ms, 4),
                       "right_password_ms": round(right_ms, 2)}
    out = os.environ.get("BENCH_LOGIN_TIMING_JSON")
    if out:
        with open(out, "w") as f:
            json.dump({"samples": samples, "doors": doors}, f, indent=2)


if __name__ == "__main__":
    main()
