"""The export round trip, checked with MLflow's own Trace.from_json: for each pair of files
(an original trace JSON written by MLflow, and mlflow-tui's `export --format mlflow` of it),
both are read by MLflow and compared on what a trace is: its spans (ids, parents, names,
times, status, attributes, events) and its info (id, state, times, tags, metadata).

Usage: python normalize_trace.py PAIRS   (a file of "ORIGINAL<TAB>EXPORT" lines)
       python normalize_trace.py FILE    (prints one trace, normalized, as JSON)
Exits with 1 and prints the differences when a pair differs.
"""

import json
import sys

from mlflow.entities import Trace


def hexid(v):
    if v is None or v == "":
        return None
    if isinstance(v, int):
        return format(v, "016x")
    s = str(v)
    if s.startswith("0x"):
        s = s[2:]
    return s.lower()


def status(s):
    code = getattr(s.status, "status_code", s.status)
    code = getattr(code, "value", code)
    return str(code).replace("STATUS_CODE_", "")


def normalized(path):
    t = Trace.from_json(open(path).read())
    info = t.info
    trace_id = getattr(info, "trace_id", None) or getattr(info, "request_id", None)
    state = getattr(info, "state", None) or getattr(info, "status", None)
    state = str(getattr(state, "value", state)).replace("TraceStatus.", "").replace("TraceState.", "")
    request_time = getattr(info, "request_time", None) or getattr(info, "timestamp_ms", None)
    duration = getattr(info, "execution_duration", None)
    if duration is None:
        duration = getattr(info, "execution_time_ms", None)
    metadata = getattr(info, "trace_metadata", None) or getattr(info, "request_metadata", None) or {}
    spans = []
    for s in t.data.spans:
        spans.append(
            {
                "span_id": hexid(s.span_id),
                "parent_id": hexid(s.parent_id),
                "name": s.name,
                "start_ns": s.start_time_ns,
                "end_ns": s.end_time_ns,
                "status": status(s),
                "attributes": {k: v for k, v in s.attributes.items()},
                "events": [[e.name, e.timestamp, e.attributes] for e in s.events],
            }
        )
    spans.sort(key=lambda s: (s["start_ns"], s["span_id"]))
    return json.loads(
        json.dumps(
            {
                "trace_id": trace_id,
                "state": state,
                "request_time_ms": request_time,
                "duration_ms": duration,
                "tags": dict(info.tags),
                "metadata": dict(metadata),
                "spans": spans,
            },
            sort_keys=True,
            default=str,
        )
    )


def differences(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                yield f"{path}/{k}: only in {'the original' if k in a else 'the export'}"
            else:
                yield from differences(a[k], b[k], f"{path}/{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differences(x, y, f"{path}[{i}]")
    elif a != b and not (a != a and b != b):  # NaN is NaN
        yield f"{path}: {str(a)[:120]!r} != {str(b)[:120]!r}"


def main():
    arg = sys.argv[1]
    if arg.endswith(".json"):
        print(json.dumps(normalized(arg), sort_keys=True))
        return
    failed = 0
    pairs = [line.rstrip("\n").split("\t") for line in open(arg) if line.strip()]
    for orig, ours in pairs:
        diff = list(differences(normalized(orig), normalized(ours)))
        if diff:
            failed += 1
            print(f"DIFFERS {orig}")
            for d in diff[:20]:
                print(f"  {d}")
    print(f"{len(pairs) - failed} of {len(pairs)} traces read back the same")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
