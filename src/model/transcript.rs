//! A whole trace read as one conversation: the messages of its model calls in order, each
//! message once (a call's inputs repeat the conversation so far), tool calls and their results
//! where they happened, and failures in place. The transcript view, `show --chat` and the
//! Markdown export all read it from here.

use std::collections::HashMap;

use super::chat::{self, ChatMessage};
use super::{Span, SpanType, Trace};

#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    /// A message, and the span (tree index) whose call first carried it.
    Message { span: usize, message: ChatMessage },
    /// A span that failed: its name and what the failure said.
    Failure {
        span: usize,
        name: String,
        error: String,
    },
}

impl Entry {
    pub fn span(&self) -> usize {
        match self {
            Entry::Message { span, .. } | Entry::Failure { span, .. } => *span,
        }
    }
}

/// What makes two messages the same message seen again.
fn key(m: &ChatMessage) -> String {
    // the layers of one call write the same arguments with different spacing
    let calls: Vec<(&str, String, Option<&str>)> = m
        .tool_calls
        .iter()
        .map(|c| {
            let args = serde_json::from_str::<serde_json::Value>(&c.arguments)
                .map(|v| v.to_string())
                .unwrap_or_else(|_| c.arguments.clone());
            (c.name.as_str(), args, c.id.as_deref())
        })
        .collect();
    // roles differ in spelling between the layers of one call (LangChain `ai`, OpenAI
    // `assistant`); the content decides
    let role = match m.role.as_str() {
        "ai" | "model" => "assistant",
        "human" => "user",
        r => r,
    };
    format!(
        "{role}\u{1}{}\u{1}{:?}\u{1}{:?}\u{1}{:?}",
        m.content, m.reasoning, calls, m.tool_call_id
    )
}

/// The failure a span reports: its exception, or its status message.
fn failure(s: &Span) -> Option<String> {
    if !s.is_error() {
        return None;
    }
    let text = s
        .exceptions()
        .into_iter()
        .next()
        .map(|e| match (e.kind.is_empty(), e.message.is_empty()) {
            (false, false) => format!("{}: {}", e.kind, e.message),
            (false, true) => e.kind,
            _ => e.message,
        })
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| s.status_message.clone());
    Some(if text.is_empty() {
        "failed".into()
    } else {
        text
    })
}

fn is_model_call(s: &Span) -> bool {
    matches!(s.span_type, SpanType::Llm | SpanType::ChatModel)
}

/// The conversation of a whole trace: the messages of its model calls (LLM and chat-model
/// spans; of every span that holds messages when none is typed so), in the order they ran.
pub fn transcript(t: &Trace) -> Vec<Entry> {
    Transcript::default().add(t)
}

/// Transcripts of several traces read as one conversation (a session's turns, oldest first):
/// what an earlier turn showed is not shown again when a later turn's calls repeat it.
#[derive(Debug, Default)]
pub struct Transcript {
    /// How many times each message has been shown: the n-th copy of a message within one
    /// call is new only when fewer than n copies were shown before (a user may say "yes"
    /// twice).
    shown: HashMap<String, usize>,
    failures_shown: Vec<String>,
}

impl Transcript {
    /// The entries a trace adds to the conversation so far.
    pub fn add(&mut self, t: &Trace) -> Vec<Entry> {
        let tree = &t.tree;
        // framework spans around the calls (a LangGraph node, a chain) pass the conversation
        // along in their inputs too; the calls themselves say who said what
        let calls_only = tree
            .spans()
            .iter()
            .any(|s| is_model_call(s) && !chat::messages(s).is_empty());
        let mut out = Vec::new();
        // depth first, each failure after the span's subtree (a span ends after its
        // children); an exception that propagated through its ancestors is shown once
        let mut stack: Vec<(usize, bool)> =
            tree.roots().iter().rev().map(|&i| (i, false)).collect();
        while let Some((i, done)) = stack.pop() {
            let s = tree.span(i);
            if done {
                if let Some(error) = failure(s)
                    && !self.failures_shown.contains(&error)
                {
                    self.failures_shown.push(error.clone());
                    out.push(Entry::Failure {
                        span: i,
                        name: s.name.clone(),
                        error,
                    });
                }
                continue;
            }
            let msgs = if calls_only && !is_model_call(s) {
                Vec::new()
            } else {
                chat::messages(s)
            };
            let mut in_call: HashMap<String, usize> = HashMap::new();
            for m in msgs {
                let k = key(&m);
                let n = in_call.entry(k.clone()).or_insert(0);
                *n += 1;
                let before = self.shown.entry(k).or_insert(0);
                if *n > *before {
                    *before = *n;
                    out.push(Entry::Message {
                        span: i,
                        message: m,
                    });
                }
            }
            stack.push((i, true));
            for &c in tree.children(i).iter().rev() {
                stack.push((c, false));
            }
        }
        out
    }
}
