//! Command line: `mlflow-tui [SOURCE]`, and the headless `list` and `show` that print what the
//! TUI shows. Everything printed from a trace passes through the sanitizer in [`crate::text`].

pub mod annotate;
pub mod diff;
pub mod export;
pub mod follow;
pub mod lint;
pub mod sessions;
pub mod stats;

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::model::time::{format_duration_ms, format_duration_ns, format_local_ms};
use crate::model::tree::NodeFlags;
use crate::model::{Span, StatusCode, TokenUsage, Trace, TraceInfo, TraceState};
use crate::source::{self, ListQuery, Source};
use crate::text::{escape_json_unsafe, fit, preview, sanitize_line};

#[derive(Debug, Parser)]
#[command(
    name = "mlflow-tui",
    version,
    about = "Explore MLflow GenAI traces in the terminal",
    long_about = "Explore MLflow GenAI traces in the terminal.\n\n\
SOURCE is an mlflow.db (or sqlite:///path), an mlruns file store, a folder holding either, \
or exported trace JSON (a file, JSON Lines, or a folder of them). Without SOURCE: \
$MLFLOW_TRACKING_URI, else ./mlflow.db, else ./mlruns.",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Where the traces are (see above)
    pub source: Option<String>,
    /// Experiment name or id (repeat for several); default: $MLFLOW_EXPERIMENT_NAME or _ID, else all
    #[arg(long, short = 'e', value_name = "NAME|ID")]
    pub experiment: Vec<String>,
    /// No mouse capture (the terminal's own selection keeps working)
    #[arg(long)]
    pub no_mouse: bool,
    /// No colours (also when NO_COLOR is set)
    #[arg(long)]
    pub no_color: bool,
    /// Print the default config file and where it is read from, then exit
    #[arg(long)]
    pub print_config: bool,
    /// Start in follow mode (live tail: new traces appear as they arrive; F toggles it)
    #[arg(long, short = 'f')]
    pub follow: bool,
    #[command(flatten)]
    pub live: LiveArgs,
    /// Receive OpenTelemetry spans over OTLP/HTTP (POST /v1/traces) instead of opening a
    /// source, on ADDR (default 127.0.0.1:4318); follow mode is on
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = crate::source::otlp::DEFAULT_ADDR, conflicts_with = "source")]
    pub listen: Option<String>,
    /// With --listen: append each finished trace to FILE as MLflow trace JSON Lines
    #[arg(long, value_name = "FILE", requires = "listen")]
    pub save: Option<std::path::PathBuf>,
}

/// How follow mode polls.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LiveArgs {
    /// Seconds between polls in follow mode (default 1; config: follow_interval_ms)
    #[arg(long, value_name = "SECONDS")]
    pub interval: Option<f64>,
    /// Trace summaries kept while following (default 20000; config: follow_retention)
    #[arg(long, value_name = "N")]
    pub retention: Option<usize>,
}

impl LiveArgs {
    /// The follow settings: these flags over the config file over the defaults.
    pub fn config(&self, file: &crate::config::Config) -> Result<crate::app::follow::FollowConfig> {
        let mut c = crate::app::follow::FollowConfig {
            interval_ms: file.follow_interval_ms,
            retention: file.follow_retention,
            lookback_ms: file.follow_lookback_s.saturating_mul(1000) as i64,
            ..Default::default()
        };
        if let Some(s) = self.interval {
            anyhow::ensure!(
                s.is_finite() && (0.1..=3600.0).contains(&s),
                "--interval must be between 0.1 and 3600 seconds, not {s}"
            );
            c.interval_ms = (s * 1000.0).round() as u64;
        }
        if let Some(n) = self.retention {
            anyhow::ensure!(n >= 100, "--retention must be at least 100, not {n}");
            c.retention = n;
        }
        c.idle_interval_ms = c.idle_interval_ms.max(c.interval_ms * 3);
        Ok(c)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print one line per trace, newest first
    List {
        /// Where the traces are
        source: Option<String>,
        /// Experiment name or id (repeat for several)
        #[arg(long, short = 'e', value_name = "NAME|ID")]
        experiment: Vec<String>,
        /// How many traces (0: all; with --follow: how many to print before the new ones,
        /// default 10)
        #[arg(long, short = 'n')]
        limit: Option<usize>,
        /// Keep running and print one line per new trace as it arrives (JSON Lines with --json)
        #[arg(long, short = 'f')]
        follow: bool,
        #[command(flatten)]
        live: LiveArgs,
        /// Print JSON (one array of trace infos)
        #[arg(long)]
        json: bool,
        /// MLflow search filter, e.g. "attributes.status = 'ERROR' AND span.type = 'TOOL'"
        /// (sent to tracking servers, evaluated like MLflow's stores for local sources)
        #[arg(long, value_name = "FILTER")]
        filter: Option<String>,
        /// Only the traces started within the last DURATION (15m, 1h, 24h, 7d; a filter on the
        /// server's side)
        #[arg(long, value_name = "DURATION", value_parser = parse_window)]
        since: Option<i64>,
        /// Sort by time, duration, name or tokens (the source sorts where it can, so the first
        /// rows are the true top; else the listed rows are sorted here, and stderr says so)
        #[arg(long, value_name = "FIELD", value_parser = parse_sort)]
        sort: Option<source::OrderKey>,
        /// With --sort: smallest (or oldest, A first) first
        #[arg(long, requires = "sort")]
        asc: bool,
    },
    /// Receive OpenTelemetry spans over OTLP/HTTP and print one line per trace as it arrives
    /// (and again when a running trace ends)
    Listen {
        /// Where to listen (loopback unless told otherwise)
        #[arg(long, value_name = "HOST:PORT", default_value = crate::source::otlp::DEFAULT_ADDR)]
        addr: String,
        /// Append each finished trace to FILE as MLflow trace JSON Lines (opens later as a
        /// source)
        #[arg(long, value_name = "FILE")]
        save: Option<std::path::PathBuf>,
        /// Print JSON Lines (one trace info per line)
        #[arg(long)]
        json: bool,
        /// Print only the traces that match this MLflow search filter
        #[arg(long, value_name = "FILTER")]
        filter: Option<String>,
    },
    /// Print one trace's span tree
    #[command(override_usage = "mlflow-tui show [OPTIONS] [SOURCE] TRACE_ID")]
    Show {
        /// [SOURCE] TRACE_ID (with --session: [SOURCE])
        #[arg(num_args = 0..=2, value_name = "ARGS")]
        args: Vec<String>,
        /// Print the normalized trace as JSON
        #[arg(long)]
        json: bool,
        /// Print a session's turns, oldest first, as one conversation (instead of a trace)
        #[arg(long, value_name = "ID", conflicts_with_all = ["depth", "chat"])]
        session: Option<String>,
        /// Show this many levels of the tree (1: top-level spans only)
        #[arg(long, value_name = "N")]
        depth: Option<usize>,
        /// Print the trace as one conversation: its model calls' messages in order, each
        /// once, with tool calls, tool results and failures in place
        #[arg(long)]
        chat: bool,
    },
    /// Findings in one trace or every trace listed (loops, cut outputs, swallowed errors…);
    /// exit code 1 when one is at or above --fail-on
    #[command(override_usage = "mlflow-tui lint [OPTIONS] [SOURCE] [TRACE_ID]")]
    Lint {
        /// [SOURCE] [TRACE_ID]
        #[arg(num_args = 0..=2, value_name = "ARGS")]
        args: Vec<String>,
        /// MLflow search filter for the traces to lint
        #[arg(long, value_name = "FILTER")]
        filter: Option<String>,
        /// How many traces (0: all)
        #[arg(long, short = 'n', default_value_t = 0)]
        limit: usize,
        /// Print JSON
        #[arg(long)]
        json: bool,
        /// Exit with 1 when a finding is at or above this level: info, warning, error
        #[arg(long, value_name = "LEVEL", default_value = "warning")]
        fail_on: String,
    },
    /// Compare two traces: the trees aligned, Δ latency, tokens and cost per span
    #[command(
        override_usage = "mlflow-tui diff [OPTIONS] SOURCE ID_A ID_B\n       mlflow-tui diff [OPTIONS] SOURCE_A ID_A SOURCE_B ID_B"
    )]
    Diff {
        #[arg(num_args = 2..=4, required = true, value_name = "ARGS")]
        args: Vec<String>,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Write one trace as MLflow JSON, Markdown or OTLP JSON
    #[command(override_usage = "mlflow-tui export [OPTIONS] [SOURCE] TRACE_ID")]
    Export {
        /// [SOURCE] TRACE_ID
        #[arg(num_args = 1..=2, required = true, value_name = "ARGS")]
        args: Vec<String>,
        #[arg(long, value_enum, default_value = "mlflow")]
        format: export::Format,
        /// Write here instead of stdout
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<String>,
    },
    /// Write feedback, expectations or tags on a trace of a tracking server (MLflow's REST
    /// API, your credentials); prints what the server stored
    #[command(
        override_usage = "mlflow-tui annotate SOURCE TRACE_ID [--feedback NAME=VALUE [--rationale TEXT]] [--expectation NAME=VALUE] [--span SPAN_ID] [--tag KEY=VALUE] [--delete-tag KEY] [--delete NAME|ID]"
    )]
    Annotate {
        /// The tracking server (http://…, or MLFLOW_TRACKING_URI's)
        source: String,
        trace_id: String,
        /// Feedback as NAME=VALUE (yes/no, true/false, pass/fail, a number, JSON or text);
        /// repeatable
        #[arg(long, value_name = "NAME=VALUE")]
        feedback: Vec<String>,
        /// Why: the rationale of the feedback
        #[arg(long, value_name = "TEXT")]
        rationale: Option<String>,
        /// On this span instead of the whole trace
        #[arg(long, value_name = "SPAN_ID")]
        span: Option<String>,
        /// An expectation (the right answer) as NAME=VALUE; repeatable
        #[arg(long, value_name = "NAME=VALUE")]
        expectation: Vec<String>,
        /// Set a tag KEY=VALUE; repeatable
        #[arg(long, value_name = "KEY=VALUE")]
        tag: Vec<String>,
        /// Delete a tag; repeatable
        #[arg(long, value_name = "KEY")]
        delete_tag: Vec<String>,
        /// Delete an assessment: by id, or by name (your own, else the only one in force; an
        /// override deleted puts the verdict it replaced back in force); repeatable
        #[arg(long, value_name = "NAME|ID")]
        delete: Vec<String>,
    },
    /// Sessions of the listed traces: turns, last activity, users, tokens, cost, errors
    /// (`show --session ID` reads one as a conversation)
    Sessions {
        #[command(flatten)]
        traces: TraceSelection,
    },
    /// Count, error rate, latency percentiles, tokens and cost, grouped, and over time
    Stats {
        #[command(flatten)]
        traces: TraceSelection,
        /// Group by name, model, user, session or experiment
        #[arg(long, default_value = "name")]
        by: String,
    },
}

/// Which traces a command over many reads, and how it prints.
#[derive(clap::Args, Debug)]
pub struct TraceSelection {
    /// Where the traces are
    source: Option<String>,
    /// Experiment name or id (repeat for several)
    #[arg(long, short = 'e', value_name = "NAME|ID")]
    experiment: Vec<String>,
    /// MLflow search filter for the traces
    #[arg(long, value_name = "FILTER")]
    filter: Option<String>,
    /// How many traces to read (0: all)
    #[arg(long, short = 'n', default_value_t = 0)]
    limit: usize,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    match cli.command {
        Some(Command::List {
            source,
            experiment,
            limit,
            follow: true,
            json,
            filter,
            live,
            since,
            sort,
            ..
        }) => {
            if since.is_some() || sort.is_some() {
                anyhow::bail!(
                    "--since and --sort go with a listing, not --follow (which prints traces as they arrive)"
                );
            }
            let config = live.config(&crate::config::load()?)?;
            rt.block_on(follow::run(
                open_source(source.as_deref())?,
                &experiment,
                limit.unwrap_or(10),
                json,
                filter,
                config,
            ))
        }
        Some(Command::List {
            source,
            experiment,
            limit,
            json,
            filter,
            since,
            sort,
            asc,
            ..
        }) => {
            let order = sort.map_or_else(source::Order::default, |key| source::Order {
                key,
                ascending: asc,
            });
            rt.block_on(cmd_list(
                source.as_deref(),
                &experiment,
                limit.unwrap_or(100),
                json,
                filter,
                Window {
                    since_ms: since.map(|ms| now_ms() - ms),
                    order,
                },
            ))
        }
        Some(Command::Listen {
            addr,
            save,
            json,
            filter,
        }) => {
            let config = LiveArgs::default().config(&crate::config::load()?)?;
            let src = source::listen(&addr, save.clone())?;
            eprintln!(
                "mlflow-tui: receiving {} (OTLP/HTTP, protobuf or JSON){}",
                src.describe(),
                save.as_ref()
                    .map(|p| format!("; finished traces are appended to {}", p.display()))
                    .unwrap_or_default()
            );
            // the receiver starts empty: whatever its first listing holds arrived after the
            // line above (a client that sent at once), so all of it is printed
            rt.block_on(follow::run(src, &[], usize::MAX, json, filter, config))
        }
        Some(Command::Show {
            args,
            json,
            session: Some(session),
            ..
        }) => {
            let src = match args.as_slice() {
                [] => None,
                [src] => Some(src.as_str()),
                _ => anyhow::bail!(
                    "show --session takes the source alone: mlflow-tui show [SOURCE] --session ID"
                ),
            };
            rt.block_on(sessions::show(src, &session, json))
        }
        Some(Command::Show {
            args,
            json,
            depth,
            chat,
            session: None,
        }) => {
            let (src, id) = match args.as_slice() {
                [one] if looks_like_source(one) => anyhow::bail!(
                    "show needs a TRACE_ID after the source: mlflow-tui show {} TRACE_ID (mlflow-tui list {} prints the ids)",
                    source::redact_url(one),
                    source::redact_url(one)
                ),
                [id] => (None, id.as_str()),
                [src, id, ..] => (Some(src.as_str()), id.as_str()),
                [] => anyhow::bail!("show needs a TRACE_ID"),
            };
            let view = match (chat, json) {
                (true, true) => ShowAs::ChatJson,
                (true, false) => ShowAs::Chat,
                (false, true) => ShowAs::Json,
                (false, false) => ShowAs::Tree(depth),
            };
            rt.block_on(cmd_show(src, id, view))
        }
        Some(Command::Lint {
            args,
            filter,
            limit,
            json,
            fail_on,
        }) => {
            let level = crate::model::lint::Level::parse(&fail_on)
                .ok_or_else(|| anyhow::anyhow!("--fail-on {fail_on:?}: info, warning or error"))?;
            if rt.block_on(lint::run(&args, filter, limit, json, level))? {
                std::process::exit(1);
            }
            Ok(())
        }
        Some(Command::Diff { args, json }) => rt.block_on(diff::run(&args, json)),
        Some(Command::Export {
            args,
            format,
            output,
        }) => {
            let (src, id) = match args.as_slice() {
                [one] if looks_like_source(one) => anyhow::bail!(
                    "export needs a TRACE_ID after the source: mlflow-tui export {} TRACE_ID",
                    source::redact_url(one)
                ),
                [id] => (None, id.as_str()),
                [src, id, ..] => (Some(src.as_str()), id.as_str()),
                [] => anyhow::bail!("export needs a TRACE_ID"),
            };
            rt.block_on(export::run(src, id, format, output.as_deref()))
        }
        Some(Command::Annotate {
            source,
            trace_id,
            feedback,
            rationale,
            span,
            expectation,
            tag,
            delete_tag,
            delete,
        }) => {
            let writes = annotate::annotations(
                &feedback,
                rationale.as_deref(),
                span.as_deref(),
                &expectation,
                &tag,
                &delete_tag,
                &delete,
            )
            .map_err(|e| anyhow::anyhow!(e))?;
            rt.block_on(annotate::run(&source, &trace_id, writes))
        }
        Some(Command::Sessions { traces: t }) => rt.block_on(sessions::run(
            t.source.as_deref(),
            &t.experiment,
            t.filter,
            t.limit,
            t.json,
        )),
        Some(Command::Stats { traces: t, by }) => {
            let by = crate::model::stats::By::parse(&by).ok_or_else(|| {
                anyhow::anyhow!("--by {by:?}: name, model, user, session or experiment")
            })?;
            rt.block_on(stats::run(
                t.source.as_deref(),
                &t.experiment,
                t.filter,
                by,
                t.limit,
                t.json,
            ))
        }
        None if cli.print_config => emit(&crate::config::print_defaults()),
        None => {
            use std::io::IsTerminal;
            let config = crate::config::load()?;
            let source_arg = cli.source.clone().or(config.default_source.clone());
            if !std::io::stdout().is_terminal()
                && let Some(addr) = &cli.listen
            {
                // piped: print what the explorer would show, as `listen` does
                let config = cli.live.config(&config)?;
                let src = source::listen(addr, cli.save.clone())?;
                return rt.block_on(follow::run(src, &[], 0, false, None, config));
            }
            if !std::io::stdout().is_terminal() {
                // piped: print what the explorer would list
                return rt.block_on(cmd_list(
                    source_arg.as_deref(),
                    &cli.experiment,
                    100,
                    false,
                    None,
                    Window::default(),
                ));
            }
            let src = match &cli.listen {
                Some(addr) => source::listen(addr, cli.save.clone())?,
                None => open_source(source_arg.as_deref())?,
            };
            let ids = rt.block_on(source::resolve_experiments(src.as_ref(), &cli.experiment))?;
            drop(rt);
            let (keymap, problems) = crate::keymap::Keymap::new(&config.keys);
            if let Some(p) = problems.first() {
                let file = crate::config::path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "the config file".into());
                anyhow::bail!("{file}: [keys]: {p}");
            }
            let mut app = crate::app::App::new(
                src.describe(),
                if ids.is_empty() {
                    "all experiments".to_string()
                } else {
                    format!("experiment {}", ids.join(", "))
                },
            );
            app.keymap = keymap;
            app.columns = crate::config::columns(&config);
            app.source_sorts = src.sorts();
            app.web_base = src.web_base();
            app.empty_hint = src.empty_hint();
            app.experiment_ids = ids;
            app.color = !cli.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            app.palette = if config.theme == "light" {
                crate::highlight::Palette::Light
            } else {
                crate::highlight::Palette::Dark
            };
            app.mouse = config.mouse && !cli.no_mouse;
            app.utc = config.utc;
            app.follow.config = cli.live.config(&config)?;
            app.follow.on = cli.follow || cli.listen.is_some() || src.notify(None);
            crate::tui::run(crate::tui::Options { source: src, app })
        }
    }
}

/// Is this argument a source rather than a trace id (a path that exists, a URI)?
pub fn looks_like_source(arg: &str) -> bool {
    let lower = arg.to_ascii_lowercase();
    [
        "http://",
        "https://",
        "sqlite:",
        "file://",
        "postgresql:",
        "mysql:",
        "databricks",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
        || std::path::Path::new(arg).exists()
}

pub fn open_source(arg: Option<&str>) -> Result<Arc<dyn Source>> {
    Ok(source::open(arg)?)
}

/// Writes to stdout; a closed pipe (`| head`) ends quietly.
pub fn emit(text: &str) -> Result<()> {
    write_out(text).map(|_| ())
}

/// Writes to stdout and flushes; false when the reader has gone (a closed pipe).
pub fn write_out(text: &str) -> Result<bool> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn parse_window(s: &str) -> Result<i64, String> {
    crate::model::time::parse_window_ms(s)
}

fn parse_sort(s: &str) -> Result<source::OrderKey, String> {
    source::OrderKey::parse(s).ok_or_else(|| format!("{s:?}: time, duration, name or tokens"))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Which traces a listing takes beyond the filter, and in what order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    /// Started at or after (ms since the epoch).
    pub since_ms: Option<i64>,
    pub order: source::Order,
}

pub async fn fetch_all(
    src: &dyn Source,
    experiments: &[String],
    limit: usize,
    filter: Option<String>,
) -> Result<(Vec<TraceInfo>, Vec<String>)> {
    fetch_window(src, experiments, limit, filter, Window::default()).await
}

/// Like [`fetch_all`], within a time window and in an order (the source's own where it can
/// sort by the key; else the fetched traces are sorted here, with a warning that says so).
pub async fn fetch_window(
    src: &dyn Source,
    experiments: &[String],
    limit: usize,
    filter: Option<String>,
    window: Window,
) -> Result<(Vec<TraceInfo>, Vec<String>)> {
    let by_source = window.order.is_default() || src.sorts().contains(&window.order.key);
    let ids = source::resolve_experiments(src, experiments).await?;
    let mut traces = Vec::new();
    let mut warnings = Vec::new();
    let mut token = None;
    loop {
        let want = if limit == 0 {
            500
        } else {
            (limit - traces.len()).min(500)
        };
        let page = src
            .list(ListQuery {
                experiment_ids: ids.clone(),
                max_results: want,
                page_token: token.take(),
                filter: filter.clone(),
                since_ms: window.since_ms,
                order: if by_source {
                    window.order
                } else {
                    Default::default()
                },
            })
            .await?;
        traces.extend(page.traces);
        warnings.extend(page.warnings);
        token = page.next_page_token;
        if token.is_none() || (limit != 0 && traces.len() >= limit) {
            break;
        }
    }
    if !by_source {
        source::sort_infos(&mut traces, window.order);
        warnings.push(format!(
            "{} cannot sort by {}: the {} traces listed (newest first) were sorted here{}",
            src.describe(),
            window.order.key.label(),
            traces.len(),
            if token.is_some() {
                "; the source has more (-n 0 lists all)"
            } else {
                ""
            }
        ));
    }
    Ok((traces, warnings))
}

pub fn warn_all(warnings: &[String]) {
    for w in warnings {
        eprintln!("mlflow-tui: warning: {}", sanitize_line(w));
    }
}

async fn cmd_list(
    src: Option<&str>,
    experiments: &[String],
    limit: usize,
    json: bool,
    filter: Option<String>,
    window: Window,
) -> Result<()> {
    let src = open_source(src)?;
    let why = match (filter.is_some(), window.since_ms.is_some()) {
        (true, true) => " match the filter in the time window",
        (true, false) => " match the filter",
        (false, true) => " started in the time window",
        (false, false) => "",
    };
    let (traces, warnings) = fetch_window(src.as_ref(), experiments, limit, filter, window).await?;
    warn_all(&warnings);
    if json {
        return emit(&(escape_json_unsafe(serde_json::to_string_pretty(&traces)?) + "\n"));
    }
    if traces.is_empty() {
        // stdout stays a table (a header only) for scripts; the note goes to stderr
        eprintln!("mlflow-tui: no traces{why}");
    }
    emit(&render_list(&traces))
}

fn tokens_text(t: Option<TokenUsage>) -> String {
    t.map(|u| u.total.to_string()).unwrap_or_else(|| "-".into())
}

fn duration_text(ms: Option<i64>, state: TraceState) -> String {
    match (ms, state) {
        (Some(ms), _) => format_duration_ms(ms),
        (None, TraceState::InProgress) => "running".into(),
        _ => "-".into(),
    }
}

/// The `list` table: time, id, name, state, duration, tokens, request preview.
pub fn render_list(traces: &[TraceInfo]) -> String {
    let id_w = traces
        .iter()
        .map(|t| crate::text::width(&sanitize_line(&t.trace_id)))
        .max()
        .unwrap_or(8)
        .clamp(8, 40);
    let mut out = list_header(id_w);
    for t in traces {
        out.push_str(&list_row(t, id_w));
    }
    out
}

/// The `list` table's header line, for an id column `id_w` wide.
pub fn list_header(id_w: usize) -> String {
    format!(
        "{}  {}  {}  {}  {:>8}  {:>7}  REQUEST\n",
        fit("TIME", 19),
        fit("TRACE ID", id_w),
        fit("NAME", 24),
        fit("STATE", 11),
        "DURATION",
        "TOKENS"
    )
}

/// One `list` line.
pub fn list_row(t: &TraceInfo, id_w: usize) -> String {
    format!(
        "{}  {}  {}  {}  {:>8}  {:>7}  {}\n",
        fit(&format_local_ms(t.request_time_ms), 19),
        fit(&sanitize_line(&t.trace_id), id_w),
        fit(&sanitize_line(t.name().unwrap_or("-")), 24),
        fit(t.state.as_str(), 11),
        duration_text(t.duration_ms, t.state),
        tokens_text(t.token_usage()),
        preview(t.request_preview().unwrap_or(""), 60)
    )
}

/// What `show` prints.
enum ShowAs {
    Tree(Option<usize>),
    Json,
    Chat,
    ChatJson,
}

async fn cmd_show(src: Option<&str>, id: &str, view: ShowAs) -> Result<()> {
    let src = open_source(src)?;
    let trace = src.get(id).await?;
    warn_all(&trace.warnings);
    match view {
        ShowAs::Json => {
            let json = serde_json::to_string_pretty(&NormalizedTrace::new(&trace))?;
            emit(&(escape_json_unsafe(json) + "\n"))?;
        }
        ShowAs::Tree(depth) => emit(&render_show(&trace, depth))?,
        ShowAs::Chat => {
            let mut out = crate::app::detail::transcript_lines(&trace).join("\n");
            out.push('\n');
            emit(&out)?;
        }
        ShowAs::ChatJson => {
            let json = serde_json::to_string_pretty(&chat_json(&trace))?;
            emit(&(escape_json_unsafe(json) + "\n"))?;
        }
    }
    // the process ends here: freeing a giant trace piece by piece would only delay that
    std::mem::forget(trace);
    Ok(())
}

/// `show --chat --json`: the transcript's entries, each naming the span that carried it.
fn chat_json(t: &Trace) -> serde_json::Value {
    let entries = crate::model::transcript::transcript(t);
    serde_json::json!({"trace_id": t.info.trace_id, "entries": chat_entries_json(t, entries)})
}

/// Transcript entries as JSON: a message's fields or a failure, with the span that carried it.
pub fn chat_entries_json(
    t: &Trace,
    entries: Vec<crate::model::transcript::Entry>,
) -> Vec<serde_json::Value> {
    use crate::model::transcript::Entry;
    entries
        .into_iter()
        .map(|e| {
            let s = t.tree.span(e.span());
            let mut v = match e {
                Entry::Message { message, .. } => {
                    let mut v = serde_json::to_value(&message).unwrap_or_default();
                    v["kind"] = "message".into();
                    v
                }
                Entry::Failure { error, .. } => {
                    serde_json::json!({"kind": "failure", "error": error})
                }
            };
            v["span_id"] = s.span_id.clone().into();
            v["span_name"] = s.name.clone().into();
            v
        })
        .collect()
}

/// The normalized trace `show --json` prints: info, derived summary, spans depth first.
#[derive(Serialize)]
pub struct NormalizedTrace<'a> {
    pub info: &'a TraceInfo,
    pub summary: Summary,
    pub spans: Vec<NormalizedSpan<'a>>,
}

#[derive(Serialize)]
pub struct Summary {
    pub name: Option<String>,
    pub state: TraceState,
    pub duration_ms: Option<i64>,
    pub span_count: usize,
    pub token_usage: Option<TokenUsage>,
    pub user: Option<String>,
    pub session: Option<String>,
    pub request_preview: Option<String>,
    pub response_preview: Option<String>,
}

#[derive(Serialize)]
pub struct NormalizedSpan<'a> {
    pub depth: u32,
    #[serde(flatten)]
    pub span: &'a Span,
    pub duration_ns: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_usage: Option<TokenUsage>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub marks: String,
}

impl<'a> NormalizedTrace<'a> {
    pub fn new(t: &'a Trace) -> Self {
        let tree = &t.tree;
        NormalizedTrace {
            info: &t.info,
            summary: Summary {
                name: t.name().map(str::to_string),
                state: t.info.state,
                duration_ms: t.duration_ms(),
                span_count: t.span_count(),
                token_usage: t.token_usage(),
                user: t.info.user().map(str::to_string),
                session: t.info.session().map(str::to_string),
                request_preview: t.request_preview(),
                response_preview: t.response_preview(),
            },
            spans: tree
                .preorder()
                .iter()
                .map(|&i| {
                    let span = tree.span(i);
                    NormalizedSpan {
                        depth: tree.depth(i),
                        span,
                        duration_ns: span.duration_ns(),
                        token_usage: span.token_usage(),
                        marks: tree.flags(i).label(),
                    }
                })
                .collect(),
        }
    }
}

/// Indentation stops growing here; deeper spans say their depth instead.
const MAX_INDENT: usize = 40;

/// One span's line of the `show` tree, written onto `out` (a 5,000-span trace is 5,000 of
/// them: no line of its own is built first).
fn push_span_line(out: &mut String, span: &Span, flags: NodeFlags) {
    out.push('[');
    out.push_str(&sanitize_line(span.span_type.badge()));
    out.push_str("] ");
    out.push_str(&sanitize_line(&span.name));
    match span.duration_ns() {
        Some(d) => {
            out.push_str("  ");
            out.push_str(&format_duration_ns(d));
        }
        None => out.push_str("  running"),
    }
    match span.status {
        StatusCode::Error => out.push_str("  ERROR"),
        StatusCode::Ok | StatusCode::Unset => {}
    }
    if let Some(u) = span.token_usage() {
        let _ = write!(out, "  tokens {}→{} ({})", u.input, u.output, u.total);
        if let Some(c) = u.cache_read {
            let _ = write!(out, " cached {c}");
        }
    }
    if let Some(m) = span.model() {
        out.push_str("  ");
        out.push_str(&sanitize_line(&m));
    }
    if flags.is_marked() {
        let _ = write!(out, "  ({})", flags.label());
    }
    out.push('\n');
}

/// The `show` view: a header, then the span tree with type, duration, status, tokens and
/// exceptions.
pub fn render_show(t: &Trace, depth: Option<usize>) -> String {
    // about 40 bytes a span
    let mut out = String::with_capacity(1024 + t.span_count() * 48);
    let info = &t.info;
    let _ = writeln!(
        out,
        "{}  {}",
        sanitize_line(&info.trace_id),
        sanitize_line(t.name().unwrap_or("-"))
    );
    let _ = writeln!(
        out,
        "  state {}   started {}   duration {}   spans {}   tokens {}",
        info.state.as_str(),
        format_local_ms(info.request_time_ms),
        duration_text(t.duration_ms(), info.state),
        t.span_count(),
        t.token_usage()
            .map(|u| u.summary())
            .unwrap_or_else(|| "-".into())
    );
    let mut who = Vec::new();
    if let Some(u) = info.user() {
        who.push(format!("user {}", sanitize_line(u)));
    }
    if let Some(s) = info.session() {
        who.push(format!("session {}", sanitize_line(s)));
    }
    if let Some(e) = info.experiment_id.as_deref().filter(|e| !e.is_empty()) {
        who.push(format!("experiment {}", sanitize_line(e)));
    }
    if !who.is_empty() {
        let _ = writeln!(out, "  {}", who.join("   "));
    }
    let user_tags: Vec<String> = info
        .tags
        .iter()
        .filter(|(k, _)| !k.starts_with("mlflow."))
        .map(|(k, v)| format!("{}={}", sanitize_line(k), preview(v, 40)))
        .collect();
    if !user_tags.is_empty() {
        let _ = writeln!(out, "  tags {}", user_tags.join(" "));
    }
    for a in &info.assessments {
        let value = a
            .value
            .as_ref()
            .map(|v| preview(&v.to_string(), 40))
            .unwrap_or_else(|| "-".into());
        let _ = writeln!(
            out,
            "  {} {} = {}{}{}",
            a.kind,
            sanitize_line(&a.name),
            value,
            a.source_id
                .as_deref()
                .map(|s| format!(" (by {})", sanitize_line(s)))
                .unwrap_or_default(),
            a.rationale
                .as_deref()
                .map(|r| format!(": {}", preview(r, 60)))
                .unwrap_or_default()
        );
    }
    if let Some(r) = t.request_preview().filter(|r| !r.is_empty()) {
        let _ = writeln!(out, "  request  {}", preview(&r, 100));
    }
    if let Some(r) = t.response_preview().filter(|r| !r.is_empty()) {
        let _ = writeln!(out, "  response {}", preview(&r, 100));
    }
    out.push('\n');
    if t.tree.is_empty() {
        out.push_str("(no spans)\n");
    }
    for w in &t.warnings {
        let _ = writeln!(out, "warning: {}", sanitize_line(w));
    }
    for gap in t.gaps() {
        let _ = writeln!(out, "incomplete: {}", sanitize_line(&gap));
    }

    let tree = &t.tree;
    let max_depth = depth.unwrap_or(usize::MAX);
    // (span, prefix for its own line, prefix for its children, top level?)
    let mut stack: Vec<(usize, String, String)> = tree
        .roots()
        .iter()
        .rev()
        .map(|&r| (r, String::new(), String::new()))
        .collect();
    while let Some((i, own, below)) = stack.pop() {
        let span = tree.span(i);
        let d = tree.depth(i) as usize;
        out.push_str(&own);
        push_span_line(&mut out, span, tree.flags(i));
        let exc_prefix = if tree.children(i).is_empty() || d + 1 >= max_depth {
            format!("{below}   ")
        } else {
            format!("{below}│  ")
        };
        for e in span.exceptions() {
            let _ = writeln!(
                out,
                "{exc_prefix}✗ {}: {}",
                sanitize_line(&e.kind),
                preview(&e.message, 120)
            );
        }
        if span.exceptions().is_empty() && span.is_error() && !span.status_message.is_empty() {
            let _ = writeln!(out, "{exc_prefix}✗ {}", preview(&span.status_message, 120));
        }
        let kids = tree.children(i);
        if kids.is_empty() {
            continue;
        }
        if d + 1 >= max_depth {
            let n = count_below(tree, i);
            let _ = writeln!(
                out,
                "{below}└─ … {n} more span{}",
                if n == 1 { "" } else { "s" }
            );
            continue;
        }
        for (k, &c) in kids.iter().enumerate().rev() {
            let last = k + 1 == kids.len();
            let (own, below_c) = if d + 1 >= MAX_INDENT {
                let p = format!("⋯[depth {}] ", d + 1);
                (p.clone(), String::from("           "))
            } else if last {
                (format!("{below}└─ "), format!("{below}   "))
            } else {
                (format!("{below}├─ "), format!("{below}│  "))
            };
            stack.push((c, own, below_c));
        }
    }
    out
}

fn count_below(tree: &crate::model::SpanTree, i: usize) -> usize {
    let mut n = 0;
    let mut stack: Vec<usize> = tree.children(i).to_vec();
    while let Some(c) = stack.pop() {
        n += 1;
        stack.extend_from_slice(tree.children(c));
    }
    n
}
