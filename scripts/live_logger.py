"""Logs traces one after another with the real MLflow SDK while mlflow-tui follows the store,
and says when each became visible in the store (for the live-tail end-to-end tests).

Usage:
  python live_logger.py --uri URI --experiment NAME [--count N] [--interval S] [--long S]
  python live_logger.py --uri URI --experiment NAME --setup
  python live_logger.py --uri URI --experiment NAME --json-dir DIR ...

One trace (`long_running`) stays IN_PROGRESS for --long seconds: a child span ends every
second, so a SQL store (sqlite, or a server on one) shows it running with spans arriving.
It starts first; the short traces are logged while it runs.

Prints one JSON line per trace: {"trace_id", "name", "visible_ms"}: the wall-clock time (ms)
at which the trace could first be read from the store: for the SQL store, when the long trace's
first span was written; otherwise when the SDK call that logged the trace returned (logging is
synchronous: MLFLOW_ENABLE_ASYNC_TRACE_LOGGING=false). With --json-dir, each finished trace is
also written there as `<id>.json` (Trace.to_json(), written to a hidden file and renamed), and
visible_ms is when the rename happened.
"""

import argparse
import json
import os
import threading
import time

os.environ["MLFLOW_ENABLE_ASYNC_TRACE_LOGGING"] = "false"
# MLflow 3.17 refuses the file store unless asked (it is in maintenance mode)
os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")

import mlflow  # noqa: E402
from mlflow.entities import SpanType  # noqa: E402

lock = threading.Lock()


def now_ms():
    return int(time.time() * 1000)


def say(trace_id, name, visible_ms):
    with lock:
        print(json.dumps({"trace_id": trace_id, "name": name, "visible_ms": visible_ms}), flush=True)


def export(args, trace_id, name):
    """The JSON-directory variant: the finished trace, written atomically."""
    if not args.json_dir:
        return now_ms()
    trace = mlflow.get_trace(trace_id)
    tmp = os.path.join(args.json_dir, f".{trace_id}.tmp")
    with open(tmp, "w") as f:
        f.write(trace.to_json())
    os.rename(tmp, os.path.join(args.json_dir, f"{trace_id}.json"))
    return now_ms()


def long_running(args, first_span_done):
    with mlflow.start_span(name="long_running", span_type=SpanType.AGENT) as root:
        root.set_inputs({"question": "a slow agent"})
        trace_id = root.trace_id
        for step in range(max(1, int(args.long))):
            with mlflow.start_span(name=f"step_{step}", span_type=SpanType.TOOL) as s:
                s.set_inputs({"step": step})
                s.set_outputs({"done": step})
            if step == 0:
                if not args.json_dir:
                    say(trace_id, "long_running", now_ms())
                first_span_done.set()
            time.sleep(1.0)
        root.set_outputs({"answer": "finally"})
    if args.json_dir:
        say(trace_id, "long_running", export(args, trace_id, "long_running"))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--uri", required=True)
    p.add_argument("--experiment", required=True)
    p.add_argument("--count", type=int, default=10)
    p.add_argument("--interval", type=float, default=0.5)
    p.add_argument("--long", type=float, default=5)
    p.add_argument("--json-dir")
    p.add_argument("--setup", action="store_true", help="create the store and experiment only")
    args = p.parse_args()
    mlflow.set_tracking_uri(args.uri)
    mlflow.set_experiment(args.experiment)
    if args.setup:
        print(json.dumps({"ready": True}), flush=True)
        return
    first = threading.Event()
    t = threading.Thread(target=long_running, args=(args, first))
    t.start()
    first.wait(30)
    for i in range(args.count):
        time.sleep(args.interval)
        name = f"live_{i}"
        with mlflow.start_span(name=name, span_type=SpanType.CHAIN) as root:
            root.set_inputs({"i": i})
            trace_id = root.trace_id
            with mlflow.start_span(name="tool", span_type=SpanType.TOOL) as s:
                s.set_inputs({"x": i})
                s.set_outputs({"y": i * 2})
            root.set_outputs({"ok": i})
        say(trace_id, name, export(args, trace_id, name))
    t.join()


if __name__ == "__main__":
    main()
