//! Live tail end to end: `mlflow-tui list --follow` watches a store while the real MLflow SDK
//! (scripts/live_logger.py) logs traces into it, one of them running for several seconds.
//! Every trace must appear once (a trace printed while it ran, once more when it ends), in the
//! order it became visible; the delay from logging to appearing is measured and reported
//! (target: 1.5 s or less), not asserted.
//!
//! Three stores: a sqlite file MLflow writes to, a real `mlflow server` started here on a free
//! loopback port (sqlite backend), and a folder of exported trace JSON. Needs the project's
//! venv (scripts/setup-python.sh): `#[ignore]`d, run by scripts/ci.sh.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::procs::{
    Killed, Running, lines_of, script, spawn_tui, start_server, venv_bin, wait_for,
};

struct Logged {
    id: String,
    name: String,
    visible_ms: i64,
}

fn python(py: &Path, args: &[&str]) -> Vec<Logged> {
    let out = Command::new(py)
        .arg(script("live_logger.py"))
        .args(args)
        .env("MLFLOW_TRACKING_URI", "")
        .env_remove("MLFLOW_TRACKING_URI")
        .stderr(Stdio::inherit())
        .output()
        .expect("the logger runs");
    assert!(out.status.success(), "live_logger.py {args:?} failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| {
            Some(Logged {
                id: v["trace_id"].as_str()?.to_string(),
                name: v["name"].as_str()?.to_string(),
                visible_ms: v["visible_ms"].as_i64()?,
            })
        })
        .collect()
}

/// Follows `source` with `list --follow` while the logger logs; checks and reports.
fn follow_while_logging(
    label: &str,
    source: &str,
    extra: &[&str],
    py: &Path,
    log_args: &[&str],
    running_seen: bool,
) {
    let mut args: Vec<&std::ffi::OsStr> =
        ["list", "--follow", "-n", "0", "--json", "--interval", "0.5"]
            .iter()
            .map(|a| a.as_ref())
            .collect();
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    args.push(source.as_ref());
    let Running { child, out, err } = spawn_tui(env!("CARGO_BIN_EXE_mlflow-tui"), &args);
    wait_for(&err, "following", Duration::from_secs(30));

    let logged = python(py, log_args);
    assert!(
        logged.len() >= 6,
        "{label}: the logger logged {} traces",
        logged.len()
    );

    // everything printed until every logged trace has shown, or 30 s have passed
    let mut printed: Vec<(i64, serde_json::Value)> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    let all_in = |p: &Vec<(i64, serde_json::Value)>| {
        logged
            .iter()
            .all(|l| p.iter().any(|(_, v)| v["trace_id"] == l.id.as_str()))
    };
    while !all_in(&printed) {
        let left = deadline.saturating_duration_since(Instant::now());
        match out.recv_timeout(left) {
            Ok((t, line)) => printed.push((
                t,
                serde_json::from_str(&line)
                    .unwrap_or_else(|e| panic!("{label}: not JSON ({e}): {line}")),
            )),
            Err(_) => break,
        }
    }
    // anything printed twice shows up within another poll or two
    while let Ok((t, line)) = out.recv_timeout(Duration::from_millis(1500)) {
        printed.push((t, serde_json::from_str(&line).unwrap()));
    }
    drop(child);

    let mut delays = Vec::new();
    let mut order = Vec::new();
    for l in &logged {
        let hits: Vec<&(i64, serde_json::Value)> = printed
            .iter()
            .filter(|(_, v)| v["trace_id"] == l.id.as_str())
            .collect();
        // a trace printed while it ran is printed once more when it ends (its name and state)
        let running_first = hits
            .first()
            .is_some_and(|(_, v)| v["state"] == "IN_PROGRESS");
        let want = if running_first { 2 } else { 1 };
        assert_eq!(
            hits.len(),
            want,
            "{label}: {} ({}) printed {} times: {hits:?}",
            l.name,
            l.id,
            hits.len()
        );
        if running_first {
            let (_, last) = hits[1];
            assert_ne!(last["state"], "IN_PROGRESS", "{label}: {last}");
            assert_eq!(
                last["tags"]["mlflow.traceName"],
                l.name.as_str(),
                "{label}: the second line names it: {last}"
            );
        }
        let (at, v) = hits[0];
        delays.push((l.name.clone(), at - l.visible_ms));
        order.push((
            printed
                .iter()
                .position(|(_, p)| p["trace_id"] == l.id.as_str())
                .unwrap(),
            l.visible_ms,
            l.name.clone(),
        ));
        if l.name == "long_running" && running_seen {
            assert_eq!(
                v["state"], "IN_PROGRESS",
                "{label}: the long trace shows while it runs: {v}"
            );
        }
    }
    // printed in the order they became visible: a trace that was readable a poll interval
    // (and more) before another is printed first (within one poll they come oldest first)
    for (pa, va, na) in &order {
        for (pb, vb, nb) in &order {
            if va + 700 < *vb {
                assert!(
                    pa < pb,
                    "{label}: {na} (visible at {va}) printed after {nb} (visible at {vb})"
                );
            }
        }
    }

    let mut ms: Vec<i64> = delays.iter().map(|(_, d)| *d).collect();
    ms.sort();
    let median = ms[ms.len() / 2];
    let report = format!(
        "live tail delay, {label}: {} traces, median {median} ms, max {} ms, min {} ms (target 1500 ms)\n",
        ms.len(),
        ms[ms.len() - 1],
        ms[0]
    );
    eprint!("{report}");
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target");
    let _ = std::fs::create_dir_all(&target);
    use std::io::Write;
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(target.join("live-tail-delays.txt"))
    {
        let _ = f.write_all(report.as_bytes());
    }
}

const LOG: [&str; 6] = ["--count", "10", "--interval", "0.4", "--long", "5"];

#[test]
#[ignore = "needs the pinned MLflow venv (scripts/setup-python.sh; scripts/ci.sh runs them)"]
fn follows_a_sqlite_file_that_mlflow_writes() {
    let py = venv_bin("python");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mlflow.db");
    let uri = format!("sqlite:///{}", db.display());
    python(&py, &["--uri", &uri, "--experiment", "live", "--setup"]);
    let mut args = vec!["--uri", uri.as_str(), "--experiment", "live"];
    args.extend(LOG);
    follow_while_logging(
        "sqlite",
        db.to_str().unwrap(),
        &["-e", "live"],
        &py,
        &args,
        true,
    );
    // the long trace finished: the store says OK now
    let out = Command::new(env!("CARGO_BIN_EXE_mlflow-tui"))
        .args(["list", "--json", "-e", "live"])
        .arg(&db)
        .output()
        .unwrap();
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let long = all
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tags"]["mlflow.traceName"] == "long_running")
        .expect("the long trace is listed");
    assert_eq!(long["state"], "OK", "{long}");
}

#[test]
#[ignore = "needs the pinned MLflow venv (scripts/setup-python.sh; scripts/ci.sh runs them)"]
fn follows_a_folder_of_exported_json() {
    let py = venv_bin("python");
    let dir = tempfile::tempdir().unwrap();
    let exports = dir.path().join("exports");
    std::fs::create_dir(&exports).unwrap();
    let uri = format!("sqlite:///{}", dir.path().join("logger.db").display());
    // one trace there before following starts (an empty folder is not a source)
    let mut seed = vec![
        "--uri",
        uri.as_str(),
        "--experiment",
        "seed",
        "--json-dir",
        exports.to_str().unwrap(),
    ];
    seed.extend(["--count", "1", "--interval", "0", "--long", "1"]);
    python(&py, &seed);
    let mut args = vec![
        "--uri",
        uri.as_str(),
        "--experiment",
        "live",
        "--json-dir",
        exports.to_str().unwrap(),
    ];
    args.extend(LOG);
    follow_while_logging(
        "json folder",
        exports.to_str().unwrap(),
        &[],
        &py,
        &args,
        false,
    );
}

#[test]
#[ignore = "needs the pinned MLflow venv (scripts/setup-python.sh; scripts/ci.sh runs them)"]
fn follows_a_real_tracking_server() {
    let py = venv_bin("python");
    let dir = tempfile::tempdir().unwrap();
    let server = start_server(dir.path());
    python(
        &py,
        &["--uri", &server.url, "--experiment", "live", "--setup"],
    );
    let mut args = vec!["--uri", server.url.as_str(), "--experiment", "live"];
    args.extend(LOG);
    follow_while_logging(
        "tracking server",
        &server.url,
        &["-e", "live"],
        &py,
        &args,
        true,
    );
}

/// MLflow writes while mlflow-tui follows as fast as it can (0.1 s polls plus notifications):
/// the writer never fails ("database is locked" or otherwise), and once it is done, reading
/// everything again changes no byte of the store.
#[test]
#[ignore = "needs the pinned MLflow venv (scripts/setup-python.sh; scripts/ci.sh runs them)"]
fn mlflow_writes_undisturbed_and_reading_changes_no_byte() {
    let py = venv_bin("python");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mlflow.db");
    let mlruns = dir.path().join("mlruns");
    let stores = [
        (format!("sqlite:///{}", db.display()), db.clone()),
        (format!("file://{}", mlruns.display()), mlruns.clone()),
    ];
    for (uri, path) in &stores {
        let setup = Command::new(&py)
            .arg(script("live_logger.py"))
            .args(["--uri", uri, "--experiment", "busy", "--setup"])
            .output()
            .unwrap();
        assert!(
            setup.status.success(),
            "{uri}: {}",
            String::from_utf8_lossy(&setup.stderr)
        );
        let mut tui = Command::new(env!("CARGO_BIN_EXE_mlflow-tui"))
            .args(["list", "--follow", "-n", "0", "--json", "--interval", "0.1"])
            .arg(path)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = lines_of(tui.stdout.take().unwrap());
        let err = lines_of(tui.stderr.take().unwrap());
        let tui = Killed(tui);
        wait_for(&err, "following", Duration::from_secs(30));
        let writer = Command::new(&py)
            .arg(script("live_logger.py"))
            .args([
                "--uri",
                uri,
                "--experiment",
                "busy",
                "--count",
                "25",
                "--interval",
                "0",
                "--long",
                "2",
            ])
            .output()
            .unwrap();
        let werr = String::from_utf8_lossy(&writer.stderr);
        assert!(
            writer.status.success(),
            "{uri}: MLflow's writer failed: {werr}"
        );
        assert!(!werr.to_lowercase().contains("locked"), "{uri}: {werr}");
        assert!(!werr.contains("Traceback"), "{uri}: {werr}");
        let written = String::from_utf8_lossy(&writer.stdout).lines().count();
        assert_eq!(written, 26, "{uri}: every trace logged");
        // all of them show
        let mut seen = 0;
        while seen < written {
            match out.recv_timeout(Duration::from_secs(20)) {
                Ok(_) => seen += 1,
                Err(_) => panic!("{uri}: {seen} of {written} traces shown"),
            }
        }
        drop(tui);
        // the writer is done: reading everything again changes nothing
        let before = common::store_bytes(path);
        let list = Command::new(env!("CARGO_BIN_EXE_mlflow-tui"))
            .args(["list", "--json", "-n", "0"])
            .arg(path)
            .output()
            .unwrap();
        assert!(list.status.success());
        let all: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
        for t in all.as_array().unwrap() {
            let id = t["trace_id"].as_str().unwrap();
            let show = Command::new(env!("CARGO_BIN_EXE_mlflow-tui"))
                .arg("show")
                .arg(path)
                .arg(id)
                .output()
                .unwrap();
            assert!(show.status.success(), "{uri}: show {id}");
        }
        assert_eq!(
            before,
            common::store_bytes(path),
            "{uri}: reading changed the store"
        );
    }
}
