//! The runtime around the pure core: the terminal, the input thread, the one message channel,
//! the task executor, and the draw-when-dirty loop. The terminal is restored on exit, on error
//! and on panic.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc as std_mpsc};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use base64::Engine;
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind};
use crossterm::terminal::{self, EnterAlternateScreen, LeaveAlternateScreen};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::task::JoinHandle;

use crate::app::detail::{self, HIGHLIGHT_CHUNK};
use crate::app::{App, Cmd, LoadedTrace, Msg};
use crate::highlight::highlight_chunk;
use crate::source::Source;
use crate::text::sanitize_block;
use crate::update::{start, update};

/// At most one frame per this long; bursts of messages are drawn once.
const FRAME: Duration = Duration::from_millis(16);
const TICK: Duration = Duration::from_millis(100);

pub struct Options {
    pub source: Arc<dyn Source>,
    pub app: App,
}

static TERMINAL_ACTIVE: AtomicBool = AtomicBool::new(false);
static MOUSE_ON: AtomicBool = AtomicBool::new(false);
/// A panic in a background thread, kept for the report printed after the terminal is restored.
static PANIC_REPORT: Mutex<Option<String>> = Mutex::new(None);

fn enter_terminal(mouse: bool) -> Result<()> {
    terminal::enable_raw_mode()
        .context("cannot put the terminal in raw mode (is this a terminal?)")?;
    TERMINAL_ACTIVE.store(true, Ordering::SeqCst);
    let mut out = std::io::stdout();
    execute!(out, EnterAlternateScreen, cursor::Hide)?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
        MOUSE_ON.store(true, Ordering::SeqCst);
    }
    Ok(())
}

/// Puts the terminal back as it was. Safe to call more than once, and from the panic hook.
pub fn restore_terminal() {
    if !TERMINAL_ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = std::io::stdout();
    if MOUSE_ON.swap(false, Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(out, LeaveAlternateScreen, cursor::Show);
    let _ = terminal::disable_raw_mode();
}

/// Restores the terminal before a panic on the UI thread is reported. A panic on a worker
/// thread is recorded instead (the UI quits in order when its task's failure arrives).
fn install_panic_hook() {
    let ui_thread = std::thread::current().id();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui_thread {
            restore_terminal();
            previous(info);
        } else if let Ok(mut r) = PANIC_REPORT.lock() {
            r.get_or_insert_with(|| info.to_string());
        }
    }));
}

/// Restores the terminal when dropped (errors and early returns).
struct Guard;
impl Drop for Guard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

/// Reads terminal events on its own thread and sends them as messages. Paused while an
/// external program ($PAGER) owns the terminal.
struct Input {
    paused: Arc<AtomicBool>,
    idle: std_mpsc::Receiver<()>,
}

/// Failed reads of the terminal in a row before the explorer gives up on its input.
const INPUT_RETRIES: u32 = 20;

/// After a failed read of the terminal: whether to try again (after a short pause that grows),
/// or, after [`INPUT_RETRIES`] failures in a row, to give up; the explorer then stops with the
/// reason instead of running on deaf to every key.
fn retry_input(failures: &mut u32, e: &std::io::Error, tx: &UnboundedSender<Msg>) -> bool {
    *failures += 1;
    if *failures <= INPUT_RETRIES {
        std::thread::park_timeout(Duration::from_millis(10 * u64::from(*failures)));
        return true;
    }
    let _ = tx.send(Msg::TaskPanicked(format!(
        "the terminal's input could not be read ({e}); mlflow-tui stopped"
    )));
    false
}

impl Input {
    fn spawn(tx: UnboundedSender<Msg>) -> Input {
        let paused = Arc::new(AtomicBool::new(false));
        let (idle_tx, idle) = std_mpsc::channel();
        let p = Arc::clone(&paused);
        std::thread::spawn(move || {
            // Reading the terminal can fail for a moment (a resize whose size cannot be read
            // at once, an interrupted call): retry a few times before giving up. Given up,
            // the explorer stops with the reason instead of running on deaf to every key.
            let mut failures = 0u32;
            loop {
                if p.load(Ordering::SeqCst) {
                    let _ = idle_tx.send(());
                    while p.load(Ordering::SeqCst) {
                        std::thread::park_timeout(Duration::from_millis(50));
                    }
                    continue;
                }
                match event::poll(Duration::from_millis(250)) {
                    Ok(true) => {}
                    Ok(false) => {
                        failures = 0;
                        continue;
                    }
                    Err(e) if retry_input(&mut failures, &e, &tx) => continue,
                    Err(_) => break,
                }
                if p.load(Ordering::SeqCst) {
                    continue;
                }
                let msg = match event::read() {
                    Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => Msg::Key(k),
                    Ok(Event::Mouse(m)) => Msg::Mouse(m),
                    Ok(Event::Resize(w, h)) => Msg::Resize(w, h),
                    Ok(_) => continue,
                    Err(e) if retry_input(&mut failures, &e, &tx) => continue,
                    Err(_) => break,
                };
                failures = 0;
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Input { paused, idle }
    }

    fn pause(&self) {
        while self.idle.try_recv().is_ok() {}
        self.paused.store(true, Ordering::SeqCst);
        let _ = self.idle.recv_timeout(Duration::from_millis(500));
    }

    fn resume(&self) {
        self.paused.store(false, Ordering::SeqCst);
    }
}

struct Executor {
    source: Arc<dyn Source>,
    /// `MLFLOW_TUI_DEBUG_PANIC=task`: the first list load panics in its task (to test that the
    /// explorer stops in order and restores the terminal).
    panic_in_task: bool,
    tx: UnboundedSender<Msg>,
    trace_task: Option<JoinHandle<()>>,
    ticking: Arc<AtomicBool>,
    /// Filesystem notifications while following a local source.
    watch: Option<crate::source::watch::Watch>,
    /// The queue of writes to the source (started at the first).
    writes: Option<UnboundedSender<Cmd>>,
}

/// The report the panic hook kept, else `fallback`.
fn panic_report(fallback: &str) -> String {
    PANIC_REPORT
        .lock()
        .ok()
        .and_then(|r| r.clone())
        .unwrap_or_else(|| fallback.into())
}

/// The task that writes annotations one after the other; each answer (or its panic) comes
/// back as a message.
fn writer(source: &Arc<dyn Source>, tx: &UnboundedSender<Msg>) -> UnboundedSender<Cmd> {
    let (queue, mut jobs) = unbounded_channel::<Cmd>();
    let (src, tx) = (Arc::clone(source), tx.clone());
    tokio::spawn(async move {
        while let Some(job) = jobs.recv().await {
            let Cmd::Annotate {
                req,
                trace_id,
                annotation,
                typed,
            } = job
            else {
                continue;
            };
            let src = Arc::clone(&src);
            let write = tokio::spawn(async move {
                let result = src
                    .annotate(&trace_id, &annotation)
                    .await
                    .map_err(|e| e.to_string());
                Msg::Annotated {
                    req,
                    trace_id,
                    annotation,
                    typed,
                    result,
                }
            });
            let msg = match write.await {
                Ok(msg) => msg,
                Err(_) => Msg::TaskPanicked(panic_report("a write to the source panicked")),
            };
            if tx.send(msg).is_err() {
                break;
            }
        }
    });
    queue
}

impl Executor {
    /// Runs a task; its result (or its panic) comes back as a message.
    fn spawn<F>(&self, fut: F) -> JoinHandle<()>
    where
        F: std::future::Future<Output = Msg> + Send + 'static,
    {
        let tx = self.tx.clone();
        let handle = tokio::spawn(fut);
        tokio::spawn(async move {
            match handle.await {
                Ok(msg) => {
                    let _ = tx.send(msg);
                }
                Err(e) if e.is_panic() => {
                    let _ = tx.send(Msg::TaskPanicked(panic_report(
                        "a background task panicked",
                    )));
                }
                Err(_) => {} // aborted: superseded by a newer request
            }
        })
    }

    fn run(
        &mut self,
        cmd: Cmd,
        terminal: &mut Term,
        input: &Input,
        app_loading: bool,
    ) -> Result<()> {
        match cmd {
            Cmd::LoadTraces { req, query, append } => {
                let src = Arc::clone(&self.source);
                let panic_now = std::mem::take(&mut self.panic_in_task);
                self.spawn(async move {
                    if panic_now {
                        panic!("debug panic in a background task (MLFLOW_TUI_DEBUG_PANIC=task)");
                    }
                    let page = src.list(query).await;
                    Msg::TracesLoaded { req, append, page }
                });
            }
            Cmd::LoadTrace { req, trace_id } => {
                if let Some(old) = self.trace_task.take() {
                    old.abort();
                }
                let src = Arc::clone(&self.source);
                let tx = self.tx.clone();
                self.trace_task = Some(self.spawn(async move {
                    let result = match src.get(&trace_id).await {
                        Ok(trace) => tokio::task::spawn_blocking(move || LoadedTrace::first(trace))
                            .await
                            .map_err(|e| format!("building the span tree failed: {e}")),
                        Err(e) => Err(e.to_string()),
                    };
                    let later = match &result {
                        Ok(l) if !l.analysed => Some(Arc::clone(&l.trace)),
                        _ => None,
                    };
                    let loaded = Msg::TraceLoaded {
                        req,
                        trace_id: trace_id.clone(),
                        result,
                    };
                    let Some(trace) = later else {
                        return loaded;
                    };
                    // a giant trace: its tree goes on screen now, its analyses when ready
                    let _ = tx.send(loaded);
                    match tokio::task::spawn_blocking(move || LoadedTrace::analyse(&trace)).await {
                        Ok((analysis, findings)) => Msg::TraceAnalysed {
                            req,
                            trace_id,
                            analysis,
                            findings,
                        },
                        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                        Err(e) => Msg::External(Err(format!("analysing the trace failed: {e}"))),
                    }
                }));
            }
            Cmd::BuildDoc {
                req,
                trace,
                span,
                tab,
                utc,
            } => {
                self.spawn(async move {
                    let content =
                        tokio::task::spawn_blocking(move || detail::build(&trace, span, tab, utc))
                            .await
                            .unwrap_or_default();
                    Msg::DocReady { req, content }
                });
            }
            Cmd::Highlight {
                req,
                from,
                lines,
                checkpoint,
            } => {
                self.spawn(async move {
                    let done = tokio::task::spawn_blocking(move || {
                        highlight_chunk(&lines, from, HIGHLIGHT_CHUNK, checkpoint)
                    })
                    .await;
                    match done {
                        Ok((styled, cp)) => Msg::Highlighted {
                            req,
                            from,
                            lines: styled,
                            checkpoint: Some(cp),
                        },
                        Err(_) => Msg::Highlighted {
                            req,
                            from,
                            lines: Vec::new(),
                            checkpoint: None,
                        },
                    }
                });
            }
            Cmd::Poll { req, query } => {
                if let Some(w) = &self.watch {
                    w.rearm(); // changes from now on start another poll
                }
                let src = Arc::clone(&self.source);
                self.spawn(async move {
                    let result = src.list(query).await;
                    Msg::Polled {
                        req,
                        at_ms: now_ms(),
                        result,
                    }
                });
            }
            Cmd::Watch(on) => {
                self.watch = None;
                if !on {
                    self.source.notify(None);
                } else if self.source.notify(Some({
                    let tx = self.tx.clone();
                    Arc::new(move || {
                        let _ = tx.send(Msg::SourceChanged);
                    })
                })) {
                    let _ = self.tx.send(Msg::Watching(Ok(())));
                } else if let Some(target) = self.source.watch_target() {
                    let tx = self.tx.clone();
                    let r = crate::source::watch::Watch::start(&target, move || {
                        let _ = tx.send(Msg::SourceChanged);
                    });
                    let _ = self.tx.send(Msg::Watching(r.map(|w| {
                        self.watch = Some(w);
                    })));
                }
            }
            Cmd::LoadExperiments => {
                let src = Arc::clone(&self.source);
                self.spawn(async move {
                    Msg::ExperimentsLoaded(src.experiments().await.map_err(|e| e.to_string()))
                });
            }
            Cmd::WakeAfter { ms, what } => {
                self.spawn(async move {
                    tokio::time::sleep(Duration::from_millis(ms)).await;
                    Msg::Wake(what)
                });
            }
            Cmd::Copy(text) => osc52(&text)?,
            Cmd::Pager(text) => {
                let pager = std::env::var("PAGER")
                    .ok()
                    .filter(|p| !p.trim().is_empty())
                    .unwrap_or_else(|| "less".into());
                let r = suspended(terminal, input, || {
                    run_with_stdin(&pager, &sanitize_block(&text))
                });
                let _ = self.tx.send(Msg::External(r));
            }
            Cmd::Editor(text) => {
                let editor = editor_command();
                let r = suspended(terminal, input, || {
                    run_editor(&editor, &text, "json").map(|_| ())
                });
                let _ = self.tx.send(Msg::External(r));
            }
            Cmd::EditLine(text) => {
                let editor = editor_command();
                let mut edited = Err(String::new());
                let r = suspended(terminal, input, || {
                    edited = run_editor(&editor, &text, "md");
                    edited.as_ref().map(|_| ()).map_err(Clone::clone)
                });
                let _ = self.tx.send(Msg::LineEdited(r.and(edited)));
            }
            Cmd::SaveColumns(columns) => {
                self.spawn(async move {
                    let r =
                        tokio::task::spawn_blocking(move || crate::config::save_columns(&columns))
                            .await
                            .map_err(|e| e.to_string())
                            .and_then(|r| r);
                    Msg::ConfigSaved(r)
                });
            }
            Cmd::ModelStats { req, ids } => {
                let src = Arc::clone(&self.source);
                self.spawn(async move {
                    let mut traces = Vec::with_capacity(ids.len());
                    let mut failed = None;
                    for id in &ids {
                        match src.get(id).await {
                            Ok(t) => traces.push(t),
                            Err(e) => failed = Some(format!("{id}: {e}")),
                        }
                    }
                    let result = if traces.is_empty() {
                        Err(failed.unwrap_or_else(|| "no traces".into()))
                    } else {
                        tokio::task::spawn_blocking(move || {
                            let refs: Vec<&crate::model::Trace> =
                                traces.iter().map(|t| t.as_ref()).collect();
                            crate::model::stats::of_traces(&refs)
                        })
                        .await
                        .map_err(|e| e.to_string())
                    };
                    Msg::ModelStats { req, result }
                });
            }
            Cmd::Annotate {
                req,
                trace_id,
                annotation,
                typed,
            } => {
                // writes go one at a time, in the order given: a verdict and its correction
                // typed a moment later must reach the server in that order
                let (source, tx) = (&self.source, &self.tx);
                let queue = self.writes.get_or_insert_with(|| writer(source, tx));
                let _ = queue.send(Cmd::Annotate {
                    req,
                    trace_id,
                    annotation,
                    typed,
                });
            }
            Cmd::LoadSession {
                req,
                session,
                experiment_ids,
                known,
                utc,
            } => {
                let src = Arc::clone(&self.source);
                self.spawn(async move {
                    let turns = match crate::source::read_session(
                        src.as_ref(),
                        &session,
                        experiment_ids,
                        known,
                    )
                    .await
                    {
                        Ok(t) => t,
                        Err(e) => {
                            return Msg::SessionLoaded {
                                req,
                                result: Err(e),
                            };
                        }
                    };
                    let result = tokio::task::spawn_blocking(move || {
                        crate::app::detail::session_lines(&turns, utc)
                    })
                    .await
                    .map_err(|e| e.to_string());
                    Msg::SessionLoaded { req, result }
                });
            }
            Cmd::Export {
                trace,
                format,
                path,
            } => {
                self.spawn(async move {
                    let r = tokio::task::spawn_blocking(move || {
                        let text = crate::cli::export::render(&trace, format)
                            .map_err(|e| e.to_string())?;
                        std::fs::write(&path, &text)
                            .map_err(|e| format!("{path}: {}", crate::source::io_reason(&e)))?;
                        Ok((path, text.len()))
                    })
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|r| r);
                    Msg::Exported(r)
                });
            }
            Cmd::StartTicking => {
                if app_loading && !self.ticking.swap(true, Ordering::SeqCst) {
                    let tx = self.tx.clone();
                    let ticking = Arc::clone(&self.ticking);
                    tokio::spawn(async move {
                        let mut iv = tokio::time::interval(TICK);
                        iv.tick().await;
                        while ticking.load(Ordering::SeqCst) {
                            iv.tick().await;
                            if tx.send(Msg::Tick).is_err() {
                                break;
                            }
                        }
                    });
                }
            }
            Cmd::Quit => {}
        }
        Ok(())
    }
}

type Term = Terminal<CrosstermBackend<std::io::Stdout>>;

/// Copies text to the clipboard with OSC 52 (works over SSH). Inside tmux the sequence is
/// also sent wrapped for tmux's passthrough.
fn osc52(text: &str) -> Result<()> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let mut out = std::io::stdout();
    write!(out, "\x1b]52;c;{b64}\x07")?;
    if std::env::var_os("TMUX").is_some() {
        write!(out, "\x1bPtmux;\x1b\x1b]52;c;{b64}\x07\x1b\\")?;
    }
    out.flush()?;
    Ok(())
}

/// Where `text` stands on one row of a drawn frame.
fn find_text(buf: &ratatui::buffer::Buffer, text: &str) -> Option<(u16, u16)> {
    let first = text.chars().next()?.to_string();
    let n = text.chars().count() as u16;
    for y in buf.area.top()..buf.area.bottom() {
        for x in buf.area.left()..buf.area.right().saturating_sub(n.saturating_sub(1)) {
            if buf[(x, y)].symbol() != first {
                continue;
            }
            let found = text
                .chars()
                .enumerate()
                .all(|(k, c)| buf[(x + k as u16, y)].symbol() == c.to_string());
            if found {
                return Some((x, y));
            }
        }
    }
    None
}

/// Writes `url` again at a cell as an OSC 8 hyperlink (terminals that know OSC 8 make it
/// clickable; the others show the same text).
fn hyperlink(x: u16, y: u16, url: &str) -> Result<()> {
    let safe = crate::text::sanitize_line(url);
    let mut out = std::io::stdout();
    execute!(out, cursor::MoveTo(x, y))?;
    write!(out, "\x1b]8;;{safe}\x1b\\{safe}\x1b]8;;\x1b\\")?;
    out.flush()?;
    Ok(())
}

/// Hands the terminal to an external program and takes it back.
fn suspended(
    terminal: &mut Term,
    input: &Input,
    f: impl FnOnce() -> Result<(), String>,
) -> Result<(), String> {
    input.pause();
    let mouse = MOUSE_ON.load(Ordering::SeqCst);
    restore_terminal();
    let r = f();
    let back = enter_terminal(mouse)
        .map_err(|e| e.to_string())
        .and_then(|_| terminal.clear().map_err(|e| e.to_string()));
    input.resume();
    r.and(back)
}

fn run_with_stdin(cmd: &str, text: &str) -> Result<(), String> {
    let mut child = std::process::Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start $PAGER ({cmd}): {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // a pager that quits early closes the pipe; that is fine
        let _ = stdin.write_all(text.as_bytes());
    }
    let status = child.wait().map_err(|e| format!("$PAGER ({cmd}): {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("$PAGER ({cmd}) exited with {status}"))
    }
}

/// `$VISUAL`, else `$EDITOR`, else `vi`.
fn editor_command() -> String {
    std::env::var("VISUAL")
        .or_else(|_| std::env::var("EDITOR"))
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "vi".into())
}

/// Opens `text` in the editor (a temporary file ending in `.ext`); what the file holds after.
fn run_editor(cmd: &str, text: &str, ext: &str) -> Result<String, String> {
    let path = std::env::temp_dir().join(format!(
        "mlflow-tui-{}-{}.{ext}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{cmd} \"$1\""))
        .arg("sh")
        .arg(&path)
        .status()
        .map_err(|e| format!("cannot start $EDITOR ({cmd}): {e}"));
    let after = std::fs::read_to_string(&path);
    let _ = std::fs::remove_file(&path);
    let status = status?;
    if status.success() {
        after.map_err(|e| format!("cannot read back {}: {e}", path.display()))
    } else {
        Err(format!("$EDITOR ({cmd}) exited with {status}"))
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Runs the explorer until the user quits.
pub fn run(opts: Options) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let report = rt.block_on(run_loop(opts))?;
    rt.shutdown_timeout(Duration::from_millis(200));
    if let Some(r) = report {
        anyhow::bail!("stopped after an internal error: {r}");
    }
    Ok(())
}

async fn run_loop(opts: Options) -> Result<Option<String>> {
    let Options { source, mut app } = opts;
    install_panic_hook();
    enter_terminal(app.mouse)?;
    let _guard = Guard;
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    terminal.clear()?;
    let (tx, mut rx) = unbounded_channel::<Msg>();
    let input = Input::spawn(tx.clone());
    let debug_panic = std::env::var("MLFLOW_TUI_DEBUG_PANIC").unwrap_or_default();
    let mut exec = Executor {
        panic_in_task: debug_panic == "task",
        source,
        tx: tx.clone(),
        trace_task: None,
        ticking: Arc::new(AtomicBool::new(false)),
        watch: None,
        writes: None,
    };

    let size = terminal.size()?;
    let mut cmds = update(&mut app, Msg::Resize(size.width, size.height));
    cmds.extend(start(&mut app));
    let mut last_draw: Option<Instant> = None;
    loop {
        for c in cmds.drain(..) {
            exec.run(c, &mut terminal, &input, app.is_loading())?;
        }
        exec.ticking.store(app.is_loading(), Ordering::SeqCst);
        if app.quit {
            break;
        }
        if app.dirty {
            let due = last_draw.map(|t| t + FRAME).unwrap_or_else(Instant::now);
            if Instant::now() >= due {
                app.now_ms = now_ms();
                // one frame at a time: terminals that know synchronized output (DEC 2026) show
                // it whole, never half drawn
                execute!(std::io::stdout(), terminal::BeginSynchronizedUpdate)?;
                let link = app.open.as_ref().and_then(|o| app.web_url(&o.trace.info));
                let drawn = terminal.draw(|f| crate::ui::render(f, &app)).map(|frame| {
                    link.and_then(|url| find_text(frame.buffer, &url).map(|p| (p, url)))
                });
                // the trace's web UI address, where it is on screen, as an OSC 8 hyperlink
                if let Ok(Some(((x, y), url))) = &drawn {
                    hyperlink(*x, *y, url)?;
                }
                execute!(std::io::stdout(), terminal::EndSynchronizedUpdate)?;
                drawn?;
                app.dirty = false;
                last_draw = Some(Instant::now());
                if debug_panic == "ui" {
                    panic!("debug panic on the UI thread (MLFLOW_TUI_DEBUG_PANIC=ui)");
                }
            } else {
                // draw when the frame is due, unless more messages come first
                tokio::select! {
                    m = rx.recv() => match m {
                        Some(m) => cmds.extend(update(&mut app, m)),
                        None => break,
                    },
                    _ = tokio::time::sleep_until(due.into()) => {}
                }
                continue;
            }
        }
        match rx.recv().await {
            Some(m) => {
                // the clock as the message arrives (after an idle hour the last frame's is old):
                // a time window asked for now starts from now
                app.now_ms = now_ms();
                cmds.extend(update(&mut app, m))
            }
            None => break,
        }
        // drain the burst before drawing once
        while let Ok(m) = rx.try_recv() {
            cmds.extend(update(&mut app, m));
        }
    }
    Ok(app.fatal.clone())
}
