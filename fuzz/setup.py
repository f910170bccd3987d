"""Makes what `make fuzz` acts on, and prints the ids as shell assignments.

    python3 fuzz/setup.py http://127.0.0.1:PORT
        the storefront customer: registers it, logs it in, adds one address
        (FUZZ_TOKEN, FUZZ_CUSTOMER, FUZZ_ADDRESS)
    python3 fuzz/setup.py http://127.0.0.1:PORT partner TOKEN
        with a partner's token: a customer group and a customer in it for the partner API's
        reads and changes, and a group and a customer to delete
        (FUZZ_GROUP, FUZZ_GROUP_VICTIM, FUZZ_PARTNER_CUSTOMER, FUZZ_PARTNER_VICTIM)
"""

import json
import shlex
import sys
import urllib.request

MEDIA_TYPE = "application/vnd.api+json"


def post(base, path, kind, attributes, token=None, relationships=None):
    data = {"type": kind, "attributes": attributes}
    if relationships:
        data["relationships"] = relationships
    body = json.dumps({"data": data}).encode()
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


def partner(base, token):
    def group(name):
        return post(base, "/backend/customer-groups", "customer-groups", {"name": name}, token)["id"]

    def customer(email, group_id):
        attributes = {
            "email": email,
            "gender": "Male",
            "salutation": "Mr",
            "firstName": "Fuzz",
            "lastName": "Partner",
        }
        linkage = {"group": {"data": {"type": "customer-groups", "id": group_id}}}
        return post(base, "/backend/customers", "customers", attributes, token, linkage)["id"]

    fuzz_group = group("Fuzz")
    victim_group = group("Fuzz victim")
    for name, value in [
        ("FUZZ_GROUP", fuzz_group),
        ("FUZZ_GROUP_VICTIM", victim_group),
        ("FUZZ_PARTNER_CUSTOMER", customer("fuzz.partner@example.com", fuzz_group)),
        ("FUZZ_PARTNER_VICTIM", customer("fuzz.victim@example.com", fuzz_group)),
    ]:
        print(f"{name}={shlex.quote(value)}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "partner":
        partner(sys.argv[1], sys.argv[3])
    else:
        main(sys.argv[1])
