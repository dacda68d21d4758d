"""Writes conversation fixtures with MLflow's own autolog around the real client libraries,
offline: every model call goes to the fake endpoints of scripts/fake_llm.py on 127.0.0.1.

One trace per message format (tests/fixtures/v3/frameworks/): OpenAI chat completions with a
tool round trip, Gemini and Bedrock tool round trips, LlamaIndex, a PydanticAI agent, the OpenAI Responses API (reasoning, function_call, function_call_output),
Anthropic Messages (thinking, tool_use, a tool_result with content and one with is_error,
cached tokens), LangChain (ChatOpenAI with tools, a LangGraph ReAct agent) and DSPy. Each
trace carries a session id (3.18-style hierarchical for some) and a user, for the sessions view.

Usage: python gen_chat_fixtures.py --tracking-uri sqlite:///DIR/mlflow.db --export DIR
"""

import argparse
import json
import os
import sys

# LiteLLM (under DSPy) and DSPy fetch price and model tables at import unless told not to
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_llm  # noqa: E402

import mlflow  # noqa: E402

WEATHER_TOOL = fake_llm.WEATHER_TOOL


def tag_turn(user, session):
    mlflow.update_current_trace(
        metadata={"mlflow.trace.user": user, "mlflow.trace.session": session}
    )


@mlflow.trace(span_type="TOOL")
def get_weather(city):
    return {"city": city, "temp_c": 18, "sky": "sunny"}


def openai_chat(base):
    import openai

    client = openai.OpenAI(base_url=f"{base}/v1", api_key="sk-fake")

    @mlflow.trace(name="weather_agent", span_type="AGENT")
    def agent(question):
        tag_turn("alice", "support/alice/chat-1")
        messages = [
            {"role": "system", "content": "You answer weather questions."},
            {"role": "user", "content": question},
        ]
        first = client.chat.completions.create(
            model="gpt-4o-mini", messages=messages, tools=[WEATHER_TOOL]
        )
        call = first.choices[0].message.tool_calls[0]
        result = get_weather(**json.loads(call.function.arguments))
        messages.append(first.choices[0].message.model_dump(exclude_none=True))
        messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
        second = client.chat.completions.create(
            model="gpt-4o-mini", messages=messages, tools=[WEATHER_TOOL]
        )
        return second.choices[0].message.content

    return agent("What is the weather in Paris?")


def openai_session(base):
    """Three turns of one conversation: each turn sends the history so far."""
    import openai

    client = openai.OpenAI(base_url=f"{base}/v1", api_key="sk-fake")
    history = [{"role": "system", "content": "You are a travel assistant."}]

    @mlflow.trace(name="chat_turn", span_type="CHAIN")
    def turn(text):
        tag_turn("erin", "support/erin/chat-5")
        history.append({"role": "user", "content": text})
        reply = client.chat.completions.create(model="gpt-4o-mini", messages=history)
        history.append({"role": "assistant", "content": reply.choices[0].message.content})
        return reply.choices[0].message.content

    ids = []
    for text in ["Hi, I am going to Lisbon.", "What should I pack?", "yes"]:
        turn(text)
        ids.append(mlflow.get_last_active_trace_id())
    return ids


def openai_responses(base):
    import openai

    client = openai.OpenAI(base_url=f"{base}/v1", api_key="sk-fake")
    tool = {
        "type": "function",
        "name": "get_weather",
        "description": "Current weather of a city",
        "parameters": WEATHER_TOOL["function"]["parameters"],
    }

    @mlflow.trace(name="responses_agent", span_type="AGENT")
    def agent(question):
        tag_turn("bob", "support/bob/chat-2")
        items = [{"role": "user", "content": question}]
        first = client.responses.create(model="o4-mini", input=items, tools=[tool])
        calls = [o for o in first.output if o.type == "function_call"]
        items += [o.model_dump(exclude_none=True) for o in first.output]
        for c in calls:
            result = get_weather(**json.loads(c.arguments))
            items.append(
                {"type": "function_call_output", "call_id": c.call_id, "output": json.dumps(result)}
            )
        second = client.responses.create(model="o4-mini", input=items, tools=[tool])
        return second.output_text

    return agent("Weather in Paris, please?")


def anthropic_messages(base, fail_tool):
    import anthropic

    client = anthropic.Anthropic(base_url=base, api_key="sk-ant-fake")
    tool = {
        "name": "get_weather",
        "description": "Current weather of a city",
        "input_schema": WEATHER_TOOL["function"]["parameters"],
    }

    @mlflow.trace(name="claude_agent", span_type="AGENT")
    def agent(question):
        tag_turn("carol", "support/carol/chat-3")
        messages = [{"role": "user", "content": question}]
        first = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            system="You answer weather questions.",
            thinking={"type": "enabled", "budget_tokens": 512},
            tools=[tool],
            messages=messages,
        )
        messages.append({"role": "assistant", "content": [b.model_dump() for b in first.content]})
        results = []
        for b in first.content:
            if b.type != "tool_use":
                continue
            if fail_tool:
                results.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": b.id,
                        "content": "weather service unavailable (HTTP 503)",
                        "is_error": True,
                    }
                )
            else:
                out = get_weather(**b.input)
                results.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": b.id,
                        "content": [{"type": "text", "text": json.dumps(out)}],
                    }
                )
        messages.append({"role": "user", "content": results})
        second = client.messages.create(
            model="claude-sonnet-4-5",
            max_tokens=1024,
            system="You answer weather questions.",
            thinking={"type": "enabled", "budget_tokens": 512},
            tools=[tool],
            messages=messages,
        )
        return "".join(b.text for b in second.content if b.type == "text")

    return agent("How warm is it in Paris?")


def langchain_parts(base):
    """A LangChain tool and a ChatOpenAI model on the fake endpoint."""
    from langchain_core.tools import tool
    from langchain_openai import ChatOpenAI

    @tool
    def lookup_weather(city: str) -> str:
        """Current weather of a city."""
        return json.dumps({"city": city, "temp_c": 18})

    return lookup_weather, ChatOpenAI(model="gpt-4o-mini", base_url=f"{base}/v1", api_key="sk-fake")


def langchain_chat(base):
    from langchain_core.messages import HumanMessage, SystemMessage

    lookup_weather, llm = langchain_parts(base)
    bound = llm.bind_tools([lookup_weather])

    @mlflow.trace(name="langchain_agent", span_type="AGENT")
    def agent(question):
        tag_turn("dave", "support/dave/chat-4")
        messages = [SystemMessage("You answer weather questions."), HumanMessage(question)]
        ai = bound.invoke(messages)
        messages.append(ai)
        for call in ai.tool_calls:
            messages.append(lookup_weather.invoke(call))
        return bound.invoke(messages).content

    return agent("Is it warm in Paris?")


def langgraph_agent(base):
    from langgraph.prebuilt import create_react_agent

    lookup_weather, llm = langchain_parts(base)
    graph = create_react_agent(llm, [lookup_weather])
    out = graph.invoke({"messages": [{"role": "user", "content": "Weather in Paris?"}]})
    return out["messages"][-1].content


def gemini_chat(base):
    from google import genai
    from google.genai import types

    client = genai.Client(
        api_key="fake", http_options=types.HttpOptions(base_url=base, api_version="v1beta")
    )

    def get_weather(city: str) -> dict:
        """Current weather of a city."""
        return {"city": city, "temp_c": 18}

    decl = types.FunctionDeclaration(
        name="get_weather",
        description="Current weather of a city",
        parameters=types.Schema(
            type="OBJECT", properties={"city": types.Schema(type="STRING")}, required=["city"]
        ),
    )
    config = types.GenerateContentConfig(
        system_instruction="You answer weather questions.",
        tools=[types.Tool(function_declarations=[decl])],
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    )

    @mlflow.trace(name="gemini_agent", span_type="AGENT")
    def agent(question):
        tag_turn("frank", "support/frank/chat-6")
        contents = [types.Content(role="user", parts=[types.Part(text=question)])]
        first = client.models.generate_content(
            model="gemini-2.5-flash", contents=contents, config=config
        )
        call = first.candidates[0].content.parts[0].function_call
        result = get_weather(**call.args)
        contents.append(first.candidates[0].content)
        contents.append(
            types.Content(
                role="user",
                parts=[types.Part.from_function_response(name=call.name, response=result)],
            )
        )
        second = client.models.generate_content(
            model="gemini-2.5-flash", contents=contents, config=config
        )
        return second.text

    return agent("Weather in Paris?")


def bedrock_converse(base):
    import boto3

    client = boto3.client(
        "bedrock-runtime", region_name="us-east-1", endpoint_url=base,
        aws_access_key_id="fake", aws_secret_access_key="fake",
    )
    tool = {
        "toolSpec": {
            "name": "get_weather",
            "description": "Current weather of a city",
            "inputSchema": {"json": WEATHER_TOOL["function"]["parameters"]},
        }
    }

    @mlflow.trace(name="bedrock_agent", span_type="AGENT")
    def agent(question):
        tag_turn("grace", "support/grace/chat-7")
        messages = [{"role": "user", "content": [{"text": question}]}]
        model = "anthropic.claude-3-5-sonnet-20240620-v1:0"
        first = client.converse(
            modelId=model, messages=messages, system=[{"text": "You answer weather questions."}],
            toolConfig={"tools": [tool]},
        )
        out = first["output"]["message"]
        messages.append(out)
        use = next(b["toolUse"] for b in out["content"] if "toolUse" in b)
        messages.append({"role": "user", "content": [{"toolResult": {
            "toolUseId": use["toolUseId"], "content": [{"json": get_weather(**use["input"])}],
            "status": "success",
        }}]})
        second = client.converse(
            modelId=model, messages=messages, system=[{"text": "You answer weather questions."}],
            toolConfig={"tools": [tool]},
        )
        return second["output"]["message"]["content"][0]["text"]

    return agent("How is the weather in Paris?")


def llama_index_chat(base):
    from llama_index.core.llms import ChatMessage
    from llama_index.llms.openai import OpenAI

    llm = OpenAI(model="gpt-4o-mini", api_base=f"{base}/v1", api_key="sk-fake")
    reply = llm.chat(
        [
            ChatMessage(role="system", content="You are terse."),
            ChatMessage(role="user", content="Say hello to Paris."),
        ]
    )
    return reply.message.content


def pydantic_ai_agent(base):
    from pydantic_ai import Agent
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    model = OpenAIChatModel(
        "gpt-4o-mini", provider=OpenAIProvider(base_url=f"{base}/v1", api_key="sk-fake")
    )
    agent = Agent(model, system_prompt="You answer weather questions.")

    @agent.tool_plain
    def get_weather(city: str) -> str:
        """Current weather of a city."""
        return json.dumps({"city": city, "temp_c": 18})

    return agent.run_sync("Weather in Paris?").output


def dspy_predict(base):
    import dspy

    lm = dspy.LM("openai/gpt-4o-mini", api_base=f"{base}/v1", api_key="sk-fake", cache=False)
    dspy.configure(lm=lm)
    qa = dspy.Predict("question -> answer")
    return qa(question="What is the capital of France?").answer


def review(ids):
    """Feedback as teams give it: an LLM judge on several traces, a person overriding one
    verdict, a numeric score, an expectation."""
    from mlflow.entities import AssessmentSource

    judge = AssessmentSource(source_type="LLM_JUDGE", source_id="gpt-4o-judge")
    person = AssessmentSource(source_type="HUMAN", source_id="reviewer@example.com")
    mlflow.log_feedback(
        trace_id=ids["openai_chat"], name="correctness", value=True, source=judge,
        rationale="Matches the tool's answer.",
    )
    mlflow.log_feedback(
        trace_id=ids["anthropic_tool_error"], name="correctness", value=False, source=judge,
        rationale="The tool failed;\nthe answer guesses.",
    )
    judged = mlflow.log_feedback(
        trace_id=ids["dspy"], name="correctness", value=False, source=judge,
        rationale="Too short.",
    )
    mlflow.override_feedback(
        trace_id=ids["dspy"], assessment_id=judged.assessment_id, value=True,
        rationale="Short, but right.", source=person,
    )
    mlflow.log_feedback(trace_id=ids["langchain"], name="helpfulness", value=4, source=person)
    mlflow.log_expectation(
        trace_id=ids["openai_chat"], name="expected_answer", value="18°C and sunny",
        source=person,
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracking-uri", required=True)
    ap.add_argument("--experiment", default="tui-frameworks")
    ap.add_argument("--export", required=True)
    ap.add_argument("--manifest")
    args = ap.parse_args()

    base = fake_llm.start()
    mlflow.set_tracking_uri(args.tracking_uri)
    mlflow.set_experiment(args.experiment)
    mlflow.openai.autolog()
    mlflow.anthropic.autolog()
    mlflow.langchain.autolog()
    mlflow.dspy.autolog()
    mlflow.gemini.autolog()
    mlflow.bedrock.autolog()
    mlflow.llama_index.autolog()
    mlflow.pydantic_ai.autolog()

    scenarios = [
        ("openai_chat", lambda: openai_chat(base)),
        ("openai_responses", lambda: openai_responses(base)),
        ("anthropic", lambda: anthropic_messages(base, fail_tool=False)),
        ("anthropic_tool_error", lambda: anthropic_messages(base, fail_tool=True)),
        ("langchain", lambda: langchain_chat(base)),
        ("langgraph", lambda: langgraph_agent(base)),
        ("dspy", lambda: dspy_predict(base)),
        ("gemini", lambda: gemini_chat(base)),
        ("bedrock", lambda: bedrock_converse(base)),
        ("llama_index", lambda: llama_index_chat(base)),
        ("pydantic_ai", lambda: pydantic_ai_agent(base)),
    ]
    ids = {}
    for name, fn in scenarios:
        answer = fn()
        ids[name] = mlflow.get_last_active_trace_id()
        print(f"{name}: {answer!r}")
    for n, tid in enumerate(openai_session(base), 1):
        ids[f"session_turn_{n}"] = tid
    if hasattr(mlflow, "flush_trace_async_logging"):
        mlflow.flush_trace_async_logging()
    review(ids)

    os.makedirs(args.export, exist_ok=True)
    with open(os.path.join(args.export, "traces.jsonl"), "w") as lines:
        for name, tid in ids.items():
            trace = mlflow.get_trace(tid)
            with open(os.path.join(args.export, f"{name}.json"), "w") as f:
                f.write(trace.to_json(pretty=True))
            lines.write(trace.to_json() + "\n")
    if args.manifest:
        with open(args.manifest, "w") as f:
            json.dump({"mlflow_version": mlflow.__version__, "traces": ids}, f, indent=2, sort_keys=True)
    print(f"wrote {len(ids)} traces with MLflow {mlflow.__version__}")


if __name__ == "__main__":
    main()
