"""Writes traces with known answers for the analyses (critical path, folding, lints, diff),
with the real MLflow SDK (2.x or 3.x), as Trace.to_json() files.

Usage: python gen_analysis.py --tracking-uri URI --export DIR

Scenarios (the tests in tests/analysis.rs know their answers):
  critical_path  an agent plans (LLM), then fetches in parallel threads: fetch_a (TOOL, short)
                 and fetch_b (RETRIEVER, long, calling embed inside); then answers (LLM).
                 Critical path: plan, fetch_b, embed, fetch_b, answer; fetch_a is not on it.
  loop           a tool called four times with the same arguments, then five lookups with
                 different arguments, one of them ten times slower than the others.
  swallowed      a child that raises, caught by its parent (which ends OK); a span that records
                 an exception event and ends OK; an LLM call that stops on its length limit; a
                 retriever that returns nothing.
  support_v1/_v2 the same pipeline twice: v2 adds a rerank step, its LLM call is slower and
                 uses more tokens, and its prompt differs.
"""

import argparse
import contextvars
import os
import threading
import time

import mlflow
from mlflow.entities import SpanEvent, SpanType

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])


def pause(ms):
    time.sleep(ms / 1000.0)


def llm(name, prompt, answer, ms, inp, out, finish="stop"):
    with mlflow.start_span(name=name, span_type=SpanType.CHAT_MODEL) as s:
        messages = [{"role": "user", "content": prompt}]
        s.set_inputs({"model": "gpt-4o-mini", "messages": messages})
        s.set_attribute("mlflow.llm.model", "gpt-4o-mini")
        pause(ms)
        s.set_outputs(
            {
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": answer},
                        "finish_reason": finish,
                    }
                ],
                "usage": {"prompt_tokens": inp, "completion_tokens": out, "total_tokens": inp + out},
            }
        )
        s.set_attribute(
            "mlflow.chat.tokenUsage",
            {"input_tokens": inp, "output_tokens": out, "total_tokens": inp + out},
        )
        return answer


def fetch_a():
    with mlflow.start_span(name="fetch_a", span_type=SpanType.TOOL) as s:
        s.set_inputs({"source": "a"})
        pause(30)
        s.set_outputs({"rows": 3})


def fetch_b():
    with mlflow.start_span(name="fetch_b", span_type=SpanType.RETRIEVER) as s:
        s.set_inputs({"query": "b"})
        pause(20)
        with mlflow.start_span(name="embed", span_type=SpanType.EMBEDDING) as e:
            e.set_inputs({"text": "b"})
            pause(120)
            e.set_outputs({"dims": 8})
        pause(20)
        s.set_outputs([{"page_content": "doc b", "metadata": {"id": 1}}])


@mlflow.trace(name="critical_path", span_type=SpanType.AGENT)
def critical_path():
    llm("plan", "plan the work", "fetch a and b", 30, 20, 5)
    threads = []
    for fn in (fetch_a, fetch_b):
        ctx = contextvars.copy_context()
        t = threading.Thread(target=ctx.run, args=(fn,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    return llm("answer", "answer with a and b", "done", 50, 40, 10)


@mlflow.trace(name="search", span_type=SpanType.TOOL)
def search(q):
    pause(5)
    return {"hits": []}


@mlflow.trace(name="lookup", span_type=SpanType.TOOL)
def lookup(key, ms):
    pause(ms)
    return {"key": key}


@mlflow.trace(name="loop", span_type=SpanType.AGENT)
def loop():
    for _ in range(4):
        search("refund policy")
    for i in range(5):
        lookup(f"k{i}", 150 if i == 3 else 5)
    return "gave up"


@mlflow.trace(name="charge_card", span_type=SpanType.TOOL)
def charge_card(amount):
    pause(5)
    raise ConnectionError("payment gateway timed out")


@mlflow.trace(name="audit", span_type=SpanType.TOOL)
def audit():
    with mlflow.start_span(name="audit_write") as s:
        try:
            raise PermissionError("audit log is read-only")
        except PermissionError as e:
            s.add_event(SpanEvent.from_exception(e))
        pause(3)
        s.set_outputs({"written": False})
    return "ok"


@mlflow.trace(name="find_docs", span_type=SpanType.RETRIEVER)
def find_docs(q):
    pause(4)
    return []


@mlflow.trace(name="swallowed", span_type=SpanType.CHAIN)
def swallowed():
    try:
        charge_card(42)
    except ConnectionError:
        pass  # swallowed: the order goes on as if it was paid
    audit()
    find_docs("warranty")
    llm("summarize", "summarize the order", "The order was placed and the", 20, 30, 256, finish="length")
    return "order placed"


def support(version):
    @mlflow.trace(name="support_bot", span_type=SpanType.CHAIN)
    def run(question):
        with mlflow.start_span(name="retrieve", span_type=SpanType.RETRIEVER) as s:
            s.set_inputs({"query": question})
            pause(10)
            docs = [{"page_content": "Refunds within 30 days.", "metadata": {"id": 1}}]
            s.set_outputs(docs)
        if version == 2:
            with mlflow.start_span(name="rerank", span_type=SpanType.RERANKER) as s:
                s.set_inputs({"docs": 1})
                pause(15)
                s.set_outputs({"kept": 1})
        prompt = (
            "Answer from the docs: Refunds within 30 days."
            if version == 1
            else "Answer politely and cite the docs: Refunds within 30 days."
        )
        return llm(
            "answer",
            prompt + " Q: " + question,
            "You can get a refund within 30 days.",
            60 if version == 1 else 90,
            40 if version == 1 else 70,
            10 if version == 1 else 14,
        )

    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracking-uri", required=True)
    ap.add_argument("--experiment", default="tui-analysis")
    ap.add_argument("--export", required=True)
    args = ap.parse_args()
    mlflow.set_tracking_uri(args.tracking_uri)
    mlflow.set_experiment(args.experiment)
    ids = {}
    for name, fn, fargs in [
        ("critical_path", critical_path, ()),
        ("loop", loop, ()),
        ("swallowed", swallowed, ()),
        ("support_v1", support(1), ("Can I get a refund?",)),
        ("support_v2", support(2), ("Can I get a refund?",)),
    ]:
        fn(*fargs)
        ids[name] = mlflow.get_last_active_trace_id()
        pause(10)
    if hasattr(mlflow, "flush_trace_async_logging"):
        mlflow.flush_trace_async_logging()
    os.makedirs(args.export, exist_ok=True)
    for name, tid in ids.items():
        trace = mlflow.get_trace(tid)
        with open(os.path.join(args.export, f"{name}.json"), "w") as f:
            f.write(trace.to_json(pretty=True))
    print(f"wrote {len(ids)} analysis traces with MLflow {mlflow.__version__}")


if __name__ == "__main__":
    main()
