//! Conversations as the frameworks' own autolog writes them (tests/fixtures/v3/frameworks
//! under MLflow 3.17.2 and tests/fixtures/v318/frameworks under 3.18.0, written by
//! scripts/gen_chat_fixtures.py with the real OpenAI, Anthropic, LangChain,
//! LangGraph, DSPy, Gemini (google-genai), Bedrock (boto3), LlamaIndex and PydanticAI clients
//! against fake endpoints on 127.0.0.1): the transcript of each
//! trace holds every message, every tool call with its arguments and every tool result with
//! its content, read the same from the sqlite store and from the export.

mod common;

use common::*;
use mlflow_tui::model::Trace;
use mlflow_tui::model::chat::ChatMessage;
use mlflow_tui::model::transcript::{Entry, transcript};

/// The fixtures of each MLflow version the frameworks ran under: 3.17.2 and 3.18.0.
const GENERATIONS: [&str; 2] = ["v3/frameworks", "v318/frameworks"];

/// A generation's scenario name -> trace id.
fn ids_of(generation: &str) -> std::collections::BTreeMap<String, String> {
    manifest_at(&fixtures().join(generation).join("sqlite/manifest.json"))
}

/// The trace of one scenario from each source of each generation: the sqlite store and its
/// export.
fn traces(scenario: &str) -> Vec<(String, std::sync::Arc<Trace>)> {
    let mut out = Vec::new();
    for g in GENERATIONS {
        let fx = fixtures().join(g);
        let id = ids_of(g)[scenario].clone();
        for (label, path) in [
            ("sqlite", fx.join("sqlite")),
            ("export", fx.join("export").join(format!("{scenario}.json"))),
            ("jsonl", fx.join("export/traces.jsonl")),
        ] {
            out.push((
                format!("{scenario} from {label} ({g})"),
                get(&open(&path), &id),
            ));
        }
    }
    out
}

fn messages(t: &Trace) -> Vec<ChatMessage> {
    transcript(t)
        .into_iter()
        .filter_map(|e| match e {
            Entry::Message { message, .. } => Some(message),
            Entry::Failure { .. } => None,
        })
        .collect()
}

/// (role, text) of each message; a tool call as `→name(args)`, a result as `←id: content`.
fn lines(t: &Trace) -> Vec<String> {
    let mut out = Vec::new();
    for m in messages(t) {
        for r in &m.reasoning {
            out.push(format!("{} thinks: {r}", m.role));
        }
        if m.role == "tool" {
            let err = if m.is_error { " (error)" } else { "" };
            out.push(format!(
                "←{}{err}: {}",
                m.tool_call_id.as_deref().unwrap_or("?"),
                m.content
            ));
            continue;
        }
        if !m.content.is_empty() {
            out.push(format!("{}: {}", m.role, m.content));
        }
        for c in &m.tool_calls {
            let args: serde_json::Value = serde_json::from_str(&c.arguments).unwrap();
            out.push(format!(
                "→{}({args}) [{}]",
                c.name,
                c.id.as_deref().unwrap_or("?")
            ));
        }
    }
    out
}

fn assert_transcript(scenario: &str, want: &[&str]) {
    let mut first: Option<Vec<String>> = None;
    for (label, t) in traces(scenario) {
        let got = lines(&t);
        assert_eq!(got, want, "{label}");
        // the same answer from every source
        match &first {
            None => first = Some(got),
            Some(f) => assert_eq!(&got, f, "{label}"),
        }
    }
}

#[test]
fn openai_chat_completions_with_a_tool_round_trip() {
    assert_transcript(
        "openai_chat",
        &[
            "system: You answer weather questions.",
            "user: What is the weather in Paris?",
            r#"→get_weather({"city":"Paris"}) [call_2]"#,
            r#"←call_2: {"city": "Paris", "temp_c": 18, "sky": "sunny"}"#,
            "assistant: It is 18°C and sunny in Paris.",
        ],
    );
}

#[test]
fn openai_responses_api_reasoning_function_calls_and_their_outputs() {
    assert_transcript(
        "openai_responses",
        &[
            "user: Weather in Paris, please?",
            "assistant thinks: The user wants the weather; ask the tool.",
            r#"→get_weather({"city":"Paris"}) [call_r1]"#,
            r#"←call_r1: {"city": "Paris", "temp_c": 18, "sky": "sunny"}"#,
            "assistant thinks: The user wants the weather; ask the tool.",
            "assistant: It is 18°C and sunny in Paris.",
        ],
    );
}

#[test]
fn anthropic_thinking_tool_use_and_tool_result_content() {
    assert_transcript(
        "anthropic",
        &[
            "system: You answer weather questions.",
            "user: How warm is it in Paris?",
            "assistant thinks: I should look the weather up.",
            "assistant: Let me check.",
            r#"→get_weather({"city":"Paris"}) [toolu_1]"#,
            r#"←toolu_1: {"city": "Paris", "temp_c": 18, "sky": "sunny"}"#,
            "assistant thinks: I should look the weather up.",
            "assistant: It is 18°C in Paris.",
        ],
    );
}

#[test]
fn anthropic_tool_result_that_failed_says_so() {
    assert_transcript(
        "anthropic_tool_error",
        &[
            "system: You answer weather questions.",
            "user: How warm is it in Paris?",
            "assistant thinks: I should look the weather up.",
            "assistant: Let me check.",
            r#"→get_weather({"city":"Paris"}) [toolu_1]"#,
            "←toolu_1 (error): weather service unavailable (HTTP 503)",
            "assistant thinks: I should look the weather up.",
            "assistant: The lookup failed; Paris is usually mild.",
        ],
    );
}

#[test]
fn langchain_chat_model_with_tools() {
    assert_transcript(
        "langchain",
        &[
            "system: You answer weather questions.",
            "user: Is it warm in Paris?",
            r#"→lookup_weather({"city":"Paris"}) [call_2]"#,
            r#"←call_2: {"city": "Paris", "temp_c": 18}"#,
            "assistant: It is 18°C and sunny in Paris.",
        ],
    );
}

#[test]
fn langgraph_react_agent_reads_as_its_model_calls() {
    assert_transcript(
        "langgraph",
        &[
            "user: Weather in Paris?",
            r#"→lookup_weather({"city":"Paris"}) [call_1]"#,
            r#"←call_1: {"city": "Paris", "temp_c": 18}"#,
            "assistant: It is 18°C and sunny in Paris.",
        ],
    );
}

#[test]
fn dspy_answer_appears() {
    for (label, t) in traces("dspy") {
        let got = lines(&t);
        assert_eq!(got.len(), 3, "{label}: {got:#?}");
        assert!(
            got[0].starts_with("system: Your input fields are:"),
            "{label}"
        );
        assert!(got[1].contains("What is the capital of France?"), "{label}");
        assert_eq!(
            got[2],
            "assistant: [[ ## answer ## ]]\nParis is the capital of France.\n\n[[ ## completed ## ]]",
            "{label}"
        );
    }
}

#[test]
fn gemini_function_call_response_and_thought() {
    assert_transcript(
        "gemini",
        &[
            "system: You answer weather questions.",
            "user: Weather in Paris?",
            r#"→get_weather({"city":"Paris"}) [?]"#,
            r#"←?: {"city":"Paris","temp_c":18}"#,
            "model thinks: The tool said 18 degrees.",
            "model: It is 18°C in Paris.",
        ],
    );
}

#[test]
fn bedrock_converse_tool_use_and_tool_result() {
    assert_transcript(
        "bedrock",
        &[
            "system: You answer weather questions.",
            "user: How is the weather in Paris?",
            "assistant: Checking the weather.",
            r#"→get_weather({"city":"Paris"}) [tooluse_1]"#,
            r#"←tooluse_1: {"city":"Paris","temp_c":18,"sky":"sunny"}"#,
            "assistant: It is 18°C in Paris.",
        ],
    );
}

#[test]
fn llama_index_blocks() {
    assert_transcript(
        "llama_index",
        &[
            "system: You are terse.",
            "user: Say hello to Paris.",
            "assistant: You said: Say hello to Paris.",
        ],
    );
}

#[test]
fn pydantic_ai_requests_and_responses() {
    assert_transcript(
        "pydantic_ai",
        &[
            "system: You answer weather questions.",
            "user: Weather in Paris?",
            r#"→get_weather({"city":"Paris"}) [call_2]"#,
            r#"←call_2: {"city": "Paris", "temp_c": 18}"#,
            "assistant: It is 18°C and sunny in Paris.",
        ],
    );
}

/// Cached input tokens are in the data of every provider that reports them: they are read.
#[test]
fn cache_tokens_are_read() {
    for (label, t) in traces("anthropic") {
        let u = t.token_usage().unwrap();
        assert_eq!(u.cache_read, Some(3000), "{label}");
        assert_eq!(u.cache_creation, Some(400), "{label}");
    }
    for (label, t) in traces("openai_chat") {
        assert_eq!(t.token_usage().unwrap().cache_read, Some(64), "{label}");
    }
}

/// 3.18-style hierarchical session ids and users are read whole.
#[test]
fn sessions_and_users_are_read() {
    for (label, t) in traces("anthropic") {
        assert_eq!(t.info.session(), Some("support/carol/chat-3"), "{label}");
        assert_eq!(t.info.user(), Some("carol"), "{label}");
    }
}

/// Issue 13 (sessions): three turns of one conversation, each sending the history so far,
/// read from the sqlite store and from JSON Lines: one session of three turns, oldest first,
/// and as one conversation each message once (a later turn does not repeat the earlier ones).
#[test]
fn a_session_reads_as_one_conversation_from_every_source() {
    use mlflow_tui::model::sessions::sessions;
    use mlflow_tui::model::transcript::Transcript;
    for g in GENERATIONS {
        let fx = fixtures().join(g);
        let ids = ids_of(g);
        let turn_ids: Vec<String> = (1..=3)
            .map(|n| ids[&format!("session_turn_{n}")].clone())
            .collect();
        for path in [fx.join("sqlite"), fx.join("export/traces.jsonl")] {
            let src = open(&path);
            let infos = list_all(&src);
            let all = sessions(&infos);
            let s = all
                .iter()
                .find(|s| s.id == "support/erin/chat-5")
                .unwrap_or_else(|| panic!("{}: {all:#?}", path.display()));
            assert_eq!(s.trace_ids, turn_ids, "{}", path.display());
            assert_eq!(s.users, ["erin"]);
            assert_eq!(s.errors, 0);
            let mut b = Transcript::default();
            let said: Vec<Vec<String>> = s
                .trace_ids
                .iter()
                .map(|id| {
                    b.add(&get(&src, id))
                        .into_iter()
                        .filter_map(|e| match e {
                            Entry::Message { message, .. } => {
                                Some(format!("{}: {}", message.role, message.content))
                            }
                            Entry::Failure { .. } => None,
                        })
                        .collect()
                })
                .collect();
            assert_eq!(
                said,
                [
                    vec![
                        "system: You are a travel assistant.",
                        "user: Hi, I am going to Lisbon.",
                        "assistant: You said: Hi, I am going to Lisbon.",
                    ],
                    vec![
                        "user: What should I pack?",
                        "assistant: You said: What should I pack?"
                    ],
                    vec!["user: yes", "assistant: You said: yes"],
                ],
                "{}",
                path.display()
            );
        }
    }
}

/// Issue 13 (assessments): a judge's verdict a person overrode, read from every source: the
/// one in force is the person's, the judge's is marked replaced, the override names it.
#[test]
fn assessments_keep_their_source_rationale_and_overrides() {
    for (label, t) in traces("dspy") {
        let a = t
            .info
            .assessment("feedback", "correctness")
            .unwrap_or_else(|| panic!("{label}"));
        assert_eq!(a.verdict(), Some(true), "{label}");
        assert_eq!(a.source_label(), "person reviewer@example.com", "{label}");
        assert_eq!(a.rationale.as_deref(), Some("Short, but right."), "{label}");
        let judged = t
            .info
            .assessments
            .iter()
            .find(|x| !x.is_valid())
            .unwrap_or_else(|| panic!("{label}: the judge's verdict"));
        assert_eq!(a.overrides.as_deref(), Some(judged.id.as_str()), "{label}");
        assert_eq!(judged.source_label(), "LLM judge gpt-4o-judge", "{label}");
        assert_eq!(judged.verdict(), Some(false), "{label}");
    }
    for (label, t) in traces("langchain") {
        let a = t.info.assessment("feedback", "helpfulness").unwrap();
        assert_eq!(
            (a.verdict(), a.short_value().as_str()),
            (None, "4"),
            "{label}"
        );
    }
}
