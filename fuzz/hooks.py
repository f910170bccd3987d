"""schemathesis hooks for `make fuzz`.

The rules of the service that the OpenAPI document cannot state (README, "What the OpenAPI
document cannot say") are applied here to the requests schemathesis sends as valid, so that a
refusal it reports is a real disagreement between the document and the service. Requests it
sends as invalid are left as they are. fuzz/run.sh sets FUZZ_CUSTOMER and FUZZ_ADDRESS, the
ids of the customer it registered and logged in as, and for the partner API FUZZ_GROUP,
FUZZ_GROUP_VICTIM, FUZZ_PARTNER_CUSTOMER and FUZZ_PARTNER_VICTIM (fuzz/setup.py).
"""

import itertools
import os
import re

import schemathesis
from schemathesis.core.parameters import ParameterLocation

_serial = itertools.count(1)
_FRESH = re.compile(r"^fz[0-9]+-?")

# Pairs whose second member must equal the first (a cross-field rule).
_CONFIRMED = {
    ("POST", "/customers"): ("password", "confirmPassword"),
    ("POST", "/backend/customers"): ("password", "confirmPassword"),
    ("PATCH", "/customers/{customerReference}"): ("password", "confirmPassword"),
    ("PATCH", "/customer-password/{customerReference}"): ("newPassword", "confirmPassword"),
    ("PATCH", "/customer-restore-password/{anyId}"): ("password", "confirmPassword"),
}
# Operations whose `email` must be new to the service (uniqueness).
_UNIQUE_EMAIL = {
    ("POST", "/customers"),
    ("PATCH", "/customers/{customerReference}"),
    ("POST", "/backend/customers"),
    ("PATCH", "/backend/customers/{customerReference}"),
}
# Operations whose group `name` must be new to the service (uniqueness).
_UNIQUE_NAME = {("POST", "/backend/customer-groups"), ("PATCH", "/backend/customer-groups/{groupId}")}
_PASSWORDS = ("password", "newPassword", "confirmPassword")
_MAX_PASSWORD_BYTES = 72

# Reads and changes of one's own account, its address book and one address use the real ids,
# so that they get past the ownership check (any other reference is 403 411 or 404).
_OWN = {
    ("GET", "/customers/{customerReference}"),
    ("PATCH", "/customers/{customerReference}"),
    ("GET", "/customers/{customerReference}/addresses"),
    ("POST", "/customers/{customerReference}/addresses"),
    ("GET", "/customers/{customerReference}/addresses/{addressUuid}"),
    ("PATCH", "/customers/{customerReference}/addresses/{addressUuid}"),
}
# Anonymizing the account or changing its password would end the session every other request
# runs on, and a password change needs the current password (state, not shape): these get a
# reference that is not the customer's, answered with 403 411 before either.
_NOT_OWN = {
    ("DELETE", "/customers/{customerReference}"),
    ("PATCH", "/customer-password/{customerReference}"),
}
# The partner API reads and changes a customer and a group made for the run (any other id is
# 404: state, not shape); DELETE gets another customer and group of its own, so that the
# changes are not all answered "anonymized" (400 410) or "no such group" once it has run.
_PARTNER_IDS = {
    ("GET", "/backend/customers/{customerReference}"): ("customerReference", "FUZZ_PARTNER_CUSTOMER"),
    ("PATCH", "/backend/customers/{customerReference}"): ("customerReference", "FUZZ_PARTNER_CUSTOMER"),
    ("DELETE", "/backend/customers/{customerReference}"): ("customerReference", "FUZZ_PARTNER_VICTIM"),
    ("GET", "/backend/customer-groups/{groupId}"): ("groupId", "FUZZ_GROUP"),
    ("PATCH", "/backend/customer-groups/{groupId}"): ("groupId", "FUZZ_GROUP"),
    ("DELETE", "/backend/customer-groups/{groupId}"): ("groupId", "FUZZ_GROUP_VICTIM"),
}


@schemathesis.hook
def before_load_schema(context, raw_schema):
    """The password pattern names Unicode's Uppercase and Lowercase properties, which is what the
    service tests. schemathesis cannot generate from those, and its stand-ins for `\\p{Lu}` and
    `\\p{Ll}` mix the two cases (it took `Œ` for a lower-case letter), so it is given the ASCII
    letters, which lie inside both properties: every password it makes still matches the
    document's pattern."""
    _narrow_patterns(raw_schema)


def _narrow_patterns(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                node[key] = value.replace(r"\p{Uppercase}", "[A-Z]").replace(
                    r"\p{Lowercase}", "[a-z]"
                )
            else:
                _narrow_patterns(value)
    elif isinstance(node, list):
        for item in node:
            _narrow_patterns(item)


def _key(case):
    return (case.operation.method.upper(), case.operation.path)


def _positive(case):
    meta = case.meta
    return meta is not None and meta.generation.mode.is_positive


def _negative_at(case, location):
    meta = case.meta
    return meta is not None and meta.is_negative_at(location)


def _attributes(case):
    body = case.body
    if isinstance(body, dict) and isinstance(body.get("data"), dict):
        attributes = body["data"].get("attributes")
        if isinstance(attributes, dict):
            return attributes
    return None


@schemathesis.hook
def filter_case(context, case):
    # `DELETE /refresh-tokens/mine` ends every session of the customer this run acts as.
    if _key(case) == ("DELETE", "/refresh-tokens/{refreshToken}"):
        if (case.path_parameters or {}).get("refreshToken") == "mine":
            return False
    if not _positive(case):
        return True
    attributes = _attributes(case) or {}
    # A password is at most 72 bytes of UTF-8 (bcrypt reads no more); the document can only
    # say 72 characters.
    for name in _PASSWORDS:
        value = attributes.get(name)
        if isinstance(value, str) and len(value.encode("utf-8")) > _MAX_PASSWORD_BYTES:
            return False
    return True


@schemathesis.hook
def before_call(context, case, kwargs):
    key = _key(case)
    parameters = case.path_parameters
    if parameters is not None and not _negative_at(case, ParameterLocation.PATH):
        if key in _OWN:
            parameters["customerReference"] = os.environ["FUZZ_CUSTOMER"]
            if "addressUuid" in parameters:
                parameters["addressUuid"] = os.environ["FUZZ_ADDRESS"]
        elif key in _NOT_OWN:
            parameters["customerReference"] = "DE--0"
        elif key in _PARTNER_IDS:
            name, variable = _PARTNER_IDS[key]
            parameters[name] = os.environ[variable]
    _partner_rules(case, key)
    attributes = _attributes(case)
    if not _positive(case) or attributes is None:
        return
    # A `data.id` sent with PATCH must be the id in the URL (the last path parameter).
    data = case.body["data"]
    if key[0] == "PATCH" and isinstance(data.get("id"), str) and parameters:
        data["id"] = str(list(parameters.values())[-1])
    # A partner sends a password or a passwordHash, never both (422 901). The document says so
    # in words only: schemathesis makes no valid body at all under `not: {required: [...]}`.
    if key == ("POST", "/backend/customers") and isinstance(attributes.get("password"), str):
        attributes.pop("passwordHash", None)
    # confirmPassword must equal the password it confirms.
    pair = _CONFIRMED.get(key)
    if pair and isinstance(attributes.get(pair[0]), str):
        attributes[pair[1]] = attributes[pair[0]]
    # An email can belong to one account only: a number of this run makes each one sent new.
    email = attributes.get("email")
    if key in _UNIQUE_EMAIL and isinstance(email, str) and "@" in email:
        local, domain = email.split("@", 1)
        local = _FRESH.sub("", local)
        fresh = f"fz{next(_serial)}-"
        if len(fresh + local) <= 64 and len(fresh + local) + 1 + len(domain) <= 100:
            local = fresh + local
        else:
            local = fresh.rstrip("-")
        attributes["email"] = f"{local}@{domain}"
    # A group's name belongs to one group: the same number makes each one sent new. It stays
    # plain text that is not blank, at most 100 characters.
    name = attributes.get("name")
    if key in _UNIQUE_NAME and isinstance(name, str):
        attributes["name"] = f"fz{next(_serial)} {_FRESH.sub('', name)}"[:100]


def _partner_rules(case, key):
    """What the partner API checks against its state or across parameters, applied to each part
    of the request that was generated as valid (a request that lacks a header is still one
    whose query must pass, or the check of that header sees a 400)."""
    if not key[1].startswith("/backend/"):
        return
    # `If-Match` must name the customer's current ETag (state): `*` names whichever it is.
    headers = case.headers
    if headers and "If-Match" in headers and not _negative_at(case, ParameterLocation.HEADER):
        headers["If-Match"] = "*"
    # A `group` relationship must name a group that exists (404 otherwise): the run's own.
    body = case.body
    valid_body = not _negative_at(case, ParameterLocation.BODY)
    if valid_body and isinstance(body, dict) and isinstance(body.get("data"), dict):
        relationships = body["data"].get("relationships")
        if isinstance(relationships, dict):
            group = relationships.get("group")
            if isinstance(group, dict) and isinstance(group.get("data"), dict):
                group["data"]["id"] = os.environ["FUZZ_GROUP"]
    query = case.query
    if key != ("GET", "/backend/customers") or not query or "page[after]" not in query:
        return
    if _negative_at(case, ParameterLocation.QUERY):
        return
    # A cursor must be one the service issued for this sort (state): `page[after]=` starts
    # keyset paging at the beginning. Keyset paging takes no `page[offset]`, and sorts by one
    # key at most, not `lastName` (400 otherwise: rules between parameters).
    query["page[after]"] = ""
    query.pop("page[offset]", None)
    sort = query.get("sort")
    if isinstance(sort, str):
        first = sort.split(",")[0]
        if first.lstrip("-") == "lastName":
            del query["sort"]
        else:
            query["sort"] = first
