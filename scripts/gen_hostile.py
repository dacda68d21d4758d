"""Writes the hostile corpus, tests/hostile/*.json: traces in the shape the real MLflow SDK
exports (`Trace.to_json()`, taken from a fixture it wrote), with hostile values put where a
trace carries text: names, inputs, outputs, attributes, events, tags, previews, timestamps.

Usage: python3 scripts/gen_hostile.py [TEMPLATE.json] [OUT_DIR]

Some of these the SDK could never write (invalid UTF-8, timestamps out of range, JSON nested
10,000 deep, which Python's json refuses); they are here because a file, a database or a server
can still hold them. Python's standard library only; deterministic output.
"""

import copy
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE = os.path.join(ROOT, "tests/fixtures/v3/export/error_caught.json")
OUT = os.path.join(ROOT, "tests/hostile")

ESC = "\x1b"
ANSI = (
    f"{ESC}[2J{ESC}[H{ESC}[31mred{ESC}[0m "
    f"{ESC}]0;pwned title{ESC}\\ "                       # window title
    f"{ESC}]52;c;cm0gLXJmIH4=\x07 "                        # OSC 52: write the clipboard
    f"{ESC}]8;;https://evil.example{ESC}\\click{ESC}]8;;{ESC}\\ "  # hyperlink
    f"{ESC}P+q544e{ESC}\\ "                                # DCS query
    f"{ESC}[6n {ESC}[?1049l {ESC}[999;999H "              # report cursor, leave alt screen
    "\x9b31m C1 CSI \x9d0;c1 osc\x07"
)
BIDI = "user \u202eevil.exe\u202c \u2066isolate\u2069 \u200fRLM \u061c ALM"
ZERO_WIDTH = "zero\u200bwidth\u200cjoin\u200dnon\ufeffBOM\u00adsoft\u2060wj \U000e0041tag \u2028ls\u2029ps"
CONTROLS = "cr\roverwrite nul\x00byte tab\there bell\x07 bs\x08\x08 del\x7f vt\x0b ff\x0c crlf\r\n"
WIDE = "宽字符 全角ＡＢＣ 👩‍👩‍👧‍👦 🇯🇵 🏳️‍🌈 e\u0301\u0301\u0301 ﷽ 𒐫"


def load_template(path):
    with open(path) as f:
        return json.load(f)


def with_text(t, text, name):
    """Puts `text` into every place a trace carries text."""
    t = copy.deepcopy(t)
    info = t["info"]
    info["trace_id"] = f"tr-hostile-{name}"
    info["tags"]["mlflow.traceName"] = f"{name} {text}"
    info["tags"][f"tag {text}"] = text
    info["trace_metadata"]["mlflow.trace.user"] = text
    info["trace_metadata"]["mlflow.trace.session"] = text
    info["request_preview"] = text
    info["response_preview"] = text
    for i, s in enumerate(t["data"]["spans"]):
        s["name"] = f"{text} {i}"
        a = s["attributes"]
        a["mlflow.spanInputs"] = json.dumps({"q": text, text: [text]})
        a["mlflow.spanOutputs"] = json.dumps(text)
        a[f"attr {text}"] = json.dumps(text)
        a["mlflow.chat.messages"] = json.dumps([{"role": "user", "content": text}, {"role": text, "content": [{"type": "text", "text": text}]}])
        s["events"] = [{"name": text, "time_unix_nano": s["start_time_unix_nano"], "attributes": {"exception.type": text, "exception.message": text, "exception.stacktrace": text}}]
        s["status"] = {"code": "STATUS_CODE_ERROR", "message": text}
    return t


def big_value(t, name, value_json):
    """One span's inputs hold `value_json` (already JSON text)."""
    t = copy.deepcopy(t)
    t["info"]["trace_id"] = f"tr-hostile-{name}"
    t["info"]["tags"]["mlflow.traceName"] = name
    t["data"]["spans"][0]["attributes"]["mlflow.spanInputs"] = value_json
    return t


def timestamps(t):
    t = copy.deepcopy(t)
    t["info"]["trace_id"] = "tr-hostile-timestamps"
    t["info"]["tags"]["mlflow.traceName"] = "timestamps"
    t["info"]["request_time"] = "1970-01-01T00:00:00Z"
    t["info"]["execution_duration_ms"] = -5
    spans = t["data"]["spans"]
    values = [(0, 0), (-1_000_000_000, -5), (18446744073709551615, 18446744073709551615), (18446744073709551615, 0), (9223372036854775807, -9223372036854775808)]
    out = []
    for i, (start, end) in enumerate(values):
        s = copy.deepcopy(spans[i % len(spans)])
        s["span_id"] = f"AAAAAAAAAA{i}="
        s["parent_span_id"] = spans[0]["span_id"] if i else None
        s["start_time_unix_nano"] = start
        s["end_time_unix_nano"] = end
        s["events"] = [{"name": "e", "time_unix_nano": end, "attributes": {}}]
        out.append(s)
    out[0]["span_id"] = spans[0]["span_id"]
    t["data"]["spans"] = out
    return t


def write(name, doc_text, binary=False):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(doc_text if binary else doc_text.encode("utf-8"))
    print(f"{path}: {os.path.getsize(path)} bytes")


def main():
    global OUT
    template = load_template(sys.argv[1] if len(sys.argv) > 1 else TEMPLATE)
    if len(sys.argv) > 2:
        OUT = sys.argv[2]
    os.makedirs(OUT, exist_ok=True)
    write("ansi_osc.json", json.dumps(with_text(template, ANSI, "ansi")))
    write("bidi.json", json.dumps(with_text(template, BIDI, "bidi")))
    write("zero_width.json", json.dumps(with_text(template, ZERO_WIDTH, "zero_width")))
    write("controls.json", json.dumps(with_text(template, CONTROLS, "controls")))
    write("wide_emoji.json", json.dumps(with_text(template, WIDE, "wide"), ensure_ascii=False))
    write("huge_string.json", json.dumps(big_value(template, "huge_string", json.dumps({"blob": "A" * 10_000_000}))))
    write("million_array.json", json.dumps(big_value(template, "million_array", "[" + ",".join(["0"] * 1_000_000) + "]")))
    deep = "[" * 10_000 + "]" * 10_000
    deep_obj = '{"a":' * 10_000 + "1" + "}" * 10_000
    t = big_value(template, "deep_nesting", deep)
    t["data"]["spans"][1]["attributes"]["mlflow.spanInputs"] = deep_obj
    write("deep_nesting.json", json.dumps(t))
    # nesting in the file itself, not inside a JSON string: the whole file is refused
    write("deep_file.json", '{"info": {"trace_id": "tr-hostile-deep-file"}, "data": {"spans": ' + "[" * 10_000 + "]" * 10_000 + "}}")
    write("timestamps.json", json.dumps(timestamps(template)))
    # invalid UTF-8 inside string values (a file is bytes; nothing promised it is UTF-8)
    raw = json.dumps(with_text(template, "INVALID", "invalid_utf8")).encode("utf-8")
    raw = raw.replace(b"INVALID", b"bad \xff\xfe \xc3\x28 \xed\xa0\x80 end")
    write("invalid_utf8.json", raw, binary=True)


if __name__ == "__main__":
    main()
