//! The real binary in a real terminal (tmux): open the demo, move, expand, switch tabs, copy,
//! page, quit, checking the screen after each step. Waits poll the screen for the expected
//! text (with a deadline); nothing sleeps for a fixed time.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs (install it: apt-get install tmux)")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    fn send(&self, keys: &[&str]) {
        if std::env::var_os("TMUX_TEST_DEBUG").is_some() {
            eprintln!("--- before {keys:?}\n{}", self.screen());
        }
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status.success());
    }

    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::park_timeout(Duration::from_millis(30));
        }
    }

    fn wait_text(&self, text: &str) -> String {
        self.wait_for(text, |s| s.contains(text))
    }

    fn pane(&self, format: &str) -> String {
        let out = self.cmd(&["display-message", "-p", "-t", "t", format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

impl Tmux {
    /// A private tmux server running `cmd` in a session `t` of this size. Options are set
    /// before the program starts (it may exit at once) and the pane stays after it exits.
    fn start(socket: String, cols: u16, rows: u16, cmd: &str) -> Tmux {
        let tmux = Tmux { socket };
        let (x, y) = (cols.to_string(), rows.to_string());
        let started = tmux.cmd(&[
            "start-server",
            ";",
            "set-option",
            "-g",
            "set-clipboard",
            "on",
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
            ";",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &x,
            "-y",
            &y,
            cmd,
        ]);
        assert!(
            started.status.success(),
            "{}",
            String::from_utf8_lossy(&started.stderr)
        );
        tmux
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn binary() -> PathBuf {
    std::env::var_os("MLFLOW_TUI_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_mlflow-tui")))
}

#[test]
#[ignore = "needs tmux (scripts/ci.sh installs it and runs these)"]
fn the_binary_in_tmux_open_move_expand_tabs_copy_page_quit() {
    assert!(
        Command::new("tmux").arg("-V").output().is_ok(),
        "tmux is needed for this test"
    );
    let dir = tempfile::tempdir().unwrap();
    let paged = dir.path().join("paged.txt");
    let edited = dir.path().join("edited.txt");
    let editor = dir.path().join("edit.sh");
    std::fs::write(
        &editor,
        format!("#!/bin/sh\ncat \"$1\" > '{}'\n", edited.display()),
    )
    .unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&editor)
        .status()
        .unwrap();
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let cmd = format!(
        "env -u VISUAL TZ=UTC PAGER='cat > {}' EDITOR='{}' {} {}",
        paged.display(),
        editor.display(),
        binary().display(),
        demo.display()
    );
    let tmux = Tmux::start(
        format!("mlflow-tui-test-{}", std::process::id()),
        150,
        40,
        &cmd,
    );

    // open: the list, the first trace's header, the status line
    let s = tmux.wait_text("Traces 1/53");
    assert!(
        s.contains("moderated_reply") && s.contains("travel_agent"),
        "{s}"
    );
    tmux.wait_text("Name        moderated_reply");
    assert!(tmux.screen().contains("53 traces"));

    // move: the detail follows the selection
    tmux.send(&["j"]);
    tmux.wait_text("Name        odd_attributes");
    for _ in 0..6 {
        tmux.send(&["j"]);
    }
    tmux.wait_text("Name        travel_agent");

    // expand and collapse in the span tree
    tmux.send(&["Enter"]);
    tmux.wait_text("llm_final");
    tmux.send(&["Space"]);
    let s = tmux.wait_for("the tree folded", |s| !s.contains("llm_final"));
    assert!(s.contains("▶ [AGENT] travel_agent"), "{s}");
    tmux.send(&["E"]);
    let s = tmux.wait_text("llm_final");
    assert!(s.contains("▼ [AGENT] travel_agent"), "{s}");

    // tabs: move to a tool span, its inputs, then its outputs
    tmux.send(&["j", "j"]);
    tmux.wait_text("\"city\": \"Lisbon\"");
    tmux.send(&["]"]);
    tmux.wait_text("\"conditions\": \"partly cloudy\"");
    tmux.send(&["]", "]"]);
    tmux.wait_text("(no events)");

    // copy the span id (OSC 52 reaches tmux's clipboard)
    tmux.send(&["y"]);
    tmux.wait_text("copied span id");
    let buffer = String::from_utf8_lossy(&tmux.cmd(&["show-buffer"]).stdout).into_owned();
    assert_eq!(buffer.len(), 16, "a 16-hex span id: {buffer:?}");
    assert!(buffer.chars().all(|c| c.is_ascii_hexdigit()));

    // the value in $PAGER, and the TUI comes back
    tmux.send(&["[", "["]); // back from events to outputs
    tmux.wait_text("\"conditions\": \"partly cloudy\"");
    tmux.send(&["v"]);
    tmux.wait_for("the pager to write", |_| {
        std::fs::read_to_string(&paged).is_ok_and(|t| t.contains("partly cloudy"))
    });
    tmux.wait_text("Traces 8/53");
    // and in $EDITOR
    tmux.send(&["o"]);
    tmux.wait_for("the editor to write", |_| {
        std::fs::read_to_string(&edited).is_ok_and(|t| t.contains("partly cloudy"))
    });
    tmux.wait_text("Traces 8/53");

    // help, then quit
    tmux.send(&["?"]);
    tmux.wait_text("Keys 1-");
    tmux.send(&["?"]);
    tmux.wait_for("help to close", |s| !s.contains("Keys 1-"));
    tmux.send(&["q"]);
    tmux.wait_for("the program to exit", |_| tmux.pane("#{pane_dead}") == "1");
    assert!(
        !tmux.screen().contains("mlflow-tui:"),
        "no error on the way out"
    );
    // the terminal was restored: the alternate screen is gone
    assert_eq!(tmux.pane("#{alternate_on}"), "0");
}

/// A panic in a background task or on the UI thread restores the terminal and reports it;
/// `MLFLOW_TUI_DEBUG_PANIC` makes one on purpose.
#[test]
#[ignore = "needs tmux (scripts/ci.sh installs it and runs these)"]
fn a_panic_restores_the_terminal_and_says_what_happened() {
    for (kind, text) in [
        ("task", "stopped after an internal error"),
        ("ui", "panicked"),
    ] {
        let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
        let cmd = format!(
            "env MLFLOW_TUI_DEBUG_PANIC={kind} {} {}",
            binary().display(),
            demo.display()
        );
        let tmux = Tmux::start(
            format!("mlflow-tui-panic-{kind}-{}", std::process::id()),
            120,
            30,
            &cmd,
        );
        tmux.wait_for("the program to exit", |_| tmux.pane("#{pane_dead}") == "1");
        assert_eq!(
            tmux.pane("#{alternate_on}"),
            "0",
            "{kind}: the terminal is restored"
        );
        // the whole pane with wrapped lines joined
        let s = String::from_utf8_lossy(
            &tmux
                .cmd(&["capture-pane", "-p", "-J", "-S", "-", "-t", "t"])
                .stdout,
        )
        .into_owned();
        assert!(s.contains(text) && s.contains("debug panic"), "{kind}: {s}");
    }
}

/// Follow mode in the real terminal: the explorer follows a copy of the demo database while the
/// real MLflow SDK logs into it; the new traces appear at the top, marked, the running one as
/// running, and the status line shows the live tail. Needs the project's venv
/// (scripts/setup-python.sh): `#[ignore]`d, run by scripts/ci.sh.
#[test]
#[ignore = "needs tmux and the pinned MLflow venv (scripts/ci.sh runs it)"]
fn follow_mode_shows_traces_as_mlflow_logs_them() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let py = root.join(".venv/mlflow3/bin/python");
    assert!(
        py.is_file(),
        "{} is missing: run scripts/setup-python.sh (scripts/ci.sh does)",
        py.display()
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mlflow.db");
    std::fs::copy(root.join("assets/demo/mlflow.db"), &db).unwrap();
    let cmd = format!(
        "{} --follow --interval 0.5 {}",
        binary().display(),
        db.display()
    );
    let tmux = Tmux::start(
        format!("mlflow-tui-follow-{}", std::process::id()),
        200,
        40,
        &cmd,
    );
    tmux.wait_text("● live");
    // scroll away from the top first: new rows must not move the view
    let logger = Command::new(&py)
        .arg(root.join("scripts/live_logger.py"))
        .args(["--uri", &format!("sqlite:///{}", db.display())])
        .args([
            "--experiment",
            "Default",
            "--count",
            "3",
            "--interval",
            "0.3",
            "--long",
            "6",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // the running trace shows while it runs (MLflow names it only when it ends), marked new
    let s = tmux.wait_for("the running trace", |s| s.contains("● RUNNING"));
    assert!(
        s.lines()
            .any(|l| l.contains("┃● ") && l.contains("RUNNING") && l.contains('…')),
        "marked, with its elapsed time: {s}"
    );
    let s = tmux.wait_text("live_2");
    assert!(s.contains("/min"), "the status line shows the rate: {s}");
    // space pauses, and says so
    tmux.send(&["Space"]);
    tmux.wait_text("paused");
    tmux.send(&["Space"]);
    tmux.wait_for("resumed", |s| s.contains("● live") && !s.contains("⏸"));
    // the long trace finishes: OK, no longer running
    let out = logger.wait_with_output().unwrap();
    assert!(out.status.success());
    tmux.wait_for("the long trace to finish", |s| {
        s.lines()
            .any(|l| l.contains("long_running") && l.contains(" OK"))
    });
    tmux.send(&["q"]);
    tmux.wait_for("the program to exit", |_| tmux.pane("#{pane_dead}") == "1");
}

/// The OTLP receiver in the real terminal, at 80x24 and 200x50: the explorer listens while a
/// real OpenTelemetry app (the GenAI conventions, scripts/otlp_app.py) exports to it; its
/// traces arrive, one runs for seconds with its steps arriving, then finishes with its whole
/// tree. Needs the project's venvs: `#[ignore]`d, run by scripts/ci.sh.
#[test]
#[ignore = "needs tmux and the pinned venvs (scripts/ci.sh runs it)"]
fn the_explorer_listens_while_an_app_exports() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let py = root.join(".venv/otel/bin/python");
    assert!(
        py.is_file(),
        "{} is missing: run scripts/setup-python.sh (scripts/ci.sh does)",
        py.display()
    );
    for (cols, rows) in [(80, 24), (200, 50)] {
        let addr = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().to_string()
        };
        let cmd = format!("{} --listen {addr}", binary().display());
        let tmux = Tmux::start(
            format!("mlflow-tui-listen-{}-{cols}", std::process::id()),
            cols,
            rows,
            &cmd,
        );
        tmux.wait_text("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        let app = Command::new(&py)
            .arg(root.join("scripts/otlp_app.py"))
            .args(["genai", "--endpoint", &format!("http://{addr}/v1/traces")])
            .args(["--count", "2", "--running", "4"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // the running trace shows as soon as its first span arrives, with the others
        let s = tmux.wait_for("a running trace", |s| s.contains("● RUNNING"));
        assert!(s.contains("● live"), "{cols}x{rows}: {s}");
        tmux.wait_for("the short traces", |s| {
            s.lines()
                .filter(|l| l.contains("invoke_agent") && l.contains(" OK"))
                .count()
                >= 2
        });
        // the running one finishes: three traces, all OK, and its steps folded in its tree
        let out = app.wait_with_output().unwrap();
        assert!(out.status.success());
        tmux.wait_for("the long trace to finish", |s| {
            !s.contains("RUNNING")
                && s.lines()
                    .filter(|l| l.contains("invoke_agent") && l.contains(" OK"))
                    .count()
                    == 3
        });
        tmux.send(&["q"]);
        tmux.wait_for("the program to exit", |_| tmux.pane("#{pane_dead}") == "1");
    }
}
