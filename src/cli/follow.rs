//! `mlflow-tui list --follow`: the newest traces, then one line per new trace as it arrives,
//! until the reader goes away (a closed pipe) or the user interrupts. Polls like the explorer's
//! follow mode (same query, same backoff), woken early by filesystem notifications for local
//! sources.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;

use crate::app::follow::{Follow, FollowConfig, POLL_PAGE, poll_since};
use crate::model::{TraceInfo, TraceState};
use crate::source::{self, ListQuery, Source};
use crate::text::{escape_json_unsafe, sanitize_line};

/// The id column is as wide as MLflow's `tr-` + 32 hex digits.
const ID_W: usize = 35;
/// Ids remembered beyond the poll window, so a trace is never printed twice.
const FORGET_AFTER_MS: i64 = 10 * 60_000;

/// What has been printed: trace id -> its request time (to forget it once it is far behind the
/// poll window), and the traces still running (to reach back for them).
#[derive(Debug, Default)]
pub struct Printed {
    seen: HashMap<String, i64>,
    running: HashMap<String, i64>,
    /// Printed while running (no name, no final state yet): printed once more when it ends.
    printed_running: std::collections::HashSet<String>,
    /// Ended, printed while running, not yet named: the polls waited for its name so far.
    nameless: HashMap<String, u32>,
    newest_ms: Option<i64>,
}

/// Polls to wait for the name of a trace that ended without one before printing it anyway.
const NAME_WAIT_POLLS: u32 = 3;

impl Printed {
    /// Takes a poll's answer; returns the traces not printed before, and those printed while
    /// running that have ended since (their final state and name), oldest first.
    pub fn take_new(&mut self, page: Vec<TraceInfo>) -> Vec<TraceInfo> {
        let mut fresh = Vec::new();
        for t in page {
            let running = t.state == TraceState::InProgress;
            if !running && self.printed_running.contains(&t.trace_id) {
                // MLflow can store the final state a moment before the trace's name: wait a
                // few polls for the name, so that the line that says it ended also names it
                let waits = self.nameless.entry(t.trace_id.clone()).or_insert(0);
                if t.name().is_none() && *waits < NAME_WAIT_POLLS {
                    *waits += 1;
                    continue;
                }
                self.nameless.remove(&t.trace_id);
                self.printed_running.remove(&t.trace_id);
                self.running.remove(&t.trace_id);
                fresh.push(t);
                continue;
            }
            if t.state == TraceState::InProgress {
                self.running.insert(t.trace_id.clone(), t.request_time_ms);
            } else {
                self.running.remove(&t.trace_id);
            }
            self.newest_ms = Some(
                self.newest_ms
                    .map_or(t.request_time_ms, |n| n.max(t.request_time_ms)),
            );
            if !self.seen.contains_key(&t.trace_id) {
                self.seen.insert(t.trace_id.clone(), t.request_time_ms);
                if running {
                    self.printed_running.insert(t.trace_id.clone());
                }
                fresh.push(t);
            }
        }
        fresh.sort_by(|a, b| {
            a.request_time_ms
                .cmp(&b.request_time_ms)
                .then_with(|| a.trace_id.cmp(&b.trace_id))
        });
        fresh
    }

    /// The lower bound of the next poll; forgets what is far behind it (memory stays bounded).
    pub fn since(&mut self, lookback_ms: i64) -> Option<i64> {
        let oldest_running = self.running.values().copied().min();
        let since = poll_since(self.newest_ms, oldest_running, lookback_ms)?;
        let horizon = since.saturating_sub(FORGET_AFTER_MS);
        self.seen.retain(|_, t| *t >= horizon);
        self.running.retain(|_, t| *t >= horizon);
        let seen = &self.seen;
        self.printed_running.retain(|id| seen.contains_key(id));
        self.nameless.retain(|id, _| seen.contains_key(id));
        Some(since)
    }

    pub fn remembered(&self) -> usize {
        self.seen.len()
    }
}

fn line(t: &TraceInfo, json: bool) -> Result<String> {
    Ok(if json {
        escape_json_unsafe(serde_json::to_string(t)?) + "\n"
    } else {
        super::list_row(t, ID_W)
    })
}

pub async fn run(
    src: Arc<dyn Source>,
    experiments: &[String],
    initial: usize,
    json: bool,
    filter: Option<String>,
    config: FollowConfig,
) -> Result<()> {
    let ids = source::resolve_experiments(src.as_ref(), experiments).await?;
    if let Some(f) = filter.as_deref() {
        crate::model::filter::parse(f).map_err(|e| anyhow::anyhow!("filter: {e}"))?;
    }
    let query = |since_ms, max_results| ListQuery {
        max_results,
        ..ListQuery::poll(ids.clone(), filter.clone(), since_ms)
    };
    let mut printed = Printed::default();
    // what is there now: known (never printed as new), the newest `initial` printed
    let first = src.list(query(None, crate::update::PAGE_SIZE)).await?;
    super::warn_all(&first.warnings);
    let now = printed.take_new(first.traces);
    if !json && !super::write_out(&super::list_header(ID_W))? {
        return Ok(());
    }
    for t in now.iter().skip(now.len().saturating_sub(initial)) {
        if !super::write_out(&line(t, json)?)? {
            return Ok(());
        }
    }

    // the receiver's requests or file notifications wake the loop early; the timer is the
    // fallback
    let wake = Arc::new(tokio::sync::Notify::new());
    let notified = src.notify(Some({
        let w = Arc::clone(&wake);
        Arc::new(move || w.notify_one())
    }));
    let watch = if notified {
        None
    } else {
        src.watch_target().and_then(|target| {
            let w = Arc::clone(&wake);
            source::watch::Watch::start(&target, move || w.notify_one()).ok()
        })
    };
    let mut follow = Follow {
        on: true,
        config,
        watched: notified || watch.is_some(),
        ..Default::default()
    };
    eprintln!(
        "mlflow-tui: following {} ({}); new traces appear as they arrive, ctrl-c stops",
        sanitize_line(&src.describe()),
        if notified {
            "as they are received".to_string()
        } else if follow.watched {
            "file notifications".to_string()
        } else {
            format!(
                "polling every {:.1} s",
                follow.config.interval_ms as f64 / 1000.0
            )
        }
    );
    loop {
        let wait = Duration::from_millis(follow.wait_ms());
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = wake.notified() => {}
        }
        if let Some(w) = &watch {
            w.rearm();
        }
        let since = printed.since(follow.config.lookback_ms);
        match src.list(query(since, POLL_PAGE)).await {
            Err(e) => {
                follow.failures = follow.failures.saturating_add(1);
                eprintln!(
                    "mlflow-tui: polling failed: {} (retrying in {} s)",
                    sanitize_line(&e.to_string()),
                    follow.wait_ms().div_ceil(1000)
                );
            }
            Ok(page) => {
                if follow.failures > 0 {
                    eprintln!("mlflow-tui: polling works again");
                }
                follow.failures = 0;
                let fresh = printed.take_new(page.traces);
                follow.idle_polls = if fresh.is_empty() {
                    follow.idle_polls.saturating_add(1)
                } else {
                    0
                };
                for t in &fresh {
                    if !super::write_out(&line(t, json)?)? {
                        return Ok(());
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str, ms: i64, state: TraceState) -> TraceInfo {
        TraceInfo {
            trace_id: id.into(),
            request_time_ms: ms,
            state,
            ..Default::default()
        }
    }

    #[test]
    fn each_trace_once_oldest_first_and_memory_bounded() {
        let mut p = Printed::default();
        let a = p.take_new(vec![
            info("b", 2, TraceState::Ok),
            info("a", 1, TraceState::Ok),
        ]);
        assert_eq!(
            a.iter().map(|t| t.trace_id.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        // a poll repeats what it saw within the lookback, and a running trace finishes
        let b = p.take_new(vec![
            info("c", 3, TraceState::InProgress),
            info("b", 2, TraceState::Ok),
        ]);
        assert_eq!(b.len(), 1);
        // ended, but MLflow has not stored its name yet: the line waits for it
        assert!(p.take_new(vec![info("c", 3, TraceState::Ok)]).is_empty());
        let mut named = info("c", 3, TraceState::Ok);
        named.tags.insert("mlflow.traceName".into(), "agent".into());
        let c = p.take_new(vec![named.clone()]);
        assert_eq!(
            c.len(),
            1,
            "a trace printed while running is printed once more when it ends"
        );
        assert_eq!(c[0].state, TraceState::Ok);
        assert_eq!(c[0].name(), Some("agent"));
        let d = p.take_new(vec![named]);
        assert!(d.is_empty(), "and then never again");
        // one that never gets a name is printed after a few polls all the same
        assert_eq!(
            p.take_new(vec![info("e", 4, TraceState::InProgress)]).len(),
            1
        );
        for _ in 0..NAME_WAIT_POLLS {
            assert!(p.take_new(vec![info("e", 4, TraceState::Error)]).is_empty());
        }
        let e = p.take_new(vec![info("e", 4, TraceState::Error)]);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].state, TraceState::Error);
        // far later: old ids are forgotten
        p.take_new(vec![info("z", 100 * 60_000, TraceState::Ok)]);
        let since = p.since(60_000).unwrap();
        assert_eq!(since, 99 * 60_000);
        assert_eq!(p.remembered(), 1);
    }

    #[test]
    fn a_running_trace_keeps_the_window_open() {
        let mut p = Printed::default();
        p.take_new(vec![info("r", 1_000_000, TraceState::InProgress)]);
        p.take_new(vec![info("n", 1_500_000, TraceState::Ok)]);
        assert_eq!(p.since(60_000), Some(1_000_000));
    }
}
