"""Fake LLM endpoints on 127.0.0.1 for the conversation fixtures (scripts/gen_chat_fixtures.py).

Speaks just enough of three wire protocols for the real client libraries (and MLflow's autolog
around them) to run offline:
  POST /v1/chat/completions   OpenAI chat completions (also what LiteLLM, DSPy and LangChain send)
  POST /v1/responses          OpenAI Responses API
  POST /v1/messages           Anthropic Messages
  POST /v1beta/models/M:generateContent   Gemini (google-genai)
  POST /model/M/converse      Bedrock converse (boto3)
The answers are scripted from the request: a request that offers tools and holds no tool result
yet gets a tool call; one that holds a tool result gets the final text. Usage includes cached
tokens, as the providers report them.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREATED = 1_763_800_000

# Hooks for scripts/gen_demo.py (unset for the fixtures, whose answers are the defaults below):
#   SCRIPT(messages, tools) -> None for the default answer, or a dict with "content" (text),
#     "tool_calls" ([(name, arguments dict)]), "reasoning" (Responses API summary), "usage"
#     ({"input": n, "output": n}), or raises ScriptedError to answer with an HTTP error; used by
#     chat completions, the Responses API and Anthropic Messages (messages in each API's shape);
#   LATENCY() is called before each answer (the demo advances its clock: calls take time).
SCRIPT = None
LATENCY = None

# The tool the fixture apps offer the model (OpenAI's function-tool shape; the scripted
# answers call it with {"city": "Paris"}).
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather of a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}


def _scripted(messages, tools):
    return SCRIPT(messages, tools) if SCRIPT else None


def _last_user_text(messages):
    for m in reversed(messages or []):
        if m.get("role") in ("user", "human"):
            c = m.get("content")
            if isinstance(c, str):
                return c
            if isinstance(c, list):
                for p in c:
                    if isinstance(p, dict) and p.get("type") in ("text", "input_text"):
                        return p.get("text", "")
    return ""


def chat_completion(req):
    messages = req.get("messages", [])
    has_tool_result = any(m.get("role") == "tool" for m in messages)
    text = _last_user_text(messages)
    usage = {
        "prompt_tokens": 42 + len(messages),
        "completion_tokens": 17,
        "total_tokens": 59 + len(messages),
        "prompt_tokens_details": {"cached_tokens": 32},
    }
    scripted = _scripted(messages, req.get("tools"))
    if scripted:
        return _scripted_chat(req, messages, scripted)
    if req.get("tools") and not has_tool_result:
        tool = req["tools"][0]["function"]["name"]
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": f"call_{len(messages)}",
                    "type": "function",
                    "function": {"name": tool, "arguments": json.dumps({"city": "Paris"})},
                }
            ],
        }
        finish = "tool_calls"
    else:
        # DSPy's ChatAdapter asks for its output fields between [[ ## name ## ]] markers
        system = " ".join(str(m.get("content")) for m in messages if m.get("role") == "system")
        if "[[ ## answer ## ]]" in system or "`answer`" in system:
            content = "[[ ## answer ## ]]\nParis is the capital of France.\n\n[[ ## completed ## ]]"
        elif has_tool_result:
            content = "It is 18°C and sunny in Paris."
        else:
            content = f"You said: {text}" if text else "Hello."
        message = {"role": "assistant", "content": content}
        finish = "stop"
    return {
        "id": f"chatcmpl-{len(messages)}",
        "object": "chat.completion",
        "created": CREATED,
        "model": req.get("model", "gpt-4o-mini"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": usage,
    }


def _usage(scripted, messages):
    u = scripted.get("usage") or {}
    size = len(json.dumps(messages))
    return u.get("input", 20 + size // 4), u.get("output", 8 + len(json.dumps(scripted)) // 4)


def _scripted_chat(req, messages, scripted):
    n_in, n_out = _usage(scripted, messages)
    if scripted.get("tool_calls"):
        message = {
            "role": "assistant",
            "content": scripted.get("content"),
            "tool_calls": [
                {
                    "id": f"call_{len(messages)}_{i}",
                    "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args)},
                }
                for i, (name, args) in enumerate(scripted["tool_calls"])
            ],
        }
        finish = "tool_calls"
    else:
        message = {"role": "assistant", "content": scripted.get("content", "")}
        finish = "stop"
    return {
        "id": f"chatcmpl-{len(messages)}",
        "object": "chat.completion",
        "created": CREATED,
        "model": req.get("model", "gpt-4o-mini"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {
            "prompt_tokens": n_in,
            "completion_tokens": n_out,
            "total_tokens": n_in + n_out,
            "prompt_tokens_details": {"cached_tokens": n_in // 2 // 64 * 64},
        },
    }


def response(req):
    items = req.get("input")
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    has_output = any(isinstance(i, dict) and i.get("type") == "function_call_output" for i in items)
    scripted = _scripted(items, req.get("tools"))
    if scripted:
        n_in, n_out = _usage(scripted, items)
        out = [
            {
                "id": f"rs_{len(items)}",
                "type": "reasoning",
                "summary": [{"type": "summary_text", "text": scripted.get("reasoning", "")}],
            },
            {
                "id": f"msg_{len(items)}",
                "type": "message",
                "role": "assistant",
                "status": "completed",
                "content": [
                    {"type": "output_text", "text": scripted.get("content", ""), "annotations": []}
                ],
            },
        ]
        usage = {
            "input_tokens": n_in,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": n_out,
            "output_tokens_details": {"reasoning_tokens": n_out // 3},
            "total_tokens": n_in + n_out,
        }
        return _response_body(req, out, usage)
    usage = {
        "input_tokens": 50 + len(items),
        "input_tokens_details": {"cached_tokens": 16},
        "output_tokens": 30,
        "output_tokens_details": {"reasoning_tokens": 12},
        "total_tokens": 80 + len(items),
    }
    output = [
        {
            "id": f"rs_{len(items)}",
            "type": "reasoning",
            "summary": [{"type": "summary_text", "text": "The user wants the weather; ask the tool."}],
        }
    ]
    if req.get("tools") and not has_output:
        output.append(
            {
                "id": f"fc_{len(items)}",
                "type": "function_call",
                "call_id": f"call_r{len(items)}",
                "name": req["tools"][0]["name"],
                "arguments": json.dumps({"city": "Paris"}),
                "status": "completed",
            }
        )
    else:
        output.append(
            {
                "id": f"msg_{len(items)}",
                "type": "message",
                "role": "assistant",
                "status": "completed",
                "content": [
                    {"type": "output_text", "text": "It is 18°C and sunny in Paris.", "annotations": []}
                ],
            }
        )
    return _response_body(req, output, usage)


def _response_body(req, output, usage):
    items = req.get("input")
    return {
        "id": f"resp_{len(items) if isinstance(items, list) else 1}",
        "object": "response",
        "created_at": CREATED,
        "status": "completed",
        "model": req.get("model", "gpt-4.1-mini"),
        "output": output,
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": req.get("tools", []),
        "usage": usage,
    }


def anthropic_message(req):
    messages = req.get("messages", [])
    results = [
        p
        for m in messages
        if isinstance(m.get("content"), list)
        for p in m["content"]
        if isinstance(p, dict) and p.get("type") == "tool_result"
    ]
    content = []
    scripted = _scripted(messages, req.get("tools"))
    if req.get("thinking"):
        thought = (scripted or {}).get("reasoning", "I should look the weather up.")
        content.append({"type": "thinking", "thinking": thought, "signature": "c2lnbmF0dXJl"})
    if scripted:
        n_in, n_out = _usage(scripted, messages)
        content.append({"type": "text", "text": scripted.get("content", "")})
        usage = {"input_tokens": n_in, "output_tokens": n_out,
                 "cache_creation_input_tokens": 0, "cache_read_input_tokens": n_in // 2}
        return _anthropic_body(req, messages, content, "end_turn", usage)
    if req.get("tools") and not results:
        content.append({"type": "text", "text": "Let me check."})
        content.append(
            {
                "type": "tool_use",
                "id": f"toolu_{len(messages)}",
                "name": req["tools"][0]["name"],
                "input": {"city": "Paris"},
            }
        )
        stop = "tool_use"
    else:
        failed = any(r.get("is_error") for r in results)
        text = "The lookup failed; Paris is usually mild." if failed else "It is 18°C in Paris."
        content.append({"type": "text", "text": text})
        stop = "end_turn"
    usage = {
        "input_tokens": 120 + len(messages),
        "output_tokens": 40,
        "cache_creation_input_tokens": 200,
        "cache_read_input_tokens": 1500,
    }
    return _anthropic_body(req, messages, content, stop, usage)


def _anthropic_body(req, messages, content, stop, usage):
    return {
        "id": f"msg_{len(messages)}",
        "type": "message",
        "role": "assistant",
        "model": req.get("model", "claude-sonnet-4-5"),
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": usage,
    }


def gemini(req, model):
    """Gemini `generateContent`: a function call first, then a thought and the answer."""
    contents = req.get("contents", [])
    answered = any(
        "functionResponse" in p or "function_response" in p
        for c in contents
        for p in c.get("parts", [])
    )
    if req.get("tools") and not answered:
        parts = [{"functionCall": {"name": "get_weather", "args": {"city": "Paris"}}}]
    else:
        parts = [
            {"text": "The tool said 18 degrees.", "thought": True},
            {"text": "It is 18°C in Paris."},
        ]
    return {
        "candidates": [
            {"content": {"role": "model", "parts": parts}, "finishReason": "STOP", "index": 0}
        ],
        "usageMetadata": {
            "promptTokenCount": 20 + len(contents),
            "candidatesTokenCount": 6,
            "totalTokenCount": 26 + len(contents),
            "cachedContentTokenCount": 8,
        },
        "modelVersion": model,
    }


def bedrock_converse(req):
    """Bedrock `converse`: a toolUse first, then the answer after the toolResult."""
    messages = req.get("messages", [])
    answered = any("toolResult" in b for m in messages for b in m.get("content", []))
    if req.get("toolConfig") and not answered:
        content = [
            {"text": "Checking the weather."},
            {"toolUse": {"toolUseId": f"tooluse_{len(messages)}", "name": "get_weather",
                         "input": {"city": "Paris"}}},
        ]
        stop = "tool_use"
    else:
        content = [{"text": "It is 18°C in Paris."}]
        stop = "end_turn"
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": {"inputTokens": 30 + len(messages), "outputTokens": 10,
                  "totalTokens": 40 + len(messages)},
        "metrics": {"latencyMs": 5},
    }


class ScriptedError(Exception):
    """Raised by a SCRIPT to answer with an HTTP error (status, message, code)."""

    def __init__(self, status, message, code=None):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        req = json.loads(body or b"{}")
        path = self.path.split("?")[0]
        if LATENCY:
            LATENCY()
        try:
            out = self.answer(path, req)
        except ScriptedError as e:
            self.reply(e.status, {"error": {"message": e.message, "type": "invalid_request_error",
                                            "code": e.code}})
            return
        if out is None:
            self.send_response(404)
            self.end_headers()
            return
        self.reply(200, out)

    def reply(self, status, out):
        data = json.dumps(out).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    @staticmethod
    def answer(path, req):
        if path.endswith("/chat/completions"):
            out = chat_completion(req)
        elif path.endswith("/responses"):
            out = response(req)
        elif path.endswith("/messages"):
            out = anthropic_message(req)
        elif path.endswith(":generateContent"):
            out = gemini(req, path.rsplit("/", 1)[-1].split(":")[0])
        elif path.endswith("/converse"):
            out = bedrock_converse(req)
        else:
            return None
        return out


def start():
    """Starts the endpoints on a free loopback port; returns the base URL (no /v1)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"
