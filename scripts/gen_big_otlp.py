"""Sends one trace of N spans to a real MLflow tracking server through its OTLP endpoint
(`/v1/traces`), in batches of 2,000 spans: seconds where logging the same with the SDK takes
the server many minutes (scripts/bench_open.sh, SERVER=otlp). MLflow turns the spans into a
trace in its backend store; `get-trace-artifact` then serves them as any other trace's.

Every span but the root is the root's child; each has MLflow's span type, inputs (a chat
message of about 150 characters) and outputs (about 120), as an agent's steps would.

Usage: python gen_big_otlp.py TRACKING_URI N      prints the trace id (tr-...)
"""

import os
import sys
import time
import urllib.request

import mlflow
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

BATCH = 2000


def attr(key, value):
    return KeyValue(key=key, value=AnyValue(string_value=value))


def main():
    uri, n = sys.argv[1].rstrip("/"), int(sys.argv[2])
    mlflow.set_tracking_uri(uri)
    exp_id = mlflow.create_experiment(f"big-{n}-{os.getpid()}-{time.time_ns()}")
    trace_id, now, root = os.urandom(16), time.time_ns(), (1).to_bytes(8, "big")
    spans = [
        Span(
            trace_id=trace_id,
            span_id=(i + 1).to_bytes(8, "big"),
            parent_span_id=b"" if i == 0 else root,
            name="agent" if i == 0 else f"step_{i}",
            start_time_unix_nano=now + i * 1000,
            end_time_unix_nano=now + 10**9 - i,
            attributes=[
                attr("mlflow.spanType", '"CHAIN"' if i % 3 else '"LLM"'),
                attr(
                    "mlflow.spanInputs",
                    '{"step": %d, "messages": [{"role": "user", "content": "%s"}]}' % (i, "q" * 150),
                ),
                attr("mlflow.spanOutputs", '{"done": true, "text": "%s"}' % ("a" * 120)),
            ],
            status=Status(code=Status.STATUS_CODE_OK),
        )
        for i in range(n)
    ]
    for lo in range(0, n, BATCH):
        body = ExportTraceServiceRequest(
            resource_spans=[ResourceSpans(scope_spans=[ScopeSpans(spans=spans[lo : lo + BATCH])])]
        ).SerializeToString()
        req = urllib.request.Request(
            uri + "/v1/traces",
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-protobuf", "x-mlflow-experiment-id": exp_id},
        )
        with urllib.request.urlopen(req, timeout=600) as r:
            r.read()
    print("tr-" + trace_id.hex())


if __name__ == "__main__":
    main()
