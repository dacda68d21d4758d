"""Logs many small traces to a tracking server with the real MLflow SDK, in two experiments.

Usage: python log_many.py TRACKING_URI COUNT

Traces alternate between experiments `many-a` and `many-b`; every seventh one fails, and
each carries a tag `batch` with its number, so tests can page through them and filter.
"""

import sys

import mlflow
from mlflow.entities import SpanType


def main():
    uri, count = sys.argv[1], int(sys.argv[2])
    mlflow.set_tracking_uri(uri)
    for i in range(count):
        mlflow.set_experiment("many-a" if i % 2 == 0 else "many-b")
        try:
            with mlflow.start_span(name=f"request_{i}", span_type=SpanType.CHAIN) as root:
                root.set_inputs({"i": i})
                if hasattr(mlflow, "update_current_trace"):
                    mlflow.update_current_trace(tags={"batch": str(i), "parity": "even" if i % 2 == 0 else "odd"})
                with mlflow.start_span(name="step", span_type=SpanType.TOOL) as s:
                    s.set_inputs({"x": i})
                    if i % 7 == 0:
                        raise ValueError(f"failure {i}")
                    s.set_outputs({"y": i * 2})
                root.set_outputs({"ok": True})
        except ValueError:
            pass
    if hasattr(mlflow, "flush_trace_async_logging"):
        mlflow.flush_trace_async_logging()
    print(f"logged {count} traces to {uri}")


if __name__ == "__main__":
    main()
