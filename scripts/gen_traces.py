"""Writes MLflow traces with the real MLflow SDK (2.x or 3.x), for fixtures and the demo.

Usage: python gen_traces.py --tracking-uri URI [--export DIR] [--manifest FILE]
                            [--experiment NAME] [--demo N] [--hostile]

Each scenario is ordinary application code decorated with MLflow's tracing API: a RAG chain,
an agent loop with tool calls, an exception deep in the tree, a streaming generator, async
fan-out, worker threads, span events with odd attribute types, user/session metadata and tags,
and a custom span type. With --export, every trace is also written as `Trace.to_json()`, one
file per trace and all of them as JSON Lines.
"""

import argparse
import asyncio
import concurrent.futures
import contextvars
import json
import os
import random
import time

import mlflow
from mlflow.entities import SpanEvent, SpanType

MLFLOW_MAJOR = int(mlflow.__version__.split(".")[0])
RNG = random.Random(7)


def pause(ms):
    time.sleep(ms / 1000.0)


def trace_meta(user, session, **tags):
    """Sets user, session and tags on the current trace, as each MLflow generation allows."""
    if MLFLOW_MAJOR >= 3:
        mlflow.update_current_trace(
            metadata={"mlflow.trace.user": user, "mlflow.trace.session": session},
            tags=tags or None,
        )
    else:
        tags = dict(tags)
        tags.update({"mlflow.trace.user": user, "mlflow.trace.session": session})
        mlflow.update_current_trace(tags=tags)


def set_usage(span, inp, out):
    span.set_attribute(
        "mlflow.chat.tokenUsage",
        {"input_tokens": inp, "output_tokens": out, "total_tokens": inp + out},
    )


def set_messages(span, messages):
    if MLFLOW_MAJOR < 3:
        try:
            mlflow.tracing.set_span_chat_messages(span, messages)
        except Exception:  # noqa: BLE001 - older 2.x without the helper
            pass


TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "search_flights",
            "description": "Find flights between two airports on a date",
            "parameters": {
                "type": "object",
                "properties": {
                    "origin": {"type": "string"},
                    "destination": {"type": "string"},
                    "date": {"type": "string"},
                },
            },
        },
    },
]


def fake_completion(messages, content=None, tool_calls=None, model="gpt-4o-mini"):
    inp = sum(len(str(m.get("content") or "").split()) for m in messages) + 12
    out = len((content or "").split()) + (8 * len(tool_calls or []))
    message = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    return (
        {
            "id": f"chatcmpl-{RNG.randrange(10**8)}",
            "object": "chat.completion",
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if tool_calls else "stop",
                }
            ],
            "usage": {"prompt_tokens": inp, "completion_tokens": out, "total_tokens": inp + out},
        },
        inp,
        out,
    )


def chat_model(name, messages, content=None, tool_calls=None, tools=None, ms=40):
    with mlflow.start_span(name=name, span_type=SpanType.CHAT_MODEL) as span:
        inputs = {"model": "gpt-4o-mini", "messages": messages, "temperature": 0.2}
        if tools:
            inputs["tools"] = tools
        span.set_inputs(inputs)
        span.set_attribute("mlflow.message.format", "openai")
        span.set_attribute("mlflow.llm.model", "gpt-4o-mini")
        span.set_attribute("mlflow.llm.provider", "openai")
        if tools:
            span.set_attribute("mlflow.chat.tools", tools)
        pause(ms)
        resp, inp, out = fake_completion(messages, content, tool_calls)
        span.set_outputs(resp)
        set_usage(span, inp, out)
        set_messages(span, messages + [resp["choices"][0]["message"]])
        return resp["choices"][0]["message"]


# ------------------------------------------------------------------------------------------
# Scenarios


DOCS = [
    ("MLflow Tracing records the inputs, outputs and metadata of each step of a GenAI app.", "docs/tracing.md"),
    ("Spans form a tree: a root span for the request, children for retrieval, LLM calls and tools.", "docs/spans.md"),
    ("Token usage is recorded on LLM spans as mlflow.chat.tokenUsage.", "docs/tokens.md"),
    ("Traces can be searched with a SQL-like filter grammar.", "docs/search.md"),
]


@mlflow.trace(span_type=SpanType.RETRIEVER)
def retrieve_docs(query: str, k: int = 3):
    pause(15)
    return [
        {"page_content": text, "metadata": {"source": src, "score": round(0.9 - i * 0.1, 2)}, "id": f"doc-{i}"}
        for i, (text, src) in enumerate(DOCS[:k])
    ]


@mlflow.trace(span_type=SpanType.PARSER)
def format_prompt(question: str, docs: list):
    pause(2)
    context = "\n".join(d["page_content"] for d in docs)
    return [
        {"role": "system", "content": "Answer using only the context.\n\nContext:\n" + context},
        {"role": "user", "content": question},
    ]


@mlflow.trace(name="rag_pipeline", span_type=SpanType.CHAIN)
def rag(question: str, user="alice", session="session-1"):
    trace_meta(user, session, env="dev", app="docs-bot")
    docs = retrieve_docs(question)
    messages = format_prompt(question, docs)
    answer = chat_model(
        "chat_completion",
        messages,
        content="MLflow Tracing captures each step of your app as spans in a tree, with token usage on LLM spans.",
    )
    return {"answer": answer["content"], "sources": [d["metadata"]["source"] for d in docs]}


@mlflow.trace(span_type=SpanType.TOOL)
def get_weather(city: str):
    pause(8)
    return {"city": city, "temp_c": 18, "conditions": "partly cloudy"}


@mlflow.trace(span_type=SpanType.TOOL)
def search_flights(origin: str, destination: str, date: str):
    pause(20)
    return [
        {"flight": "LH 1234", "depart": f"{date}T08:15", "price_eur": 142},
        {"flight": "AF 987", "depart": f"{date}T13:40", "price_eur": 119},
    ]


@mlflow.trace(name="travel_agent", span_type=SpanType.AGENT)
def agent(request: str, user="bob", session="session-7"):
    trace_meta(user, session, env="prod", agent="travel")
    messages = [
        {"role": "system", "content": "You are a travel assistant. Use tools when helpful."},
        {"role": "user", "content": request},
    ]
    plan = [
        ("get_weather", {"city": "Lisbon"}),
        ("search_flights", {"origin": "BER", "destination": "LIS", "date": "2026-12-03"}),
    ]
    tools = {"get_weather": get_weather, "search_flights": search_flights}
    for step, (tool, args) in enumerate(plan):
        call = {
            "id": f"call_{step}",
            "type": "function",
            "function": {"name": tool, "arguments": json.dumps(args)},
        }
        msg = chat_model(f"llm_step_{step}", messages, tool_calls=[call], tools=TOOLS, ms=30)
        messages.append(msg)
        result = tools[tool](**args)
        messages.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps(result)})
    final = chat_model(
        "llm_final",
        messages,
        content="Lisbon is 18°C and partly cloudy. The cheapest flight is AF 987 at 13:40 for €119.",
        tools=TOOLS,
    )
    return final["content"]


@mlflow.trace(span_type=SpanType.TOOL)
def parse_config(raw: str):
    pause(3)
    cfg = json.loads(raw)
    if "model" not in cfg:
        raise ValueError("bad config: missing 'model'")
    return cfg


@mlflow.trace(name="load_settings")
def stage_3(raw):
    return parse_config(raw)


@mlflow.trace(name="prepare")
def stage_2(raw):
    pause(2)
    return stage_3(raw)


@mlflow.trace(name="setup")
def stage_1(raw):
    return stage_2(raw)


@mlflow.trace(name="batch_job", span_type=SpanType.CHAIN)
def failing_pipeline(raw: str):
    trace_meta("carol", "session-9", env="dev")
    return stage_1(raw)


@mlflow.trace(span_type=SpanType.TOOL)
def flaky_lookup(key: str, attempt: int):
    pause(5)
    if attempt == 0:
        raise ConnectionError(f"upstream timed out looking up {key!r}")
    return {"key": key, "value": 42}


@mlflow.trace(name="resilient_agent", span_type=SpanType.AGENT)
def resilient(key: str):
    trace_meta("bob", "session-7", env="prod")
    for attempt in range(3):
        try:
            return flaky_lookup(key, attempt)
        except ConnectionError:
            pause(3)
    return None


@mlflow.trace(name="stream_answer", span_type=SpanType.LLM)
def stream_answer(prompt: str):
    for word in "Streaming keeps the first token fast and the user engaged .".split():
        pause(3)
        yield word + " "


@mlflow.trace(span_type=SpanType.RETRIEVER)
async def fetch_source(name: str, delay_ms: int):
    await asyncio.sleep(delay_ms / 1000.0)
    return {"source": name, "hits": delay_ms // 5}


@mlflow.trace(name="fan_out_search", span_type=SpanType.CHAIN)
async def fan_out(query: str):
    trace_meta("dave", "session-3", env="dev")
    results = await asyncio.gather(
        *(fetch_source(n, d) for n, d in [("web", 30), ("wiki", 12), ("news", 22), ("arxiv", 40)])
    )
    return {"query": query, "results": results}


@mlflow.trace(span_type=SpanType.EMBEDDING)
def embed_chunk(chunk: str):
    pause(10 + len(chunk) % 7)
    return [round(RNG.random(), 4) for _ in range(8)]


@mlflow.trace(name="parallel_embed", span_type=SpanType.CHAIN)
def parallel_workers(chunks):
    trace_meta("erin", "session-4", env="dev")
    with concurrent.futures.ThreadPoolExecutor(max_workers=3) as pool:
        futures = [pool.submit(contextvars.copy_context().run, embed_chunk, c) for c in chunks]
        return {"vectors": len([f.result() for f in futures])}


def odd_attributes():
    with mlflow.start_span(name="odd_attributes", span_type=SpanType.CHAIN) as root:
        trace_meta("frank", "session-5", env="test")
        root.set_inputs({"nested": {"list": [1, 2.5, None, True], "unicode": "数据 🚀 naïve"}})
        root.set_attribute("int_attr", 7)
        root.set_attribute("float_attr", 3.25)
        root.set_attribute("bool_attr", False)
        root.set_attribute("none_attr", None)
        root.set_attribute("list_attr", ["a", 1, {"b": 2}])
        root.set_attribute("dict_attr", {"k": {"deep": [1, {"deeper": "x"}]}})
        root.set_attribute("big_int", 2**64 + 1)
        root.set_attribute("nan_attr", float("nan"))
        root.set_attribute("long_text", "lorem ipsum " * 500)
        root.set_attribute("unicode_attr", "東京 → Zürich ✈️ 👩‍👩‍👧")
        with mlflow.start_span(name="emit_events") as child:
            pause(4)
            child.add_event(SpanEvent("cache_miss", attributes={"key": "user:42", "ttl_s": 30}))
            child.add_event(SpanEvent("retry", attributes={"attempt": 2, "backoff_s": 0.5, "final": False}))
            child.add_event(SpanEvent("checkpoint", attributes={"tags": ["a", "b"], "ratio": 0.75}))
            child.set_outputs("done")
        root.set_outputs({"ok": True})


@mlflow.trace(name="check_policy", span_type="GUARDRAIL_CHECK")
def guardrail(text: str):
    pause(4)
    return {"allowed": "attack" not in text, "policy": "v2"}


@mlflow.trace(name="moderated_reply", span_type=SpanType.CHAIN)
def custom_type(text: str):
    trace_meta("alice", "session-1", env="prod")
    verdict = guardrail(text)
    with mlflow.start_span(name="vector_lookup", span_type="VECTOR_SEARCH") as s:
        s.set_inputs({"text": text})
        pause(6)
        s.set_outputs({"ids": [3, 9, 27]})
    return verdict


def hostile():
    evil = "evil\x1b[31mRED\x1b[0m\x1b]0;pwned-title\x07\x1b]52;c;ZXZpbA==\x07"
    with mlflow.start_span(name=evil, span_type=SpanType.TOOL) as root:
        trace_meta("mallory\x1b[2J", "s\u202egnp.exe", env="x\x00y")
        root.set_inputs({
            "bidi": "user\u202egnp.exe",
            "nul": "a\x00b",
            "cr": "visible\rhidden",
            "zero_width": "pay\u200bpal",
            "wide": "数据集 🚀 👩‍👩‍👧 ｆｕｌｌ",
            "tabs": "a\tb\tc",
        })
        with mlflow.start_span(name="\x1b[1mbold\x1b[0m child") as c:
            c.set_outputs("\x1b[?1049h\x1b]8;;http://example.invalid\x07link\x1b]8;;\x07")
        root.set_outputs("\x1b]52;c;cm0gLXJmIH4=\x07done")


def run(name, fn, *args, **kwargs):
    result = fn(*args, **kwargs)
    if hasattr(result, "__next__"):
        result = "".join(result)
    if asyncio.iscoroutine(result):
        result = asyncio.run(result)
    return name


def last_trace_id():
    return mlflow.get_last_active_trace_id()


def scenario_list(variant=0):
    q = [
        "How does MLflow Tracing record token usage?",
        "What is a span tree?",
        "Can I search traces by filter?",
    ][variant % 3]
    users = ["alice", "bob", "carol", "dave"]
    return [
        ("rag", rag, (q,), {"user": users[variant % 4], "session": f"session-{1 + variant % 3}"}),
        ("agent", agent, ("Weather in Lisbon and a flight there on Dec 3?",), {}),
        ("error_deep", failing_pipeline, ('{"temperature": 0.2}',), {}),
        ("error_caught", resilient, ("user:42",), {}),
        ("stream", stream_answer, ("Explain streaming",), {}),
        ("async_fan_out", fan_out, ("mlflow tracing",), {}),
        ("threads", parallel_workers, (["alpha", "beta", "gamma", "delta", "epsilon"],), {}),
        ("events_odd_attrs", odd_attributes, (), {}),
        ("custom_type", custom_type, ("a friendly question",), {}),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracking-uri", required=True)
    ap.add_argument("--experiment", default="tui-fixtures")
    ap.add_argument("--export")
    ap.add_argument("--manifest")
    ap.add_argument("--demo", type=int, default=0, help="repeat the scenarios N times")
    ap.add_argument("--hostile", action="store_true")
    args = ap.parse_args()

    mlflow.set_tracking_uri(args.tracking_uri)
    mlflow.set_experiment(args.experiment)
    ids = {}
    rounds = max(args.demo, 1)
    for variant in range(rounds):
        for name, fn, fargs, fkwargs in scenario_list(variant):
            try:
                run(name, fn, *fargs, **fkwargs)
            except Exception:  # noqa: BLE001 - error scenarios raise on purpose
                pass
            key = name if rounds == 1 else f"{name}_{variant}"
            ids[key] = last_trace_id()
            pause(RNG.randrange(5, 40))
    if args.hostile:
        try:
            hostile()
        except Exception:  # noqa: BLE001
            pass
        ids["hostile"] = last_trace_id()

    # Assessments (3.x API; 2.x OSS stores may not support them). Traces must be stored first.
    if hasattr(mlflow, "flush_trace_async_logging"):
        mlflow.flush_trace_async_logging()
    try:
        from mlflow.entities import AssessmentSource

        rag_id = ids.get("rag") or ids.get("rag_0")
        mlflow.log_feedback(
            trace_id=rag_id,
            name="correctness",
            value=True,
            source=AssessmentSource(source_type="HUMAN", source_id="alice"),
            rationale="Matches the docs.",
        )
        mlflow.log_expectation(
            trace_id=ids.get("agent") or ids.get("agent_0"),
            name="expected_answer",
            value="AF 987 at 13:40",
            source=AssessmentSource(source_type="HUMAN", source_id="bob"),
        )
    except Exception as e:  # noqa: BLE001
        print(f"assessments not written: {type(e).__name__}: {e}")

    if args.export:
        os.makedirs(args.export, exist_ok=True)
        with open(os.path.join(args.export, "traces.jsonl"), "w") as lines:
            for key, tid in ids.items():
                trace = mlflow.get_trace(tid)
                if trace is None:
                    continue
                with open(os.path.join(args.export, f"{key}.json"), "w") as f:
                    f.write(trace.to_json(pretty=True))
                lines.write(trace.to_json() + "\n")
    if args.manifest:
        with open(args.manifest, "w") as f:
            json.dump({"mlflow_version": mlflow.__version__, "traces": ids}, f, indent=2, sort_keys=True)
    print(f"wrote {len(ids)} traces with MLflow {mlflow.__version__} to {args.tracking_uri}")


if __name__ == "__main__":
    main()
