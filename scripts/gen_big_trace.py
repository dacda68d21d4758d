"""Writes one big agent trace with the real MLflow SDK and exports it as Trace.to_json().

Usage: python gen_big_trace.py N OUT.json [TRACKING_URI]

With TRACKING_URI (a tracking server), the trace is logged there too.

The trace is an agent loop: each step has an LLM call with chat messages and token usage, a
tool call, and a retriever with a few nested spans, so that spans look like real ones (about
600 bytes each, as MLflow stores them).
"""

import sys
import tempfile

import mlflow
from mlflow.entities import SpanType


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    uri = sys.argv[3] if len(sys.argv) > 3 else f"sqlite:///{tempfile.mkdtemp()}/big.db"
    mlflow.set_tracking_uri(uri)
    mlflow.set_experiment("big")
    made = 1
    with mlflow.start_span(name="big_agent", span_type=SpanType.AGENT) as root:
        root.set_inputs({"task": "benchmark", "spans": n})
        step = 0
        while made < n:
            with mlflow.start_span(name=f"step_{step}", span_type=SpanType.CHAIN) as s:
                s.set_inputs({"step": step})
                made += 1
                for kind, stype in (("llm", SpanType.CHAT_MODEL), ("tool", SpanType.TOOL), ("retrieve", SpanType.RETRIEVER)):
                    if made >= n:
                        break
                    with mlflow.start_span(name=f"{kind}_{step}", span_type=stype) as c:
                        c.set_inputs({"messages": [{"role": "user", "content": f"step {step}: what next?"}]})
                        c.set_outputs({"choices": [{"message": {"role": "assistant", "content": "call the tool with arguments"}}]})
                        if stype == SpanType.CHAT_MODEL:
                            c.set_attribute("mlflow.chat.tokenUsage", {"input_tokens": 20, "output_tokens": 7, "total_tokens": 27})
                        made += 1
                s.set_outputs({"done": True})
            step += 1
        root.set_outputs({"steps": step})
    trace_id = mlflow.get_last_active_trace_id()
    if hasattr(mlflow, "flush_trace_async_logging"):
        mlflow.flush_trace_async_logging()
    trace = mlflow.get_trace(trace_id)
    with open(out, "w") as f:
        f.write(trace.to_json())
    print(f"{out}: {len(trace.data.spans)} spans")


if __name__ == "__main__":
    main()
