"""Loads many traces into a real MLflow tracking server through its own OTLP endpoint
(`/v1/traces`), in batches: the quick way to fill a deployment with 100,000 traces (one SDK
call per trace would take hours). MLflow itself turns each batch into trace infos and spans in
its backend store.

Usage: python load_otlp.py TRACKING_URI EXPERIMENT COUNT [--batch 500] [--spread-s SECONDS]

Every trace has a root span `request_{i}` with two children (`retrieve`, `generate`); every
tenth trace ends in ERROR; durations are `20 + (i * 37) % 5000` ms, so sorting by duration
and `execution_time_ms` filters have a known answer; start times are spread over the seven
days (or --spread-s seconds) before now, newest first: trace 0 is the most recent. Prints
the experiment id, and the trace ids with --ids.
"""

import argparse
import os
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import mlflow
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

WEEK_S = 7 * 24 * 3600


def attr(key, value):
    return KeyValue(key=key, value=AnyValue(string_value=value))


def duration_ms(i):
    return 20 + (i * 37) % 5000


def trace_spans(i, prefix, now_ns, count, spread_ns):
    trace_id = prefix + i.to_bytes(8, "big")
    start = now_ns - (spread_ns * i) // max(count, 1) - duration_ms(i) * 10**6
    end = start + duration_ms(i) * 10**6
    error = i % 10 == 0
    root_id = (i * 4 + 1).to_bytes(8, "big")
    root = Span(
        trace_id=trace_id,
        span_id=root_id,
        name=f"request_{i}",
        kind=Span.SPAN_KIND_SERVER,
        start_time_unix_nano=start,
        end_time_unix_nano=end,
        attributes=[
            attr("mlflow.spanType", '"CHAIN"'),
            attr("mlflow.spanInputs", '{"question": "question %d"}' % i),
            attr("mlflow.spanOutputs", '{"answer": "answer %d"}' % i),
        ],
        status=Status(code=Status.STATUS_CODE_ERROR if error else Status.STATUS_CODE_OK),
    )
    mid = start + (end - start) // 3
    retrieve = Span(
        trace_id=trace_id,
        span_id=(i * 4 + 2).to_bytes(8, "big"),
        parent_span_id=root_id,
        name="retrieve",
        start_time_unix_nano=start + 1000,
        end_time_unix_nano=mid,
        attributes=[attr("mlflow.spanType", '"RETRIEVER"')],
        status=Status(code=Status.STATUS_CODE_OK),
    )
    generate = Span(
        trace_id=trace_id,
        span_id=(i * 4 + 3).to_bytes(8, "big"),
        parent_span_id=root_id,
        name="generate",
        start_time_unix_nano=mid,
        end_time_unix_nano=end - 1000,
        attributes=[attr("mlflow.spanType", '"LLM"'), attr("gen_ai.request.model", "fake-model")],
        status=Status(code=Status.STATUS_CODE_ERROR if error else Status.STATUS_CODE_OK),
    )
    return [root, retrieve, generate]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("uri")
    ap.add_argument("experiment")
    ap.add_argument("count", type=int)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--spread-s", type=int, default=WEEK_S)
    ap.add_argument("--ids", action="store_true")
    args = ap.parse_args()
    mlflow.set_tracking_uri(args.uri)
    exp = mlflow.get_experiment_by_name(args.experiment)
    exp_id = exp.experiment_id if exp else mlflow.create_experiment(args.experiment)
    prefix = os.urandom(8)
    now_ns = time.time_ns()

    def send(lo):
        hi = min(lo + args.batch, args.count)
        spans = [
            s for i in range(lo, hi) for s in trace_spans(i, prefix, now_ns, args.count, args.spread_s * 10**9)
        ]
        body = ExportTraceServiceRequest(
            resource_spans=[
                ResourceSpans(
                    resource=None,
                    scope_spans=[ScopeSpans(spans=spans)],
                )
            ]
        ).SerializeToString()
        req = urllib.request.Request(
            args.uri.rstrip("/") + "/v1/traces",
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-protobuf",
                "x-mlflow-experiment-id": exp_id,
            },
        )
        with urllib.request.urlopen(req, timeout=600) as r:
            r.read()
        return hi - lo

    t0 = time.time()
    done = 0
    with ThreadPoolExecutor(args.threads) as pool:
        for n in pool.map(send, range(0, args.count, args.batch)):
            done += n
    took = time.time() - t0
    print(
        f"load_otlp: {done} traces into experiment {exp_id} in {took:.1f} s ({done / max(took, 1e-9):.0f}/s)",
        file=sys.stderr,
    )
    print(exp_id)
    if args.ids:
        for i in range(args.count):
            print("tr-" + (prefix + i.to_bytes(8, "big")).hex())


if __name__ == "__main__":
    main()
