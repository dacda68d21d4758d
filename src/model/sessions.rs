//! Sessions: the traces that share a session id (`mlflow.trace.session`, MLflow 3.18's
//! hierarchical `org/user/chat-1` ids included), each a turn of one conversation. The
//! sessions view and `mlflow-tui sessions` read them from here.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::{TraceInfo, TraceState};
use crate::model::time::format_duration_ms;
use crate::text::{fit, sanitize_line, truncate_start};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    pub id: String,
    /// Its traces, oldest first.
    pub trace_ids: Vec<String>,
    /// Start of the first turn and end (start, with duration when known) of the last.
    pub first_ms: i64,
    pub last_ms: i64,
    pub users: Vec<String>,
    pub tokens: u64,
    /// Summed over the turns that have one; `None` when none has.
    pub cost: Option<f64>,
    /// Turns that ended in an error.
    pub errors: usize,
    /// Turns still running.
    pub running: usize,
    /// The first turn's request preview.
    pub first_request: Option<String>,
}

impl Session {
    pub fn turns(&self) -> usize {
        self.trace_ids.len()
    }
}

/// Sessions of the given traces, the most recently active first; traces without a session id
/// are not in any.
pub fn sessions<'a>(infos: impl IntoIterator<Item = &'a TraceInfo>) -> Vec<Session> {
    let mut by_id: HashMap<&str, Vec<&TraceInfo>> = HashMap::new();
    for t in infos {
        if let Some(s) = t.session().filter(|s| !s.is_empty()) {
            by_id.entry(s).or_default().push(t);
        }
    }
    let mut out: Vec<Session> = by_id
        .into_iter()
        .map(|(id, mut turns)| {
            turns.sort_by(|a, b| {
                (a.request_time_ms, &a.trace_id).cmp(&(b.request_time_ms, &b.trace_id))
            });
            let users: BTreeSet<&str> = turns.iter().filter_map(|t| t.user()).collect();
            Session {
                id: id.to_string(),
                trace_ids: turns.iter().map(|t| t.trace_id.clone()).collect(),
                first_ms: turns.first().map_or(0, |t| t.request_time_ms),
                last_ms: turns
                    .iter()
                    .map(|t| t.request_time_ms + t.duration_ms.unwrap_or(0))
                    .max()
                    .unwrap_or(0),
                users: users.into_iter().map(str::to_string).collect(),
                tokens: turns
                    .iter()
                    .filter_map(|t| t.token_usage())
                    .map(|u| u.total)
                    .sum(),
                cost: turns
                    .iter()
                    .filter_map(|t| t.cost())
                    .map(|c| c.total)
                    .reduce(|a, b| a + b),
                errors: turns
                    .iter()
                    .filter(|t| t.state == TraceState::Error)
                    .count(),
                running: turns
                    .iter()
                    .filter(|t| t.state == TraceState::InProgress)
                    .count(),
                first_request: turns
                    .first()
                    .and_then(|t| t.request_preview())
                    .map(str::to_string),
            }
        })
        .collect();
    out.sort_by(|a, b| b.last_ms.cmp(&a.last_ms).then_with(|| a.id.cmp(&b.id)));
    out
}

/// The filter that finds a session's turns, for a source to run (a quote in the id is doubled,
/// SQL style, as MLflow's grammar reads it).
pub fn filter(id: &str) -> String {
    format!(
        "metadata.`{}` = '{}'",
        super::keys::SESSION,
        id.replace('\'', "''")
    )
}

/// The sessions table's header (the headless output and the sessions view): what tells
/// sessions apart first, so a narrow terminal loses the least.
pub fn header_row(key_w: usize, time_w: usize) -> String {
    format!(
        "{}  {:>5}  {:>6}  {:<12}  {}  {}  {:>8}  {:>8}  {:>9}  FIRST REQUEST",
        fit("SESSION", key_w),
        "TURNS",
        "ERRORS",
        "USERS",
        fit("FIRST", time_w),
        fit("LAST", time_w),
        "SPAN",
        "TOKENS",
        "COST"
    )
}

/// One session's line: the id cut at its start (hierarchical ids differ at the end); the first
/// turn's start and the last activity as `when` writes them, in `time_w` columns each.
pub fn session_row(
    s: &Session,
    key_w: usize,
    time_w: usize,
    when: impl Fn(i64) -> String,
) -> String {
    let users = sanitize_line(&s.users.join(",")).into_owned();
    let errors = match (s.errors, s.running) {
        (e, 0) => e.to_string(),
        (e, r) => format!("{e} +{r}▶"),
    };
    format!(
        "{}  {:>5}  {:>6}  {}  {}  {}  {:>8}  {:>8}  {:>9}  {}",
        fit(&truncate_start(&sanitize_line(&s.id), key_w), key_w),
        s.turns(),
        errors,
        fit(&users, 12),
        fit(&when(s.first_ms), time_w),
        fit(&when(s.last_ms), time_w),
        format_duration_ms(s.last_ms.saturating_sub(s.first_ms)),
        s.tokens,
        s.cost
            .map_or_else(|| "-".to_string(), |c| format!("{c:.4}")),
        crate::text::preview(s.first_request.as_deref().unwrap_or("-"), 60)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str, session: Option<&str>, user: &str, at: i64, state: TraceState) -> TraceInfo {
        let mut t = TraceInfo {
            trace_id: id.into(),
            request_time_ms: at,
            duration_ms: Some(100),
            state,
            ..Default::default()
        };
        if let Some(s) = session {
            t.metadata
                .insert(crate::model::keys::SESSION.into(), s.into());
        }
        t.metadata
            .insert(crate::model::keys::USER.into(), user.into());
        t
    }

    #[test]
    fn turns_group_by_session_oldest_first_newest_session_first() {
        let infos = [
            info("c", Some("org/a/chat-1"), "alice", 3_000, TraceState::Error),
            info("a", Some("org/a/chat-1"), "alice", 1_000, TraceState::Ok),
            info("x", None, "bob", 2_000, TraceState::Ok),
            info(
                "d",
                Some("org/b/chat-9"),
                "bob",
                5_000,
                TraceState::InProgress,
            ),
            info("b", Some("org/a/chat-1"), "carol", 2_000, TraceState::Ok),
        ];
        let s = sessions(&infos);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].id, "org/b/chat-9");
        assert_eq!(s[0].running, 1);
        assert_eq!(s[1].trace_ids, ["a", "b", "c"]);
        assert_eq!((s[1].first_ms, s[1].last_ms), (1_000, 3_100));
        assert_eq!(s[1].users, ["alice", "carol"]);
        assert_eq!(s[1].errors, 1);
        // a row fits its columns, the id kept by its end
        let row = session_row(&s[1], 8, 19, crate::model::time::format_utc_short_ms);
        assert!(row.starts_with("…/chat-1"), "{row}");
    }
}
