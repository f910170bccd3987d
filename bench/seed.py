#!/usr/bin/env python3
"""Fills the benchmark database with customers, so that the partner list page (make bench) reads
a realistic table: POST /backend/customers with a partner token holding `customers:write`.

Each customer gets an imported `passwordHash` (bcrypt, cost 10, of the bench password), so the
server hashes nothing and queues no email (accounts a partner creates with a password or a hash
are confirmed and get no invitation): seeding takes seconds and leaves no background work behind
that would run during the measurements.

Usage: seed.py BASE_URL BEARER_TOKEN COUNT RUN_ID   (standard library only)
"""

import http.client
import json
import sys
import threading
import urllib.parse

# bcrypt (cost 10) of the bench password Kx9!vTq2#mWz: a fixed value, so that no bcrypt library
# is needed here; the seeded customers can log in with that password.
PASSWORD_HASH = "$2b$10$MpLyKpDJNAnUm4cC4YIBzeCEtJxoEQeD5SidFUImkGcXy5VMjIeWe"
THREADS = 4
FIRST_NAMES = ["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hugo", "Ida", "Jonas"]
LAST_NAMES = ["Adler", "Becker", "Fischer", "Hoffmann", "Klein", "Koch", "Meyer", "Richter",
              "Schulz", "Wagner", "Weber", "Wolf"]


def worker(url, token, numbers, run_id, failures):
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    headers = {"Content-Type": "application/vnd.api+json", "Accept": "application/vnd.api+json",
               "Authorization": f"Bearer {token}"}
    for n in numbers:
        attributes = {
            "email": f"seed-{run_id}-{n}@example.com",
            "gender": "Female" if n % 2 else "Male",
            "salutation": "Ms" if n % 2 else "Mr",
            "firstName": FIRST_NAMES[n % len(FIRST_NAMES)],
            "lastName": LAST_NAMES[n % len(LAST_NAMES)],
            "passwordHash": PASSWORD_HASH,
        }
        body = json.dumps({"data": {"type": "customers", "attributes": attributes}})
        conn.request("POST", "/backend/customers", body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if response.status != 201:
            failures.append(f"customer {n}: {response.status} {data[:300]!r}")
            return
    conn.close()


def main():
    base, token, count, run_id = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    url = urllib.parse.urlparse(base)
    failures = []
    threads = [threading.Thread(target=worker,
                                args=(url, token, range(i, count, THREADS), run_id, failures))
               for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        sys.exit("seed: POST /backend/customers failed: " + "; ".join(failures))
    print(f"seeded {count} customers")


if __name__ == "__main__":
    main()
