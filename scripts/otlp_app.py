"""An LLM app that exports its traces over OTLP/HTTP, for the receiver's end-to-end tests and
its journey. Three kinds, each the real library doing what users run:

  mlflow         the MLflow SDK (run with .venv/mlflow3) exporting over OTLP
                 (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): an agent with a retriever, a chat model
                 and a tool, MLflow's own span types and attributes
  genai          the plain OpenTelemetry SDK (run with .venv/otel) with the GenAI semantic
                 conventions: gen_ai.* attributes, gen_ai.input.messages / output.messages
  openinference  an OpenAI app (run with .venv/otel) instrumented by OpenInference, talking to
                 a fake OpenAI endpoint on 127.0.0.1 (offline)
  openllmetry    an OpenAI weather agent with a tool round trip (run with .venv/otel)
                 instrumented by OpenLLMetry's opentelemetry-instrumentation-openai, which
                 writes the OpenTelemetry GenAI attributes (gen_ai.*); the model is
                 scripts/fake_llm.py on 127.0.0.1

Usage:
  python otlp_app.py KIND --endpoint http://127.0.0.1:4318/v1/traces
      [--also http://127.0.0.1:5000/v1/traces --experiment-id 0]   (genai, openinference:
                                                                      the same spans to a
                                                                      second endpoint)
      [--count N] [--running S]   (a trace whose root stays open S seconds while its
                                   children arrive, before the others)

Prints one JSON line per trace: {"trace_id": "tr-<hex>", "name": ...}, after it was exported.
"""

import argparse
import json
import os
import sys
import threading
import time


def parse():
    p = argparse.ArgumentParser()
    p.add_argument("kind", choices=["mlflow", "genai", "openinference", "openllmetry"])
    p.add_argument("--endpoint", required=True)
    p.add_argument("--also")
    p.add_argument("--experiment-id", default="0")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--running", type=float, default=0.0)
    return p.parse_args()


def say(trace_id_hex, name):
    print(json.dumps({"trace_id": f"tr-{trace_id_hex}", "name": name}), flush=True)


# ---------------------------------------------------------------------------------------------
# MLflow's own SDK over OTLP


def run_mlflow(args):
    os.environ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = args.endpoint
    os.environ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = "http/protobuf"
    # children are exported as they end, so a running trace shows them arriving
    os.environ["OTEL_BSP_SCHEDULE_DELAY"] = "50"
    import mlflow
    from mlflow.entities import SpanType
    # made before the threads start: two traces starting at once in a new experiment race to
    # create it, and the loser's spans are no-ops
    if os.environ.get("MLFLOW_EXPERIMENT_NAME"):
        mlflow.set_experiment(os.environ["MLFLOW_EXPERIMENT_NAME"])

    def current_id():
        span = mlflow.get_current_active_span()
        return span.trace_id if span is not None else None

    @mlflow.trace(span_type=SpanType.RETRIEVER)
    def retrieve(query):
        return [{"page_content": "Paris is the capital of France.", "metadata": {"doc_uri": "wiki/paris"}}]

    @mlflow.trace(span_type=SpanType.TOOL)
    def get_weather(city):
        return {"city": city, "forecast": "sunny", "celsius": 21}

    def chat(messages):
        with mlflow.start_span("ChatOpenAI", span_type=SpanType.CHAT_MODEL) as s:
            s.set_inputs({"messages": messages, "model": "gpt-4o-mini"})
            out = {
                "id": "chatcmpl-1",
                "object": "chat.completion",
                "model": "gpt-4o-mini",
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "It is sunny in Paris, 21 °C."},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 31, "completion_tokens": 9, "total_tokens": 40},
            }
            s.set_outputs(out)
            s.set_attribute("mlflow.chat.tokenUsage", {"input_tokens": 31, "output_tokens": 9, "total_tokens": 40})
            return out

    @mlflow.trace(span_type=SpanType.AGENT)
    def agent(question):
        holder["last"] = current_id()
        docs = retrieve(question)
        weather = get_weather("Paris")
        msgs = [
            {"role": "system", "content": "Answer with the context: " + docs[0]["page_content"]},
            {"role": "user", "content": question},
            {"role": "tool", "content": json.dumps(weather)},
        ]
        return chat(msgs)["choices"][0]["message"]["content"]

    @mlflow.trace(name="long_agent", span_type=SpanType.AGENT)
    def long_agent(seconds, holder):
        holder["id"] = current_id()
        end = time.time() + seconds
        i = 0
        while time.time() < end:
            get_weather(f"city-{i}")
            i += 1
            time.sleep(0.5)
        return {"steps": i}

    holder = {}
    if args.running > 0:
        t = threading.Thread(target=long_agent, args=(args.running, holder))
        t.start()
        time.sleep(0.2)
    for i in range(args.count):
        agent(f"What is the weather in Paris? ({i})")
        print(json.dumps({"trace_id": holder["last"], "name": "agent"}), flush=True)
    if args.running > 0:
        t.join()
        print(json.dumps({"trace_id": holder["id"], "name": "long_agent"}), flush=True)
    # the batch processor exports what is left now (MLflow's own provider, not the global one)
    from mlflow.tracing.provider import provider as mlflow_provider

    p = mlflow_provider.get()
    if hasattr(p, "force_flush"):
        p.force_flush()


# ---------------------------------------------------------------------------------------------
# plain OpenTelemetry with the GenAI semantic conventions


def provider_for(args, service):
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter(endpoint=args.endpoint)))
    if args.also:
        provider.add_span_processor(
            SimpleSpanProcessor(
                OTLPSpanExporter(
                    endpoint=args.also,
                    headers={"x-mlflow-experiment-id": args.experiment_id},
                )
            )
        )
    trace.set_tracer_provider(provider)
    return provider


def run_genai(args):
    from opentelemetry import trace
    from opentelemetry.trace import Status, StatusCode

    provider = provider_for(args, "genai-weather-agent")
    tracer = trace.get_tracer("weather-agent")

    def one(i, slow=0.0):
        with tracer.start_as_current_span("invoke_agent weather") as root:
            root.set_attribute("gen_ai.operation.name", "invoke_agent")
            root.set_attribute("gen_ai.agent.name", "weather")
            tid = format(root.get_span_context().trace_id, "032x")
            question = f"What is the weather in Paris? ({i})"
            with tracer.start_as_current_span("chat gpt-4o-mini") as s:
                s.set_attribute("gen_ai.operation.name", "chat")
                s.set_attribute("gen_ai.provider.name", "openai")
                s.set_attribute("gen_ai.request.model", "gpt-4o-mini")
                s.set_attribute("gen_ai.response.model", "gpt-4o-mini-2024-07-18")
                s.set_attribute(
                    "gen_ai.input.messages",
                    json.dumps([
                        {"role": "system", "parts": [{"type": "text", "content": "You are a weather bot."}]},
                        {"role": "user", "parts": [{"type": "text", "content": question}]},
                    ]),
                )
                s.set_attribute(
                    "gen_ai.output.messages",
                    json.dumps([
                        {
                            "role": "assistant",
                            "parts": [
                                {
                                    "type": "tool_call",
                                    "id": "call_1",
                                    "name": "get_weather",
                                    "arguments": {"city": "Paris"},
                                }
                            ],
                            "finish_reason": "tool_call",
                        }
                    ]),
                )
                s.set_attribute("gen_ai.usage.input_tokens", 42)
                s.set_attribute("gen_ai.usage.output_tokens", 7)
                s.set_attribute("gen_ai.response.finish_reasons", ["tool_call"])
            with tracer.start_as_current_span("execute_tool get_weather") as s:
                s.set_attribute("gen_ai.operation.name", "execute_tool")
                s.set_attribute("gen_ai.tool.name", "get_weather")
                s.set_attribute("gen_ai.tool.call.id", "call_1")
                s.set_attribute("gen_ai.tool.call.arguments", json.dumps({"city": "Paris"}))
                if i == 1:
                    s.set_status(Status(StatusCode.ERROR, "weather service timed out"))
                    s.record_exception(TimeoutError("weather service timed out"))
                else:
                    s.set_attribute("gen_ai.tool.call.result", json.dumps({"forecast": "sunny", "celsius": 21}))
            end = time.time() + slow
            k = 0
            while time.time() < end:
                with tracer.start_as_current_span(f"execute_tool step") as s:
                    s.set_attribute("gen_ai.operation.name", "execute_tool")
                    s.set_attribute("gen_ai.tool.name", f"step-{k}")
                k += 1
                time.sleep(0.5)
        return tid

    if args.running > 0:
        holder = {}
        t = threading.Thread(target=lambda: holder.update(id=one(99, args.running)))
        t.start()
        time.sleep(0.2)
    for i in range(args.count):
        say(one(i), "invoke_agent weather")
    if args.running > 0:
        t.join()
        say(holder["id"], "invoke_agent weather")
    provider.force_flush()
    provider.shutdown()


# ---------------------------------------------------------------------------------------------
# an OpenInference-instrumented OpenAI app against a fake endpoint


def fake_openai():
    """A chat-completions endpoint on 127.0.0.1 that always answers the same; returns its URL."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("content-length", "0"))
            req = json.loads(self.rfile.read(n) or b"{}")
            body = json.dumps({
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": req.get("model", "gpt-4o-mini"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": "Paris is sunny today, 21 °C."},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 25, "completion_tokens": 8, "total_tokens": 33},
            }).encode()
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{srv.server_address[1]}/v1"


def run_openinference(args):
    from openai import OpenAI
    from openinference.instrumentation.openai import OpenAIInstrumentor
    from opentelemetry import trace

    provider = provider_for(args, "openinference-app")
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    tracer = trace.get_tracer("rag-app")
    client = OpenAI(base_url=fake_openai(), api_key="sk-fake-key-for-tests", max_retries=0)
    for i in range(args.count):
        with tracer.start_as_current_span("answer") as root:
            root.set_attribute("openinference.span.kind", "CHAIN")
            root.set_attribute("input.value", f"What is the weather in Paris? ({i})")
            tid = format(root.get_span_context().trace_id, "032x")
            r = client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[
                    {"role": "system", "content": "You are a weather bot."},
                    {"role": "user", "content": f"What is the weather in Paris? ({i})"},
                ],
            )
            root.set_attribute("output.value", r.choices[0].message.content)
        say(tid, "answer")
    provider.force_flush()
    provider.shutdown()


def run_openllmetry(args):
    from openai import OpenAI
    from opentelemetry import trace
    from opentelemetry.instrumentation.openai import OpenAIInstrumentor

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import fake_llm

    provider = provider_for(args, "openllmetry-app")
    OpenAIInstrumentor().instrument(tracer_provider=provider)
    tracer = trace.get_tracer("weather-agent")
    client = OpenAI(base_url=f"{fake_llm.start()}/v1", api_key="sk-fake-key", max_retries=0)
    tool = fake_llm.WEATHER_TOOL
    for i in range(args.count):
        with tracer.start_as_current_span("weather_agent") as root:
            tid = format(root.get_span_context().trace_id, "032x")
            messages = [
                {"role": "system", "content": "You answer weather questions."},
                {"role": "user", "content": f"What is the weather in Paris? ({i})"},
            ]
            first = client.chat.completions.create(
                model="gpt-4o-mini", messages=messages, tools=[tool]
            )
            call = first.choices[0].message.tool_calls[0]
            with tracer.start_as_current_span("get_weather") as t:
                t.set_attribute("gen_ai.operation.name", "execute_tool")
                t.set_attribute("gen_ai.tool.name", "get_weather")
                result = json.dumps({"city": "Paris", "temp_c": 18, "sky": "sunny"})
            messages.append(first.choices[0].message.model_dump(exclude_none=True))
            messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
            client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=[tool])
        say(tid, "weather_agent")
    provider.force_flush()
    provider.shutdown()


def main():
    args = parse()
    {
        "mlflow": run_mlflow,
        "genai": run_genai,
        "openinference": run_openinference,
        "openllmetry": run_openllmetry,
    }[args.kind](args)


if __name__ == "__main__":
    sys.exit(main())
