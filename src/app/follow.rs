//! Live tail: the state of follow mode and the arithmetic it needs (what the next poll asks for,
//! how long to wait, the arrival-rate sparkline, the error rate). Pure: the clock arrives in
//! messages.

use crate::model::{TraceInfo, TraceState};

use super::ReqId;

/// Minutes shown in the arrival-rate sparkline.
pub const RATE_MINUTES: usize = 12;
/// The error rate is taken over this many of the newest finished traces.
pub const ERROR_WINDOW: usize = 50;
/// Traces newer than (newest seen - lookback) are asked for again on every poll: a trace that
/// reaches the store after a newer one (it ran longer, or its exporter was slower) still shows.
pub const DEFAULT_LOOKBACK_MS: i64 = 60_000;
/// In-progress traces older than this are not polled for (abandoned runs stay IN_PROGRESS in
/// MLflow forever).
pub const MAX_RUNNING_AGE_MS: i64 = 15 * 60_000;
/// At most this many traces per poll (the newest ones).
pub const POLL_PAGE: usize = 200;
/// With filesystem notifications, the timer is only a fallback.
pub const WATCHED_INTERVAL_MS: u64 = 5_000;
/// Backoff after failures stops growing here.
pub const MAX_FAIL_WAIT_MS: u64 = 30_000;

#[derive(Debug, Clone, PartialEq)]
pub struct FollowConfig {
    /// The poll interval while traces arrive.
    pub interval_ms: u64,
    /// The poll interval grows to this while nothing arrives.
    pub idle_interval_ms: u64,
    pub lookback_ms: i64,
    /// Trace summaries kept in the list while following (the oldest go first).
    pub retention: usize,
}

impl Default for FollowConfig {
    fn default() -> Self {
        FollowConfig {
            interval_ms: 1_000,
            idle_interval_ms: 3_000,
            lookback_ms: DEFAULT_LOOKBACK_MS,
            retention: 20_000,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Follow {
    pub on: bool,
    pub paused: bool,
    pub config: FollowConfig,
    /// The poll in flight.
    pub polling: Option<ReqId>,
    pub req: ReqId,
    /// The timer generation: a wake from an older timer is ignored.
    pub timer: u64,
    /// A change was reported while a poll was in flight: poll again when it answers.
    pub pending: bool,
    /// Filesystem notifications are on (the timer is a slow fallback).
    pub watched: bool,
    /// The open trace is being fetched again (it changed while open).
    pub refreshing: Option<ReqId>,
    /// Polls in a row that brought nothing new.
    pub idle_polls: u32,
    /// Polls in a row that failed.
    pub failures: u32,
    /// The last poll's error, shown in the status line.
    pub error: Option<String>,
    /// Traces added since following started.
    pub arrived: u64,
    /// Arrivals per minute, newest last (`RATE_MINUTES` buckets), and the minute of the last
    /// bucket (ms since the epoch / 60 000).
    pub rate: Vec<u32>,
    pub rate_minute: i64,
    /// The newest finished traces' states (true: ERROR), newest last.
    pub recent_errors: std::collections::VecDeque<bool>,
}

impl Follow {
    /// How long to wait before the next poll.
    pub fn wait_ms(&self) -> u64 {
        let base = self.config.interval_ms.max(100);
        if self.failures > 0 {
            return (base << self.failures.min(8)).min(MAX_FAIL_WAIT_MS.max(base));
        }
        if self.watched {
            return WATCHED_INTERVAL_MS.max(base);
        }
        // idle: grow by a fifth of the base per idle poll, up to the idle interval
        let grown = base + base * u64::from(self.idle_polls) / 5;
        grown.min(self.config.idle_interval_ms.max(base))
    }

    /// Counts an arrival at `at_ms` (the time the poll answered) in the sparkline.
    pub fn count_arrivals(&mut self, n: usize, at_ms: i64) {
        self.advance_rate(at_ms);
        if let Some(last) = self.rate.last_mut() {
            *last = last.saturating_add(n as u32);
        }
        self.arrived += n as u64;
    }

    /// Moves the sparkline's window to the minute of `now_ms`.
    pub fn advance_rate(&mut self, now_ms: i64) {
        let minute = now_ms.div_euclid(60_000);
        if self.rate.len() != RATE_MINUTES {
            self.rate = vec![0; RATE_MINUTES];
            self.rate_minute = minute;
        }
        let shift = minute.saturating_sub(self.rate_minute);
        if shift > 0 {
            let shift = (shift as usize).min(RATE_MINUTES);
            self.rate.drain(..shift);
            self.rate.resize(RATE_MINUTES, 0);
            self.rate_minute = minute;
        }
    }

    /// Records finished traces (their states) for the error rate.
    pub fn count_finished(&mut self, states: impl Iterator<Item = TraceState>) {
        for state in states {
            match state {
                TraceState::Ok => self.recent_errors.push_back(false),
                TraceState::Error => self.recent_errors.push_back(true),
                _ => continue,
            }
            if self.recent_errors.len() > ERROR_WINDOW {
                self.recent_errors.pop_front();
            }
        }
    }

    /// Errors among the recent finished traces, and how many there are.
    pub fn error_rate(&self) -> (usize, usize) {
        let errors = self.recent_errors.iter().filter(|e| **e).count();
        (errors, self.recent_errors.len())
    }

    /// The sparkline: one bar per minute, oldest first.
    pub fn sparkline(&self) -> String {
        const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
        let max = self.rate.iter().copied().max().unwrap_or(0).max(1);
        self.rate
            .iter()
            .map(|&n| {
                if n == 0 {
                    ' '
                } else {
                    BARS[((n as usize * 7) / max as usize).min(7)]
                }
            })
            .collect()
    }
}

/// The lower bound of the next poll: everything newer than the newest trace seen minus the
/// lookback, reaching back further for traces still running (up to `MAX_RUNNING_AGE_MS` before
/// the newest).
pub fn poll_since(
    newest_ms: Option<i64>,
    oldest_running_ms: Option<i64>,
    lookback_ms: i64,
) -> Option<i64> {
    let newest = newest_ms?;
    let mut since = newest.saturating_sub(lookback_ms.max(0));
    if let Some(r) = oldest_running_ms {
        since = since.min(r.max(newest.saturating_sub(MAX_RUNNING_AGE_MS)));
    }
    Some(since)
}

/// True when a polled summary says something the list does not show yet.
pub fn changed(old: &TraceInfo, new: &TraceInfo) -> bool {
    old.state != new.state
        || old.duration_ms != new.duration_ms
        || old.request_preview != new.request_preview
        || old.response_preview != new.response_preview
        || old.tags.len() != new.tags.len()
        || old.metadata.len() != new.metadata.len()
        || old.assessments.len() != new.assessments.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_back_off_when_idle_and_failing() {
        let mut f = Follow::default();
        assert_eq!(f.wait_ms(), 1_000);
        f.idle_polls = 5;
        assert_eq!(f.wait_ms(), 2_000);
        f.idle_polls = 500;
        assert_eq!(f.wait_ms(), 3_000);
        f.failures = 1;
        assert_eq!(f.wait_ms(), 2_000);
        f.failures = 30;
        assert_eq!(f.wait_ms(), MAX_FAIL_WAIT_MS);
        f.failures = 0;
        f.watched = true;
        assert_eq!(f.wait_ms(), WATCHED_INTERVAL_MS);
    }

    #[test]
    fn the_sparkline_moves_with_the_clock() {
        let mut f = Follow::default();
        let t0 = 1_700_000_000_000 / 60_000 * 60_000;
        f.count_arrivals(3, t0);
        f.count_arrivals(1, t0 + 59_000);
        assert_eq!(f.rate.last(), Some(&4));
        f.count_arrivals(8, t0 + 60_000);
        assert_eq!(&f.rate[RATE_MINUTES - 2..], &[4, 8]);
        assert_eq!(f.sparkline().chars().count(), RATE_MINUTES);
        assert!(f.sparkline().ends_with('█'));
        f.advance_rate(t0 + 3_600_000);
        assert!(f.rate.iter().all(|&n| n == 0));
        assert_eq!(f.arrived, 12);
    }

    #[test]
    fn since_reaches_back_for_running_traces_but_not_forever() {
        assert_eq!(poll_since(None, None, 60_000), None);
        assert_eq!(poll_since(Some(100_000), None, 60_000), Some(40_000));
        assert_eq!(
            poll_since(Some(1_000_000), Some(500_000), 60_000),
            Some(500_000)
        );
        let newest = 10 * MAX_RUNNING_AGE_MS;
        assert_eq!(
            poll_since(Some(newest), Some(0), 60_000),
            Some(newest - MAX_RUNNING_AGE_MS)
        );
    }
}
