"""Makes the customer `make fuzz` acts as: registers it, logs it in, adds one address, and
prints the values as shell assignments (FUZZ_TOKEN, FUZZ_CUSTOMER, FUZZ_ADDRESS).

Usage: python3 fuzz/setup.py http://127.0.0.1:PORT
"""

import json
import shlex
import sys
import urllib.request

MEDIA_TYPE = "application/vnd.api+json"


def post(base, path, kind, attributes, token=None):
    body = json.dumps({"data": {"type": kind, "attributes": attributes}}).encode()
    request = urllib.request.Request(base + path, data=body, method="POST")
    request.add_header("Content-Type", MEDIA_TYPE)
    request.add_header("Accept", MEDIA_TYPE)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["data"]


def main(base):
    email = "fuzz.customer@example.com"
    password = "Fuzz-Glue-2026!xQ"
    customer = post(
        base,
        "/customers",
        "customers",
        {
            "email": email,
            "gender": "Female",
            "salutation": "Ms",
            "firstName": "Fuzz",
            "lastName": "Customer",
            "password": password,
            "confirmPassword": password,
            "acceptedTerms": True,
        },
    )
    tokens = post(
        base,
        "/access-tokens",
        "access-tokens",
        {"username": email, "password": password},
    )
    token = tokens["attributes"]["accessToken"]
    reference = customer["id"]
    address = post(
        base,
        f"/customers/{reference}/addresses",
        "addresses",
        {
            "salutation": "Ms",
            "firstName": "Fuzz",
            "lastName": "Customer",
            "address1": "Julie-Wolfthorn-Strasse 1",
            "address2": "1",
            "zipCode": "10115",
            "city": "Berlin",
            "iso2Code": "DE",
            "isDefaultShipping": True,
            "isDefaultBilling": True,
        },
        token,
    )
    for name, value in [
        ("FUZZ_TOKEN", token),
        ("FUZZ_CUSTOMER", reference),
        ("FUZZ_ADDRESS", address["id"]),
    ]:
        print(f"{name}={shlex.quote(value)}")


if __name__ == "__main__":
    main(sys.argv[1])
