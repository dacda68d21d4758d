//! Numbers over a list of traces: count, error rate, latency percentiles, tokens and cost, by
//! trace name, user, session, experiment or model, and over time. What the stats view and
//! `mlflow-tui stats` show.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{SpanType, Trace, TraceInfo, TraceState};

/// What the numbers are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum By {
    #[default]
    Name,
    User,
    Session,
    Experiment,
    /// Model calls (LLM and chat-model spans): needs the spans.
    Model,
}

impl By {
    pub const ALL: [By; 5] = [By::Name, By::Model, By::User, By::Session, By::Experiment];
    pub fn parse(s: &str) -> Option<By> {
        match s.to_ascii_lowercase().as_str() {
            "name" | "trace" => Some(By::Name),
            "user" => Some(By::User),
            "session" => Some(By::Session),
            "experiment" | "exp" => Some(By::Experiment),
            "model" => Some(By::Model),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            By::Name => "name",
            By::User => "user",
            By::Session => "session",
            By::Experiment => "experiment",
            By::Model => "model",
        }
    }
    pub fn next(self) -> By {
        let i = By::ALL.iter().position(|b| *b == self).unwrap_or(0);
        By::ALL[(i + 1) % By::ALL.len()]
    }
}

/// One group's numbers (latencies in milliseconds).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Group {
    pub key: String,
    pub count: usize,
    pub errors: usize,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub tokens: u64,
    pub cost: f64,
}

impl Group {
    pub fn error_rate(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.errors as f64 / self.count as f64
        }
    }
}

/// Arrivals in one stretch of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bucket {
    pub start_ms: i64,
    pub count: usize,
    pub errors: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Stats {
    pub by: By,
    pub overall: Group,
    pub groups: Vec<Group>,
    pub bucket_ms: i64,
    pub buckets: Vec<Bucket>,
}

/// A latency for the stats table.
pub fn format_ms(v: Option<f64>) -> String {
    v.map(|v| super::time::format_duration_ms(v.round() as i64))
        .unwrap_or_else(|| "-".into())
}

/// The stats table's header line, for a key column `key_w` wide.
pub fn header_row(by: By, key_w: usize) -> String {
    format!(
        "{}  {:>7}  {:>7}  {:>8}  {:>8}  {:>8}  {:>9}  {:>10}",
        crate::text::fit(&by.label().to_uppercase(), key_w),
        "COUNT",
        "ERRORS",
        "P50",
        "P95",
        "P99",
        "TOKENS",
        "COST"
    )
}

/// One group's line of the stats table (the headless output and the stats view).
pub fn group_row(g: &Group, key_w: usize) -> String {
    format!(
        "{}  {:>7}  {:>6.1}%  {:>8}  {:>8}  {:>8}  {:>9}  {:>10.4}",
        crate::text::fit(&crate::text::sanitize_line(&g.key), key_w),
        g.count,
        g.error_rate() * 100.0,
        format_ms(g.p50_ms),
        format_ms(g.p95_ms),
        format_ms(g.p99_ms),
        g.tokens,
        g.cost
    )
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

struct Acc {
    count: usize,
    errors: usize,
    lat: Vec<f64>,
    tokens: u64,
    cost: f64,
}

impl Acc {
    fn new() -> Self {
        Acc {
            count: 0,
            errors: 0,
            lat: Vec::new(),
            tokens: 0,
            cost: 0.0,
        }
    }
    fn group(mut self, key: String) -> Group {
        self.lat.sort_by(|a, b| a.total_cmp(b));
        Group {
            key,
            count: self.count,
            errors: self.errors,
            p50_ms: percentile(&self.lat, 50.0),
            p95_ms: percentile(&self.lat, 95.0),
            p99_ms: percentile(&self.lat, 99.0),
            tokens: self.tokens,
            cost: self.cost,
        }
    }
}

/// A bucket size that gives a readable number of bars over `span_ms`.
fn bucket_size(span_ms: i64) -> i64 {
    const MIN: i64 = 60_000;
    for b in [
        MIN,
        5 * MIN,
        15 * MIN,
        30 * MIN,
        60 * MIN,
        3 * 60 * MIN,
        6 * 60 * MIN,
        12 * 60 * MIN,
        24 * 60 * MIN,
        7 * 24 * 60 * MIN,
    ] {
        if span_ms / b <= 48 {
            return b;
        }
    }
    30 * 24 * 60 * MIN
}

fn buckets(infos: &[&TraceInfo]) -> (i64, Vec<Bucket>) {
    let (Some(lo), Some(hi)) = (
        infos.iter().map(|t| t.request_time_ms).min(),
        infos.iter().map(|t| t.request_time_ms).max(),
    ) else {
        return (60_000, Vec::new());
    };
    let size = bucket_size(hi - lo);
    let start = lo - lo.rem_euclid(size);
    let n = ((hi - start) / size + 1).clamp(1, 1000) as usize;
    let mut out: Vec<Bucket> = (0..n)
        .map(|k| Bucket {
            start_ms: start + k as i64 * size,
            count: 0,
            errors: 0,
        })
        .collect();
    for t in infos {
        let k = (((t.request_time_ms - start) / size) as usize).min(n - 1);
        out[k].count += 1;
        if t.state == TraceState::Error {
            out[k].errors += 1;
        }
    }
    (size, out)
}

/// Stats over trace summaries, grouped by name, user, session or experiment (`By::Model`
/// needs the spans: [`of_traces`]).
pub fn of_infos(infos: &[&TraceInfo], by: By) -> Stats {
    let mut all = Acc::new();
    let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
    for t in infos {
        let key = match by {
            By::Name | By::Model => t.name().unwrap_or("-").to_string(),
            By::User => t.user().unwrap_or("-").to_string(),
            By::Session => t.session().unwrap_or("-").to_string(),
            By::Experiment => t.experiment_id.clone().unwrap_or_else(|| "-".into()),
        };
        for acc in [&mut all, groups.entry(key).or_insert_with(Acc::new)] {
            acc.count += 1;
            if t.state == TraceState::Error {
                acc.errors += 1;
            }
            if let Some(d) = t.duration_ms {
                acc.lat.push(d as f64);
            }
            acc.tokens += t.token_usage().map_or(0, |u| u.total);
            acc.cost += t.cost().map_or(0.0, |c| c.total);
        }
    }
    let mut groups: Vec<Group> = groups.into_iter().map(|(k, a)| a.group(k)).collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    let (bucket_ms, buckets) = buckets(infos);
    Stats {
        by,
        overall: all.group("all".into()),
        groups,
        bucket_ms,
        buckets,
    }
}

/// Stats of model calls over whole traces, by model: each LLM or chat-model span is a call
/// (latency, errors, tokens, cost of the call).
pub fn of_traces(traces: &[&Trace]) -> Stats {
    let infos: Vec<&TraceInfo> = traces.iter().map(|t| &t.info).collect();
    let mut s = of_infos(&infos, By::Model);
    let mut all = Acc::new();
    let mut groups: BTreeMap<String, Acc> = BTreeMap::new();
    for t in traces {
        for span in t.spans() {
            if !matches!(span.span_type, SpanType::Llm | SpanType::ChatModel) {
                continue;
            }
            let key = span.model().unwrap_or_else(|| "(no model)".into());
            for acc in [&mut all, groups.entry(key).or_insert_with(Acc::new)] {
                acc.count += 1;
                if span.is_error() {
                    acc.errors += 1;
                }
                if let Some(d) = span.duration_ns() {
                    acc.lat.push(d as f64 / 1e6);
                }
                acc.tokens += span.token_usage().map_or(0, |u| u.total);
                acc.cost += span.cost().map_or(0.0, |c| c.total);
            }
        }
    }
    let mut groups: Vec<Group> = groups.into_iter().map(|(k, a)| a.group(k)).collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    s.overall = all.group("all model calls".into());
    s.groups = groups;
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_groups() {
        let infos: Vec<TraceInfo> = (1..=100)
            .map(|i| TraceInfo {
                trace_id: format!("t{i}"),
                request_time_ms: i * 60_000,
                duration_ms: Some(i),
                state: if i % 10 == 0 {
                    TraceState::Error
                } else {
                    TraceState::Ok
                },
                tags: [(
                    "mlflow.traceName".to_string(),
                    if i % 2 == 0 { "even" } else { "odd" }.to_string(),
                )]
                .into(),
                ..Default::default()
            })
            .collect();
        let refs: Vec<&TraceInfo> = infos.iter().collect();
        let s = of_infos(&refs, By::Name);
        assert_eq!(s.overall.count, 100);
        assert_eq!(s.overall.errors, 10);
        assert_eq!(s.overall.p50_ms, Some(50.0));
        assert_eq!(s.overall.p95_ms, Some(95.0));
        assert_eq!(s.overall.p99_ms, Some(99.0));
        assert_eq!(s.groups.len(), 2);
        assert_eq!(
            s.groups.iter().find(|g| g.key == "even").unwrap().errors,
            10
        );
        assert_eq!(s.buckets.iter().map(|b| b.count).sum::<usize>(), 100);
    }
}
