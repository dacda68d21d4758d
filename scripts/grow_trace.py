"""Grows a real exported trace (Trace.to_json) to N spans by copying its subtrees.

Usage: python grow_trace.py IN.json N OUT.json

The MLflow SDK needs minutes for a 100k-span trace, so the big bench inputs are made from a
5k-span trace it wrote: the root's child subtrees are copied, with fresh span ids and shifted
times, until the trace holds N spans. Every span keeps the exact shape MLflow wrote.
"""

import base64
import copy
import json
import os
import sys


def new_id():
    return base64.b64encode(os.urandom(8)).decode()


def main():
    src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(src) as f:
        trace = json.load(f)
    spans = trace["data"]["spans"]
    root = next(s for s in spans if not s.get("parent_span_id"))
    children = {}
    for s in spans:
        children.setdefault(s.get("parent_span_id"), []).append(s)

    def subtree(s):
        out, stack = [], [s]
        while stack:
            x = stack.pop()
            out.append(x)
            stack.extend(children.get(x["span_id"], []))
        return out

    groups = [subtree(c) for c in children.get(root["span_id"], [])]
    result = list(spans)
    span_ns = root["end_time_unix_nano"] - root["start_time_unix_nano"]
    round_ = 0
    while len(result) < n:
        round_ += 1
        for g in groups:
            if len(result) >= n:
                break
            ids = {s["span_id"]: new_id() for s in g}
            for s in g:
                c = copy.deepcopy(s)
                c["span_id"] = ids[s["span_id"]]
                c["parent_span_id"] = ids.get(s["parent_span_id"], root["span_id"])
                c["start_time_unix_nano"] += span_ns * round_
                c["end_time_unix_nano"] += span_ns * round_
                result.append(c)
                if len(result) >= n:
                    break
    root["end_time_unix_nano"] += span_ns * round_
    trace["data"]["spans"] = result
    with open(out, "w") as f:
        json.dump(trace, f)
    print(f"{out}: {len(result)} spans, {os.path.getsize(out)} bytes")


if __name__ == "__main__":
    main()
