#!/usr/bin/env python3
"""Median time of a failed password grant on POST /token for a known and an unknown email,
side by side (make bench): they must not tell each other apart (checklist C1, C2). Also the
median of a successful grant, for reference. One request at a time, interleaved.

Usage: password_grant_timing.py BASE_URL KNOWN_EMAIL PASSWORD [SAMPLES]   (standard library only)
"""

import http.client
import statistics
import sys
import time
import urllib.parse


def grant(host, port, username, password):
    body = urllib.parse.urlencode(
        {"grant_type": "password", "username": username, "password": password})
    conn = http.client.HTTPConnection(host, port, timeout=60)
    started = time.perf_counter()
    conn.request("POST", "/token", body=body,
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    status = conn.getresponse().status
    elapsed = (time.perf_counter() - started) * 1000
    conn.close()
    return status, elapsed


def main():
    base, known, password = sys.argv[1], sys.argv[2], sys.argv[3]
    samples = int(sys.argv[4]) if len(sys.argv) > 4 else 15
    url = urllib.parse.urlparse(base)
    cases = [
        ("known email, wrong password", known, "Wrong-Password-1!", 400),
        ("unknown email", "nobody-here@example.com", "Wrong-Password-1!", 400),
        ("known email, right password", known, password, 200),
    ]
    times = {label: [] for label, _, _, _ in cases}
    for _ in range(samples):
        for label, username, secret, expected in cases:
            status, elapsed = grant(url.hostname, url.port, username, secret)
            if status != expected:
                sys.exit(f"password_grant_timing: {label} answered {status}, expected {expected}")
            times[label].append(elapsed)
    print(f"\npassword grant on POST /token ({samples} sequential samples each)")
    for label, _, _, _ in cases:
        print(f"  {label:30} median {statistics.median(times[label]):8.1f} ms")
    known_ms = statistics.median(times[cases[0][0]])
    unknown_ms = statistics.median(times[cases[1][0]])
    print(f"  known vs unknown: {abs(known_ms - unknown_ms):.1f} ms apart "
          f"({abs(known_ms - unknown_ms) / unknown_ms * 100:.1f} %)")


if __name__ == "__main__":
    main()
