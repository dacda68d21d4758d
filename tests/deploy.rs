//! Against a production-like MLflow deployment that `scripts/deploy_servers.sh` starts on
//! 127.0.0.1: PostgreSQL, an S3 emulator, and two MLflow 3.17 servers on them (artifacts
//! proxied, and `--no-serve-artifacts`), filled over MLflow's own OTLP endpoint
//! (`scripts/load_otlp.py`: every tenth trace ERROR, known durations, spread over a week) and
//! with MLflow 2.22's traces, whose spans live in the bucket. `#[ignore]`d: `scripts/ci.sh`
//! runs them through the script, and a missing deployment is a failure.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use common::procs::{script, spawn_tui, venv_of, wait_for};
use common::*;
use mlflow_tui::model::TraceInfo;
use mlflow_tui::source::{
    ListQuery, Order, OrderKey, Source, http::HttpSource, resolve_experiments,
};

fn env(var: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| {
        panic!("{var} is not set: run these tests through scripts/deploy_servers.sh (scripts/ci.sh does)")
    })
}

fn count(var: &str) -> usize {
    env(var).parse().unwrap()
}

/// The servers, each with how many OTLP-loaded traces it holds and where its experiments'
/// artifacts go.
fn servers() -> [(String, usize, &'static str); 3] {
    [
        (
            env("MLFLOW_TUI_DEPLOY_PROXIED"),
            count("MLFLOW_TUI_DEPLOY_TRACES"),
            "mlflow-artifacts:",
        ),
        (
            env("MLFLOW_TUI_DEPLOY_DIRECT"),
            count("MLFLOW_TUI_DEPLOY_DIRECT_TRACES"),
            "s3://mlflow-tui/direct/",
        ),
        (
            env("MLFLOW_TUI_DEPLOY_MYSQL"),
            count("MLFLOW_TUI_DEPLOY_MYSQL_TRACES"),
            "s3://mlflow-tui/mysql/",
        ),
    ]
}

fn http(url: &str) -> Arc<dyn Source> {
    Arc::new(HttpSource::new(url).unwrap())
}

fn experiment(src: &Arc<dyn Source>, name: &str) -> String {
    rt().block_on(resolve_experiments(src.as_ref(), &[name.to_string()]))
        .unwrap()
        .remove(0)
}

/// Every page of a listing, and how many pages it took.
fn pages(src: &Arc<dyn Source>, mut q: ListQuery) -> (Vec<TraceInfo>, usize) {
    let r = rt();
    let mut out = Vec::new();
    let mut n = 0;
    loop {
        let page = r.block_on(src.list(q.clone())).unwrap();
        n += 1;
        out.extend(page.traces);
        match page.next_page_token {
            Some(t) => q.page_token = Some(t),
            None => return (out, n),
        }
    }
}

fn query(exp: &str) -> ListQuery {
    ListQuery {
        experiment_ids: vec![exp.to_string()],
        max_results: 500,
        page_token: None,
        filter: None,
        since_ms: None,
        order: Order::default(),
    }
}

/// What load_otlp.py gives trace `i`.
fn duration_of(i: usize) -> i64 {
    20 + (i as i64 * 37) % 5000
}

/// Every trace of the load, on both servers, page by page: each once, newest first.
#[test]
#[ignore = "needs the deployment of scripts/deploy_servers.sh (scripts/ci.sh runs it)"]
fn every_server_pages_to_the_end_without_duplicates() {
    for (url, n, _) in servers() {
        let src = http(&url);
        let exp = experiment(&src, "load");
        let (all, pages) = pages(&src, query(&exp));
        assert_eq!(all.len(), n, "{url}");
        // (MLflow hands a page token with a last page that is full: one empty page more)
        assert!(
            (n.div_ceil(500)..=n / 500 + 1).contains(&pages),
            "{url}: {pages} pages of 500"
        );
        let ids: HashSet<&str> = all.iter().map(|t| t.trace_id.as_str()).collect();
        assert_eq!(ids.len(), n, "{url}: no duplicates");
        assert!(
            all.windows(2)
                .all(|w| w[0].request_time_ms >= w[1].request_time_ms),
            "{url}: newest first"
        );
    }
}

/// Sorting, filters and time windows are the server's: the first page of a duration sort is
/// the true top of every trace, a filter's pages hold exactly its matches, a window exactly
/// the traces started since.
#[test]
#[ignore = "needs the deployment of scripts/deploy_servers.sh (scripts/ci.sh runs it)"]
fn sorts_filters_and_windows_are_answered_by_the_server() {
    for (url, n, _) in servers() {
        let src = http(&url);
        let exp = experiment(&src, "load");
        let slowest = rt()
            .block_on(src.list(ListQuery {
                max_results: 5,
                order: Order::natural(OrderKey::Duration),
                ..query(&exp)
            }))
            .unwrap();
        let mut want: Vec<i64> = (0..n).map(duration_of).collect();
        want.sort_unstable_by(|a, b| b.cmp(a));
        let got: Vec<i64> = slowest
            .traces
            .iter()
            .map(|t| t.duration_ms.unwrap())
            .collect();
        assert_eq!(got, want[..5], "{url}: the first page is the true top");

        let (errors, _) = pages(
            &src,
            ListQuery {
                filter: Some("attributes.status = 'ERROR'".into()),
                ..query(&exp)
            },
        );
        assert_eq!(errors.len(), n.div_ceil(10), "{url}: every tenth trace");
        assert!(errors.iter().all(|t| t.state.as_str() == "ERROR"));

        let (all, _) = pages(&src, query(&exp));
        let cut = all[all.len() / 3].request_time_ms;
        let (recent, _) = pages(
            &src,
            ListQuery {
                since_ms: Some(cut),
                ..query(&exp)
            },
        );
        let want: Vec<&str> = all
            .iter()
            .filter(|t| t.request_time_ms >= cut)
            .map(|t| t.trace_id.as_str())
            .collect();
        let got: Vec<&str> = recent.iter().map(|t| t.trace_id.as_str()).collect();
        assert_eq!(got, want, "{url}: the window");
    }
}

/// MLflow 2.22's traces keep their spans as artifacts: in the bucket, written through the
/// server's proxy or straight to S3. Both servers hand them over whole.
#[test]
#[ignore = "needs the deployment of scripts/deploy_servers.sh (scripts/ci.sh runs it)"]
fn spans_of_2x_traces_come_from_the_bucket() {
    for (url, _, location) in servers() {
        let src = http(&url);
        let exp = experiment(&src, "scenarios");
        let (all, _) = pages(&src, query(&exp));
        assert!(all.len() >= 5, "{url}: {}", all.len());
        let mut with_spans = 0;
        for info in &all {
            let at = info
                .tags
                .get("mlflow.artifactLocation")
                .cloned()
                .unwrap_or_default();
            assert!(at.starts_with(location), "{url}: {at}");
            let t = get(&src, &info.trace_id);
            assert!(
                t.warnings.is_empty(),
                "{url} {}: {:?}",
                info.trace_id,
                t.warnings
            );
            if !t.spans().is_empty() {
                with_spans += 1;
            }
        }
        assert!(
            with_spans >= all.len() - 1,
            "{url}: {with_spans} of {}",
            all.len()
        );
    }
}

/// What a trace info says, for comparing sources.
fn facts(t: &TraceInfo) -> String {
    let tags: BTreeMap<&String, &String> = t.tags.iter().collect();
    let meta: BTreeMap<&String, &String> = t.metadata.iter().collect();
    format!(
        "{} {} {:?} {} {:?} {:?} {:?} {:?}",
        t.trace_id,
        t.request_time_ms,
        t.duration_ms,
        t.state.as_str(),
        t.request_preview,
        t.response_preview,
        tags,
        meta
    )
}

/// The PostgreSQL and MySQL stores read directly say what their servers say: the same traces
/// in the same order with the same tags and metadata, the same filter answers, and the same
/// span trees for traces whose spans are in the database. Spans kept in the bucket are said
/// to be there. The MySQL store's password is in its URI, and never in what is printed.
#[test]
#[ignore = "needs the deployment of scripts/deploy_servers.sh (scripts/ci.sh runs it)"]
fn the_sql_stores_read_as_their_servers_serve_them() {
    for (url, pg, kind) in [
        (
            "MLFLOW_TUI_DEPLOY_PROXIED",
            "MLFLOW_TUI_DEPLOY_PG_PROXIED",
            "postgresql",
        ),
        (
            "MLFLOW_TUI_DEPLOY_DIRECT",
            "MLFLOW_TUI_DEPLOY_PG_DIRECT",
            "postgresql",
        ),
        ("MLFLOW_TUI_DEPLOY_MYSQL", "MLFLOW_TUI_DEPLOY_MY", "mysql"),
    ] {
        let server = http(&env(url));
        let store = mlflow_tui::source::open(Some(&env(pg))).unwrap();
        let named = store.describe();
        assert!(
            named.starts_with(&format!("{kind} mlflow@127.0.0.1:")),
            "{named}"
        );
        assert!(!named.contains("Tui-db-pass"), "{named}");
        for name in ["load", "scenarios"] {
            let exp = experiment(&server, name);
            assert_eq!(experiment(&store, name), exp);
            let (a, _) = pages(&server, query(&exp));
            let (b, _) = pages(&store, query(&exp));
            let a: Vec<String> = a.iter().map(facts).collect();
            let b: Vec<String> = b.iter().map(facts).collect();
            assert_eq!(a.len(), b.len(), "{pg} {name}");
            for (x, y) in a.iter().zip(&b) {
                assert_eq!(x, y, "{pg} {name}");
            }
            // the filters the sqlite store is held to against its server, here the same
            let ids = |src: &Arc<dyn Source>, f: &str| -> Vec<String> {
                let (l, _) = pages(
                    src,
                    ListQuery {
                        filter: Some(f.into()),
                        ..query(&exp)
                    },
                );
                l.into_iter().map(|t| t.trace_id).collect()
            };
            for f in FILTERS {
                assert_eq!(ids(&server, f), ids(&store, f), "{pg} {name}: {f}");
            }
        }
        let exp = experiment(&server, "load");
        let first = rt().block_on(server.list(query(&exp))).unwrap().traces;
        for info in first.iter().take(5) {
            let (a, b) = (get(&server, &info.trace_id), get(&store, &info.trace_id));
            assert!(b.warnings.is_empty(), "{:?}", b.warnings);
            assert_eq!(shape(&a), shape(&b), "{pg} {}", info.trace_id);
            assert_eq!(b.spans().len(), 3);
        }
        let exp = experiment(&server, "scenarios");
        let old = rt().block_on(server.list(query(&exp))).unwrap().traces;
        let t = get(&store, &old[0].trace_id);
        assert!(
            t.warnings.iter().any(|w| w.contains("tracking server")),
            "{:?}",
            t.warnings
        );
    }
    // a database that is not there, and a password, never printed
    let pg = env("MLFLOW_TUI_DEPLOY_PG_PROXIED").replace("mlflow@", "mlflow:hunter2@");
    let my = env("MLFLOW_TUI_DEPLOY_MY");
    for (bad, says) in [
        (format!("{pg}_nope"), "does not exist"),
        (format!("{my}_nope"), "denied"),
        (my.replace("Tui-db-pass", "hunter2"), "denied"),
    ] {
        let err = match mlflow_tui::source::open(Some(&bad)) {
            Ok(_) => panic!("opened {bad}"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(says), "{err}");
        assert!(
            !err.contains("hunter2") && !err.contains("Tui-db-pass"),
            "{err}"
        );
    }
}

/// `list --follow` on the deployment prints the newest five, then the traces that arrive
/// after it started, once each, and none of the thousand before.
#[test]
#[ignore = "needs the deployment of scripts/deploy_servers.sh (scripts/ci.sh runs it)"]
fn follow_mode_prints_what_arrives_once() {
    use std::process::Command;
    let url = env("MLFLOW_TUI_DEPLOY_DIRECT");
    let py = venv_of("deploy", "python");
    let load = |n: &str, spread: &str| {
        let out = Command::new(&py)
            .args([
                script("load_otlp.py").to_str().unwrap(),
                &url,
                "tail",
                n,
                "--spread-s",
                spread,
                "--ids",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .skip(1)
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    load("1000", "3600");
    let bin = env!("CARGO_BIN_EXE_mlflow-tui");
    let run = spawn_tui(
        bin,
        &[
            "list".as_ref(),
            url.as_ref(),
            "-e".as_ref(),
            "tail".as_ref(),
            "-f".as_ref(),
            "--json".as_ref(),
            "-n".as_ref(),
            "5".as_ref(),
            "--interval".as_ref(),
            "0.5".as_ref(),
        ],
    );
    // the newest five of the thousand already there, then only what is new
    for _ in 0..5 {
        run.out
            .recv_timeout(Duration::from_secs(60))
            .expect("the newest five");
    }
    wait_for(&run.err, "following", Duration::from_secs(60));
    let fresh: HashSet<String> = load("50", "5").into_iter().collect();
    let mut got = Vec::new();
    while got.len() < fresh.len() {
        let (_, line) = run
            .out
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("{} of {} new traces printed", got.len(), fresh.len()));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        got.push(v["trace_id"].as_str().unwrap().to_string());
    }
    let got_set: HashSet<String> = got.iter().cloned().collect();
    assert_eq!(got_set.len(), got.len(), "each once");
    assert_eq!(got_set, fresh);
}

/// In a real terminal: the explorer on the deployment shows its first rows, reaches the
/// last of every trace with `G`, and a filter typed after scrolling is answered by the server
/// (its pages hold only its matches), at 80x24 and 200x50.
#[test]
#[ignore = "needs the deployment of scripts/deploy_servers.sh (scripts/ci.sh runs it)"]
fn the_explorer_reaches_the_last_trace_and_filters_after_scrolling() {
    use common::term::Term;
    let url = env("MLFLOW_TUI_DEPLOY_PROXIED");
    let n = count("MLFLOW_TUI_DEPLOY_TRACES");
    for (cols, rows) in [(80u16, 24u16), (200, 50)] {
        let mut t = Term::run(&[&url, "-e", "load"], cols, rows);
        t.wait_for("the first page", |s| s.contains("Traces 1/500+"));
        let all = format!("Traces {n}/{n}");
        to_the_end(&mut t, &all, n);
        t.keys(&["f"]);
        t.wait_text("filter>");
        t.type_text("attributes.status = 'ERROR'");
        t.keys(&["enter"]);
        let errors = n.div_ceil(10);
        t.wait_for("the filtered list", |s| {
            s.contains("Traces 1/") && !s.contains(&all)
        });
        let want = format!("Traces {errors}/{errors}");
        to_the_end(&mut t, &want, errors);
        let s = t.wait_text(&want);
        let list = t.pane("Traces").unwrap_or_default().join("\n");
        assert!(!list.contains(" OK "), "only errors:\n{s}");
        t.quit();
    }
}

/// The list's title (`Traces 500/1000+ · …`).
fn list_title(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains("Traces "))
        .unwrap_or_default()
        .to_string()
}

/// `G` until the list holds every trace and the last is selected (`want` in the title): each
/// press goes to the last loaded row, which asks for the next page; the next press waits
/// until the title has moved.
fn to_the_end(t: &mut common::term::Term, want: &str, n: usize) {
    for _ in 0..n.div_ceil(500) * 2 + 4 {
        let before = list_title(&t.screen());
        if before.contains(want) {
            return;
        }
        t.keys(&["G"]);
        t.wait_for("the list to move", |s| list_title(s) != before);
    }
    t.wait_text(want);
}

/// In a real terminal on the PostgreSQL store itself: the list pages to its end, and a 2.x
/// trace whose spans are in the bucket says so in the span pane (not an empty pane), at 80x24
/// and 200x50.
#[test]
#[ignore = "needs the deployment of scripts/deploy_servers.sh (scripts/ci.sh runs it)"]
fn the_explorer_on_the_postgres_store_says_where_spans_are() {
    use common::term::Term;
    let pg = env("MLFLOW_TUI_DEPLOY_PG_DIRECT");
    let n = count("MLFLOW_TUI_DEPLOY_DIRECT_TRACES");
    for (cols, rows) in [(80u16, 24u16), (200, 50)] {
        let mut t = Term::run(&[&pg, "-e", "load"], cols, rows);
        t.wait_for("the first page", |s| s.contains("Traces 1/"));
        // an OTLP trace: its spans are in the database
        t.wait_text("[CHAIN] request_0");
        to_the_end(&mut t, &format!("Traces {n}/{n} "), n);
        t.quit();
        let t = Term::run(&[&pg, "-e", "scenarios"], cols, rows);
        t.wait_for("the first page", |s| s.contains("Traces 1/"));
        t.wait_text("no spans");
        let pane = t.pane("Spans").unwrap_or_default().join(" ");
        assert!(pane.contains("s3://mlflow-tui/direct/"), "{pane}");
        t.quit();
    }
}
