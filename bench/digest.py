#!/usr/bin/env python3
"""Normalises the page from zaiti and from PostGraphile to one shape and
compares them (bench/load.sh runs it once, before the rounds).

    python3 bench/digest.py zaiti.json [postgraphile.json]

Each file is a GraphQL response to bench/page.zaiti.graphql or
bench/page.postgraphile.graphql. Global IDs are decoded to row ids (zaiti:
base64url of "Carrier:57"; PostGraphile: base64 of '["Carrier",57]'),
PostGraphile's field names become zaiti's and its nested connections plain
lists, and the result is printed as counts and a SHA-256 of its canonical
JSON. With two files, exits 1 and
shows the first difference when they disagree.
"""

import base64
import hashlib
import json
import sys


def row_id(node_id):
    """The integer row id inside a global ID of either server."""
    padded = node_id + "=" * (-len(node_id) % 4)
    text = base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_")).decode()
    if text.startswith("["):  # PostGraphile: ["Carrier", 57]
        return json.loads(text)[-1]
    return int(text.rsplit(":", 1)[1])  # zaiti: Carrier:57


# PostGraphile's names (Amber preset) for the fields zaiti calls otherwise.
RENAMES = {
    "allCarriers": "carriers",
    "operatorByOperatorId": "operator",
    "districtByDistrictId": "district",
    "spacePhasesByCarrierId": "phases",
    "tenanciesByCarrierId": "tenancies",
    "enterpriseByEnterpriseId": "enterprise",
}


def canonical(value, key=None):
    """Whatever the query selected, in one shape: zaiti's names, plain lists
    for nested connections, row ids for global IDs, floats to the cent."""
    if isinstance(value, dict):
        if set(value) == {"nodes"}:  # a nested PostGraphile connection
            return canonical(value["nodes"])
        return {
            RENAMES.get(k, k): canonical(v, k)
            for k, v in value.items()
            if k != "endCursor"  # cursors are each server's own
        }
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if key == "id" and isinstance(value, str):
        return row_id(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # 123 from JavaScript is 123.0 from Rust.
        return round(float(value), 2)
    return value


def normalise(response):
    if response.get("errors"):
        raise SystemExit("the response has errors: %s" % json.dumps(response["errors"])[:500])
    page = canonical(response["data"])["carriers"]
    return {
        "totalCount": page["totalCount"],
        "hasNextPage": page["pageInfo"]["hasNextPage"],
        "carriers": page["nodes"],
    }


def summary(name, page, size):
    canonical = json.dumps(page, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    carriers = page["carriers"]
    print(
        "%-13s %7d bytes  totalCount %d  carriers %d  phases %d  tenancies %d  enterprises %d  "
        "first %s  last %s  sha256 %s"
        % (
            name,
            size,
            int(page["totalCount"]),
            len(carriers),
            sum(len(c["phases"]) for c in carriers),
            sum(len(c["tenancies"]) for c in carriers),
            len({t["enterprise"]["id"] for c in carriers for t in c["tenancies"]}),
            carriers[0]["name"] if carriers else "-",
            carriers[-1]["name"] if carriers else "-",
            digest[:16],
        )
    )
    return digest


def first_difference(a, b, path="page"):
    if type(a) is not type(b):
        return "%s: %r vs %r" % (path, a, b)
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return first_difference(a.get(key), b.get(key), "%s.%s" % (path, key))
    elif isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d items vs %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return first_difference(x, y, "%s[%d]" % (path, i))
    elif a != b:
        return "%s: %r vs %r" % (path, a, b)
    return None


def main(paths):
    pages, digests = [], []
    for path in paths:
        with open(path, "rb") as file:
            raw = file.read()
        page = normalise(json.loads(raw))
        name = "zaiti" if b'"carriers"' in raw[:40] else "PostGraphile"
        digests.append(summary(name, page, len(raw)))
        pages.append(page)
    if len(pages) == 2:
        if digests[0] != digests[1]:
            print("MISMATCH: " + str(first_difference(pages[0], pages[1])))
            return 1
        print("same page from both servers")
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1:]))
