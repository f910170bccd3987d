#!/usr/bin/env python3
"""Median time of a failed login for a known and an unknown email, side by side, on
POST /access-tokens and on the password grant of POST /token (make bench): they must not tell
each other apart (checklist C1, C2). Also the median of a successful login, for reference. One
request at a time, interleaved.

Usage: password_grant_timing.py BASE_URL KNOWN_EMAIL PASSWORD [SAMPLES]   (standard library only)
The server must allow the failures: run.sh starts it with a high GLUE_LOGIN_MAX_FAILURES.
"""

import http.client
import json
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
    print(f"\nlogin time ({samples} sequential samples each)")
    for label, _, _, _, _ in cases:
        print(f"  {label:45} median {statistics.median(times[label]):8.1f} ms")
    for door in ("/access-tokens", "/token"):
        known_ms = statistics.median(times[f"{door}: known email, wrong password"])
        unknown_ms = statistics.median(times[f"{door}: unknown email"])
        print(f"  {door}: known vs unknown {abs(known_ms - unknown_ms):.1f} ms apart "
              f"({abs(known_ms - unknown_ms) / unknown_ms * 100:.1f} %)")

if __name__ == "__main__":
    main()
