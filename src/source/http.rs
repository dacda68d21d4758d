//! An MLflow tracking server over REST: v3 search (`POST /api/3.0/mlflow/traces/search`) with a
//! fallback to v2 (`GET /api/2.0/mlflow/traces`) decided by the server's answers (404/501), not
//! by version numbers; spans from `get-trace-artifact` (2.14+ and every 3.x store), or from
//! `traces/get?allow_partial=true` for traces still in progress. One shared client, timeouts,
//! gzip, retries with backoff for idempotent calls. Credentials never appear in messages.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{
    Annotation, Experiment, ListQuery, Source, SourceError, TracePage, Written, redact_url,
};
use crate::model::parse::{
    SpanList, info_from_spans, parse_info, parse_spans_doc, parse_spans_streamed,
};
use crate::model::review::{self, Plan};
use crate::model::{Trace, TraceInfo};

/// Responses bigger than this are refused (a list page, an info).
const SMALL_LIMIT: usize = 64 * 1024 * 1024;
/// Span documents can be big (a 30k-span trace is ~150 MB); bigger than this is refused.
const SPANS_LIMIT: usize = 1024 * 1024 * 1024;
const ATTEMPTS: u32 = 3;
/// How long the list of experiments is reused.
const EXPERIMENTS_TTL: Duration = Duration::from_secs(10);
pub const MAX_PAGE: usize = 500;

#[derive(Clone)]
enum Auth {
    Basic(String, String),
    Bearer(String),
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::Basic(u, _) => write!(f, "Basic({u}, ***)"),
            Auth::Bearer(_) => f.write_str("Bearer(***)"),
        }
    }
}

const API_UNKNOWN: u8 = 0;
const API_V3: u8 = 3;
const API_V2: u8 = 2;

pub struct HttpSource {
    /// scheme://host[:port][/prefix], without credentials, query or trailing slash
    base: String,
    client: reqwest::Client,
    auth: Option<Auth>,
    api: AtomicU8,
    /// The experiments, and when they were asked for: reused for `EXPERIMENTS_TTL` (a live
    /// tail over "all experiments" picks up an experiment created meanwhile).
    experiments: Mutex<Option<(std::time::Instant, Vec<Experiment>)>>,
    /// A body that trickles in slower than `MIN_BYTES_PER_WINDOW` per this long is given up on
    /// (a server dripping a byte a second would otherwise hold a request for many minutes).
    drip_window: Duration,
    /// `MLFLOW_WORKSPACE`: the workspace of a server that has them (sent with every request as
    /// `X-MLFLOW-WORKSPACE`, as MLflow's client does).
    workspace: Option<String>,
}

/// See [`HttpSource::drip_window`].
const MIN_BYTES_PER_WINDOW: usize = 4096;

/// Follows a redirect only to the same scheme, host and port: credentials never go to another
/// host, and an API answer from somewhere else would not be MLflow's anyway.
fn same_host_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let Some(first) = attempt.previous().first() else {
            return attempt.follow();
        };
        let to = attempt.url();
        let same = to.scheme() == first.scheme()
            && to.host_str() == first.host_str()
            && to.port_or_known_default() == first.port_or_known_default();
        if attempt.previous().len() > 5 {
            attempt.error("more than 5 redirects")
        } else if same {
            attempt.follow()
        } else {
            let target = format!("{}://{}", to.scheme(), to.host_str().unwrap_or("?"));
            attempt.error(format!(
                "the server redirected to another host ({target}); not followed, so credentials stay with this server"
            ))
        }
    })
}

/// Why a call failed, before it becomes a [`SourceError`].
enum CallError {
    /// The route does not exist on this server (an older version).
    Missing,
    Source(SourceError),
}

impl From<SourceError> for CallError {
    fn from(e: SourceError) -> Self {
        CallError::Source(e)
    }
}

fn install_crypto() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// `~/.mlflow/credentials`, section `[mlflow]`, as the MLflow client reads it.
fn credentials_file() -> Option<(String, String)> {
    let home = std::env::var_os("HOME")?;
    let text =
        std::fs::read_to_string(std::path::Path::new(&home).join(".mlflow/credentials")).ok()?;
    let mut in_section = false;
    let (mut user, mut pass) = (None, None);
    for line in text.lines() {
        let l = line.trim();
        if l.starts_with('[') {
            in_section = l == "[mlflow]";
            continue;
        }
        if !in_section {
            continue;
        }
        if let Some((k, v)) = l.split_once('=') {
            match k.trim() {
                "mlflow_tracking_username" => user = Some(v.trim().to_string()),
                "mlflow_tracking_password" => pass = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    Some((user?, pass?))
}

/// The config's `[headers]`, marked sensitive (never in debug output).
fn extra_headers() -> Result<reqwest::header::HeaderMap, SourceError> {
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    let mut map = HeaderMap::new();
    let config = crate::config::load().map_err(|e| SourceError::Other(e.to_string()))?;
    for (name, value) in &config.headers {
        let n = HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| {
            SourceError::Other(format!(
                "config [headers]: {:?} is not a header name",
                crate::text::sanitize_line(name)
            ))
        })?;
        let mut v = HeaderValue::from_str(value.trim()).map_err(|_| {
            SourceError::Other(format!(
                "config [headers]: the value of {n} is not a header value (printable ASCII)"
            ))
        })?;
        v.set_sensitive(true);
        map.insert(n, v);
    }
    Ok(map)
}

fn env_nonempty(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.is_empty())
}

impl HttpSource {
    pub fn new(url: &str) -> Result<Self, SourceError> {
        Self::with_read_timeout(url, Duration::from_secs(8))
    }

    /// As [`HttpSource::new`], with how long a silent server is waited on (tests shorten it).
    pub fn with_read_timeout(url: &str, read_timeout: Duration) -> Result<Self, SourceError> {
        install_crypto();
        let trimmed = url.trim().trim_end_matches('/');
        let parsed = reqwest::Url::parse(trimmed).map_err(|e| {
            SourceError::Other(format!("{}: not a valid URL ({e})", redact_url(trimmed)))
        })?;
        let mut auth = match (
            env_nonempty("MLFLOW_TRACKING_USERNAME"),
            env_nonempty("MLFLOW_TRACKING_PASSWORD"),
        ) {
            (Some(u), Some(p)) => Some(Auth::Basic(u, p)),
            _ => env_nonempty("MLFLOW_TRACKING_TOKEN").map(Auth::Bearer),
        };
        if auth.is_none() && !parsed.username().is_empty() {
            auth = Some(Auth::Basic(
                parsed.username().to_string(),
                parsed.password().unwrap_or_default().to_string(),
            ));
        }
        if auth.is_none() {
            auth = credentials_file().map(|(u, p)| Auth::Basic(u, p));
        }
        let base = redact_url(trimmed).trim_end_matches('/').to_string();
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .read_timeout(read_timeout)
            .timeout(Duration::from_secs(600))
            .redirect(same_host_redirects())
            .user_agent(concat!("mlflow-tui/", env!("CARGO_PKG_VERSION")));
        if env_nonempty("MLFLOW_TRACKING_INSECURE_TLS")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if let Some(path) = env_nonempty("MLFLOW_TRACKING_SERVER_CERT_PATH") {
            let pem = std::fs::read(&path).map_err(|e| {
                SourceError::Other(format!(
                    "MLFLOW_TRACKING_SERVER_CERT_PATH {path}: {}",
                    super::io_reason(&e)
                ))
            })?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                SourceError::Other(format!(
                    "MLFLOW_TRACKING_SERVER_CERT_PATH {path}: not PEM certificates ({e})"
                ))
            })?;
            for c in certs {
                builder = builder.add_root_certificate(c);
            }
        }
        if let Some(path) = env_nonempty("MLFLOW_TRACKING_CLIENT_CERT_PATH") {
            // as MLflow's client passes it to requests: one PEM with the certificate (chain)
            // and its private key
            let pem = std::fs::read(&path).map_err(|e| {
                SourceError::Other(format!(
                    "MLFLOW_TRACKING_CLIENT_CERT_PATH {path}: {}",
                    super::io_reason(&e)
                ))
            })?;
            let has_key = pem
                .windows(b"PRIVATE KEY-----".len())
                .any(|w| w == b"PRIVATE KEY-----");
            if !has_key {
                return Err(SourceError::Other(format!(
                    "MLFLOW_TRACKING_CLIENT_CERT_PATH {path}: no private key in it (one PEM file with the certificate and its key)"
                )));
            }
            let id = reqwest::Identity::from_pem(&pem).map_err(|e| {
                SourceError::Other(format!(
                    "MLFLOW_TRACKING_CLIENT_CERT_PATH {path}: not a PEM certificate and key ({e})"
                ))
            })?;
            builder = builder.identity(id);
        }
        let mut headers = extra_headers()?;
        let workspace = env_nonempty("MLFLOW_WORKSPACE").map(|w| w.trim().to_string());
        if let Some(w) = &workspace {
            let v = reqwest::header::HeaderValue::from_str(w).map_err(|_| {
                SourceError::Other(format!(
                    "MLFLOW_WORKSPACE {:?}: not a workspace name",
                    crate::text::sanitize_line(w)
                ))
            })?;
            headers.insert("x-mlflow-workspace", v);
        }
        if !headers.is_empty() {
            builder = builder.default_headers(headers);
        }
        let client = builder
            .build()
            .map_err(|e| SourceError::Other(format!("cannot set up the HTTP client: {e}")))?;
        Ok(HttpSource {
            base,
            client,
            auth,
            api: AtomicU8::new(API_UNKNOWN),
            experiments: Mutex::new(None),
            drip_window: Duration::from_secs(10),
            workspace,
        })
    }

    /// Authenticates with this bearer token (a Databricks personal access token), whatever the
    /// environment says.
    pub fn with_bearer(mut self, token: String) -> Self {
        self.auth = Some(Auth::Bearer(token));
        self
    }

    /// Sets how long a body may trickle in at under 4 KB before it is given up on (tests
    /// shorten it).
    pub fn with_drip_window(mut self, window: Duration) -> Self {
        self.drip_window = window;
        self
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// One call with retries for connection failures, timeouts and 502/503/504. Returns the
    /// body of a 2xx answer, also given to `tap` as it arrives.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
        limit: usize,
        mut tap: Option<&mut SpansAsTheyArrive>,
    ) -> Result<Vec<u8>, CallError> {
        let url = self.url(path);
        let mut delay = Duration::from_millis(250);
        let mut last = None;
        for attempt in 1..=ATTEMPTS {
            let mut req = self.client.request(method.clone(), &url).query(query);
            if let Some(b) = body {
                req = req.json(b);
            }
            req = match &self.auth {
                Some(Auth::Basic(u, p)) => req.basic_auth(u, Some(p)),
                Some(Auth::Bearer(t)) => req.bearer_auth(t),
                None => req,
            };
            let mut wait = delay;
            match self.once(req, &url, limit, tap.as_deref_mut()).await {
                Ok(b) => return Ok(b),
                Err(Retry::No(e)) => return Err(e),
                Err(Retry::Yes(e)) => last = Some(e),
                Err(Retry::After(e, after)) if after > MAX_RETRY_AFTER => {
                    return Err(CallError::Source(SourceError::Network(format!(
                        "{e}; the server asks to come back in {} s (Retry-After)",
                        after.as_secs()
                    ))));
                }
                Err(Retry::After(e, after)) => {
                    last = Some(e);
                    wait = after;
                }
            }
            if attempt < ATTEMPTS {
                tokio::time::sleep(wait).await;
                delay *= 3;
            }
        }
        Err(CallError::Source(last.unwrap_or_else(|| {
            SourceError::Other(format!("{url}: failed"))
        })))
    }

    async fn once(
        &self,
        req: reqwest::RequestBuilder,
        url: &str,
        limit: usize,
        mut tap: Option<&mut SpansAsTheyArrive>,
    ) -> Result<Vec<u8>, Retry> {
        let mut resp = req.send().await.map_err(|e| {
            let err = network_error(url, &e);
            // a redirect refused, or a server that wants a client certificate: asking again
            // gets the same answer
            if e.is_redirect() || err.to_string().contains(CERT_REQUIRED) {
                Retry::No(CallError::Source(err))
            } else {
                Retry::Yes(err)
            }
        })?;
        let status = resp.status();
        let asked_wait = retry_after(resp.headers());
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if let Some(len) = resp.content_length()
            && len as usize > limit
        {
            return Err(Retry::No(CallError::Source(SourceError::Other(format!(
                "{url}: the answer is {} MB, more than the {} MB this reads",
                len / 1_048_576,
                limit / 1_048_576
            )))));
        }
        // sized once from the announced length (a 20k-span artifact is 12 MB: no regrowth)
        let mut body = Vec::with_capacity(resp.content_length().map_or(0, |l| l as usize));
        if !status.is_success() {
            tap = None;
        }
        if let Some(t) = tap.as_deref_mut() {
            t.start(resp.content_length());
        }
        let mut window = (tokio::time::Instant::now(), 0usize);
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    window.1 += c.len();
                    if window.0.elapsed() >= self.drip_window {
                        if window.1 < MIN_BYTES_PER_WINDOW {
                            return Err(Retry::No(CallError::Source(SourceError::Network(
                                format!(
                                    "{url}: the server sends too slowly ({} bytes in {} s); gave up",
                                    window.1,
                                    self.drip_window.as_secs()
                                ),
                            ))));
                        }
                        window = (tokio::time::Instant::now(), 0);
                    }
                    if body.len() + c.len() > limit {
                        return Err(Retry::No(CallError::Source(SourceError::Other(format!(
                            "{url}: the answer is more than the {} MB this reads",
                            limit / 1_048_576
                        )))));
                    }
                    body.extend_from_slice(&c);
                    if let Some(t) = tap.as_deref_mut() {
                        t.chunk(c);
                    }
                }
                Ok(None) => break,
                Err(e) => return Err(Retry::Yes(network_error(url, &e))),
            }
        }
        if status.is_success() {
            return Ok(body);
        }
        let err = status_error(url, status, &content_type, &body);
        match status {
            // the server says when: honoured (429 is the one 4xx tried again, as it asks to be)
            StatusCode::TOO_MANY_REQUESTS
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
                if asked_wait.is_some() =>
            {
                Err(Retry::After(err, asked_wait.unwrap_or_default()))
            }
            StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT => Err(Retry::Yes(err)),
            StatusCode::NOT_FOUND
            | StatusCode::NOT_IMPLEMENTED
            | StatusCode::METHOD_NOT_ALLOWED
                if route_missing(&content_type, &body) =>
            {
                Err(Retry::No(CallError::Missing))
            }
            _ => Err(Retry::No(CallError::Source(err))),
        }
    }

    /// Who writes: the tracking user name (`MLFLOW_TRACKING_USERNAME`), else the login.
    fn reviewer(&self) -> String {
        match &self.auth {
            Some(Auth::Basic(u, _)) if !u.is_empty() => u.clone(),
            _ => std::env::var("USER")
                .ok()
                .filter(|u| !u.is_empty())
                .unwrap_or_else(|| "mlflow-tui".into()),
        }
    }

    /// A write: one attempt, the server's JSON answer.
    async fn write(&self, method: Method, path: &str, body: &Value) -> Result<Value, SourceError> {
        let url = self.url(path);
        let mut req = self.client.request(method, &url).json(body);
        req = match &self.auth {
            Some(Auth::Basic(u, p)) => req.basic_auth(u, Some(p)),
            Some(Auth::Bearer(t)) => req.bearer_auth(t),
            None => req,
        };
        let bytes = match self.once(req, &url, SMALL_LIMIT, None).await {
            Ok(b) => b,
            Err(Retry::Yes(e)) | Err(Retry::After(e, _)) | Err(Retry::No(CallError::Source(e))) => {
                return Err(e);
            }
            Err(Retry::No(CallError::Missing)) => {
                return Err(SourceError::Other(format!(
                    "{}: this server has no such route (MLflow 3 writes assessments)",
                    super::redact_url(&url)
                )));
            }
        };
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            SourceError::Other(format!(
                "{}: the server did not answer JSON ({e})",
                super::redact_url(&url)
            ))
        })
    }

    async fn json(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, CallError> {
        let bytes = self
            .call(method, path, query, body, SMALL_LIMIT, None)
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| {
            CallError::Source(SourceError::Other(format!(
                "{}: the server did not answer JSON ({e})",
                self.url(path)
            )))
        })
    }

    async fn all_experiments(&self) -> Result<Vec<Experiment>, SourceError> {
        if let Some((_, e)) = self
            .experiments
            .lock()
            .ok()
            .and_then(|g| g.clone())
            .filter(|(at, _)| at.elapsed() < EXPERIMENTS_TTL)
        {
            return Ok(e);
        }
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut body = json!({"max_results": 1000, "view_type": "ACTIVE_ONLY"});
            if let Some(t) = &token {
                body["page_token"] = Value::String(t.clone());
            }
            let v = self
                .json(
                    Method::POST,
                    "/api/2.0/mlflow/experiments/search",
                    &[],
                    Some(&body),
                )
                .await
                .map_err(|e| self.missing_as(e, "/api/2.0/mlflow/experiments/search"))?;
            for e in v
                .get("experiments")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push(Experiment {
                    id: e
                        .get("experiment_id")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    name: e
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    active: e.get("lifecycle_stage").and_then(Value::as_str) != Some("deleted"),
                });
            }
            token = v
                .get("next_page_token")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(str::to_string);
            if token.is_none() {
                break;
            }
        }
        if let Ok(mut g) = self.experiments.lock() {
            *g = Some((std::time::Instant::now(), out.clone()));
        }
        Ok(out)
    }

    fn missing_as(&self, e: CallError, path: &str) -> SourceError {
        match e {
            CallError::Source(s) => s,
            CallError::Missing => SourceError::Other(format!(
                "{}: no such endpoint (is this an MLflow tracking server, and is the URL prefix right?)",
                self.url(path)
            )),
        }
    }

    async fn list_v3(&self, ids: &[String], q: &ListQuery) -> Result<TracePage, CallError> {
        let locations: Vec<Value> = ids
            .iter()
            .map(|id| json!({"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": id}}))
            .collect();
        let mut body = json!({
            "locations": locations,
            "max_results": q.max_results.clamp(1, MAX_PAGE),
            "order_by": [order_by(q)],
        });
        if let Some(t) = &q.page_token {
            body["page_token"] = Value::String(t.clone());
        }
        if let Some(f) = q.filter_with_since() {
            body["filter"] = Value::String(f);
        }
        let v = self
            .json(
                Method::POST,
                "/api/3.0/mlflow/traces/search",
                &[],
                Some(&body),
            )
            .await?;
        Ok(page_from(&v))
    }

    async fn list_v2(&self, ids: &[String], q: &ListQuery) -> Result<TracePage, CallError> {
        let mut query: Vec<(&str, String)> = ids
            .iter()
            .map(|id| ("experiment_ids", id.clone()))
            .collect();
        query.push(("max_results", q.max_results.clamp(1, MAX_PAGE).to_string()));
        query.push(("order_by", order_by(q)));
        if let Some(t) = &q.page_token {
            query.push(("page_token", t.clone()));
        }
        if let Some(f) = q.filter_with_since() {
            query.push(("filter", f));
        }
        let v = self
            .json(Method::GET, "/api/2.0/mlflow/traces", &query, None)
            .await?;
        Ok(page_from(&v))
    }

    async fn info(&self, id: &str) -> Result<Option<TraceInfo>, SourceError> {
        let seg = path_segment(id);
        if self.api.load(Ordering::Relaxed) != API_V2 {
            match self
                .info_at(
                    &format!("/api/3.0/mlflow/traces/{seg}"),
                    &["trace", "trace_info"],
                )
                .await
            {
                Err(CallError::Missing) => {}
                other => return Self::info_found(other),
            }
        }
        match self
            .info_at(
                &format!("/api/2.0/mlflow/traces/{seg}/info"),
                &["trace_info"],
            )
            .await
        {
            Err(CallError::Missing) => Ok(None),
            other => Self::info_found(other),
        }
    }

    /// The trace's assessments as the server has them now (a write is planned on them).
    async fn assessments(
        &self,
        trace_id: &str,
    ) -> Result<Vec<crate::model::Assessment>, SourceError> {
        match self.info(trace_id).await? {
            Some(info) => Ok(info.assessments),
            None => Err(SourceError::NotFound(format!(
                "no trace {} on {}",
                crate::text::sanitize_line(trace_id),
                self.base
            ))),
        }
    }

    /// One info endpoint: the answer's object under `keys` (or the answer itself), parsed.
    async fn info_at(&self, path: &str, keys: &[&str]) -> Result<TraceInfo, CallError> {
        let v = self.json(Method::GET, path, &[], None).await?;
        let info = keys.iter().try_fold(&v, |v, k| v.get(k)).unwrap_or(&v);
        parse_info(info)
            .map_err(|e| CallError::Source(SourceError::Other(format!("{}: {e}", self.url(path)))))
    }

    /// An info call's outcome: a trace the server does not have is `None`.
    fn info_found(r: Result<TraceInfo, CallError>) -> Result<Option<TraceInfo>, SourceError> {
        match r {
            Ok(i) => Ok(Some(i)),
            Err(CallError::Source(SourceError::NotFound(_))) | Err(CallError::Missing) => Ok(None),
            Err(CallError::Source(e)) => Err(e),
        }
    }

    /// Spans of a trace still being written: GetTrace with allow_partial (3.x SQL stores).
    /// The answer `{"trace": {"trace_info": …, "spans": […]}}` goes through the same span
    /// parser as every other span document (the inner object has a `spans` list).
    async fn partial(&self, id: &str) -> Result<Option<Trace>, SourceError> {
        const PATH: &str = "/api/3.0/mlflow/traces/get";
        let q = [
            ("trace_id", id.to_string()),
            ("allow_partial", "true".to_string()),
        ];
        let body = match self
            .call(Method::GET, PATH, &q, None, SPANS_LIMIT, None)
            .await
        {
            Ok(b) => b,
            Err(CallError::Missing) | Err(CallError::Source(SourceError::NotFound(_))) => {
                return Ok(None);
            }
            Err(CallError::Source(e)) => return Err(e),
        };
        #[derive(serde::Deserialize)]
        struct Answer<'a> {
            #[serde(borrow)]
            trace: &'a serde_json::value::RawValue,
        }
        #[derive(serde::Deserialize)]
        struct InfoOnly {
            trace_info: Option<Value>,
        }
        let bad =
            |e: &dyn std::fmt::Display| SourceError::Other(format!("{}: {e}", self.url(PATH)));
        let answer: Answer = serde_json::from_slice(&body).map_err(|e| bad(&e))?;
        let inner = answer.trace.get();
        let (spans, _, warnings) = parse_spans_doc(inner).map_err(|e| bad(&e))?;
        let info = match serde_json::from_str::<InfoOnly>(inner)
            .map(|i| i.trace_info.map(|v| parse_info(&v)))
        {
            Ok(Some(Ok(i))) => i,
            _ => info_from_spans(&spans, Some(id.to_string())),
        };
        let mut trace = Trace::new(info, spans);
        trace.warnings = warnings;
        Ok(Some(trace))
    }
}

/// A span artifact parsed as its bytes arrive ([`parse_spans_streamed`]): a large trace's
/// spans are parsed while the server is still sending them (MLflow's server sends a 20k-span
/// artifact over half a second), not after. The body is also kept whole, as for any answer:
/// when the parse as it arrives gives nothing (a document it cannot cut), the whole body is
/// parsed after, as it always was.
#[derive(Default)]
struct SpansAsTheyArrive {
    chunks: Option<std::sync::mpsc::Sender<bytes::Bytes>>,
    parsing: Option<tokio::task::JoinHandle<Option<SpanList>>>,
}

/// Bodies smaller than this are parsed after they arrive: there is little to overlap.
const PARSE_AS_IT_ARRIVES_FROM: u64 = 1 << 20;

impl SpansAsTheyArrive {
    /// A 2xx answer begins (again, after a failed attempt: what came before is dropped).
    fn start(&mut self, length: Option<u64>) {
        *self = SpansAsTheyArrive::default();
        if length.is_some_and(|l| l < PARSE_AS_IT_ARRIVES_FROM) {
            return;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        self.chunks = Some(tx);
        self.parsing = Some(tokio::task::spawn_blocking(move || {
            parse_spans_streamed(&mut ChunkReader::new(rx))
                .ok()
                .flatten()
        }));
    }

    fn chunk(&mut self, c: bytes::Bytes) {
        if let Some(tx) = &self.chunks
            && tx.send(c).is_err()
        {
            self.chunks = None;
        }
    }

    /// The whole body has arrived: its spans, if the parse as it arrived gave them.
    async fn finish(&mut self) -> Option<SpanList> {
        self.chunks = None;
        self.parsing.take()?.await.ok().flatten()
    }
}

/// The chunks of a body as they arrive, read as one stream (the end: the sender is gone).
struct ChunkReader {
    chunks: std::sync::mpsc::Receiver<bytes::Bytes>,
    current: bytes::Bytes,
}

impl ChunkReader {
    fn new(chunks: std::sync::mpsc::Receiver<bytes::Bytes>) -> Self {
        ChunkReader {
            chunks,
            current: bytes::Bytes::new(),
        }
    }
}

impl std::io::Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.chunks.recv() {
                Ok(c) => self.current = c,
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.current.len());
        out[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

enum Retry {
    Yes(SourceError),
    /// Again after the time the server asked for (`Retry-After`).
    After(SourceError, Duration),
    No(CallError),
}

/// The longest `Retry-After` waited for; a longer one is reported instead.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// A `Retry-After` header: seconds, or an HTTP date.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let wait = at.timestamp_millis() - chrono::Utc::now().timestamp_millis();
    Some(Duration::from_millis(wait.max(0) as u64))
}

fn path_segment(id: &str) -> String {
    // trace ids are `tr-<hex>` or hex; anything else is percent-encoded
    id.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// Reads a search answer (v2 or v3): the traces it holds and the next page token. Public for
/// the fuzz targets.
pub fn page_from(v: &Value) -> TracePage {
    let mut page = TracePage::default();
    for t in v
        .get("traces")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match parse_info(t) {
            Ok(i) => page.traces.push(i),
            Err(e) => page
                .warnings
                .push(format!("a trace in the answer was skipped: {e}")),
        }
    }
    page.next_page_token = v
        .get("next_page_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    page
}

/// A 404/405/501 that means "no such route" rather than "no such trace": Flask's HTML 404, or
/// MLflow's ENDPOINT_NOT_FOUND / NOT_IMPLEMENTED.
fn route_missing(content_type: &str, body: &[u8]) -> bool {
    if !content_type.contains("json") {
        return true;
    }
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    matches!(
        v.get("error_code").and_then(Value::as_str),
        Some("ENDPOINT_NOT_FOUND" | "NOT_IMPLEMENTED")
    )
}

/// The errors below this one, outermost first, as text.
fn causes(e: &reqwest::Error) -> impl Iterator<Item = String> + '_ {
    std::iter::successors(std::error::Error::source(e), |inner| inner.source())
        .map(|inner| inner.to_string())
}

/// The TLS alert of a server that requires a client certificate, as rustls names it.
const CERT_REQUIRED: &str = "CertificateRequired";

fn network_error(url: &str, e: &reqwest::Error) -> SourceError {
    let what = if e.is_connect() {
        "cannot connect (is the server running?)".to_string()
    } else if e.is_timeout() {
        "timed out waiting for the server".to_string()
    } else if e.is_body() || e.is_decode() {
        "the connection broke while reading the answer".to_string()
    } else if e.is_redirect() {
        // the policy's own reason is the innermost error
        causes(e)
            .last()
            .unwrap_or_else(|| "too many redirects".to_string())
    } else {
        std::iter::once(e.to_string())
            .chain(causes(e))
            .collect::<Vec<_>>()
            .join(": ")
    };
    let hint = if what.contains(CERT_REQUIRED) {
        " (the server asks for a client certificate: set MLFLOW_TRACKING_CLIENT_CERT_PATH to a PEM with the certificate and its key)"
    } else if url.starts_with("https://") && what.contains("connection was not ready") {
        // Under TLS 1.3 a server checks the client's certificate after the handshake: its
        // refusal can be an alert the client reads, or the connection closed before the
        // request goes out, which is all the client then knows
        " (the server closed the connection as soon as TLS was set up, as a server that requires a client certificate does under TLS 1.3; if it does, set MLFLOW_TRACKING_CLIENT_CERT_PATH to a PEM with the certificate and its key)"
    } else {
        ""
    };
    // reqwest's messages carry the URL; ours is already without credentials
    SourceError::Network(format!("{url}: {}{hint}", super::redact_in_text(&what)))
}

fn status_error(url: &str, status: StatusCode, content_type: &str, body: &[u8]) -> SourceError {
    let code = status.as_u16();
    if code == 403 && body.starts_with(b"Invalid Host header") {
        // MLflow 3's guard against DNS rebinding: the name the server was reached by is not
        // one it was told to answer to
        let host = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| {
                u.host_str().map(|h| {
                    format!(
                        "{h}{}",
                        u.port().map(|p| format!(":{p}")).unwrap_or_default()
                    )
                })
            })
            .unwrap_or_default();
        return SourceError::Auth(format!(
            "{url}: the server refuses the host name it was reached by ({host}): MLflow answers only to the names in its --allowed-hosts (default: localhost and private addresses); start it with --allowed-hosts {host} (or set MLFLOW_SERVER_ALLOWED_HOSTS), or open it by a name it allows"
        ));
    }
    if code == 401 || code == 403 {
        return SourceError::Auth(format!(
            "{url}: {} ({code}); set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN",
            if code == 401 {
                "authentication required or refused"
            } else {
                "permission denied"
            }
        ));
    }
    if content_type.contains("json")
        && let Ok(v) = serde_json::from_slice::<Value>(body)
    {
        let ecode = v.get("error_code").and_then(Value::as_str).unwrap_or("");
        let msg: String = v
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("")
            .chars()
            .take(300)
            .collect();
        if ecode == "RESOURCE_DOES_NOT_EXIST" || code == 404 {
            return SourceError::NotFound(format!("{url}: {msg}"));
        }
        return SourceError::Status {
            code,
            message: format!("{url}: {ecode} {msg}").trim().to_string(),
        };
    }
    if code >= 500 {
        return SourceError::Status {
            code,
            message: format!("{url}: the server failed (HTTP {code})"),
        };
    }
    let kind = if content_type.contains("html") {
        "an HTML page"
    } else {
        "a non-JSON answer"
    };
    SourceError::Status {
        code,
        message: format!(
            "{url}: HTTP {code} with {kind} (not the MLflow API? check the URL and its prefix)"
        ),
    }
}

/// The `order_by` MLflow is asked for: the list's sort where the server has it, else newest
/// first (the rest is sorted over the loaded rows).
fn order_by(q: &ListQuery) -> String {
    q.order
        .mlflow_order_by()
        .unwrap_or_else(|| "timestamp_ms DESC".to_string())
}

#[async_trait]
impl Source for HttpSource {
    fn describe(&self) -> String {
        match &self.workspace {
            Some(w) => format!(
                "server {} (workspace {})",
                self.base,
                crate::text::sanitize_line(w)
            ),
            None => format!("server {}", self.base),
        }
    }

    fn web_base(&self) -> Option<String> {
        Some(super::redact_url(&self.base))
    }

    fn sorts(&self) -> Vec<super::OrderKey> {
        use super::OrderKey::*;
        vec![Time, Duration, Name]
    }

    async fn experiments(&self) -> Result<Vec<Experiment>, SourceError> {
        self.all_experiments().await
    }

    async fn list(&self, query: ListQuery) -> Result<TracePage, SourceError> {
        let ids = if query.experiment_ids.is_empty() {
            self.all_experiments()
                .await?
                .into_iter()
                .filter(|e| e.active)
                .map(|e| e.id)
                .collect()
        } else {
            query.experiment_ids.clone()
        };
        if ids.is_empty() {
            return Ok(TracePage::default());
        }
        if self.api.load(Ordering::Relaxed) != API_V2 {
            match self.list_v3(&ids, &query).await {
                Ok(p) => {
                    self.api.store(API_V3, Ordering::Relaxed);
                    return Ok(p);
                }
                Err(CallError::Missing) => self.api.store(API_V2, Ordering::Relaxed),
                Err(CallError::Source(e)) => return Err(e),
            }
        }
        self.list_v2(&ids, &query)
            .await
            .map_err(|e| self.missing_as(e, "/api/2.0/mlflow/traces"))
    }

    async fn annotate(&self, trace_id: &str, a: &Annotation) -> Result<Written, SourceError> {
        let id = path_segment(trace_id);
        let one = |aid: &str| {
            format!(
                "/api/3.0/mlflow/traces/{id}/assessments/{}",
                path_segment(aid)
            )
        };
        let on = crate::text::sanitize_line(trace_id);
        // one attempt each: a write is not repeated on a timeout (it may have been stored)
        match a {
            Annotation::SetTag { key, value } => {
                let body = serde_json::json!({"key": key, "value": value});
                self.write(
                    Method::PATCH,
                    &format!("/api/2.0/mlflow/traces/{id}/tags"),
                    &body,
                )
                .await?;
                Ok(Written::said(format!("wrote {} on {on}", sanitized(a))))
            }
            Annotation::DeleteTag { key } => {
                let body = serde_json::json!({"key": key});
                self.write(
                    Method::DELETE,
                    &format!("/api/2.0/mlflow/traces/{id}/tags"),
                    &body,
                )
                .await?;
                Ok(Written::said(format!("wrote {} on {on}", sanitized(a))))
            }
            Annotation::Feedback { name, span_id, .. }
            | Annotation::Expectation { name, span_id, .. } => {
                let reviewer = self.reviewer();
                let existing = self.assessments(trace_id).await?;
                let mut body = assessment_json(trace_id, a, &reviewer);
                let kind = if matches!(a, Annotation::Feedback { .. }) {
                    "feedback"
                } else {
                    "expectation"
                };
                let plan = review::plan(&existing, kind, name, span_id.as_deref(), &reviewer);
                let answer = match &plan {
                    Plan::Create | Plan::Override(_) => {
                        if let Plan::Override(old) = &plan {
                            body["overrides"] = old.clone().into();
                        }
                        let path = format!("/api/3.0/mlflow/traces/{id}/assessments");
                        self.write(
                            Method::POST,
                            &path,
                            &serde_json::json!({"assessment": body}),
                        )
                        .await?
                    }
                    Plan::Update(old) => {
                        body["assessment_id"] = old.clone().into();
                        // the why belongs to the old value: an update without one clears it
                        let mask = if kind == "feedback" {
                            "feedback,rationale"
                        } else {
                            "expectation"
                        };
                        self.write(
                            Method::PATCH,
                            &one(old),
                            &serde_json::json!({"assessment": body, "update_mask": mask}),
                        )
                        .await?
                    }
                };
                let stored = answer
                    .get("assessment")
                    .map(|v| Box::new(crate::model::parse::parse_assessment(v)));
                let new_id = stored.as_ref().map(|s| s.id.clone()).unwrap_or_default();
                let find = |aid: &str| existing.iter().find(|x| x.id == aid);
                let said = match &plan {
                    Plan::Create => format!("wrote {} on {on} (assessment {new_id})", sanitized(a)),
                    Plan::Update(old) => format!(
                        "updated your {} on {on} (assessment {new_id}; was {})",
                        sanitized(a),
                        find(old).map_or("-".into(), |x| x.short_value())
                    ),
                    Plan::Override(old) => format!(
                        "wrote {} on {on} (assessment {new_id}), overriding {}'s {} ({old})",
                        sanitized(a),
                        find(old).map_or("?".into(), |x| x.source_label()),
                        find(old).map_or("-".into(), |x| x.short_value())
                    ),
                };
                Ok(Written {
                    said: crate::text::sanitize_line(&said).into_owned(),
                    stored,
                    replaced: match plan {
                        Plan::Override(old) => Some(old),
                        _ => None,
                    },
                    ..Written::default()
                })
            }
            Annotation::Delete { what, span_id } => {
                let existing = self.assessments(trace_id).await?;
                let target =
                    review::to_delete(&existing, what, span_id.as_deref(), &self.reviewer())
                        .map_err(|e| SourceError::Other(format!("{on}: {e}")))?;
                let body = serde_json::json!({"trace_id": trace_id, "assessment_id": target.id});
                self.write(Method::DELETE, &one(&target.id), &body).await?;
                let back = target
                    .overrides
                    .as_deref()
                    .and_then(|o| existing.iter().find(|x| x.id == o));
                let mut said = format!(
                    "deleted {} {} = {} by {} ({}) from {on}",
                    target.kind,
                    target.name,
                    target.short_value(),
                    target.source_label(),
                    target.id
                );
                if let Some(b) = back {
                    said.push_str(&format!(
                        "; {}'s {} ({}) is in force again",
                        b.source_label(),
                        b.short_value(),
                        b.id
                    ));
                }
                Ok(Written {
                    said: crate::text::sanitize_line(&said).into_owned(),
                    deleted: Some(target.id.clone()),
                    restored: back.map(|b| b.id.clone()),
                    ..Written::default()
                })
            }
        }
    }

    async fn get(&self, trace_id: &str) -> Result<Arc<Trace>, SourceError> {
        let q = [("request_id", trace_id.to_string())];
        let mut arriving = SpansAsTheyArrive::default();
        let (spans, info) = tokio::join!(
            self.call(
                Method::GET,
                "/ajax-api/2.0/mlflow/get-trace-artifact",
                &q,
                None,
                SPANS_LIMIT,
                Some(&mut arriving),
            ),
            self.info(trace_id)
        );
        let info = info?;
        let parsed = match &spans {
            Ok(_) => arriving.finish().await,
            Err(_) => None,
        };
        let spans = match spans {
            Ok(_) if parsed.is_some() => parsed,
            Ok(body) => {
                let text = String::from_utf8(body).map_err(|_| {
                    SourceError::Other(format!(
                        "{}: spans are not UTF-8 text",
                        self.url("/ajax-api/2.0/mlflow/get-trace-artifact")
                    ))
                })?;
                Some(
                    parse_spans_doc(&text)
                        .map_err(|e| SourceError::Other(format!("trace {trace_id}: {e}")))?,
                )
            }
            Err(CallError::Missing) | Err(CallError::Source(SourceError::NotFound(_))) => None,
            Err(CallError::Source(e)) => return Err(e),
        };
        match (info, spans) {
            (Some(info), Some((spans, _, warnings))) => {
                let mut t = Trace::new(info, spans);
                t.warnings = warnings;
                Ok(Arc::new(t))
            }
            (info, None) => match self.partial(trace_id).await? {
                Some(t) => Ok(Arc::new(t)),
                None => match info {
                    Some(info) => {
                        let mut t = Trace::new(info, Vec::new());
                        t.warnings
                            .push("the server has no spans for this trace yet".into());
                        Ok(Arc::new(t))
                    }
                    None => Err(SourceError::NotFound(format!(
                        "no trace {trace_id} on {}",
                        self.base
                    ))),
                },
            },
            (None, Some((spans, _, warnings))) => {
                let mut t = Trace::new(info_from_spans(&spans, Some(trace_id.to_string())), spans);
                t.warnings = warnings;
                Ok(Arc::new(t))
            }
        }
    }
}

/// An annotation described for a line on the screen.
fn sanitized(a: &Annotation) -> String {
    crate::text::sanitize_line(&a.describe()).into_owned()
}

/// MLflow's `Assessment` message as JSON: a person's feedback or expectation.
fn assessment_json(trace_id: &str, a: &Annotation, reviewer: &str) -> Value {
    let Some(a) = a.to_assessment(String::new(), reviewer) else {
        return Value::Null;
    };
    let mut v = serde_json::json!({
        "trace_id": trace_id,
        "assessment_name": a.name,
        "source": {"source_type": a.source_type, "source_id": a.source_id},
    });
    v[a.kind.as_str()] = serde_json::json!({ "value": a.value });
    if let Some(r) = a.rationale {
        v["rationale"] = r.into();
    }
    if let Some(s) = a.span_id {
        v["span_id"] = s.into();
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A span artifact of `n` spans, as MLflow's server sends it.
    fn artifact(n: usize) -> String {
        let spans: Vec<Value> = (0..n)
            .map(|i| {
                json!({
                    "trace_id": "q83vAA==",
                    "span_id": format!("{i:016x}"),
                    "parent_span_id": if i == 0 { Value::Null } else { json!(format!("{:016x}", 0)) },
                    "name": format!("step_{i}"),
                    "start_time_unix_nano": 1_000 + i,
                    "end_time_unix_nano": 9_000_000,
                    "attributes": {
                        "mlflow.traceRequestId": "\"tr-1\"",
                        "mlflow.spanInputs": serde_json::to_string(&json!({"i": i, "pad": "x".repeat(i % 300)})).unwrap(),
                    },
                })
            })
            .collect();
        json!({"spans": spans}).to_string()
    }

    /// The body in chunks of every size a socket may give, parsed as they arrive: the same
    /// spans as the whole body parsed after; a small body, one that is not a span list and an
    /// answer begun again (a retry) are left to the parse after.
    #[test]
    fn spans_parsed_as_they_arrive_are_the_whole_parse() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let _in_runtime = rt.enter();
        let body = artifact(6_000);
        assert!(body.len() as u64 > PARSE_AS_IT_ARRIVES_FROM);
        let whole = parse_spans_doc(&body).unwrap();
        for step in [1_000, 65_536, 1 << 20, body.len()] {
            let mut arriving = SpansAsTheyArrive::default();
            // a first attempt cut short, then the whole answer
            arriving.start(None);
            arriving.chunk(bytes::Bytes::copy_from_slice(&body.as_bytes()[..5_000]));
            arriving.start(Some(body.len() as u64));
            for c in body.as_bytes().chunks(step) {
                arriving.chunk(bytes::Bytes::copy_from_slice(c));
            }
            let got = rt.block_on(arriving.finish());
            assert_eq!(got.as_ref(), Some(&whole), "chunks of {step} bytes");
        }
        // small: nothing parsed as it arrives
        let mut arriving = SpansAsTheyArrive::default();
        arriving.start(Some(10));
        arriving.chunk(bytes::Bytes::from_static(b"{\"spans\": []}"));
        assert_eq!(rt.block_on(arriving.finish()), None);
        // not a span list it can cut: nothing, and the caller parses the body after
        let mut arriving = SpansAsTheyArrive::default();
        arriving.start(None);
        arriving.chunk(bytes::Bytes::from(format!("[{body}]")));
        assert_eq!(rt.block_on(arriving.finish()), None);
    }
}
