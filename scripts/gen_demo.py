"""Writes a working day of a travel assistant into the demo store, with MLflow's own autolog
around the real client libraries, offline (every model call goes to scripts/fake_llm.py on
127.0.0.1).

The day: people chat with the assistant in sessions of several turns (OpenAI chat completions
with tool calls, a voice channel on the Responses API, escalations summarised by Claude), a
planning agent runs a long LangGraph loop, some things fail (a booking API that times out, a
prompt too long for the model), and afterwards an LLM judge and a person review the answers
(feedback, an override, a score, an expectation).

Timestamps are spread over the hours before the run: the SDK's clock (OpenTelemetry's
`time_ns`, from which MLflow takes every span's start and end) is moved to each conversation's
hour, and model and tool calls advance it by a plausible latency. Everything else is what the
SDK and the integrations write.

Usage: python gen_demo.py --tracking-uri sqlite:///DIR/mlflow.db [--experiment NAME]
"""

import argparse
import json
import os
import random
import sys
import time

# MLflow's cost estimate (LiteLLM's price table) is read from the package, never fetched
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_llm  # noqa: E402

import mlflow  # noqa: E402
import opentelemetry.sdk.trace as otel_trace  # noqa: E402

RNG = random.Random(11)
_REAL_NS = time.time_ns
_CLOCK = {"offset": 0}


def _now_ns():
    return _REAL_NS() + _CLOCK["offset"]


otel_trace.time_ns = _now_ns


def at(ts_ns):
    """Moves the SDK's clock to `ts_ns`."""
    _CLOCK["offset"] = ts_ns - _REAL_NS()


def spend(lo, hi):
    """Advances the SDK's clock by a random time between lo and hi seconds."""
    _CLOCK["offset"] += int(RNG.uniform(lo, hi) * 1e9)


SYSTEM = (
    "You are Wayfinder, the travel assistant of Acme Travel. Answer briefly, use the tools for "
    "flights, hotels, bookings and weather, and never invent prices."
)


def fn(name, description, **params):
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {
                "type": "object",
                "properties": {k: {"type": v} for k, v in params.items()},
                "required": list(params),
            },
        },
    }


TOOLS = [
    fn("search_flights", "Direct flights on a date", origin="string", destination="string",
       date="string"),
    fn("search_hotels", "Hotels with rooms free", city="string", checkin="string",
       nights="integer"),
    fn("hold_booking", "Holds a flight or hotel for 24 hours", item="string"),
    fn("lookup_booking", "A booking by its reference", reference="string"),
    fn("get_weather", "Forecast for a city on a date", city="string", date="string"),
]


# --- tools: each a TOOL span, taking a little time --------------------------------------------

FLIGHTS = {
    ("LIS", "BER"): [("TP 530", "07:05", 142), ("LH 1171", "11:40", 189), ("FR 8821", "18:20", 64)],
    ("AMS", "BCN"): [("KL 1665", "09:10", 118), ("VY 8316", "15:35", 87)],
    ("CDG", "JFK"): [("AF 006", "10:30", 612), ("DL 405", "13:15", 574)],
    ("MAD", "ROM"): [("IB 3232", "08:00", 96), ("AZ 59", "19:45", 131)],
}
WEATHER = {
    "Berlin": (3, "light rain"), "Barcelona": (16, "sunny"), "New York": (4, "clear, windy"),
    "Rome": (14, "cloudy"), "Kyoto": (9, "clear"), "Osaka": (10, "clear"), "Tokyo": (8, "showers"),
}
HOTELS = {
    "Barcelona": [("Hotel Arts", 310), ("Casa Bonay", 165), ("Generator", 58)],
    "Rome": [("Hotel Artemide", 190), ("The Beehive", 85)],
    "Kyoto": [("Hotel Kanra", 240), ("Piece Hostel Sanjo", 45)],
    "Tokyo": [("Hotel Gracery Shinjuku", 150), ("Nine Hours", 40)],
    "Osaka": [("Cross Hotel", 130)],
}
BOOKINGS = {
    "K7Q2ZD": {"flight": "LH 1171", "date": "2026-12-03", "status": "held", "name": "Ana Silva"},
    "W3R8PX": {"hotel": "Casa Bonay", "checkin": "2026-12-12", "nights": 3, "status": "confirmed",
               "refundable_until": "2026-12-10"},
}
FAIL_HOLD = {"DL 405 2026-11-27"}  # items whose hold times out (until a turn clears it)


@mlflow.trace(span_type="TOOL")
def search_flights(origin, destination, date):
    spend(0.3, 1.2)
    found = FLIGHTS.get((origin, destination), [])
    return [{"flight": f, "departs": t, "price_eur": p, "date": date} for f, t, p in found]


@mlflow.trace(span_type="TOOL")
def search_hotels(city, checkin, nights):
    spend(0.4, 1.5)
    return [{"hotel": h, "per_night_eur": p, "checkin": checkin, "nights": nights}
            for h, p in HOTELS.get(city, [])]


@mlflow.trace(span_type="TOOL")
def hold_booking(item):
    spend(0.5, 2.0)
    if item in FAIL_HOLD:
        spend(10, 10)
        raise TimeoutError("booking API did not answer within 10 s (POST /v2/holds)")
    ref = "".join(RNG.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
    return {"item": item, "reference": ref, "held_until": "18:00 today"}


@mlflow.trace(span_type="TOOL")
def lookup_booking(reference):
    spend(0.2, 0.6)
    return BOOKINGS.get(reference, {"error": f"no booking {reference}"})


@mlflow.trace(span_type="TOOL")
def get_weather(city, date):
    spend(0.2, 0.7)
    temp, sky = WEATHER.get(city, (12, "unknown"))
    return {"city": city, "date": date, "temp_c": temp, "sky": sky}


TOOL_FNS = {f.__name__: f for f in (search_flights, search_hotels, hold_booking, lookup_booking,
                                    get_weather)}


@mlflow.trace(span_type="RETRIEVER")
def retrieve_policies(query):
    spend(0.1, 0.4)
    docs = [
        ("Bookings held by Wayfinder expire at 18:00 local time on the day they are made.",
         "policies/holds.md"),
        ("Hotel bookings are refundable until 48 hours before check-in unless marked otherwise.",
         "policies/refunds.md"),
        ("Checked bags cost EUR 35 each on partner airlines; the first is free on long-haul.",
         "policies/baggage.md"),
    ]
    from mlflow.entities import Document

    return [Document(page_content=t, metadata={"doc_uri": u}, id=u) for t, u in docs]


# --- the assistant: a turn of a session --------------------------------------------------------


class Turn:
    def __init__(self, text, calls=(), reply="", fail=None, before=None):
        self.text, self.calls, self.reply, self.fail = text, list(calls), reply, fail
        self.before = before  # called before the turn (the booking API recovers)


def run_tool(name, args):
    try:
        return json.dumps(TOOL_FNS[name](**args))
    except Exception as e:  # the model is told, as real agents do
        return json.dumps({"error": f"{type(e).__name__}: {e}"})


def assistant_session(client, user, session, start_ns, turns, channel="web"):
    """One conversation: each turn is a trace; the history grows from turn to turn."""
    history = [{"role": "system", "content": SYSTEM}]
    ids = []
    at(start_ns)
    for turn in turns:
        if turn.before:
            turn.before()

        def script(messages, tools, turn=turn):
            if turn.fail:
                raise fake_llm.ScriptedError(400, turn.fail, "context_length_exceeded")
            done = 0
            for m in reversed(messages):
                if m.get("role") == "user":
                    break
                done += m.get("role") == "assistant"
            if done < len(turn.calls):
                step = turn.calls[done]
                return {"tool_calls": step if isinstance(step, list) else [step]}
            return {"content": turn.reply}

        @mlflow.trace(name="assistant_turn", span_type="AGENT")
        def handle(text):
            mlflow.update_current_trace(
                metadata={"mlflow.trace.user": user, "mlflow.trace.session": session},
                tags={"channel": channel, "app_version": "2.4.1"},
            )
            retrieve_policies(text)
            history.append({"role": "user", "content": text})
            while True:
                out = client.chat.completions.create(
                    model="gpt-4.1-mini", messages=history, tools=TOOLS, temperature=0.2
                )
                msg = out.choices[0].message
                history.append(msg.model_dump(exclude_none=True))
                if not msg.tool_calls:
                    return msg.content
                for call in msg.tool_calls:
                    result = run_tool(call.function.name, json.loads(call.function.arguments))
                    history.append({"role": "tool", "tool_call_id": call.id, "content": result})

        fake_llm.SCRIPT = script
        try:
            handle(turn.text)
        except Exception as e:
            print(f"  {session}: {type(e).__name__}")
            history.pop()  # the failed request is not part of the conversation
        ids.append(mlflow.get_last_active_trace_id())
        spend(25, 140)  # the person reads and types
    fake_llm.SCRIPT = None
    return ids


def flight(o, d, date):
    return ("search_flights", {"origin": o, "destination": d, "date": date})


SESSIONS = [
    ("ana", "web", [
        Turn("Hi! I need a flight from Lisbon to Berlin on December 3rd.",
             [flight("LIS", "BER", "2026-12-03")],
             "I found 3 direct flights on Dec 3: TP 530 at 07:05 (€142), LH 1171 at 11:40 (€189) "
             "and FR 8821 at 18:20 (€64, no checked bag). Shall I hold one?"),
        Turn("The 11:40 one please.", [("hold_booking", {"item": "LH 1171 2026-12-03"})],
             "Done: LH 1171 on Dec 3 is held until 18:00 today. Your reference is in the "
             "booking panel."),
        Turn("What will the weather be like?",
             [("get_weather", {"city": "Berlin", "date": "2026-12-03"})],
             "Around 3°C with light rain in Berlin on Dec 3: bring a warm coat and an umbrella."),
        Turn("thanks!", [], "You're welcome, Ana. Have a good trip!"),
    ]),
    ("ben", "web", [
        Turn("Can I still cancel my hotel in Barcelona? Booking W3R8PX",
             [("lookup_booking", {"reference": "W3R8PX"})],
             "Yes: Casa Bonay (3 nights from Dec 12) is refundable until Dec 10. Do you want me "
             "to cancel it?"),
        Turn("Not yet. Is it going to be sunny there?",
             [("get_weather", {"city": "Barcelona", "date": "2026-12-12"})],
             "Sunny and about 16°C is forecast for Dec 12."),
    ]),
    ("chloe", "mobile", [
        Turn("flights paris to new york next friday", [flight("CDG", "JFK", "2026-11-27")],
             "Two direct flights on Fri Nov 27: AF 006 at 10:30 (€612) and DL 405 at 13:15 "
             "(€574)."),
        Turn("hold the delta one", [("hold_booking", {"item": "DL 405 2026-11-27"})],
             "I could not hold DL 405: the booking system did not answer. Please try again in "
             "a few minutes."),
        Turn("try again", [("hold_booking", {"item": "DL 405 2026-11-27"})],
             "DL 405 on Nov 27 is held until 18:00 today.", before=FAIL_HOLD.clear),
    ]),
    ("dmitri", "web", [
        Turn("Rome for a long weekend from Madrid, leaving Dec 18. Flights and a cheap hotel?",
             [[flight("MAD", "ROM", "2026-12-18"),
               ("search_hotels", {"city": "Rome", "checkin": "2026-12-18", "nights": 3})]],
             "Flights on Dec 18: IB 3232 at 08:00 (€96) or AZ 59 at 19:45 (€131). The cheapest "
             "hotel is The Beehive at €85 a night (€255 for 3 nights)."),
        Turn("Book the morning flight and the Beehive",
             [[("hold_booking", {"item": "IB 3232 2026-12-18"}),
               ("hold_booking", {"item": "The Beehive 2026-12-18 x3"})]],
             "Both are held until 18:00 today: IB 3232 on Dec 18 and 3 nights at The Beehive."),
        Turn("is breakfast included at the beehive?", [],
             "Yes, breakfast is included at The Beehive, and the room has free Wi-Fi."),
    ]),
    ("emeka", "web", [
        Turn("Here is my whole itinerary from the last 3 years, please find the cheapest "
             "pattern: " + "LOS-LHR 2023-01-04 £612; LHR-LOS 2023-01-19 £588; " * 40, [], "",
             fail="This model's maximum context length is 128000 tokens. However, your "
                  "messages resulted in 131872 tokens. Please reduce the length of the "
                  "messages."),
        Turn("ok, just: when is it cheapest to fly Lagos to London?", [],
             "Fares on that route are usually lowest from mid-January to March, outside the "
             "school holidays."),
    ]),
    ("fatima", "mobile", [
        Turn("weather in kyoto tomorrow?", [("get_weather", {"city": "Kyoto", "date": "2026-11-23"})],
             "Clear and about 9°C in Kyoto tomorrow."),
        Turn("and hotels for 2 nights?",
             [("search_hotels", {"city": "Kyoto", "checkin": "2026-11-23", "nights": 2})],
             "Hotel Kanra at €240 a night, or Piece Hostel Sanjo at €45."),
        Turn("the hostel", [("hold_booking", {"item": "Piece Hostel Sanjo 2026-11-23 x2"})],
             "Held: 2 nights at Piece Hostel Sanjo from Nov 23. It is free to cancel until "
             "Nov 21."),
    ]),
    ("hiro", "mobile", [
        Turn("Is it raining in Osaka today?", [("get_weather", {"city": "Osaka", "date": "today"})],
             "No rain in Osaka today: clear and about 10°C."),
    ]),
    ("ines", "web", [
        Turn("Cheapest flight Amsterdam to Barcelona on Dec 12?", [flight("AMS", "BCN", "2026-12-12")],
             "VY 8316 at 15:35 for €87 is the cheapest direct flight on Dec 12 (KL 1665 at 09:10 "
             "is €118)."),
        Turn("What's my booking W3R8PX about?", [("lookup_booking", {"reference": "W3R8PX"})],
             "W3R8PX is not one of your bookings, so I can't share its details."),
    ]),
    ("jonas", "web", [
        Turn("Can you book me a table at a restaurant in Rome?", [],
             "I can only help with flights, hotels and the weather, not restaurants."),
    ]),
    ("ana", "web", [
        Turn("Me again: is the first checked bag free on LH 1171?", [],
             "On partner airlines checked bags cost €35 each; the first bag is free only on "
             "long-haul flights, so on LH 1171 it is €35."),
    ]),
]


def voice_channel(client, user, session, start_ns):
    """A voice assistant on the Responses API (reasoning summaries)."""
    items = []
    ids = []
    at(start_ns)
    lines = [
        ("What time is my flight tomorrow?", "The user asks about a flight; none is on file.",
         "I don't see a flight booked for tomorrow. Would you like me to look one up?"),
        ("No, never mind. What's the weather in Tokyo?",
         "Tokyo weather; the forecast says showers.", "Showers and about 8°C in Tokyo."),
    ]
    for text, thought, answer in lines:
        fake_llm.SCRIPT = lambda m, t, a=answer, r=thought: {"content": a, "reasoning": r}

        @mlflow.trace(name="voice_turn", span_type="AGENT")
        def handle(text):
            mlflow.update_current_trace(
                metadata={"mlflow.trace.user": user, "mlflow.trace.session": session},
                tags={"channel": "voice", "app_version": "2.4.1"},
            )
            items.append({"role": "user", "content": text})
            out = client.responses.create(model="o4-mini", input=items,
                                          instructions="Spoken answers: one sentence.")
            items.extend(o.model_dump(exclude_none=True) for o in out.output)
            return out.output_text

        handle(text)
        ids.append(mlflow.get_last_active_trace_id())
        spend(15, 40)
    fake_llm.SCRIPT = None
    return ids


def escalate(base, user, session, complaint, start_ns):
    """A complaint handed to a person: Claude writes the summary for the support agent."""
    import anthropic

    client = anthropic.Anthropic(base_url=base, api_key="sk-ant-fake")
    at(start_ns)
    fake_llm.SCRIPT = lambda m, t: {
        "reasoning": "The customer was charged twice; a refund is needed, so escalate.",
        "content": "Customer was charged twice (€224) for hold K7Q2ZD on LH 1171. Wants one "
                   "charge refunded today. Tone: upset but polite. Suggested action: refund the "
                   "duplicate charge and confirm by email.",
    }

    @mlflow.trace(name="escalate_to_human", span_type="CHAIN")
    def handle(text):
        mlflow.update_current_trace(
            metadata={"mlflow.trace.user": user, "mlflow.trace.session": session},
            tags={"channel": "web", "app_version": "2.4.1", "escalated": "true"},
        )
        out = client.messages.create(
            model="claude-sonnet-4-5", max_tokens=1024,
            system="Summarise the complaint for a human support agent in three sentences.",
            thinking={"type": "enabled", "budget_tokens": 1024},
            messages=[{"role": "user", "content": text}],
        )
        return "".join(b.text for b in out.content if b.type == "text")

    handle(complaint)
    fake_llm.SCRIPT = None
    return mlflow.get_last_active_trace_id()


def planner(base, start_ns):
    """The nightly planning agent: a LangGraph ReAct loop of many tool calls."""
    from langchain_core.tools import tool
    from langchain_openai import ChatOpenAI
    from langgraph.prebuilt import create_react_agent

    @tool
    def price_check(route: str, date: str) -> str:
        """Lowest fare for a route on a date."""
        spend(0.3, 0.9)
        return json.dumps({"route": route, "date": date, "lowest_eur": RNG.randint(60, 400)})

    @tool
    def weather_check(city: str, date: str) -> str:
        """Forecast for a city on a date."""
        spend(0.2, 0.5)
        t, sky = WEATHER.get(city, (12, "unknown"))
        return json.dumps({"city": city, "date": date, "temp_c": t, "sky": sky})

    steps = []
    for day in range(1, 11):
        date = f"2026-12-{day:02d}"
        steps.append(("price_check", {"route": "LIS-KIX", "date": date}))
        steps.append(("weather_check", {"city": "Osaka", "date": date}))

    def script(messages, tools):
        done = sum(m.get("role") == "tool" for m in messages)
        if done < len(steps):
            return {"tool_calls": [steps[done]]}
        return {"content": "Cheapest Lisbon-Osaka date in Dec 1-10 with dry weather: see the "
                           "fares above; recommend Dec 4 and Dec 9."}

    at(start_ns)
    fake_llm.SCRIPT = script
    llm = ChatOpenAI(model="gpt-4.1", base_url=f"{base}/v1", api_key="sk-fake")
    graph = create_react_agent(llm, [price_check, weather_check])

    @mlflow.trace(name="fare_watch_planner", span_type="AGENT")
    def run(request):
        mlflow.update_current_trace(tags={"channel": "batch", "app_version": "2.4.1"})
        out = graph.invoke({"messages": [{"role": "user", "content": request}]},
                           {"recursion_limit": 100})
        return out["messages"][-1].content

    run("Find the cheapest day in Dec 1-10 to fly Lisbon to Osaka, avoiding rain.")
    fake_llm.SCRIPT = None
    return mlflow.get_last_active_trace_id()


def review(turns, escalation):
    """After the day: an LLM judge rates every answer, a person reviews some of them."""
    from mlflow.entities import AssessmentSource

    judge = AssessmentSource(source_type="LLM_JUDGE", source_id="gpt-4.1-judge")
    person = AssessmentSource(source_type="HUMAN", source_id="maria@acme.travel")
    bad = {  # (session, turn index) the judge fails, with why
        ("chloe", 1): "The hold failed; the answer says so but offers no alternative.",
        ("emeka", 1): "Generic advice; no fares were searched.",
        ("ines", 1): "Refuses to show a booking the user did not make: correct, but curt.",
        ("ana2", 0): "Contradicts the baggage policy the retriever returned.",
    }
    verdicts = {}
    for (who, n), tid in turns.items():
        if tid is None or mlflow.get_trace(tid).info.state.value == "ERROR":
            continue  # the judge rates answers; a failed turn has none
        why = bad.get((who, n))
        fb = mlflow.log_feedback(
            trace_id=tid, name="relevance", value=why is None, source=judge,
            rationale=why or "Answers the question using the tool results.",
        )
        verdicts[(who, n)] = fb
    # the reviewer disagrees with one verdict and confirms others
    fb = verdicts[("ana2", 0)]
    mlflow.override_feedback(
        trace_id=turns[("ana2", 0)], assessment_id=fb.assessment_id, value=True,
        rationale="The answer is right: LH 1171 is short-haul, so the bag costs €35.",
        source=person,
    )
    for key, ok, why in [
        (("ana", 3), True, None), (("ben", 1), True, None),
        (("chloe", 2), True, "Worked on the second try."), (("dmitri", 2), False,
         "The Beehive does not include breakfast: the model made that up."),
        (("fatima", 2), False, "Cancellation date is before the check-in booking date."),
    ]:
        mlflow.log_feedback(trace_id=turns[key], name="resolved", value=ok, source=person,
                            rationale=why)
    for key, score in [(("ana", 3), 5), (("dmitri", 2), 2), (("ben", 1), 4)]:
        mlflow.log_feedback(trace_id=turns[key], name="helpfulness", value=score, source=person)
    mlflow.log_expectation(
        trace_id=turns[("dmitri", 2)], name="expected_response",
        value="Breakfast is not included at The Beehive; it costs €8 a day.", source=person,
    )
    mlflow.log_feedback(trace_id=escalation, name="resolved", value=True, source=person,
                        rationale="Refunded the duplicate charge.")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tracking-uri", required=True)
    ap.add_argument("--experiment", default="demo-app")
    args = ap.parse_args()

    import openai

    base = fake_llm.start()
    fake_llm.LATENCY = lambda: spend(0.6, 2.4)
    mlflow.set_tracking_uri(args.tracking_uri)
    mlflow.set_experiment(args.experiment)
    mlflow.openai.autolog()
    mlflow.anthropic.autolog()
    mlflow.langchain.autolog()
    client = openai.OpenAI(base_url=f"{base}/v1", api_key="sk-fake", max_retries=0)

    # the day ends half an hour before now; conversations start between 9 h and 1 h before
    now = _REAL_NS()
    hour = 3600 * 10**9
    turns = {}
    seen = {}
    starts = sorted(now - int(RNG.uniform(1, 9) * hour) for _ in SESSIONS)
    for (user, channel, script), start in zip(SESSIONS, starts):
        n = seen[user] = seen.get(user, 0) + 1
        key = user if n == 1 else f"{user}{n}"
        session = f"wayfinder/{user}/{time.strftime('%H%M', time.gmtime(start // 10**9))}"
        ids = assistant_session(client, user, session, start, script, channel)
        for i, tid in enumerate(ids):
            turns[(key, i)] = tid
        print(f"{session}: {len(ids)} turns")
    voice_at = now - 5 * hour
    voice = voice_channel(client, "gus", f"wayfinder/gus/voice-{voice_at // 10**9 % 10000}",
                          voice_at)
    escalation = escalate(
        base, "ana", "wayfinder/ana/escalation",
        "I was charged twice for the Berlin flight you held for me this morning!! "
        "Reference K7Q2ZD. Please refund one of them today.",
        now - int(0.8 * hour),
    )
    plan = planner(base, now - int(8.5 * hour))
    if hasattr(mlflow, "flush_trace_async_logging"):
        mlflow.flush_trace_async_logging()
    review(turns, escalation)
    print(f"wrote {len(turns) + len(voice) + 2} traces (planner {plan}) with MLflow "
          f"{mlflow.__version__}")


if __name__ == "__main__":
    main()
