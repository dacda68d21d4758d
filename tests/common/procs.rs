//! Child processes for the end-to-end tests: the pinned venvs' programs, a real
//! `mlflow server` on a free loopback port, lines read from a child as they arrive.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A program of the venv `.venv/NAME` (scripts/setup-python.sh makes them).
pub fn venv_of(venv: &str, name: &str) -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(".venv")
        .join(venv)
        .join("bin")
        .join(name);
    assert!(
        p.is_file(),
        "{} is missing: run scripts/setup-python.sh (scripts/ci.sh does)",
        p.display()
    );
    p
}

/// A program of the MLflow 3 venv.
pub fn venv_bin(name: &str) -> PathBuf {
    venv_of("mlflow3", name)
}

/// A script of `scripts/`.
pub fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Kills the child when dropped (a failing test leaves nothing running).
pub struct Killed(pub Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Lines of a child's stream, each with the time it arrived.
pub fn lines_of(r: impl std::io::Read + Send + 'static) -> mpsc::Receiver<(i64, String)> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { break };
            if tx.send((now_ms(), line)).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for a line containing `needle`, up to `within`.
pub fn wait_for(rx: &mpsc::Receiver<(i64, String)>, needle: &str, within: Duration) -> String {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((_, l)) if l.to_lowercase().contains(&needle.to_lowercase()) => return l,
            Ok((_, l)) => seen.push(l),
            Err(_) => panic!("no line with {needle:?} within {within:?}; saw: {seen:#?}"),
        }
    }
}

/// A real `mlflow server` on a free loopback port, stopped when dropped.
pub struct Server {
    child: Killed,
    pub url: String,
}

impl Drop for Server {
    /// The server leads a process group: its workers (uvicorn, huey) go with it.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.child.0.id())])
            .status();
    }
}

pub fn start_server(dir: &Path) -> Server {
    start_server_with(dir, &[])
}

/// As [`start_server`], with more arguments for `mlflow server`.
pub fn start_server_with(dir: &Path, extra: &[&str]) -> Server {
    let mlflow = venv_bin("mlflow");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    use std::os::unix::process::CommandExt;
    let mut child = Command::new(mlflow)
        .process_group(0)
        .args([
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--workers",
            "1",
        ])
        .arg("--backend-store-uri")
        .arg(format!("sqlite:///{}", dir.join("server.db").display()))
        .arg("--default-artifact-root")
        .arg(dir.join("artifacts"))
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mlflow server starts");
    let err = lines_of(child.stderr.take().unwrap());
    let out = lines_of(child.stdout.take().unwrap());
    let child = Killed(child);
    // uvicorn says "Uvicorn running on", gunicorn "Listening at"
    let deadline = Instant::now() + Duration::from_secs(120);
    'ready: loop {
        for rx in [&err, &out] {
            while let Ok((_, l)) = rx.try_recv() {
                let l = l.to_lowercase();
                if l.contains("running on")
                    || l.contains("listening at")
                    || l.contains("application startup complete")
                {
                    break 'ready;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "mlflow server did not start within 120 s"
        );
        if let Ok((_, l)) = err.recv_timeout(Duration::from_millis(200)) {
            let l = l.to_lowercase();
            if l.contains("running on")
                || l.contains("listening at")
                || l.contains("application startup complete")
            {
                break;
            }
        }
    }
    Server {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

/// A running mlflow-tui (the binary under test, without the user's config), its output lines.
pub struct Running {
    pub child: Killed,
    pub out: mpsc::Receiver<(i64, String)>,
    pub err: mpsc::Receiver<(i64, String)>,
}

/// Starts `bin` (`env!("CARGO_BIN_EXE_mlflow-tui")`) with `args`, reading what it prints.
pub fn spawn_tui(bin: &str, args: &[&std::ffi::OsStr]) -> Running {
    let mut child = Command::new(bin)
        .args(args)
        .env(
            "XDG_CONFIG_HOME",
            std::env::temp_dir().join("mlflow-tui-no-config"),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mlflow-tui starts");
    let out = lines_of(child.stdout.take().unwrap());
    let err = lines_of(child.stderr.take().unwrap());
    Running {
        child: Killed(child),
        out,
        err,
    }
}

/// One HTTP/1.1 POST; the status code and the body.
pub fn post(addr: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut req = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    // a server may answer (413) before reading all of a big body
    let _ = s.write_all(body);
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let text = String::from_utf8_lossy(&resp).to_string();
    let code = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (code, body)
}

/// An OTLP JSON request of one span (a GenAI chat span with token counts).
pub fn otlp_json(trace: &str, span: &str, parent: &str, name: &str, end: u64) -> String {
    format!(
        r#"{{"resourceSpans":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"test-app"}}}}]}},"scopeSpans":[{{"spans":[{{"traceId":"{trace}","spanId":"{span}","parentSpanId":"{parent}","name":"{name}","startTimeUnixNano":"1763780000000000000","endTimeUnixNano":"{end}","attributes":[{{"key":"gen_ai.operation.name","value":{{"stringValue":"chat"}}}},{{"key":"gen_ai.usage.input_tokens","value":{{"intValue":"12"}}}},{{"key":"gen_ai.usage.output_tokens","value":{{"intValue":"3"}}}}]}}]}}]}}]}}"#
    )
}
