#!/usr/bin/env python3
"""Copies AWS service models from the installed botocore into src/protocol/models/, without docs."""
import gzip, json, os
import botocore

BASE = os.path.join(os.path.dirname(botocore.__file__), "data")
DROP = {"documentation", "documentationUrl", "examples", "deprecatedMessage"}


def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if k not in DROP}
    if isinstance(o, list):
        return [strip(x) for x in o]
    return o


for svc, ver in [("cloudtrail", "2013-11-01"), ("cloudtrail-data", "2021-08-11"), ("sts", "2011-06-15")]:
    path = os.path.join(BASE, svc, ver, "service-2.json.gz")
    raw = gzip.open(path).read() if os.path.exists(path) else open(path[:-3], "rb").read()
    out = f"src/protocol/models/{svc}-{ver}.json"
    with open(out, "w") as f:
        json.dump(strip(json.loads(raw)), f, separators=(",", ":"))
    print(out)
