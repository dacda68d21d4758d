//! The headless CLI as a user runs it: output, bad input, hostile content.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlflow-tui"))
        .args(args)
        .env_remove("MLFLOW_TRACKING_URI")
        .env_remove("MLFLOW_EXPERIMENT_NAME")
        .env_remove("MLFLOW_EXPERIMENT_ID")
        .env("TZ", "UTC")
        .output()
        .expect("run mlflow-tui")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

/// A failure is one clear line on stderr, exit code 1, no panic.
fn assert_fails_with(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    for n in needles {
        assert!(err.contains(n), "{err:?} should mention {n:?}");
    }
}

/// No control character but newline survives into what the terminal gets.
fn assert_clean(text: &str) {
    for (n, line) in text.lines().enumerate() {
        assert!(
            !line.chars().any(mlflow_tui::text::is_unsafe),
            "line {n} holds a control character: {line:?}"
        );
    }
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn list_prints_newest_first_with_every_column() {
    let o = run(&["list", p(&fixtures().join("v3/sqlite"))]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("TIME") && lines[0].contains("TOKENS"));
    assert_eq!(lines.len(), 11);
    let rag = lines.iter().find(|l| l.contains("rag_pipeline")).unwrap();
    assert!(rag.contains(&manifest("v3/sqlite")["rag"]));
    assert!(rag.contains(" OK "));
    assert!(rag.contains(" 85 "), "token total: {rag}");
    assert!(rag.contains("How does MLflow Tracing"));
    assert!(out.contains("ERROR"));
    assert_clean(&out);
    // --limit and --json
    let o = run(&[
        "list",
        p(&fixtures().join("v2/filestore")),
        "--limit",
        "3",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert!(v[0]["trace_id"].is_string() && v[0]["state"].is_string());
}

#[test]
fn show_prints_the_tree_with_badges_tokens_and_exceptions() {
    let fx = fixtures();
    let m = manifest("v3/sqlite");
    let o = run(&["show", p(&fx.join("v3/sqlite")), &m["agent"]]);
    let out = stdout(&o);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.contains("[AGENT] travel_agent"), "{out}");
    assert!(out.contains("├─ [CHAT] llm_step_0"), "{out}");
    assert!(out.contains("[TOOL] get_weather"));
    assert!(out.contains("tokens 31→8 (39)"), "{out}");
    assert!(out.contains("user bob"));
    let o = run(&["show", p(&fx.join("v3/sqlite")), &m["error_deep"]]);
    let out = stdout(&o);
    assert!(out.contains("state ERROR"));
    assert!(out.contains("└─ [TOOL] parse_config"), "{out}");
    assert!(out.contains("✗ ValueError: bad config: missing 'model'"));
    // --depth cuts the tree and says what is hidden
    let o = run(&[
        "show",
        p(&fx.join("v3/sqlite")),
        &m["error_deep"],
        "--depth",
        "2",
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("[SPAN] setup") && !out.contains("parse_config"),
        "{out}"
    );
    assert!(out.contains("… 3 more spans"), "{out}");
}

#[test]
fn show_json_is_the_normalized_trace() {
    let m = manifest("v2/sqlite");
    let o = run(&[
        "show",
        p(&fixtures().join("v2/sqlite")),
        &m["rag"],
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["summary"]["name"], "rag_pipeline");
    assert_eq!(v["summary"]["span_count"], 4);
    assert_eq!(v["spans"][0]["depth"], 0);
    assert_eq!(v["spans"][1]["span_type"], "RETRIEVER");
    // attribute values are decoded JSON, not JSON-in-a-string
    assert_eq!(v["spans"][1]["attributes"]["mlflow.spanInputs"]["k"], 3);
    assert!(v["summary"]["token_usage"]["total"].as_u64().unwrap() > 0);
}

#[test]
fn the_default_source_is_mlflow_db_in_the_current_folder() {
    let o = Command::new(env!("CARGO_BIN_EXE_mlflow-tui"))
        .args(["list", "-n", "2"])
        .current_dir(demo())
        .env_remove("MLFLOW_TRACKING_URI")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 3);
    // and $MLFLOW_TRACKING_URI wins over it
    let uri = format!(
        "sqlite:///{}",
        fixtures().join("v2/sqlite/mlflow.db").display()
    );
    let o = Command::new(env!("CARGO_BIN_EXE_mlflow-tui"))
        .args(["list", "--json"])
        .current_dir(demo())
        .env("MLFLOW_TRACKING_URI", &uri)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 10);
    // nothing there at all: a clear message
    let empty = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_mlflow-tui"))
        .arg("list")
        .current_dir(empty.path())
        .env_remove("MLFLOW_TRACKING_URI")
        .output()
        .unwrap();
    assert_fails_with(&o, &["MLFLOW_TRACKING_URI", "mlflow.db"]);
}

#[test]
fn hostile_content_never_reaches_the_terminal() {
    let fx = fixtures();
    for store in ["v3/sqlite", "v35/sqlite", "v2/sqlite"] {
        let dir = fx.join(store);
        let id = &manifest(store)["hostile"];
        let list = run(&["list", p(&dir)]);
        assert!(list.status.success());
        let out = stdout(&list);
        assert_clean(&out);
        assert!(out.contains("evil␛[31mRED"), "{out}");
        // columns stay aligned whatever the widths: every row's TRACE ID starts at column 21
        let show = run(&["show", p(&dir), id]);
        let out = stdout(&show);
        assert_clean(&out);
        assert!(out.contains("␛]52;c;"), "OSC 52 shown, not executed: {out}");
        assert!(out.contains("mallory␛[2J"), "{out}");
        assert!(
            out.contains("<U+202E>"),
            "bidi override made visible: {out}"
        );
        let json = run(&["show", p(&dir), id, "--json"]);
        assert_clean(&stdout(&json));
    }
}

#[test]
fn wide_characters_are_measured_by_display_width() {
    use unicode_width::UnicodeWidthStr;
    let o = run(&["list", p(&fixtures().join("v3/export"))]);
    let out = stdout(&o);
    // every row puts STATE at the same display column, wide characters or not
    let col = |l: &str| {
        let i = l.find(" OK ").or_else(|| l.find(" ERROR ")).unwrap();
        l[..i].width()
    };
    let rows: Vec<&str> = out.lines().skip(1).collect();
    let first = col(rows[0]);
    assert!(rows.iter().all(|r| col(r) == first), "{out}");
    assert!(out.contains("数据"), "wide text kept: {out}");
}

#[test]
fn bad_inputs_get_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("notjson.json"), "this is {not json").unwrap();
    std::fs::write(d.join("other.json"), r#"{"hello": "world"}"#).unwrap();
    std::fs::write(
        d.join("corrupt.db"),
        b"SQLite format 3\0garbage garbage garbage",
    )
    .unwrap();
    std::fs::write(d.join("empty.db"), b"").unwrap();

    assert_fails_with(
        &run(&["list", p(&d.join("missing.json"))]),
        &["missing.json", "no such file"],
    );
    assert_fails_with(
        &run(&["list", p(&d.join("notjson.json"))]),
        &["notjson.json", "not JSON"],
    );
    assert_fails_with(
        &run(&["list", p(&d.join("other.json"))]),
        &["other.json", "not an MLflow trace"],
    );
    assert_fails_with(&run(&["list", p(&d.join("corrupt.db"))]), &["corrupt.db"]);
    assert_fails_with(&run(&["list", p(&d.join("empty.db"))]), &["empty.db"]);
    let fx = fixtures();
    assert_fails_with(
        &run(&["show", p(&fx.join("v3/sqlite")), "tr-0000000000000000"]),
        &["tr-0000000000000000", "no trace"],
    );
    assert_fails_with(
        &run(&["show", p(&fx.join("v2/filestore")), "../../etc"]),
        &["../../etc"],
    );
    assert_fails_with(&run(&["show", p(&fx.join("v3/export")), "nope"]), &["nope"]);
    // a folder that is none of the known kinds
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("notes.txt"), "hi").unwrap();
    assert_fails_with(&run(&["list", p(plain.path())]), &["neither an mlflow.db"]);
    // the artifact folders a sqlite store leaves behind are not a file store, but their
    // `traces.json` artifacts are trace JSON, found at any depth
    let leftovers = fixtures().join("v3/sqlite/mlruns");
    assert!(leftovers.join("1/traces").is_dir());
    let o = run(&["list", p(&leftovers)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("travel_agent"), "{}", stdout(&o));
    // a server URL never prints its credentials
    // (a PostgreSQL store on a port where nothing listens: named, the password not)
    let o = run(&["list", "postgresql://bob:hunter2@127.0.0.1:1/mlflow"]);
    assert_fails_with(&o, &["postgresql bob@127.0.0.1:1/mlflow", "refused"]);
    assert!(!stderr(&o).contains("hunter2"));
}

#[test]
fn a_bad_file_among_good_ones_is_named_and_the_rest_load() {
    let dir = tempfile::tempdir().unwrap();
    let src = fixtures().join("v3/export");
    for name in ["rag.json", "agent.json"] {
        std::fs::copy(src.join(name), dir.path().join(name)).unwrap();
    }
    std::fs::write(dir.path().join("broken.json"), "{\"info\": ").unwrap();
    let o = run(&["list", p(dir.path())]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 3, "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("broken.json") && err.contains("warning"),
        "{err}"
    );
    // a JSON Lines file with one bad line keeps the others
    let lines = std::fs::read_to_string(src.join("traces.jsonl")).unwrap();
    let mut mixed: Vec<&str> = lines.lines().collect();
    mixed.insert(2, "{\"truncated\": ");
    std::fs::write(dir.path().join("mixed.jsonl"), mixed.join("\n")).unwrap();
    let o = run(&["list", p(&dir.path().join("mixed.jsonl")), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 10);
    assert!(stderr(&o).contains("line 3"), "{}", stderr(&o));
}

#[test]
fn a_locked_database_is_reported_not_waited_on_forever() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mlflow.db");
    // the 2.x store uses a rollback journal, where a writer's exclusive lock blocks readers
    std::fs::copy(fixtures().join("v2/sqlite/mlflow.db"), &db).unwrap();
    let writer = rusqlite::Connection::open(&db).unwrap();
    writer
        .execute_batch("PRAGMA journal_mode=DELETE; BEGIN EXCLUSIVE;")
        .unwrap();
    let o = run(&["list", p(&db)]);
    assert_fails_with(&o, &["mlflow.db", "locked"]);
    writer.execute_batch("ROLLBACK").unwrap();
    let o = run(&["list", p(&db)]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn reading_changes_no_byte_of_the_store() {
    let fx = fixtures();
    for store in ["v3/sqlite/mlflow.db", "v2/filestore"] {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("store");
        copy_tree(&fx.join(store), &copy);
        let before = store_bytes(&copy);
        let ids = manifest(store.trim_end_matches("/mlflow.db"));
        assert!(run(&["list", p(&copy)]).status.success());
        for id in ids.values() {
            assert!(run(&["show", p(&copy), id]).status.success());
        }
        let after = store_bytes(&copy);
        assert_eq!(before, after, "{store} changed");
    }
}

fn copy_tree(from: &Path, to: &Path) {
    if from.is_file() {
        std::fs::copy(from, to).unwrap();
        return;
    }
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        copy_tree(&e.path(), &to.join(e.file_name()));
    }
}

/// A trace whose structure is broken on purpose: 10,000-deep nesting, an orphan, a cycle, a
/// duplicate id and an end before its start. Built from a real exported span so that every
/// other field is as MLflow writes it.
#[test]
fn malformed_structure_loads_and_prints() {
    let text = std::fs::read_to_string(fixtures().join("v3/export/rag.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let template = doc["data"]["spans"][1].clone();
    let mut spans = Vec::new();
    let id = |i: usize| format!("{i:016x}");
    for i in 0..10_000 {
        let mut s = template.clone();
        s["span_id"] = id(i + 1).into();
        s["parent_span_id"] = if i == 0 {
            serde_json::Value::Null
        } else {
            id(i).into()
        };
        s["name"] = format!("level_{i}").into();
        spans.push(s);
    }
    let mut extra = |span: &str, parent: &str, name: &str| {
        let mut s = template.clone();
        s["span_id"] = span.into();
        s["parent_span_id"] = parent.into();
        s["name"] = name.into();
        spans.push(s);
    };
    extra("aaaaaaaaaaaaaaaa", "ffffffffffffffff", "orphan_span");
    extra("bbbbbbbbbbbbbbbb", "cccccccccccccccc", "cycle_b");
    extra("cccccccccccccccc", "bbbbbbbbbbbbbbbb", "cycle_c");
    extra(&id(1), "", "duplicate_root");
    let mut backwards = template.clone();
    backwards["span_id"] = "dddddddddddddddd".into();
    backwards["parent_span_id"] = id(1).into();
    backwards["name"] = "ends_before_start".into();
    backwards["end_time_unix_nano"] = 5.into();
    spans.push(backwards);
    doc["data"]["spans"] = serde_json::Value::Array(spans);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    std::fs::write(&file, serde_json::to_string(&doc).unwrap()).unwrap();
    let trace_id = doc["info"]["trace_id"].as_str().unwrap().to_string();

    let o = run(&["show", p(&file), &trace_id]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("spans 10005"), "{}", &out[..500]);
    assert!(out.contains("level_9999"));
    assert!(
        out.contains("⋯[depth 9999]"),
        "deep spans say their depth instead of indenting"
    );
    assert!(out.contains("orphan_span") && out.contains("(orphan)"));
    assert!(out.contains("(cycle)"));
    assert!(out.contains("(duplicate id)"));
    assert!(out.contains("(ends before start)"));
    assert!(
        out.lines().all(|l| l.chars().count() < 400),
        "no line grows with depth"
    );
    let o = run(&["show", p(&file), &trace_id, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["spans"].as_array().unwrap().len(), 10_005);
}

/// `show SOURCE` without a trace id says what is missing (it used to say "no source given").
#[test]
fn show_with_only_a_source_asks_for_the_trace_id() {
    let src = fixtures().join("v3/sqlite");
    assert_fails_with(
        &run(&["show", p(&src)]),
        &["show needs a TRACE_ID after the source", "list"],
    );
}

/// An empty listing prints the header on stdout and says why on stderr (scripts reading the
/// table get no stray line).
#[test]
fn an_empty_list_says_so_on_stderr() {
    let o = run(&[
        "list",
        p(&fixtures().join("v3/sqlite")),
        "--filter",
        "attributes.name = 'no-such-trace'",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
    assert!(stdout(&o).starts_with("TIME"));
    assert!(
        stderr(&o).contains("no traces match the filter"),
        "{}",
        stderr(&o)
    );
}

/// `list --follow` prints a trace first seen running once more when it ends, named.
#[test]
fn list_follow_prints_a_finished_trace_again_with_its_name() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let src = fixtures().join("v3/export/agent.json");
    let text = std::fs::read_to_string(&src).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let id = v["info"]["trace_id"].as_str().unwrap().to_string();
    // the same trace as it was while running: no name, no end
    let mut running = v.clone();
    running["info"]["state"] = "IN_PROGRESS".into();
    running["info"]["tags"]
        .as_object_mut()
        .unwrap()
        .remove("mlflow.traceName");
    running["info"]["execution_duration_ms"] = serde_json::Value::Null;
    let now = chrono::Utc::now();
    let stamp = now.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    running["info"]["request_time"] = stamp.clone().into();
    v["info"]["request_time"] = stamp.into();
    let file = dir.path().join("t.json");
    std::fs::write(&file, running.to_string()).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mlflow-tui"))
        .args(["list", "--follow", "--json", "-n", "5", "--interval", "0.2"])
        .arg(dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(first["trace_id"], id.as_str());
    assert_eq!(first["state"], "IN_PROGRESS");
    // it ends
    std::fs::write(&file, v.to_string()).unwrap();
    let second: serde_json::Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(second["trace_id"], id.as_str());
    assert_eq!(second["state"], "OK");
    assert_eq!(second["tags"]["mlflow.traceName"], "travel_agent");
}

/// `show --chat` prints the trace as one conversation (the transcript view's twin), with
/// `--json` its entries; `show` says when the stored trace is incomplete.
#[test]
fn show_chat_prints_the_transcript() {
    let store = fixtures().join("v3/frameworks/sqlite");
    let id = manifest("v3/frameworks/sqlite")["openai_responses"].clone();
    let o = run(&["show", store.to_str().unwrap(), &id, "--chat"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for want in [
        "── user ──\nWeather in Paris, please?",
        "thinking: The user wants the weather; ask the tool.",
        "→ get_weather({\"city\": \"Paris\"})  [call_r1]",
        "── tool [call_r1] ──\n{\"city\": \"Paris\", \"temp_c\": 18, \"sky\": \"sunny\"}",
        "It is 18°C and sunny in Paris.",
    ] {
        assert!(text.contains(want), "{want:?} in:\n{text}");
    }
    let o = run(&["show", store.to_str().unwrap(), &id, "--chat", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let entries = v["entries"].as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["role"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["user", "assistant", "tool", "assistant"]);
    assert_eq!(entries[1]["tool_calls"][0]["name"], "get_weather");
    assert_eq!(entries[2]["tool_call_id"], "call_r1");
    assert_eq!(entries[1]["span_name"], "Responses");

    // a trace that lost a span
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mlflow.db");
    std::fs::copy(store.join("mlflow.db"), &db).unwrap();
    let c = rusqlite::Connection::open(&db).unwrap();
    c.execute(
        "DELETE FROM spans WHERE trace_id = ?1 AND name = 'get_weather'",
        [&id],
    )
    .unwrap();
    drop(c);
    let o = run(&["show", dir.path().to_str().unwrap(), &id]);
    assert!(
        stdout(&o).contains("incomplete: 3 of 4 spans stored"),
        "{}",
        stdout(&o)
    );
}

/// `sessions` prints the sessions of the listed traces (`--json` too); `show --session ID`
/// reads one as a conversation, turn by turn; an unknown session says so.
#[test]
fn sessions_and_show_session() {
    let store = fixtures().join("v3/frameworks/sqlite");
    let s = store.to_str().unwrap();
    let o = run(&["sessions", s]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("SESSION"), "{text}");
    let erin = text
        .lines()
        .find(|l| l.starts_with("support/erin/chat-5"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(erin.contains("  3  "), "three turns: {erin}");
    let o = run(&["sessions", s, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 7);

    let o = run(&["show", s, "--session", "support/erin/chat-5"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(text.matches("━━ turn ").count(), 3, "{text}");
    assert_eq!(
        text.matches("You are a travel assistant.").count(),
        1,
        "{text}"
    );
    assert!(text.contains("── user ──\nyes"), "{text}");
    let o = run(&["show", s, "--session", "support/erin/chat-5", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["session"]["trace_ids"].as_array().unwrap().len(), 3);
    assert_eq!(v["turns"][2]["entries"][0]["content"], "yes");

    assert_fails_with(
        &run(&["show", s, "--session", "nobody's"]),
        &["no session \"nobody's\" here"],
    );

    // a reviewed session of the demo: each turn's header carries its verdicts in force
    let demo = demo();
    let d = demo.to_str().unwrap();
    let o = run(&["sessions", d, "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let id = v
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["users"] == serde_json::json!(["ana"])
                && s["trace_ids"].as_array().unwrap().len() == 4
        })
        .unwrap_or_else(|| panic!("ana's four-turn session: {v}"))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let text = stdout(&run(&["show", d, "--session", &id]));
    let last = text
        .lines()
        .find(|l| l.starts_with("━━ turn 4 of 4"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        last.contains("relevance pass")
            && last.contains("resolved pass")
            && last.contains("helpfulness 5"),
        "{last}"
    );
}

/// Issue 16 (sort and time windows headless): `list --sort FIELD [--asc]` puts the true top
/// first (a local store sorts everything), `--since DURATION` keeps the traces started within
/// it, and a bad value is refused with what would do.
#[test]
fn list_sorts_and_keeps_a_time_window() {
    let store = fixtures().join("v3/sqlite");
    let s = store.to_str().unwrap();
    let infos = |args: &[&str]| -> Vec<serde_json::Value> {
        let mut all = vec!["list", s, "--json", "-n", "0"];
        all.extend_from_slice(args);
        let o = run(&all);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_slice::<Vec<serde_json::Value>>(&o.stdout).unwrap()
    };
    let every = infos(&[]);
    let slowest = every
        .iter()
        .filter_map(|t| t["duration_ms"].as_i64())
        .max()
        .unwrap();
    let by_duration = infos(&["--sort", "duration"]);
    assert_eq!(by_duration.len(), every.len());
    assert_eq!(by_duration[0]["duration_ms"], slowest);
    let fastest_first = infos(&["--sort", "latency", "--asc"]);
    let d: Vec<i64> = fastest_first
        .iter()
        .filter_map(|t| t["duration_ms"].as_i64())
        .collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    // the fixtures were written long before this test runs; a window of a century has them all
    assert!(infos(&["--since", "15m"]).is_empty());
    assert_eq!(infos(&["--since", "5200w"]).len(), every.len());
    let o = run(&["list", s, "--since", "15m"]);
    assert!(
        stderr(&o).contains("no traces started in the time window"),
        "{}",
        stderr(&o)
    );
    let o = run(&["list", s, "--since", "3y"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("the unit is s, m, h, d or w"),
        "{}",
        stderr(&o)
    );
    let o = run(&["list", s, "--sort", "size"]);
    assert!(
        stderr(&o).contains("time, duration, name or tokens"),
        "{}",
        stderr(&o)
    );
    let o = run(&["list", s, "--follow", "--sort", "name"]);
    assert!(stderr(&o).contains("not --follow"), "{}", stderr(&o));
}
