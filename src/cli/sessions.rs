//! `mlflow-tui sessions [SOURCE]`: the sessions of the listed traces (turns, last activity,
//! span of time, users, tokens, cost, errors), the most recently active first; and
//! `mlflow-tui show [SOURCE] --session ID`: a session's turns read as one conversation. The
//! same code as the explorer's sessions view.

use anyhow::Result;

use crate::model::keys;
use crate::model::sessions::{Session, filter, header_row, session_row, sessions};
use crate::text::escape_json_unsafe;

/// The table the headless command prints.
pub fn render(list: &[Session]) -> String {
    let key_w = list
        .iter()
        .map(|s| crate::text::width(&crate::text::sanitize_line(&s.id)))
        .max()
        .unwrap_or(7)
        .clamp(7, 40);
    let mut out = header_row(key_w, 19) + "\n";
    for s in list {
        out.push_str(&session_row(
            s,
            key_w,
            19,
            crate::model::time::format_local_ms,
        ));
        out.push('\n');
    }
    out
}

pub async fn run(
    src: Option<&str>,
    experiments: &[String],
    filter: Option<String>,
    limit: usize,
    json: bool,
) -> Result<()> {
    let src = super::open_source(src)?;
    let (infos, warnings) = super::fetch_all(src.as_ref(), experiments, limit, filter).await?;
    super::warn_all(&warnings);
    let list = sessions(&infos);
    if json {
        return super::emit(&(escape_json_unsafe(serde_json::to_string_pretty(&list)?) + "\n"));
    }
    if list.is_empty() {
        eprintln!(
            "no sessions among {} traces (a session is the metadata {} of a trace)",
            infos.len(),
            keys::SESSION
        );
    }
    super::emit(&render(&list))
}

/// `show --session ID`: the turns, oldest first, as one conversation (`--json`: the session
/// and, per turn, its transcript entries).
pub async fn show(src: Option<&str>, id: &str, json: bool) -> Result<()> {
    let src = super::open_source(src)?;
    let (infos, warnings) = super::fetch_all(src.as_ref(), &[], 0, Some(filter(id))).await?;
    super::warn_all(&warnings);
    let Some(session) = sessions(&infos).into_iter().find(|s| s.id == id) else {
        anyhow::bail!(
            "no session {:?} here (mlflow-tui sessions lists them)",
            crate::text::sanitize_line(id)
        );
    };
    let mut turns = Vec::with_capacity(session.turns());
    for t in &session.trace_ids {
        let trace = src.get(t).await?;
        super::warn_all(&trace.warnings);
        turns.push(trace);
    }
    if json {
        let mut builder = crate::model::transcript::Transcript::default();
        let turns: Vec<serde_json::Value> = turns
            .iter()
            .map(|t| {
                let entries = builder.add(t);
                serde_json::json!({
                    "trace_id": t.info.trace_id,
                    "request_time_ms": t.info.request_time_ms,
                    "entries": super::chat_entries_json(t, entries),
                })
            })
            .collect();
        let v = serde_json::json!({"session": session, "turns": turns});
        return super::emit(&(escape_json_unsafe(serde_json::to_string_pretty(&v)?) + "\n"));
    }
    let mut out = crate::app::detail::session_lines(&turns, false).join("\n");
    out.push('\n');
    super::emit(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An id with a quote still finds its session, and only it.
    #[test]
    fn the_session_filter_matches_ids_with_quotes() {
        let f = crate::model::filter::parse(&filter("it's/a b")).unwrap();
        let mut t = crate::model::TraceInfo::default();
        t.metadata.insert(keys::SESSION.into(), "it's/a b".into());
        assert!(f.matches(&t, None));
        t.metadata.insert(keys::SESSION.into(), "it".into());
        assert!(!f.matches(&t, None));
    }
}
