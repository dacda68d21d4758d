//! A real terminal for journey tests: the binary runs in a pseudo-terminal of a given size and
//! its output goes through a vt100 parser, so tests read the screen a user would see. Waits are
//! driven by the output (a condition variable notified on every chunk read), with a deadline;
//! nothing sleeps for a fixed time.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// The binary under test: `$MLFLOW_TUI_BIN` (scripts/ci.sh points it at the release build),
/// else the one cargo built for these tests.
pub fn binary() -> PathBuf {
    std::env::var_os("MLFLOW_TUI_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_mlflow-tui")))
}

struct Shared {
    /// The screen, whether the program has ended, and whether a frame is being drawn (between
    /// the program's begin and end of synchronized output: the screen is half new then).
    parser: Mutex<(vt100::Parser, bool, bool)>,
    changed: Condvar,
}

const SYNC_BEGIN: &[u8] = b"\x1b[?2026h";
const SYNC_END: &[u8] = b"\x1b[?2026l";

/// Feeds output to the parser, noting whether a frame is being drawn: the last marker seen
/// (begin or end of synchronized output) decides. `tail` keeps the end of the previous chunk,
/// so a marker split across two reads is still seen.
fn feed(g: &mut (vt100::Parser, bool, bool), tail: &mut Vec<u8>, chunk: &[u8]) {
    g.0.process(chunk);
    let mut hay = std::mem::take(tail);
    hay.extend_from_slice(chunk);
    let last = |m: &[u8]| hay.windows(m.len()).rposition(|w| w == m);
    match (last(SYNC_BEGIN), last(SYNC_END)) {
        (Some(b), Some(e)) => g.2 = b > e,
        (Some(_), None) => g.2 = true,
        (None, Some(_)) => g.2 = false,
        (None, None) => {}
    }
    let keep = hay.len().saturating_sub(SYNC_BEGIN.len());
    *tail = hay[keep..].to_vec();
}

pub struct Term {
    shared: Arc<Shared>,
    writer: Arc<Mutex<Box<dyn Write + Send>>>,
    master: Box<dyn MasterPty + Send>,
    child: Box<dyn Child + Send + Sync>,
    /// Config and state go here, not into the user's home.
    _home: tempfile::TempDir,
    pub size: (u16, u16),
}

/// How long a wait may take before the test fails with the screen.
const DEADLINE: Duration = Duration::from_secs(30);

impl Term {
    /// Runs `mlflow-tui ARGS` in a `cols` x `rows` terminal (UTC, a private config folder).
    pub fn run(args: &[&str], cols: u16, rows: u16) -> Term {
        Term::run_with(args, cols, rows, &[])
    }

    pub fn run_with(args: &[&str], cols: u16, rows: u16, env: &[(&str, &str)]) -> Term {
        let home = tempfile::tempdir().expect("a temp dir");
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(binary());
        cmd.args(args);
        cmd.cwd(env!("CARGO_MANIFEST_DIR"));
        cmd.env("TERM", "xterm-256color");
        cmd.env("TZ", "UTC");
        cmd.env("HOME", home.path());
        cmd.env("XDG_CONFIG_HOME", home.path().join("config"));
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("MLFLOW_TRACKING_URI");
        cmd.env_remove("MLFLOW_EXPERIMENT_NAME");
        cmd.env_remove("MLFLOW_EXPERIMENT_ID");
        cmd.env("PAGER", "cat");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("the binary starts");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("a reader");
        let writer = Arc::new(Mutex::new(pair.master.take_writer().expect("a writer")));
        let answer = Arc::clone(&writer);
        let shared = Arc::new(Shared {
            parser: Mutex::new((vt100::Parser::new(rows, cols, 0), false, false)),
            changed: Condvar::new(),
        });
        let s = Arc::clone(&shared);
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            let mut tail = Vec::new();
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => {
                        if let Ok(mut g) = s.parser.lock() {
                            g.1 = true;
                        }
                        s.changed.notify_all();
                        break;
                    }
                    Ok(n) => {
                        let chunk = &buf[..n];
                        let mut reply = None;
                        if let Ok(mut g) = s.parser.lock() {
                            feed(&mut g, &mut tail, chunk);
                            // a cursor position request (as crossterm sends at start): answer
                            // it as a terminal does
                            if chunk.windows(4).any(|w| w == b"\x1b[6n") {
                                let (y, x) = g.0.screen().cursor_position();
                                reply = Some(format!("\x1b[{};{}R", y + 1, x + 1));
                            }
                        }
                        if let (Some(r), Ok(mut w)) = (reply, answer.lock()) {
                            let _ = w.write_all(r.as_bytes());
                            let _ = w.flush();
                        }
                        s.changed.notify_all();
                    }
                }
            }
        });
        Term {
            shared,
            writer,
            master: pair.master,
            child,
            _home: home,
            size: (cols, rows),
        }
    }

    /// Where this terminal's config file is.
    pub fn config_file(&self) -> PathBuf {
        self._home.path().join("config/mlflow-tui/config.toml")
    }

    pub fn home(&self) -> &Path {
        self._home.path()
    }

    /// The screen as text, one line per row (trailing spaces kept off).
    pub fn screen(&self) -> String {
        let g = self.shared.parser.lock().expect("the parser");
        g.0.screen().contents()
    }

    /// Every cell's text, row by row (a blank cell is a space; a wide character's second cell
    /// is empty).
    pub fn grid(&self) -> Vec<Vec<String>> {
        let g = self.shared.parser.lock().expect("the parser");
        let (rows, cols) = g.0.screen().size();
        (0..rows)
            .map(|y| {
                (0..cols)
                    .map(|x| match g.0.screen().cell(y, x) {
                        Some(c) if c.is_wide_continuation() => String::new(),
                        Some(c) if c.contents().is_empty() => " ".to_string(),
                        Some(c) => c.contents().to_string(),
                        None => " ".to_string(),
                    })
                    .collect()
            })
            .collect()
    }

    /// The rows inside the pane whose top border holds `title` (trailing spaces trimmed), or
    /// `None` when no such pane is on screen.
    pub fn pane(&self, title: &str) -> Option<Vec<String>> {
        let grid = self.grid();
        let (tx, ty) = self.find(title)?;
        let (tx, ty) = (tx as usize, ty as usize);
        let row = &grid[ty];
        let corner = |c: &str| matches!(c, "┌" | "┏");
        let x0 = (0..=tx).rev().find(|&x| corner(&row[x]))?;
        let x1 = (tx..row.len()).find(|&x| matches!(row[x].as_str(), "┐" | "┓"))?;
        let y1 = (ty + 1..grid.len()).find(|&y| matches!(grid[y][x0].as_str(), "└" | "┗"))?;
        Some(
            (ty + 1..y1)
                .map(|y| grid[y][x0 + 1..x1].concat().trim_end().to_string())
                .collect(),
        )
    }

    /// The pane's title line (its top border).
    pub fn title_of(&self, title: &str) -> Option<String> {
        let (_, y) = self.find(title)?;
        Some(self.row(y))
    }

    /// One row of the screen.
    pub fn row(&self, y: u16) -> String {
        let g = self.shared.parser.lock().expect("the parser");
        let (_, cols) = g.0.screen().size();
        g.0.screen()
            .rows(0, cols)
            .nth(y as usize)
            .unwrap_or_default()
    }

    /// Waits until `ok(screen)`; fails with the screen after the deadline.
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        let mut g = self.shared.parser.lock().expect("the parser");
        loop {
            let s = g.0.screen().contents();
            // a frame half drawn is not what the user sees: wait for its end
            if !g.2 && ok(&s) {
                return s;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out waiting for {what} at {}x{}; screen:\n{s}",
                self.size.0,
                self.size.1
            );
            assert!(
                !g.1,
                "the program ended while waiting for {what}; screen:\n{s}"
            );
            g = self
                .shared
                .changed
                .wait_timeout(g, left)
                .expect("the parser")
                .0;
        }
    }

    pub fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }

    /// Types text as is.
    pub fn type_text(&mut self, text: &str) {
        let mut w = self.writer.lock().expect("the writer");
        w.write_all(text.as_bytes()).expect("typing");
        w.flush().expect("typing");
    }

    /// Presses named keys: `enter`, `esc`, `tab`, `up`, `pgdn`, `ctrl-d`, `alt-f`, or a char.
    /// An `esc` must be the last key of a call, and the test must wait for what it did before
    /// typing on: the terminal reads an escape followed at once by a key as alt and that key.
    pub fn keys(&mut self, keys: &[&str]) {
        for k in keys {
            let seq: String = match *k {
                "enter" => "\r".into(),
                "esc" => "\x1b".into(),
                "tab" => "\t".into(),
                "backtab" | "shift-tab" => "\x1b[Z".into(),
                "backspace" => "\x7f".into(),
                "up" => "\x1b[A".into(),
                "down" => "\x1b[B".into(),
                "right" => "\x1b[C".into(),
                "left" => "\x1b[D".into(),
                "home" => "\x1b[H".into(),
                "end" => "\x1b[F".into(),
                "pgup" => "\x1b[5~".into(),
                "pgdn" => "\x1b[6~".into(),
                "space" => " ".into(),
                k if k.starts_with("ctrl-") && k.len() == 6 => {
                    let c = k.as_bytes()[5].to_ascii_lowercase();
                    ((c - b'a' + 1) as char).to_string()
                }
                k if k.starts_with("alt-") && k.len() == 5 => format!("\x1b{}", &k[4..]),
                other => other.to_string(),
            };
            self.type_text(&seq);
        }
    }

    /// A left click at a cell (0-based), as an xterm SGR mouse report.
    pub fn click(&mut self, x: u16, y: u16) {
        let seq = format!("\x1b[<0;{};{}M\x1b[<0;{};{}m", x + 1, y + 1, x + 1, y + 1);
        self.type_text(&seq);
    }

    /// Resizes the terminal (the program gets SIGWINCH). The screen is blanked first, so that
    /// what a test waits for next is the program's redraw at the new size, not the old frame
    /// cut to it: typing on before the program has taken the resize can lose the keys, as
    /// crossterm 0.29 reads the new size and returns without reading input that became ready
    /// at the same moment (it is read with the next key). The parser stays locked until the
    /// terminal has its new size, so no redraw can land before the blanking.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        let mut g = self.shared.parser.lock().expect("the parser");
        g.0.screen_mut().set_size(rows, cols);
        g.0.process(b"\x1b[2J\x1b[H");
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("resize");
        drop(g);
        self.size = (cols, rows);
    }

    /// Where `text` first shows: (column, row).
    pub fn find(&self, text: &str) -> Option<(u16, u16)> {
        let g = self.shared.parser.lock().expect("the parser");
        let (rows, cols) = g.0.screen().size();
        for (y, line) in g.0.screen().rows(0, cols).enumerate().take(rows as usize) {
            if let Some(b) = line.find(text) {
                let x = unicode_width::UnicodeWidthStr::width(&line[..b]);
                return Some((x as u16, y as u16));
            }
        }
        None
    }

    /// Waits for the program to end by itself; returns the screen it left.
    pub fn wait_exit(&self) -> String {
        let deadline = Instant::now() + DEADLINE;
        let mut g = self.shared.parser.lock().expect("the parser");
        while !g.1 {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "the program did not end");
            g = self
                .shared
                .changed
                .wait_timeout(g, left)
                .expect("the parser")
                .0;
        }
        g.0.screen().contents()
    }

    /// Quits with `q` and waits for the program to end; the terminal must be back to normal
    /// (no alternate screen, cursor shown).
    pub fn quit(mut self) {
        self.keys(&["q"]);
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "exit status {status:?}");
                break;
            }
            assert!(Instant::now() < deadline, "the program did not quit");
            let g = self.shared.parser.lock().expect("the parser");
            let _ = self
                .shared
                .changed
                .wait_timeout(g, Duration::from_millis(100));
        }
        // what it wrote on the way out is read once the terminal closes
        let mut g = self.shared.parser.lock().expect("the parser");
        while !g.1 {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "the terminal did not close");
            g = self
                .shared
                .changed
                .wait_timeout(g, left)
                .expect("the parser")
                .0;
        }
        assert!(
            !g.0.screen().alternate_screen(),
            "the alternate screen was left on"
        );
        assert!(!g.0.screen().hide_cursor(), "the cursor was left hidden");
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
