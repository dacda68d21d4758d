//! Where traces come from. Every source sits behind one async trait, so the TUI never waits on
//! one: local sources run their blocking IO on tokio's blocking pool ([`Blocking`]).

pub mod artifacts;
pub mod databricks;
pub mod http;
pub mod json;
pub mod mlruns;
pub mod mysql;
pub mod otlp;
pub mod postgres;
pub mod sql;
pub mod sqlite;
pub mod watch;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;

use crate::model::{Trace, TraceInfo};

/// Failures the UI reacts to differently. Messages never hold credentials.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    /// A file that could not be read as what it should be (names the file).
    #[error("{path}: {message}")]
    BadFile { path: String, message: String },
    /// A trace id or experiment that the source does not have.
    #[error("{0}")]
    NotFound(String),
    /// The database is busy, locked or corrupt.
    #[error("{0}")]
    Database(String),
    /// The server could not be reached, or the connection broke.
    #[error("{0}")]
    Network(String),
    /// 401/403: credentials missing or refused.
    #[error("{0}")]
    Auth(String),
    /// Any other HTTP error status.
    #[error("{message}")]
    Status { code: u16, message: String },
    /// Anything else, said plainly.
    #[error("{0}")]
    Other(String),
}

impl SourceError {
    /// Might trying again help? A server that is down or busy, a locked database: yes. A
    /// request the server refused (4xx), a bad filter, a missing file: no, never retry.
    pub fn is_transient(&self) -> bool {
        match self {
            SourceError::Network(_) | SourceError::Database(_) => true,
            SourceError::Status { code, .. } => *code >= 500 || *code == 429 || *code == 408,
            SourceError::BadFile { .. }
            | SourceError::NotFound(_)
            | SourceError::Auth(_)
            | SourceError::Other(_) => false,
        }
    }

    pub fn bad_file(path: &Path, message: impl std::fmt::Display) -> Self {
        SourceError::BadFile {
            path: path.display().to_string(),
            message: message.to_string(),
        }
    }
}

/// An experiment as a source knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Experiment {
    pub id: String,
    pub name: String,
    pub active: bool,
}

/// What a list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OrderKey {
    #[default]
    Time,
    Duration,
    Tokens,
    Name,
}

impl OrderKey {
    pub const ALL: [OrderKey; 4] = [
        OrderKey::Time,
        OrderKey::Duration,
        OrderKey::Tokens,
        OrderKey::Name,
    ];
    pub fn label(self) -> &'static str {
        match self {
            OrderKey::Time => "time",
            OrderKey::Duration => "duration",
            OrderKey::Tokens => "tokens",
            OrderKey::Name => "name",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        OrderKey::ALL.into_iter().find(|k| {
            k.label() == s
                || (s == "latency" && *k == OrderKey::Duration)
                || (s == "timestamp" && *k == OrderKey::Time)
        })
    }
    pub fn next(self) -> Self {
        let i = OrderKey::ALL.iter().position(|k| *k == self).unwrap_or(0);
        OrderKey::ALL[(i + 1) % OrderKey::ALL.len()]
    }
    /// The direction a sort starts in: newest, slowest, most tokens first; names A to Z.
    pub fn natural_ascending(self) -> bool {
        self == OrderKey::Name
    }
}

/// A sort: the key and its direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Order {
    pub key: OrderKey,
    pub ascending: bool,
}

impl Order {
    pub fn natural(key: OrderKey) -> Self {
        Order {
            key,
            ascending: key.natural_ascending(),
        }
    }
    /// Newest first: what every source gives without being asked.
    pub fn is_default(self) -> bool {
        self == Order::default()
    }
    /// How the title says it: `duration ↓` (descending), `name ↑` (A to Z).
    pub fn label(self) -> String {
        format!(
            "{} {}",
            self.key.label(),
            if self.ascending { "↑" } else { "↓" }
        )
    }
    /// MLflow's `order_by` clause, for the keys a server sorts by.
    pub fn mlflow_order_by(self) -> Option<String> {
        let field = match self.key {
            OrderKey::Time => "timestamp_ms",
            OrderKey::Duration => "execution_time_ms",
            OrderKey::Name => "name",
            OrderKey::Tokens => return None,
        };
        Some(format!(
            "{field} {}",
            if self.ascending { "ASC" } else { "DESC" }
        ))
    }
}

/// Sorts summaries by an order, ties by id as MLflow breaks them (keys are worked out once per
/// trace, not per comparison).
pub fn sort_infos(infos: &mut Vec<TraceInfo>, order: Order) {
    if order.is_default() {
        sort_newest_first(infos);
        return;
    }
    let mut keyed: Vec<(SortValue, TraceInfo)> = std::mem::take(infos)
        .into_iter()
        .map(|i| (SortValue::of(&i, order.key), i))
        .collect();
    keyed.sort_by(|(ka, a), (kb, b)| {
        let o = ka.cmp(kb);
        let o = if order.ascending { o } else { o.reverse() };
        o.then_with(|| a.trace_id.cmp(&b.trace_id))
    });
    *infos = keyed.into_iter().map(|(_, i)| i).collect();
}

/// A trace's value for a sort key. Missing values sort below every present one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortValue {
    Missing,
    Num(i64),
    Text(String),
}

impl SortValue {
    pub fn of(i: &TraceInfo, key: OrderKey) -> Self {
        match key {
            OrderKey::Time => SortValue::Num(i.request_time_ms),
            OrderKey::Duration => i.duration_ms.map_or(SortValue::Missing, SortValue::Num),
            OrderKey::Tokens => i
                .token_usage()
                .map_or(SortValue::Missing, |u| SortValue::Num(u.total as i64)),
            OrderKey::Name => i
                .name()
                .map_or(SortValue::Missing, |n| SortValue::Text(n.to_string())),
        }
    }
}

/// What to list: which experiments (empty: every active one), how many, from where.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListQuery {
    pub experiment_ids: Vec<String>,
    pub max_results: usize,
    pub page_token: Option<String>,
    /// MLflow's search grammar; sent to servers as is.
    pub filter: Option<String>,
    /// Only traces that started at or after this (ms since the epoch): follow mode's polls.
    pub since_ms: Option<i64>,
    /// The sort (default: newest first).
    pub order: Order,
}

impl ListQuery {
    /// Follow mode's query: the newest traces started at or after `since_ms`.
    pub fn poll(
        experiment_ids: Vec<String>,
        filter: Option<String>,
        since_ms: Option<i64>,
    ) -> Self {
        ListQuery {
            experiment_ids,
            max_results: crate::app::follow::POLL_PAGE,
            page_token: None,
            filter,
            since_ms,
            order: Order::default(),
        }
    }

    /// The filter with the `since_ms` bound added, in MLflow's grammar (for servers).
    pub fn filter_with_since(&self) -> Option<String> {
        let user = self
            .filter
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty());
        match (user, self.since_ms) {
            (None, None) => None,
            (Some(f), None) => Some(f.to_string()),
            (None, Some(t)) => Some(format!("attributes.timestamp_ms >= {t}")),
            (Some(f), Some(t)) => Some(format!("{f} AND attributes.timestamp_ms >= {t}")),
        }
    }

    /// Is this trace new enough for `since_ms`?
    pub fn is_recent(&self, info: &TraceInfo) -> bool {
        self.since_ms.is_none_or(|t| info.request_time_ms >= t)
    }
}

/// One page of trace summaries, newest first.
#[derive(Debug, Clone, Default)]
pub struct TracePage {
    pub traces: Vec<TraceInfo>,
    pub next_page_token: Option<String>,
    /// Things that were skipped (a bad file among good ones), for the status line.
    pub warnings: Vec<String>,
}

#[async_trait]
pub trait Source: Send + Sync {
    /// What this source is, for the status line (no credentials).
    fn describe(&self) -> String;
    async fn experiments(&self) -> Result<Vec<Experiment>, SourceError>;
    /// Trace summaries, newest first, one page at a time.
    async fn list(&self, query: ListQuery) -> Result<TracePage, SourceError>;
    /// One trace with all its spans.
    async fn get(&self, trace_id: &str) -> Result<Arc<Trace>, SourceError>;
    /// Files to watch for changes in follow mode; `None`: poll only.
    fn watch_target(&self) -> Option<watch::WatchTarget> {
        None
    }
    /// The keys this source sorts by itself (`ListQuery::order`); the others are sorted over
    /// what is loaded.
    fn sorts(&self) -> Vec<OrderKey> {
        OrderKey::ALL.to_vec()
    }
    /// Where this source's web UI is (a tracking server's address, without credentials).
    fn web_base(&self) -> Option<String> {
        None
    }
    /// What an empty list says about this source, line by line (the OTLP receiver: where to
    /// send spans).
    fn empty_hint(&self) -> Vec<String> {
        Vec::new()
    }
    /// Sources that learn of new traces themselves (the OTLP receiver) call `f` then, instead
    /// of being watched; `None` stops that. `false`: this source cannot.
    fn notify(&self, _f: Option<Notify>) -> bool {
        false
    }
    /// Writes one annotation on a trace (a tracking server: MLflow's REST API, with the
    /// user's credentials) and says what the server stored. Local stores are read-only.
    async fn annotate(&self, _trace_id: &str, _a: &Annotation) -> Result<Written, SourceError> {
        Err(SourceError::Other(READ_ONLY.into()))
    }
}

/// A session's turns, oldest first: the source searched with the session's filter (every
/// page), so turns the list has not loaded are found too, together with `known` (the loaded
/// ones; all that is used when the search fails).
pub async fn session_turns(
    src: &dyn Source,
    session: &str,
    experiment_ids: Vec<String>,
    known: Vec<String>,
) -> Vec<String> {
    let mut infos: Vec<crate::model::TraceInfo> = Vec::new();
    let mut token = None;
    loop {
        let page = src
            .list(ListQuery {
                experiment_ids: experiment_ids.clone(),
                max_results: 500,
                page_token: token.take(),
                filter: Some(crate::model::sessions::filter(session)),
                since_ms: None,
                order: Default::default(),
            })
            .await;
        match page {
            Ok(p) => {
                infos.extend(p.traces);
                token = p.next_page_token;
                if token.is_none() || infos.len() >= 100_000 {
                    break;
                }
            }
            Err(_) => return known,
        }
    }
    let found = crate::model::sessions::sessions(&infos)
        .into_iter()
        .find(|s| s.id == session)
        .map(|s| s.trace_ids)
        .unwrap_or_default();
    let mut ids = found;
    for k in known {
        if !ids.contains(&k) {
            ids.push(k);
        }
    }
    ids
}

/// A session's turns read whole, oldest first (the sessions view's `enter`): found as
/// [`session_turns`] finds them, each read; the first that cannot be read is named.
pub async fn read_session(
    src: &dyn Source,
    session: &str,
    experiment_ids: Vec<String>,
    known: Vec<String>,
) -> Result<Vec<Arc<Trace>>, String> {
    let ids = session_turns(src, session, experiment_ids, known).await;
    let mut turns = Vec::with_capacity(ids.len());
    for id in &ids {
        turns.push(src.get(id).await.map_err(|e| format!("{id}: {e}"))?);
    }
    Ok(turns)
}

/// What a read-only source says to a write.
pub const READ_ONLY: &str = "this source is read-only here: serve the store with `mlflow server --backend-store-uri …` and open the server to give feedback or set tags";

/// A reviewer's note on a trace (or one of its spans), written to a tracking server.
#[derive(Debug, Clone, PartialEq)]
pub enum Annotation {
    Feedback {
        name: String,
        value: serde_json::Value,
        rationale: Option<String>,
        span_id: Option<String>,
    },
    Expectation {
        name: String,
        value: serde_json::Value,
        span_id: Option<String>,
    },
    SetTag {
        key: String,
        value: String,
    },
    DeleteTag {
        key: String,
    },
    /// Deletes an assessment: `what` is its id, or a name (the reviewer's own in force, else the
    /// only one in force; see [`crate::model::review::to_delete`]).
    Delete {
        what: String,
        span_id: Option<String>,
    },
}

/// What a write stored, as the server answered: the sentence for the screen, and the changes
/// to the trace's assessments for a list that shows them before it is read again.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Written {
    pub said: String,
    /// The assessment created or updated.
    pub stored: Option<Box<crate::model::Assessment>>,
    /// An assessment the write replaced (an override): no longer in force.
    pub replaced: Option<String>,
    /// An assessment deleted.
    pub deleted: Option<String>,
    /// An assessment in force again (the one a deleted override had replaced).
    pub restored: Option<String>,
}

impl Written {
    /// A write that changed no assessment (tags).
    pub fn said(said: String) -> Written {
        Written {
            said,
            ..Written::default()
        }
    }

    /// Applies the write to a trace's assessments (and tags, for tag writes).
    pub fn apply(&self, info: &mut crate::model::TraceInfo, a: &Annotation) {
        match a {
            Annotation::SetTag { key, value } => {
                info.tags.insert(key.clone(), value.clone());
                return;
            }
            Annotation::DeleteTag { key } => {
                info.tags.remove(key);
                return;
            }
            _ => {}
        }
        let list = &mut info.assessments;
        if let Some(id) = &self.deleted {
            list.retain(|x| &x.id != id);
        }
        for x in list.iter_mut() {
            if self.replaced.as_ref() == Some(&x.id) {
                x.valid = Some(false);
            }
            if self.restored.as_ref() == Some(&x.id) {
                x.valid = Some(true);
            }
        }
        if let Some(new) = &self.stored {
            match list
                .iter_mut()
                .find(|x| !new.id.is_empty() && x.id == new.id)
            {
                Some(old) => *old = new.as_ref().clone(),
                None => list.push(new.as_ref().clone()),
            }
        }
    }
}

impl Annotation {
    /// A value as typed: `true`/`yes`/`pass` and `false`/`no`/`fail` are booleans, numbers are
    /// numbers, JSON is JSON, anything else is text.
    pub fn parse_value(text: &str) -> serde_json::Value {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "true" | "yes" | "pass" => return serde_json::Value::Bool(true),
            "false" | "no" | "fail" => return serde_json::Value::Bool(false),
            _ => {}
        }
        match serde_json::from_str::<serde_json::Value>(t) {
            Ok(v) if !t.is_empty() => v,
            _ => serde_json::Value::String(text.to_string()),
        }
    }

    /// `NAME=VALUE`, the name non-empty.
    pub fn split_pair(text: &str) -> Result<(String, String), String> {
        match text.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
            _ => Err(format!("{text:?}: write NAME=VALUE")),
        }
    }

    /// The assessment a feedback or expectation is, given by a person (`None` for tags).
    pub fn to_assessment(&self, id: String, reviewer: &str) -> Option<crate::model::Assessment> {
        let (kind, name, value, rationale, span_id) = match self {
            Annotation::Feedback {
                name,
                value,
                rationale,
                span_id,
            } => ("feedback", name, value, rationale.clone(), span_id),
            Annotation::Expectation {
                name,
                value,
                span_id,
            } => ("expectation", name, value, None, span_id),
            Annotation::SetTag { .. }
            | Annotation::DeleteTag { .. }
            | Annotation::Delete { .. } => return None,
        };
        Some(crate::model::Assessment {
            id,
            name: name.clone(),
            kind: kind.into(),
            value: Some(value.clone()),
            source_type: Some("HUMAN".into()),
            source_id: Some(reviewer.to_string()),
            rationale,
            span_id: span_id.clone(),
            ..Default::default()
        })
    }

    /// What it is, for the screen: `feedback correctness = true`.
    pub fn describe(&self) -> String {
        let on = |span: &Option<String>| {
            span.as_deref()
                .map(|s| format!(" on span {s}"))
                .unwrap_or_default()
        };
        match self {
            Annotation::Feedback {
                name,
                value,
                span_id,
                ..
            } => format!("feedback {name} = {value}{}", on(span_id)),
            Annotation::Expectation {
                name,
                value,
                span_id,
            } => format!("expectation {name} = {value}{}", on(span_id)),
            Annotation::SetTag { key, value } => format!("tag {key} = {value:?}"),
            Annotation::DeleteTag { key } => format!("tag {key} deleted"),
            Annotation::Delete { what, span_id } => format!("delete {what}{}", on(span_id)),
        }
    }
}

/// Called when a source has something new.
pub type Notify = Arc<dyn Fn() + Send + Sync>;

/// A source whose IO blocks (files, sqlite). [`Blocking`] runs it off the async threads.
pub trait LocalStore: Send + Sync + 'static {
    fn describe(&self) -> String;
    fn experiments(&self) -> Result<Vec<Experiment>, SourceError>;
    fn list(&self, query: &ListQuery) -> Result<TracePage, SourceError>;
    fn get(&self, trace_id: &str) -> Result<Arc<Trace>, SourceError>;
    fn watch_target(&self) -> Option<watch::WatchTarget> {
        None
    }
    fn notify(&self, _f: Option<Notify>) -> bool {
        false
    }
    fn empty_hint(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Adapts a [`LocalStore`] to the async [`Source`] trait with `spawn_blocking`.
pub struct Blocking<S>(pub Arc<S>);

async fn off_thread<S, T, F>(store: &Arc<S>, f: F) -> Result<T, SourceError>
where
    S: LocalStore,
    T: Send + 'static,
    F: FnOnce(&S) -> Result<T, SourceError> + Send + 'static,
{
    let s = Arc::clone(store);
    tokio::task::spawn_blocking(move || f(&s))
        .await
        .map_err(|e| SourceError::Other(format!("reading the source failed: {e}")))?
}

#[async_trait]
impl<S: LocalStore> Source for Blocking<S> {
    fn describe(&self) -> String {
        self.0.describe()
    }
    async fn experiments(&self) -> Result<Vec<Experiment>, SourceError> {
        off_thread(&self.0, |s| s.experiments()).await
    }
    async fn list(&self, query: ListQuery) -> Result<TracePage, SourceError> {
        off_thread(&self.0, move |s| s.list(&query)).await
    }
    async fn get(&self, trace_id: &str) -> Result<Arc<Trace>, SourceError> {
        let id = trace_id.to_string();
        off_thread(&self.0, move |s| s.get(&id)).await
    }
    fn watch_target(&self) -> Option<watch::WatchTarget> {
        self.0.watch_target()
    }
    fn notify(&self, f: Option<Notify>) -> bool {
        self.0.notify(f)
    }
    fn empty_hint(&self) -> Vec<String> {
        self.0.empty_hint()
    }
}

/// A local listing with a filter: parsed and checked as the matching MLflow store would, then
/// evaluated over every trace of the selected experiments (spans are loaded only when the
/// filter needs them), newest first, then paged. `None` when the query has no filter.
pub fn filtered_page<S: LocalStore + ?Sized>(
    store: &S,
    query: &ListQuery,
    kind: crate::model::filter::Store,
) -> Result<Option<TracePage>, SourceError> {
    let Some(text) = query.filter.as_deref().filter(|f| !f.trim().is_empty()) else {
        return Ok(None);
    };
    let bad = |e: crate::model::filter::FilterError| SourceError::Other(format!("filter: {e}"));
    let filter = crate::model::filter::parse(text).map_err(bad)?;
    filter.check(kind).map_err(bad)?;
    let key = FilteredKey {
        store: store.describe(),
        filter: text.to_string(),
        experiment_ids: query.experiment_ids.clone(),
        since_ms: query.since_ms,
    };
    // a later page of the same listing: the matches found for its first page
    if query.page_token.is_some()
        && let Ok(last) = LAST_FILTERED.lock()
        && let Some(hit) = last.as_ref().filter(|l| l.key == key)
    {
        let mut page = page_of(hit.traces.clone(), query)?;
        page.warnings = hit.warnings.clone();
        return Ok(Some(page));
    }
    let all = store.list(&ListQuery {
        experiment_ids: query.experiment_ids.clone(),
        max_results: 0,
        page_token: None,
        filter: None,
        since_ms: query.since_ms,
        order: Order::default(),
    })?;
    let mut kept = Vec::new();
    for info in all.traces {
        let ok = if filter.needs_spans() {
            let t = store.get(&info.trace_id)?;
            filter.matches(&info, Some(t.spans()))
        } else {
            filter.matches(&info, None)
        };
        if ok {
            kept.push(info);
        }
    }
    let mut page = page_of(kept.clone(), query)?;
    page.warnings = all.warnings.clone();
    if let Ok(mut last) = LAST_FILTERED.lock() {
        *last = Some(Filtered {
            key,
            traces: kept,
            warnings: all.warnings,
        });
    }
    Ok(Some(page))
}

/// What a filtered listing of a local store was asked.
#[derive(PartialEq)]
struct FilteredKey {
    store: String,
    filter: String,
    experiment_ids: Vec<String>,
    since_ms: Option<i64>,
}

/// The matches of the last filtered listing of a local store, kept for its later pages: a
/// filter on spans reads every trace, which a page after the first must not do again (40
/// pages of a 20,000-trace folder read it 40 times), and the pages of one listing then come
/// from one reading, without repeats or holes when traces arrive in between. A first page
/// (no page token) always reads the store afresh.
struct Filtered {
    key: FilteredKey,
    traces: Vec<TraceInfo>,
    warnings: Vec<String>,
}

static LAST_FILTERED: std::sync::Mutex<Option<Filtered>> = std::sync::Mutex::new(None);

/// A local listing in an order the store does not keep itself: everything, sorted, then paged.
/// `None` when the query asks for the store's own order (newest first).
pub fn ordered_page<S: LocalStore + ?Sized>(
    store: &S,
    query: &ListQuery,
) -> Result<Option<TracePage>, SourceError> {
    if query.order.is_default() {
        return Ok(None);
    }
    let all = store.list(&ListQuery {
        max_results: 0,
        page_token: None,
        order: Order::default(),
        ..query.clone()
    })?;
    let mut page = page_of(all.traces, query)?;
    page.warnings = all.warnings;
    Ok(Some(page))
}

/// Sorts newest first (ties by id, as MLflow does) and cuts one page at an offset token.
/// The stores apply `since_ms` themselves, before cloning what they list.
pub fn page_of(mut infos: Vec<TraceInfo>, query: &ListQuery) -> Result<TracePage, SourceError> {
    sort_infos(&mut infos, query.order);
    let offset = parse_offset_token(query.page_token.as_deref())?;
    let max = if query.max_results == 0 {
        usize::MAX
    } else {
        query.max_results
    };
    let total = infos.len();
    let traces: Vec<TraceInfo> = infos.into_iter().skip(offset).take(max).collect();
    let next = offset.saturating_add(traces.len());
    Ok(TracePage {
        next_page_token: (next < total).then(|| next.to_string()),
        traces,
        warnings: Vec::new(),
    })
}

pub fn sort_newest_first(infos: &mut [TraceInfo]) {
    infos.sort_by(|a, b| {
        b.request_time_ms
            .cmp(&a.request_time_ms)
            .then_with(|| a.trace_id.cmp(&b.trace_id))
    });
}

/// Local sources page by offset; the token is the offset as text.
pub fn parse_offset_token(token: Option<&str>) -> Result<usize, SourceError> {
    match token {
        None | Some("") => Ok(0),
        Some(t) => t
            .parse()
            .map_err(|_| SourceError::Other(format!("bad page token {t:?}"))),
    }
}

/// Keeps the experiments a query asked for (all when it names none).
pub fn wanted(query: &ListQuery, experiment_id: Option<&str>) -> bool {
    query.experiment_ids.is_empty()
        || experiment_id.is_some_and(|e| query.experiment_ids.iter().any(|q| q == e))
}

/// Resolves `--experiment NAME|ID` selectors against a source's experiments: an exact id, else
/// an exact name. With no selectors: `MLFLOW_EXPERIMENT_NAME` / `MLFLOW_EXPERIMENT_ID` if set,
/// else every experiment (an empty list).
pub async fn resolve_experiments(
    source: &dyn Source,
    selectors: &[String],
) -> Result<Vec<String>, SourceError> {
    let mut selectors = selectors.to_vec();
    if selectors.is_empty() {
        if let Ok(name) = std::env::var("MLFLOW_EXPERIMENT_NAME") {
            selectors.push(name);
        } else if let Ok(id) = std::env::var("MLFLOW_EXPERIMENT_ID") {
            selectors.push(id);
        }
    }
    if selectors.is_empty() {
        return Ok(Vec::new());
    }
    let known = source.experiments().await?;
    let mut ids = Vec::new();
    for sel in &selectors {
        let hit = known
            .iter()
            .find(|e| &e.id == sel)
            .or_else(|| known.iter().find(|e| &e.name == sel));
        match hit {
            Some(e) => ids.push(e.id.clone()),
            None => {
                let names: Vec<String> = known
                    .iter()
                    .filter(|e| e.active)
                    .map(|e| format!("{} ({})", e.name, e.id))
                    .collect();
                return Err(SourceError::NotFound(format!(
                    "no experiment named or numbered {sel:?} in {}; it has: {}",
                    source.describe(),
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                )));
            }
        }
    }
    Ok(ids)
}

/// What kind of source an argument names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceKind {
    Http(String),
    Sqlite(PathBuf),
    Mlruns(PathBuf),
    Json(PathBuf),
    /// `otlp://HOST:PORT`: receive OTLP/HTTP there.
    Otlp(String),
    /// `databricks`, `databricks://PROFILE`: a Databricks workspace's MLflow.
    Databricks(String),
    /// `postgresql://…`: MLflow's SQL store in PostgreSQL, read directly.
    Postgres(String),
    /// `mysql://…`: MLflow's SQL store in MySQL or MariaDB, read directly.
    Mysql(String),
}

fn is_sqlite_file(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .map(|_| &head == b"SQLite format 3\0")
        .unwrap_or(false)
}

/// Does the folder hold trace JSON files, at any depth (`exports/2026-11-21/*.json`)? Hidden
/// folders are skipped, as the JSON store skips them; the walk stops at the first file found
/// and after a bounded number of folders.
fn has_json_files(dir: &Path) -> bool {
    let mut stack = vec![dir.to_path_buf()];
    let mut seen = 0;
    while let Some(d) = stack.pop() {
        seen += 1;
        if seen > 10_000 {
            return false;
        }
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() && json::is_trace_file_name(&e.path()) => return true,
                _ => {}
            }
        }
    }
    false
}

/// Works out what a SOURCE argument is, from what it is: a `.db` path or `sqlite:///` URI, a
/// `file://` URI, a folder holding an `mlflow.db` or an `mlruns` file store, or JSON files.
pub fn detect(arg: &str) -> Result<SourceKind, SourceError> {
    let lower = arg.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Ok(SourceKind::Http(arg.to_string()));
    }
    if lower.starts_with("otlp://") {
        let addr = arg["otlp://".len()..].trim_end_matches('/');
        return Ok(SourceKind::Otlp(if addr.is_empty() {
            otlp::DEFAULT_ADDR.to_string()
        } else {
            addr.to_string()
        }));
    }
    if let Some(rest) = arg.strip_prefix("sqlite://") {
        // sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy reads them
        let path = rest.strip_prefix('/').unwrap_or(rest);
        let path = path.split('?').next().unwrap_or(path);
        if path.is_empty() {
            return Err(SourceError::Other(format!("{arg}: no database path")));
        }
        return Ok(SourceKind::Sqlite(PathBuf::from(path)));
    }
    if lower == "databricks" || lower.starts_with("databricks:") {
        return Ok(SourceKind::Databricks(arg.to_string()));
    }
    if postgres::is_uri(arg) {
        return Ok(SourceKind::Postgres(arg.to_string()));
    }
    if mysql::is_uri(arg) {
        return Ok(SourceKind::Mysql(arg.to_string()));
    }
    if sql::has_scheme(arg, &["mssql"]) {
        return Err(SourceError::Other(format!(
            "{}: mlflow-tui reads sqlite, PostgreSQL and MySQL stores directly, not SQL Server yet; run `mlflow server` on it and open the server's URL",
            redact_url(arg)
        )));
    }
    let path = match arg.strip_prefix("file://") {
        Some(p) => PathBuf::from(artifacts::percent_decode(p)),
        None => PathBuf::from(arg),
    };
    let meta = std::fs::metadata(&path).map_err(|e| SourceError::bad_file(&path, io_reason(&e)))?;
    if meta.is_file() {
        if is_sqlite_file(&path) {
            return Ok(SourceKind::Sqlite(path));
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        if matches!(ext.as_str(), "db" | "sqlite" | "sqlite3") {
            return Ok(SourceKind::Sqlite(path));
        }
        return Ok(SourceKind::Json(path));
    }
    let db = path.join("mlflow.db");
    if db.is_file() {
        return Ok(SourceKind::Sqlite(db));
    }
    if mlruns::is_file_store(&path) {
        return Ok(SourceKind::Mlruns(path));
    }
    let nested = path.join("mlruns");
    if mlruns::is_file_store(&nested) {
        return Ok(SourceKind::Mlruns(nested));
    }
    if has_json_files(&path) {
        return Ok(SourceKind::Json(path));
    }
    Err(SourceError::bad_file(
        &path,
        "neither an mlflow.db, an mlruns file store (experiment folders with meta.yaml) nor a folder of trace JSON files",
    ))
}

/// The default source, as the MLflow client picks it: `$MLFLOW_TRACKING_URI`, else
/// `./mlflow.db`, else `./mlruns`.
pub fn default_source_arg() -> Result<String, SourceError> {
    if let Ok(uri) = std::env::var("MLFLOW_TRACKING_URI")
        && !uri.trim().is_empty()
    {
        return Ok(uri);
    }
    if Path::new("mlflow.db").is_file() {
        return Ok("mlflow.db".into());
    }
    if mlruns::is_file_store(Path::new("mlruns")) {
        return Ok("mlruns".into());
    }
    Err(SourceError::Other(
        "no source given: pass a path or URI, or set MLFLOW_TRACKING_URI (found no ./mlflow.db or ./mlruns here)".into(),
    ))
}

/// Opens a source from a SOURCE argument (or the default when `None`).
pub fn open(arg: Option<&str>) -> Result<Arc<dyn Source>, SourceError> {
    let arg = match arg {
        Some(a) => a.to_string(),
        None => default_source_arg()?,
    };
    Ok(match detect(&arg)? {
        SourceKind::Http(url) => Arc::new(http::HttpSource::new(&url)?),
        SourceKind::Sqlite(p) => Arc::new(Blocking(Arc::new(sqlite::SqliteStore::open(&p)?))),
        SourceKind::Mlruns(p) => Arc::new(Blocking(Arc::new(mlruns::FileStore::open(&p)?))),
        SourceKind::Json(p) => Arc::new(Blocking(Arc::new(json::JsonStore::open(&p)?))),
        SourceKind::Otlp(addr) => listen(&addr, None)?,
        SourceKind::Postgres(uri) => {
            Arc::new(Blocking(Arc::new(postgres::PostgresStore::open(&uri)?)))
        }
        SourceKind::Mysql(uri) => Arc::new(Blocking(Arc::new(mysql::MysqlStore::open(&uri)?))),
        SourceKind::Databricks(uri) => {
            let t = databricks::resolve(&uri)?;
            Arc::new(http::HttpSource::new(&t.host)?.with_bearer(t.token))
        }
    })
}

/// Starts an OTLP/HTTP receiver on `addr` (`HOST:PORT`), saving finished traces to `save`.
pub fn listen(addr: &str, save: Option<PathBuf>) -> Result<Arc<dyn Source>, SourceError> {
    Ok(Arc::new(Blocking(Arc::new(otlp::OtlpStore::start(
        addr,
        save,
        otlp::MAX_TRACES,
    )?))))
}

/// A URL without user info, query or fragment, safe to print.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s, r),
        None => return url.split(['?', '#']).next().unwrap_or("").to_string(),
    };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let rest = match rest.split_once('/') {
        Some((auth, path)) => format!("{}/{}", auth.rsplit('@').next().unwrap_or(auth), path),
        None => rest.rsplit('@').next().unwrap_or(rest).to_string(),
    };
    format!("{scheme}://{rest}")
}

/// Removes `user:password@` from every URL inside a text (error messages quote URLs).
pub fn redact_in_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
            .unwrap_or(tail.len());
        let authority = &tail[..end];
        out.push_str(authority.rsplit('@').next().unwrap_or(authority));
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// A short reason for an IO error, without Rust's `(os error 2)` noise.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials() {
        assert_eq!(
            redact_url("https://bob:s3cret@host:5000/prefix?token=x"),
            "https://host:5000/prefix"
        );
        assert_eq!(
            redact_url("postgresql://u:p@db/mlflow"),
            "postgresql://db/mlflow"
        );
    }

    #[test]
    fn redacts_urls_inside_text() {
        assert_eq!(
            redact_in_text("error sending request for url (http://u:pw@h:5000/api?x=1): refused"),
            "error sending request for url (http://h:5000/api?x=1): refused"
        );
        assert_eq!(redact_in_text("no url here"), "no url here");
    }

    #[test]
    fn detects_uris() {
        assert_eq!(
            detect("sqlite:///some/rel.db").unwrap(),
            SourceKind::Sqlite("some/rel.db".into())
        );
        assert_eq!(
            detect("sqlite:////abs/x.db").unwrap(),
            SourceKind::Sqlite("/abs/x.db".into())
        );
        assert_eq!(
            detect("postgresql+psycopg2://u:pw@db/x").unwrap(),
            SourceKind::Postgres("postgresql+psycopg2://u:pw@db/x".into())
        );
        assert_eq!(
            detect("mysql+pymysql://u:pw@db/x").unwrap(),
            SourceKind::Mysql("mysql+pymysql://u:pw@db/x".into())
        );
        let e = detect("mssql://u:pw@db/x").unwrap_err().to_string();
        assert!(!e.contains("pw") && e.contains("mlflow server"), "{e}");
        let e = detect("/definitely/not/here").unwrap_err().to_string();
        assert!(e.contains("/definitely/not/here: no such file"), "{e}");
    }

    #[test]
    fn a_folder_of_dated_folders_of_json_is_a_json_source() {
        let dir = tempfile::tempdir().unwrap();
        let day = dir.path().join("exports/2026-11-21");
        std::fs::create_dir_all(&day).unwrap();
        std::fs::write(day.join("t.json"), "{}").unwrap();
        assert_eq!(
            detect(dir.path().join("exports").to_str().unwrap()).unwrap(),
            SourceKind::Json(dir.path().join("exports"))
        );
    }

    #[test]
    fn pages_by_offset() {
        let infos: Vec<TraceInfo> = (0..5)
            .map(|i| TraceInfo {
                trace_id: format!("t{i}"),
                request_time_ms: i,
                ..Default::default()
            })
            .collect();
        let q = ListQuery {
            max_results: 2,
            ..Default::default()
        };
        let p = page_of(infos.clone(), &q).unwrap();
        assert_eq!(p.traces[0].trace_id, "t4");
        assert_eq!(p.next_page_token.as_deref(), Some("2"));
        let q2 = ListQuery {
            page_token: Some("4".into()),
            ..q
        };
        let p2 = page_of(infos, &q2).unwrap();
        assert_eq!(p2.traces.len(), 1);
        assert_eq!(p2.next_page_token, None);
    }
}
