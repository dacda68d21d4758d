//! The application state: one owner (the UI loop), changed only by [`crate::update::update`].
//! Also the messages that arrive (`Msg`) and the side effects update asks for (`Cmd`).

pub mod columns;
pub mod detail;
pub mod follow;
pub mod help;
pub mod line_edit;
pub mod log;
pub mod palette;
pub mod search;
pub mod span_tree;
pub mod trace_list;

use std::sync::Arc;

use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::text::Line;

use crate::highlight::{Checkpoint, Palette};
use crate::keymap::Keymap;
use crate::model::Trace;
use crate::source::{Experiment, SourceError, TracePage};
use crate::viewport::Viewport;

pub use columns::Column;
pub use detail::{DetailDoc, DetailState, Tab};
pub use line_edit::LineEdit;
pub use span_tree::SpanTreeView;
pub use trace_list::TraceListState;

/// Timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// Load the trace list again after it failed (the server may be back).
    RetryList,
    /// Follow mode's next poll (the timer's generation: older timers are ignored).
    Poll(u64),
}

/// What a line typed in the status line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    /// `/` in the list: narrows the list on every keystroke.
    QuickFilter,
    /// `f`: MLflow's search grammar, applied on enter.
    Filter,
    /// `:`: a command (k9s style).
    Palette,
    /// `/` in the span tree or detail: search inside the open trace, run on enter.
    TraceSearch,
    /// `O`: export the open trace (`FORMAT FILE`).
    Export,
    /// `a`: a note on the selected trace or span (`NAME=VALUE # why`, `expect NAME=VALUE`,
    /// `tag KEY=VALUE`, `untag KEY`), written to the tracking server.
    Annotate,
    /// `A`: the feedback name review mode gives (`y` pass, `n` fail, then the next trace).
    Review,
}

/// A line being typed in the status line: its text, the error of the last enter (the line
/// stays open with what was typed), history position and completions.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub edit: LineEdit,
    /// Position in the history while ↑/↓ walk it.
    pub history_pos: Option<usize>,
    /// Why the last enter was refused, and the 1-based column it points at (0: none).
    pub error: Option<(usize, String)>,
    /// Completions offered for the word under the cursor, and the one chosen by tab.
    pub completions: Vec<String>,
    pub completion_pos: Option<usize>,
}

impl Prompt {
    pub fn new(kind: PromptKind, text: &str) -> Self {
        Prompt {
            kind,
            edit: LineEdit::new(text),
            history_pos: None,
            error: None,
            completions: Vec::new(),
            completion_pos: None,
        }
    }
}

/// The experiment picker: every experiment, the cursor, the ones marked, the typed narrowing.
#[derive(Debug, Clone, Default)]
pub struct Picker {
    /// `None` while loading.
    pub items: Option<Vec<Experiment>>,
    /// Positions into `items` of the rows shown (row 0 is "all experiments").
    pub shown: Vec<usize>,
    pub view: Viewport,
    pub marked: std::collections::BTreeSet<String>,
    /// Typed text narrows the rows.
    pub query: LineEdit,
}

impl Picker {
    /// Rows shown: "all experiments", then the experiments that match the typed text.
    pub fn rows(&self) -> usize {
        self.shown.len() + 1
    }

    pub fn narrow(&mut self) {
        let q = self.query.text().to_lowercase();
        self.shown = self
            .items
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, e)| {
                q.is_empty()
                    || e.name.to_lowercase().contains(&q)
                    || e.id.to_lowercase().contains(&q)
            })
            .map(|(i, _)| i)
            .collect();
    }

    /// The experiment under the cursor (`None` on "all experiments").
    pub fn current(&self) -> Option<&Experiment> {
        let row = self.view.cursor().checked_sub(1)?;
        self.items.as_ref()?.get(*self.shown.get(row)?)
    }
}

/// Popups over the panes; one at a time.
#[derive(Debug, Clone)]
pub enum Overlay {
    /// Every key, grouped by pane; `/` then typing narrows it.
    Help {
        view: Viewport,
        query: LineEdit,
        typing: bool,
    },
    Experiments(Picker),
    /// The span filter: row 0 hides plumbing, then one row per span type.
    SpanFilter(Viewport),
    /// Every warning and error of the session, whole.
    Messages(Viewport),
    /// The open trace's findings (lints); enter goes to a finding's span.
    Findings(Viewport),
    /// The column chooser: built-in columns, then tag and metadata keys seen.
    Columns {
        view: Viewport,
        choices: Vec<Column>,
        /// The columns when the chooser opened (saved to the config only if changed).
        before: Vec<Column>,
    },
}

/// A request generation: responses carrying an older one are dropped.
pub type ReqId = u64;

/// The panes, by the name they have everywhere (model, ui, tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    TraceList,
    SpanTree,
    Detail,
}

impl Focus {
    pub fn next(self) -> Focus {
        match self {
            Focus::TraceList => Focus::SpanTree,
            Focus::SpanTree => Focus::Detail,
            Focus::Detail => Focus::TraceList,
        }
    }
    pub fn prev(self) -> Focus {
        match self {
            Focus::TraceList => Focus::Detail,
            Focus::SpanTree => Focus::TraceList,
            Focus::Detail => Focus::SpanTree,
        }
    }
    pub fn title(self) -> &'static str {
        match self {
            Focus::TraceList => "Traces",
            Focus::SpanTree => "Spans",
            Focus::Detail => "Detail",
        }
    }
}

/// Something that happened.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// The spinner's clock, only while something loads.
    Tick,
    TracesLoaded {
        req: ReqId,
        append: bool,
        page: Result<TracePage, SourceError>,
    },
    TraceLoaded {
        req: ReqId,
        trace_id: String,
        result: Result<LoadedTrace, String>,
    },
    /// The analyses of a giant trace that was shown before they were ready.
    TraceAnalysed {
        req: ReqId,
        trace_id: String,
        analysis: Arc<crate::model::analysis::Analysis>,
        findings: Arc<Vec<crate::model::lint::Finding>>,
    },
    DocReady {
        req: ReqId,
        content: detail::DocContent,
    },
    /// A highlighted chunk; no checkpoint when highlighting failed (the rest stays plain).
    Highlighted {
        req: ReqId,
        from: usize,
        lines: Vec<Line<'static>>,
        checkpoint: Option<Checkpoint>,
    },
    /// A background task panicked: the UI stops in order and reports it.
    TaskPanicked(String),
    /// An external program ($PAGER, $EDITOR) finished, or failed to start.
    External(Result<(), String>),
    ExperimentsLoaded(Result<Vec<Experiment>, String>),
    /// A timer the state machine asked for went off.
    Wake(Wake),
    /// Follow mode's poll answered, at `at_ms` (ms since the epoch).
    Polled {
        req: ReqId,
        at_ms: i64,
        result: Result<TracePage, SourceError>,
    },
    /// The files behind the source changed (filesystem notification): poll now.
    SourceChanged,
    /// Filesystem notifications could not be set up (the timer polls instead), or work.
    Watching(Result<(), String>),
    /// The config file was written (the column choice), or why not.
    ConfigSaved(Result<String, String>),
    /// Stats by model (the spans of the listed traces were read), or why not.
    ModelStats {
        req: ReqId,
        result: Result<crate::model::stats::Stats, String>,
    },
    /// A trace was exported to a file (its path and size), or why not.
    Exported(Result<(String, usize), String>),
    /// The tracking server's answer to an annotation: what it stored, or why not (with the
    /// line that was typed, to give it back).
    Annotated {
        req: ReqId,
        trace_id: String,
        annotation: crate::source::Annotation,
        typed: String,
        result: Result<crate::source::Written, String>,
    },
    /// The annotate line back from `$EDITOR` (its text, or why not).
    LineEdited(Result<String, String>),
    /// A session's turns read as one conversation (its display lines), or why not.
    SessionLoaded {
        req: ReqId,
        result: Result<Vec<String>, String>,
    },
}

/// A side effect for the runtime to carry out.
#[derive(Debug, Clone)]
pub enum Cmd {
    /// A page of the list (`append`: after what is listed).
    LoadTraces {
        req: ReqId,
        query: crate::source::ListQuery,
        append: bool,
    },
    LoadExperiments,
    /// Send `Msg::Wake(what)` after a while (retrying after a failure).
    WakeAfter {
        ms: u64,
        what: Wake,
    },
    LoadTrace {
        req: ReqId,
        trace_id: String,
    },
    BuildDoc {
        req: ReqId,
        trace: Arc<Trace>,
        span: Option<usize>,
        tab: Tab,
        utc: bool,
    },
    Highlight {
        req: ReqId,
        from: usize,
        lines: Arc<Vec<String>>,
        checkpoint: Checkpoint,
    },
    /// Follow mode: ask for the newest traces (`ListQuery::poll`).
    Poll {
        req: ReqId,
        query: crate::source::ListQuery,
    },
    /// Start (true) or stop watching the source's files for changes.
    Watch(bool),
    Copy(String),
    Pager(String),
    Editor(String),
    /// The annotate line in `$EDITOR` (a rationale of several lines); comes back as
    /// [`Msg::LineEdited`].
    EditLine(String),
    /// Write the list's columns into the config file (`columns = […]`).
    SaveColumns(Vec<String>),
    /// Read these traces' spans and count their model calls by model (the stats view).
    ModelStats {
        req: ReqId,
        ids: Vec<String>,
    },
    /// Write an annotation on a trace (a tracking server).
    Annotate {
        req: ReqId,
        trace_id: String,
        annotation: crate::source::Annotation,
        typed: String,
    },
    /// Find a session's turns (the source searched with the session's filter, so turns not
    /// loaded in the list are read too; `known`: the loaded ones), read them oldest first and
    /// make its conversation's lines.
    LoadSession {
        req: ReqId,
        session: String,
        experiment_ids: Vec<String>,
        known: Vec<String>,
        utc: bool,
    },
    /// Write a trace to a file in a format.
    Export {
        trace: Arc<Trace>,
        format: crate::cli::export::Format,
        path: String,
    },
    /// Start the spinner clock (the runtime stops it when nothing is loading).
    StartTicking,
    Quit,
}

/// A trace as it arrives from its loading task: the tree view, the analyses (critical path,
/// rollups, folded repeats) and the lints are worked out there too, off the UI thread (tens of
/// milliseconds at 100k spans). A trace of more than [`ANALYSE_LATER_FROM`] spans arrives
/// first with its folds only (`analysed: false`), so its tree is on screen while the rest is
/// worked out; [`Msg::TraceAnalysed`] follows.
#[derive(Debug, Clone)]
pub struct LoadedTrace {
    pub trace: Arc<Trace>,
    pub view: SpanTreeView,
    pub analysis: Arc<crate::model::analysis::Analysis>,
    pub findings: Arc<Vec<crate::model::lint::Finding>>,
    pub analysed: bool,
    /// What is missing from the stored trace ([`Trace::gaps`]).
    pub gaps: Vec<String>,
}

/// Traces with more spans than this are drawn before their analyses are ready.
pub const ANALYSE_LATER_FROM: usize = 10_000;

impl LoadedTrace {
    /// Everything worked out.
    pub fn new(trace: Arc<Trace>) -> Self {
        let (analysis, findings) = Self::analyse(&trace);
        let view = SpanTreeView::new(&trace, &analysis);
        LoadedTrace {
            gaps: trace.gaps(),
            trace,
            view,
            analysis,
            findings,
            analysed: true,
        }
    }

    /// What the first frame needs: everything for a trace of up to [`ANALYSE_LATER_FROM`]
    /// spans; for a larger one, the tree with its folds, the analyses to follow.
    pub fn first(trace: Arc<Trace>) -> Self {
        if trace.span_count() <= ANALYSE_LATER_FROM {
            return Self::new(trace);
        }
        let analysis = crate::model::analysis::Analysis::folds(&trace);
        let view = SpanTreeView::new(&trace, &analysis);
        LoadedTrace {
            gaps: trace.gaps(),
            trace,
            view,
            analysis: Arc::new(analysis),
            findings: Arc::new(Vec::new()),
            analysed: false,
        }
    }

    /// The analyses and the lints.
    #[allow(clippy::type_complexity)]
    pub fn analyse(
        trace: &Trace,
    ) -> (
        Arc<crate::model::analysis::Analysis>,
        Arc<Vec<crate::model::lint::Finding>>,
    ) {
        let analysis = crate::model::analysis::Analysis::of(trace);
        let findings = crate::model::lint::lint(trace, &analysis);
        (Arc::new(analysis), Arc::new(findings))
    }
}

/// The open trace and its tree view.
#[derive(Debug, Clone)]
pub struct OpenTrace {
    pub trace: Arc<Trace>,
    pub view: SpanTreeView,
    /// Search inside this trace (`/` in the tree or detail pane).
    pub search: search::TraceSearch,
    pub analysis: Arc<crate::model::analysis::Analysis>,
    pub findings: Arc<Vec<crate::model::lint::Finding>>,
    /// The analyses and findings are worked out (false: only the folds, more to come).
    pub analysed: bool,
    /// What is missing from the stored trace ([`Trace::gaps`]).
    pub gaps: Vec<String>,
}

/// Two traces compared: the aligned rows, and the line diff of the selected row's inputs and
/// outputs.
#[derive(Debug, Clone)]
pub struct CompareView {
    pub diff: crate::model::diff::TraceDiff,
    pub a: Arc<Trace>,
    pub b: Arc<Trace>,
    pub rows: Viewport,
    pub io: Vec<crate::model::diff::DiffLine>,
    pub io_view: Viewport,
    /// Keys move the line diff rather than the rows.
    pub focus_io: bool,
}

/// Stats over the list (or the model calls of its traces).
#[derive(Debug, Clone)]
pub struct StatsView {
    pub stats: crate::model::stats::Stats,
    pub view: Viewport,
    /// Model stats being worked out (the spans are read in the background).
    pub loading: Option<ReqId>,
    pub req: ReqId,
    /// What the numbers cover (all loaded rows, the first N traces for models…).
    pub note: String,
}

/// The sessions of the listed traces, and one read as a conversation.
#[derive(Debug, Clone)]
pub struct SessionsView {
    pub list: Vec<crate::model::sessions::Session>,
    pub view: Viewport,
    /// What the list covers (the loaded rows, narrowed or not).
    pub note: String,
    pub reading: Option<SessionReading>,
    pub req: ReqId,
}

/// A session's turns as one conversation.
#[derive(Debug, Clone)]
pub struct SessionReading {
    pub id: String,
    pub turns: usize,
    pub req: ReqId,
    /// The turns are being read.
    pub loading: bool,
    pub lines: Vec<String>,
    /// `lines` wrapped at `width` (worked out when either changes, never per frame).
    pub rows: Vec<String>,
    pub width: usize,
    pub view: Viewport,
}

impl SessionReading {
    /// Wraps the lines at a width (a no-op when they are wrapped at it).
    pub fn wrap(&mut self, width: usize) {
        let width = width.max(1);
        if width == self.width {
            return;
        }
        self.width = width;
        self.rows.clear();
        for l in &self.lines {
            let starts = crate::text::wrap_starts(l, width);
            for (k, &s) in starts.iter().enumerate() {
                let e = starts.get(k + 1).copied().unwrap_or(l.len());
                self.rows.push(l[s..e].to_string());
            }
        }
    }
}

/// A stretch of a trace's time, as offsets from its start (ns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from_ns: u64,
    pub to_ns: u64,
}

/// A trace that could not be loaded: the panes say so instead of showing another trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadFailure {
    pub trace_id: String,
    pub error: String,
}

#[derive(Debug, Clone)]
pub struct App {
    pub source_name: String,
    pub experiment_label: String,
    /// The experiments listed (empty: every active one).
    pub experiment_ids: Vec<String>,
    /// Every experiment the source has, once asked (names for the EXPERIMENT column, the
    /// picker and `:exp` completion).
    pub experiments: Option<Vec<Experiment>>,
    /// The source sorts by these keys itself (servers: time, duration, name; local: all).
    pub source_sorts: Vec<crate::source::OrderKey>,
    pub overlay: Option<Overlay>,
    /// A line being typed in the status line.
    pub prompt: Option<Prompt>,
    /// The structured filter applied to the list (MLflow's grammar).
    pub filter: Option<String>,
    /// The list's time window (`@`, `:since`): its label (`1h`) and length in ms; the source
    /// lists the traces started within it (a server: a filter on its side).
    pub since: Option<(String, i64)>,
    /// Filters applied before, newest last.
    pub filter_history: Vec<String>,
    /// Commands run before, newest last.
    pub palette_history: Vec<String>,
    /// Annotations typed before (written or not), newest last.
    pub annotate_history: Vec<String>,
    /// Review mode: the feedback name `y`/`n` give on the selected trace.
    pub review: Option<String>,
    /// The annotation request in flight.
    pub annotate_req: ReqId,
    /// The wait before the next automatic retry of a failed list load.
    pub retry_ms: u64,
    pub keymap: Keymap,
    pub color: bool,
    pub palette: Palette,
    pub mouse: bool,
    /// Show times in UTC (tests, and `utc = true` in the config).
    pub utc: bool,
    /// Now, in ms since the epoch, for relative times; set by the runtime.
    pub now_ms: i64,
    pub size: (u16, u16),
    pub focus: Focus,
    /// The focused pane fills the screen.
    pub zoom: bool,
    /// The transcript is open: where to go back to (the tab, focus and zoom before it).
    pub transcript: Option<TranscriptReturn>,
    /// The waterfall: the span tree as a full-width timeline of this window of the trace
    /// (offsets from its start, ns).
    pub waterfall: Option<Window>,
    /// A trace marked to compare with another (`m`).
    pub mark: Option<Arc<Trace>>,
    /// The comparison view (`D`).
    pub compare: Option<CompareView>,
    /// The stats view (`#`).
    pub stats: Option<StatsView>,
    /// The sessions view (`I`).
    pub sessions: Option<SessionsView>,
    /// The tracking server's web UI address, for links to a trace (`U`).
    /// What an empty list says for this source (the OTLP receiver: where to send spans).
    pub empty_hint: Vec<String>,
    pub web_base: Option<String>,
    pub quit: bool,
    pub list: TraceListState,
    /// The list's columns, in order (config `columns`, the column chooser).
    pub columns: Vec<Column>,
    pub open: Option<OpenTrace>,
    /// The trace being fetched (id), if any.
    pub loading_trace: Option<String>,
    /// The last trace load that failed, while that trace is selected.
    pub load_failure: Option<LoadFailure>,
    pub trace_req: ReqId,
    /// Recently opened traces (with their fresh tree views), newest last.
    pub cache: Vec<LoadedTrace>,
    pub detail: DetailState,
    /// Live tail.
    pub follow: follow::Follow,
    pub error: Option<String>,
    pub message: Option<String>,
    /// The list's load warnings (bad files skipped), for the status line.
    pub warnings: Vec<String>,
    /// Every warning and error of the session.
    pub log: log::MessageLog,
    pub spinner: usize,
    /// Something changed since the last draw.
    pub dirty: bool,
    /// Why the UI stopped, if it was an internal error.
    pub fatal: Option<String>,
}

pub const CACHE_TRACES: usize = 8;
/// Spans kept in the cache for traces other than the newest one remembered.
pub const CACHE_SPANS: usize = 100_000;

impl App {
    pub fn new(source_name: String, experiment_label: String) -> Self {
        App {
            source_name,
            experiment_label,
            experiment_ids: Vec::new(),
            experiments: None,
            source_sorts: crate::source::OrderKey::ALL.to_vec(),
            overlay: None,
            prompt: None,
            filter: None,
            since: None,
            filter_history: Vec::new(),
            palette_history: Vec::new(),
            annotate_history: Vec::new(),
            review: None,
            annotate_req: 0,
            retry_ms: 0,
            keymap: Keymap::default(),
            color: true,
            palette: Palette::Dark,
            mouse: true,
            utc: false,
            now_ms: 0,
            size: (80, 24),
            focus: Focus::TraceList,
            zoom: false,
            transcript: None,
            waterfall: None,
            mark: None,
            compare: None,
            stats: None,
            sessions: None,
            web_base: None,
            empty_hint: Vec::new(),
            quit: false,
            list: TraceListState::default(),
            columns: Column::defaults(),
            open: None,
            loading_trace: None,
            load_failure: None,
            trace_req: 0,
            cache: Vec::new(),
            detail: DetailState::default(),
            follow: follow::Follow::default(),
            error: None,
            message: None,
            warnings: Vec::new(),
            log: log::MessageLog::default(),
            spinner: 0,
            dirty: true,
            fatal: None,
        }
    }

    pub fn is_loading(&self) -> bool {
        self.list.loading.is_some()
            || self.loading_trace.is_some()
            || self.detail.preparing
            || self
                .sessions
                .as_ref()
                .and_then(|s| s.reading.as_ref())
                .is_some_and(|r| r.loading)
    }

    /// The span whose detail is shown: the tree's selection.
    pub fn selected_span(&self) -> Option<usize> {
        self.open.as_ref().and_then(|o| o.view.selected_span())
    }

    /// Shows an error in the status line and keeps it in the message log.
    pub fn report_error(&mut self, text: String) {
        self.log.push(log::Level::Error, &text, self.now_ms);
        self.error = Some(text);
    }

    /// Keeps a warning in the message log (shown in the status line until the next message).
    pub fn report_warning(&mut self, text: &str) {
        self.log.push(log::Level::Warning, text, self.now_ms);
    }

    /// The address of a trace in MLflow's web UI (server sources).
    pub fn web_url(&self, info: &crate::model::TraceInfo) -> Option<String> {
        let base = self.web_base.as_ref()?;
        let exp = info.experiment_id.as_deref().unwrap_or("0");
        Some(format!(
            "{}/#/experiments/{exp}/traces?selectedEvaluationId={}",
            base.trim_end_matches('/'),
            info.trace_id
        ))
    }

    /// The name of an experiment, when the source told it.
    pub fn experiment_name(&self, id: &str) -> Option<&str> {
        self.experiments
            .as_ref()?
            .iter()
            .find(|e| e.id == id)
            .map(|e| e.name.as_str())
    }
}

/// What the transcript view goes back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TranscriptReturn {
    pub tab: Tab,
    pub focus: Focus,
    pub zoom: bool,
}
