//! The application state: one owner (the UI loop), changed only by [`crate::update::update`].
//! Also the messages that arrive (`Msg`) and the side effects update asks for (`Cmd`).

pub mod detail;
pub mod follow;
pub mod search;
pub mod span_tree;
pub mod trace_list;

use std::sync::Arc;

use crossterm::event::{KeyEvent, MouseEvent};
use ratatui::text::Line;

use crate::highlight::{Checkpoint, Palette};
use crate::keymap::Keymap;
use crate::model::Trace;
use crate::source::{Experiment, TracePage};

pub use detail::{DetailDoc, Tab};
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

/// The structured filter's input line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterInput {
    pub text: String,
    /// Position in the history while ↑/↓ walk it.
    pub history_pos: Option<usize>,
    /// The parse error of the last enter, with its column.
    pub error: Option<crate::model::filter::FilterError>,
}

/// The experiment picker: every experiment, the cursor, the ones marked.
#[derive(Debug, Clone, Default)]
pub struct Picker {
    /// `None` while loading.
    pub items: Option<Vec<Experiment>>,
    /// Row 0 is "all experiments".
    pub selected: usize,
    pub marked: std::collections::BTreeSet<String>,
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
        page: Result<TracePage, String>,
    },
    TraceLoaded {
        req: ReqId,
        trace_id: String,
        result: Result<LoadedTrace, String>,
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
        result: Result<TracePage, String>,
    },
    /// The files behind the source changed (filesystem notification): poll now.
    SourceChanged,
    /// Filesystem notifications could not be set up (the timer polls instead), or work.
    Watching(Result<(), String>),
}

/// A side effect for the runtime to carry out.
#[derive(Debug, Clone)]
pub enum Cmd {
    LoadTraces {
        req: ReqId,
        experiment_ids: Vec<String>,
        filter: Option<String>,
        page_token: Option<String>,
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
    /// Follow mode: ask for traces at least as new as `since_ms` (newest first).
    Poll {
        req: ReqId,
        experiment_ids: Vec<String>,
        filter: Option<String>,
        since_ms: Option<i64>,
    },
    /// Start (true) or stop watching the source's files for changes.
    Watch(bool),
    Copy(String),
    Pager(String),
    Editor(String),
    /// Start the spinner clock (the runtime stops it when nothing is loading).
    StartTicking,
    Quit,
}

/// A trace as it arrives from its loading task: the tree view is built there too, off the UI
/// thread (it takes tens of milliseconds at 100k spans).
#[derive(Debug, Clone)]
pub struct LoadedTrace {
    pub trace: Arc<Trace>,
    pub view: SpanTreeView,
}

impl LoadedTrace {
    pub fn new(trace: Arc<Trace>) -> Self {
        let view = SpanTreeView::new(&trace);
        LoadedTrace { trace, view }
    }
}

/// The open trace and its tree view.
#[derive(Debug, Clone)]
pub struct OpenTrace {
    pub trace: Arc<Trace>,
    pub view: SpanTreeView,
    /// Search inside this trace (`/` in the tree or detail pane).
    pub search: search::TraceSearch,
}

#[derive(Debug, Clone)]
pub struct DetailState {
    pub tab: Tab,
    pub scroll: usize,
    pub wrap: bool,
    pub doc: Option<DetailDoc>,
    /// A document is being prepared off the UI thread.
    pub preparing: bool,
    pub req: ReqId,
    /// The selected span has a conversation (the Chat tab is lit); worked out when the
    /// selection changes, not per frame.
    pub chat: bool,
}

/// Heights of the scrollable panes at the current terminal size (for page moves).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Viewport {
    pub list_rows: usize,
    pub tree_rows: usize,
    pub detail_rows: usize,
}

#[derive(Debug, Clone)]
pub struct App {
    pub source_name: String,
    pub experiment_label: String,
    /// The experiments listed (empty: every active one).
    pub experiment_ids: Vec<String>,
    pub picker: Option<Picker>,
    /// The span filter popup: the row under the cursor (0: hide plumbing, then the types).
    pub span_filter: Option<usize>,
    /// The structured filter applied to the list (MLflow's grammar).
    pub filter: Option<String>,
    /// The filter being typed.
    pub filter_input: Option<FilterInput>,
    /// Filters applied before, newest last.
    pub filter_history: Vec<String>,
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
    pub help: bool,
    pub quit: bool,
    pub list: TraceListState,
    pub open: Option<OpenTrace>,
    /// The trace being fetched (id), if any.
    pub loading_trace: Option<String>,
    pub trace_req: ReqId,
    /// Recently opened traces (with their fresh tree views), newest last.
    pub cache: Vec<LoadedTrace>,
    pub detail: DetailState,
    /// Live tail.
    pub follow: follow::Follow,
    pub error: Option<String>,
    pub message: Option<String>,
    pub warnings: Vec<String>,
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
            picker: None,
            span_filter: None,
            filter: None,
            filter_input: None,
            filter_history: Vec::new(),
            retry_ms: 0,
            keymap: Keymap::default(),
            color: true,
            palette: Palette::Dark,
            mouse: true,
            utc: false,
            now_ms: 0,
            size: (80, 24),
            focus: Focus::TraceList,
            help: false,
            quit: false,
            list: TraceListState::default(),
            open: None,
            loading_trace: None,
            trace_req: 0,
            cache: Vec::new(),
            detail: DetailState {
                tab: Tab::Trace,
                scroll: 0,
                wrap: false,
                doc: None,
                preparing: false,
                req: 0,
                chat: false,
            },
            follow: follow::Follow::default(),
            error: None,
            message: None,
            warnings: Vec::new(),
            spinner: 0,
            dirty: true,
            fatal: None,
        }
    }

    pub fn is_loading(&self) -> bool {
        self.list.loading.is_some() || self.loading_trace.is_some() || self.detail.preparing
    }

    pub fn viewport(&self) -> Viewport {
        crate::ui::viewport(self.size)
    }

    /// The span whose detail is shown: the tree's selection.
    pub fn selected_span(&self) -> Option<usize> {
        self.open.as_ref().and_then(|o| o.view.selected_span())
    }
}
