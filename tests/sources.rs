//! Every local source and both MLflow generations, over traces the real MLflow SDK wrote:
//! the same trace gives the same normalized tree from each source.

mod common;

use common::*;
use mlflow_tui::model::{SpanType, StatusCode, TraceState, chat};

fn scenarios(store: &str) -> Vec<(String, String)> {
    manifest(store).into_iter().collect()
}

/// Sources that hold literally the same traces: shapes, ids, info and timings are equal.
fn assert_same_traces(a: &str, b: &str, manifest_of: &str) {
    let fx = fixtures();
    let (sa, sb) = (open(&fx.join(a)), open(&fx.join(b)));
    let ids = scenarios(manifest_of);
    assert!(ids.len() >= 10, "{manifest_of}: {} scenarios", ids.len());
    for (name, id) in ids {
        let (ta, tb) = (get(&sa, &id), get(&sb, &id));
        assert!(
            ta.span_count() > 0,
            "{a} {name}: no spans ({:?})",
            ta.warnings
        );
        assert_eq!(shape(&ta), shape(&tb), "{name}: {a} vs {b}");
        assert_eq!(timings(&ta), timings(&tb), "{name} timings: {a} vs {b}");
        assert_eq!(ta.info.request_time_ms, tb.info.request_time_ms, "{name}");
        assert_eq!(ta.duration_ms(), tb.duration_ms(), "{name}");
        assert_eq!(ta.info.assessments, tb.info.assessments, "{name}");
        assert!(ta.warnings.is_empty(), "{a} {name}: {:?}", ta.warnings);
        assert!(tb.warnings.is_empty(), "{b} {name}: {:?}", tb.warnings);
    }
}

#[test]
fn v3_sqlite_and_export_agree() {
    assert_same_traces("v3/sqlite", "v3/export", "v3/sqlite");
    assert_same_traces("v3/sqlite", "v3/export/traces.jsonl", "v3/sqlite");
}

#[test]
fn v3_file_store_and_migrated_db_agree() {
    // migrated.db keeps spans in the artifacts, at the absolute path of the machine that
    // wrote it: found again next to the database.
    assert_same_traces(
        "v3/filestore/mlruns",
        "v3/filestore/migrated.db",
        "v3/filestore",
    );
}

#[test]
fn v35_sqlite_and_export_agree() {
    assert_same_traces("v35/sqlite", "v35/export", "v35/sqlite");
}

#[test]
fn v2_sqlite_and_export_agree() {
    assert_same_traces("v2/sqlite", "v2/export", "v2/sqlite");
    assert_same_traces("v2/sqlite", "v2/export/traces.jsonl", "v2/sqlite");
}

#[test]
fn every_generation_gives_the_same_tree() {
    let fx = fixtures();
    let stores = [
        "v3/sqlite",
        "v3/filestore",
        "v35/sqlite",
        "v2/sqlite",
        "v2/filestore",
    ];
    let reference = manifest("v3/sqlite");
    let src_ref = open(&fx.join("v3/sqlite"));
    for store in &stores[1..] {
        let path = if store.ends_with("filestore") {
            fx.join(store).join("mlruns")
        } else {
            fx.join(store)
        };
        let src = open(&path);
        let ids = manifest(store);
        for (name, ref_id) in &reference {
            let id = ids
                .get(name)
                .unwrap_or_else(|| panic!("{store} lacks {name}"));
            let mut a = shape(&get(&src_ref, ref_id));
            let mut b = shape(&get(&src, id));
            // Threads and async tasks start in a different order each run; compare as sets.
            a.spans.sort();
            b.spans.sort();
            assert_eq!(a, b, "{name}: v3/sqlite vs {store}");
        }
    }
}

#[test]
fn listing_is_newest_first_and_pages_without_holes() {
    let fx = fixtures();
    for store in [
        "v3/sqlite",
        "v3/export",
        "v3/filestore/mlruns",
        "v35/sqlite",
        "v2/sqlite",
        "v2/filestore",
        "v2/export/traces.jsonl",
    ] {
        let src = open(&fx.join(store));
        let all = list_all(&src);
        assert_eq!(all.len(), 10, "{store}");
        let mut ids: Vec<&str> = all.iter().map(|t| t.trace_id.as_str()).collect();
        assert!(
            all.windows(2)
                .all(|w| w[0].request_time_ms >= w[1].request_time_ms),
            "{store}"
        );
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 10, "{store}: duplicates across pages");
        for t in &all {
            assert!(t.name().is_some(), "{store} {}: no name", t.trace_id);
            assert!(
                t.request_preview().is_some(),
                "{store} {}: no request preview",
                t.trace_id
            );
        }
    }
}

#[test]
fn rag_trace_has_documents_tokens_user_and_feedback() {
    let fx = fixtures();
    for store in ["v3/sqlite", "v3/export", "v3/filestore/mlruns"] {
        let man = if store.starts_with("v3/filestore") {
            "v3/filestore"
        } else {
            "v3/sqlite"
        };
        let id = &manifest(man)["rag"];
        let t = get(&open(&fx.join(store)), id);
        assert_eq!(t.name(), Some("rag_pipeline"));
        assert_eq!(t.info.user(), Some("alice"), "{store}");
        assert_eq!(t.info.session(), Some("session-1"), "{store}");
        assert_eq!(t.info.tags.get("env").map(String::as_str), Some("dev"));
        let retr = t
            .spans()
            .iter()
            .find(|s| s.span_type == SpanType::Retriever)
            .unwrap();
        let docs = retr.outputs().unwrap().to_value();
        assert_eq!(docs.as_array().unwrap().len(), 3);
        assert!(
            docs[0]["page_content"]
                .as_str()
                .unwrap()
                .contains("MLflow Tracing")
        );
        let u = t.token_usage().unwrap();
        assert_eq!(u.total, u.input + u.output);
        assert_eq!(
            Some(u),
            t.tree.token_total(),
            "{store}: trace metadata vs span sum"
        );
        let fb = &t.info.assessments[0];
        assert_eq!(
            (fb.name.as_str(), fb.kind.as_str()),
            ("correctness", "feedback"),
            "{store}"
        );
        assert_eq!(fb.value, Some(serde_json::Value::Bool(true)));
        assert_eq!(fb.rationale.as_deref(), Some("Matches the docs."));
        assert_eq!(fb.source_id.as_deref(), Some("alice"));
        let llm = t
            .spans()
            .iter()
            .find(|s| s.span_type == SpanType::ChatModel)
            .unwrap();
        assert_eq!(llm.model().as_deref(), Some("gpt-4o-mini"));
        assert!(
            t.info.cost().is_some() || store != "v3/sqlite",
            "{store}: MLflow 3.17 records cost"
        );
    }
}

#[test]
fn agent_trace_has_chat_messages_and_tool_calls() {
    let fx = fixtures();
    for store in ["v3/sqlite", "v35/sqlite", "v2/sqlite"] {
        let t = get(&open(&fx.join(store)), &manifest(store)["agent"]);
        let step0 = t.spans().iter().find(|s| s.name == "llm_step_0").unwrap();
        let msgs = chat::messages(step0);
        assert_eq!(msgs[0].role, "system", "{store}");
        let call = msgs.iter().flat_map(|m| &m.tool_calls).next().unwrap();
        assert_eq!(call.name, "get_weather");
        assert!(call.arguments.contains("Lisbon"));
        let tools = chat::tools(step0);
        assert_eq!(
            tools.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
            ["get_weather", "search_flights"]
        );
        assert_eq!(
            t.spans()
                .iter()
                .filter(|s| s.span_type == SpanType::Tool)
                .count(),
            2
        );
    }
}

#[test]
fn deep_exception_is_found_with_type_message_and_stack() {
    let fx = fixtures();
    for store in ["v3/sqlite", "v35/sqlite", "v2/sqlite", "v2/filestore"] {
        let path = if store.ends_with("filestore") {
            fx.join(store).join("mlruns")
        } else {
            fx.join(store)
        };
        let src = open(&path);
        let t = get(&src, &manifest(store)["error_deep"]);
        assert_eq!(t.info.state, TraceState::Error, "{store}");
        let leaf = t
            .tree
            .preorder()
            .iter()
            .copied()
            .find(|&i| t.tree.span(i).name == "parse_config")
            .unwrap();
        assert_eq!(t.tree.depth(leaf), 4);
        let s = t.tree.span(leaf);
        assert_eq!(s.status, StatusCode::Error);
        let e = &s.exceptions()[0];
        assert_eq!(e.kind, "ValueError");
        assert_eq!(e.message, "bad config: missing 'model'");
        assert!(e.stacktrace.contains("Traceback"), "{store}");
        // caught and retried: the trace is OK, one span failed
        let ok = get(&src, &manifest(store)["error_caught"]);
        assert_eq!(ok.info.state, TraceState::Ok);
        assert_eq!(
            ok.spans().iter().filter(|s| s.is_error()).count(),
            1,
            "{store}"
        );
    }
}

#[test]
fn stream_events_custom_types_and_odd_attributes() {
    let fx = fixtures();
    for store in ["v3/sqlite", "v35/sqlite", "v2/sqlite"] {
        let src = open(&fx.join(store));
        let m = manifest(store);
        let stream = get(&src, &m["stream"]);
        let root = stream.root().unwrap();
        assert!(
            root.events.len() >= 5,
            "{store}: {} chunk events",
            root.events.len()
        );
        let custom = get(&src, &m["custom_type"]);
        let types: Vec<&SpanType> = custom.spans().iter().map(|s| &s.span_type).collect();
        assert!(
            types.contains(&&SpanType::Custom("GUARDRAIL_CHECK".into())),
            "{store}"
        );
        assert!(
            types.contains(&&SpanType::Custom("VECTOR_SEARCH".into())),
            "{store}"
        );
        let odd = get(&src, &m["events_odd_attrs"]);
        let root = odd.root().unwrap();
        assert_eq!(
            root.attr("int_attr").unwrap().as_string().as_deref(),
            Some("7")
        );
        assert_eq!(
            root.attr("bool_attr").unwrap().to_value(),
            serde_json::json!(false)
        );
        assert_eq!(
            root.attr("dict_attr").unwrap().to_value()["k"]["deep"][1]["deeper"],
            "x"
        );
        assert!(
            root.attr("unicode_attr")
                .unwrap()
                .display_text()
                .contains("東京")
        );
        assert!(root.attr("nan_attr").is_some());
        assert!(root.user_attributes().any(|(k, _)| k == "big_int"));
        assert!(
            root.user_attributes()
                .all(|(k, _)| !k.starts_with("mlflow."))
        );
        assert!(
            root.mlflow_attributes()
                .any(|(k, _)| k == "mlflow.spanType")
        );
        let child = odd
            .spans()
            .iter()
            .find(|s| s.name == "emit_events")
            .unwrap();
        let names: Vec<&str> = child.events.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["cache_miss", "retry", "checkpoint"], "{store}");
        assert_eq!(child.events[1].attributes["attempt"], serde_json::json!(2));
    }
}

#[test]
fn demo_opens_and_every_trace_loads() {
    let src = open(&demo());
    let all = list_all(&src);
    assert!(all.len() >= 27, "demo has {} traces", all.len());
    for info in &all {
        let t = get(&src, &info.trace_id);
        assert!(t.span_count() > 0, "{}", info.trace_id);
        assert!(t.warnings.is_empty(), "{}: {:?}", info.trace_id, t.warnings);
    }
}

#[test]
fn experiments_select_by_name_or_id() {
    let src = open(&fixtures().join("v3/sqlite"));
    let r = rt();
    let exps = r.block_on(src.experiments()).unwrap();
    let fx = exps.iter().find(|e| e.name == "tui-fixtures").unwrap();
    let by_name = r
        .block_on(mlflow_tui::source::resolve_experiments(
            src.as_ref(),
            &["tui-fixtures".into()],
        ))
        .unwrap();
    let by_id = r
        .block_on(mlflow_tui::source::resolve_experiments(
            src.as_ref(),
            std::slice::from_ref(&fx.id),
        ))
        .unwrap();
    assert_eq!(by_name, by_id);
    let err = r
        .block_on(mlflow_tui::source::resolve_experiments(
            src.as_ref(),
            &["nope".into()],
        ))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("nope") && err.contains("tui-fixtures"),
        "{err}"
    );
    let page = r
        .block_on(src.list(mlflow_tui::source::ListQuery {
            experiment_ids: vec!["0".into()],
            max_results: 10,
            page_token: None,
            filter: None,
            since_ms: None,
            order: Default::default(),
        }))
        .unwrap();
    assert!(
        page.traces.is_empty(),
        "the Default experiment has no traces"
    );
}

/// A live-tail poll (`since_ms`) between two pages of the list does not change what the next
/// page holds, and a poll only lists traces at least as new as asked.
#[test]
fn a_poll_between_pages_leaves_the_paging_alone() {
    let fx = fixtures();
    for store in [
        "v3/sqlite",
        "v3/export",
        "v2/filestore",
        "v3/filestore/mlruns",
    ] {
        let src = open(&fx.join(store));
        let r = rt();
        let page = |token: Option<String>, since_ms: Option<i64>| {
            r.block_on(src.list(mlflow_tui::source::ListQuery {
                max_results: 4,
                page_token: token,
                since_ms,
                ..Default::default()
            }))
            .unwrap()
        };
        let first = page(None, None);
        let newest = first.traces[0].request_time_ms;
        let polled = page(None, Some(newest));
        assert!(
            !polled.traces.is_empty(),
            "{store}: the newest trace is polled"
        );
        assert!(
            polled.traces.iter().all(|t| t.request_time_ms >= newest),
            "{store}"
        );
        let second = page(first.next_page_token.clone(), None);
        let mut ids: Vec<String> = first
            .traces
            .iter()
            .chain(&second.traces)
            .map(|t| t.trace_id.clone())
            .collect();
        assert_eq!(second.traces.len(), 4, "{store}: the second page is whole");
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 8, "{store}: no overlap between pages");
    }
}

/// The listing of a file reads no span it does not need, and says the same as parsing it all:
/// for every export of every generation (one trace a file, JSON Lines, and both as an array,
/// as a `{"traces": [...]}` listing and behind a BOM), each trace's summary is the one the
/// full parse gives, and its byte range holds exactly that trace.
#[test]
fn the_listing_of_a_file_agrees_with_parsing_it_all() {
    use mlflow_tui::model::parse::{index_traces_file, parse_trace, parse_traces_file};
    let check = |what: &str, text: &str| {
        let (full, _) = parse_traces_file(text).unwrap_or_else(|e| panic!("{what}: {e}"));
        let (located, _) = index_traces_file(text).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(located.len(), full.len(), "{what}");
        for (l, t) in located.iter().zip(&full) {
            let s = t.summary();
            assert_eq!(
                serde_json::to_value(&l.info).unwrap(),
                serde_json::to_value(&s).unwrap(),
                "{what}: the summary of {}",
                s.trace_id
            );
            let again = parse_trace(&text[l.range.clone()]).unwrap();
            assert_eq!(again.info.trace_id, t.info.trace_id, "{what}");
            assert_eq!(again.span_count(), t.span_count(), "{what}");
        }
        full.len()
    };
    let mut n = 0;
    for generation in ["v3", "v35", "v2"] {
        let dir = fixtures().join(generation).join("export");
        let mut texts = Vec::new();
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap();
            n += check(&e.path().display().to_string(), &text);
            if e.path().extension().is_some_and(|x| x == "json") {
                texts.push(text);
            }
        }
        let docs: Vec<&str> = texts.iter().map(|t| t.trim()).collect();
        n += check("an array", &format!("[{}]", docs.join(",\n")));
        n += check(
            "a listing",
            &format!("{{\"traces\": [{}]}}", docs.join(", ")),
        );
        n += check(
            "JSON Lines",
            &docs
                .iter()
                .map(|d| {
                    let v: serde_json::Value = serde_json::from_str(d).unwrap();
                    v.to_string()
                })
                .collect::<Vec<_>>()
                .join("\n"),
        );
        n += check("behind a BOM", &format!("\u{feff}\n  {}", docs[0]));
    }
    assert!(n > 50, "{n} traces checked");
    // MLflow 3's exports are listed from their info alone
    let v3 = std::fs::read_to_string(fixtures().join("v3/export/agent.json")).unwrap();
    assert!(mlflow_tui::model::parse::quick_summary(&v3).is_some());
}

/// A one-trace file is listed from its head (its info comes first); the rest of the file is
/// read only when the trace is opened. The listing must still see JSON Lines whose first line
/// is longer than the head, and a file cut short must say what is wrong when opened.
#[test]
fn a_big_one_trace_file_is_listed_from_its_head() {
    let dir = tempfile::tempdir().unwrap();
    let fx = fixtures().join("v3").join("export");
    let (id, text) = std::fs::read_dir(&fx)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .find_map(|t| {
            let v: serde_json::Value = serde_json::from_str(&t).ok()?;
            let id = v["info"]["trace_id"].as_str()?.to_string();
            let ok = mlflow_tui::model::parse::quick_summary(&t).is_some();
            ok.then_some((id, v))
        })
        .expect("a v3 export listed from its info");
    // far past the head that is read to list a file
    let mut big = text.clone();
    big["data"]["spans"][0]["attributes"]["padding"] =
        serde_json::Value::String(serde_json::to_string(&"x".repeat(600_000)).unwrap());
    let spans = big["data"]["spans"].as_array().unwrap().len();
    let full = mlflow_tui::model::parse::parse_trace(&big.to_string()).unwrap();

    // one trace, pretty-printed as Trace.to_json() writes it
    let one = dir.path().join("one.json");
    std::fs::write(&one, serde_json::to_string_pretty(&big).unwrap()).unwrap();
    let src = open(&one);
    let listed = list_all(&src);
    assert_eq!(listed.len(), 1);
    assert_eq!(
        serde_json::to_value(&listed[0]).unwrap(),
        serde_json::to_value(full.summary()).unwrap()
    );
    let t = get(&src, &id);
    assert_eq!(t.span_count(), spans);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);

    // JSON Lines whose first line is longer than the head: both traces are listed
    let mut second = text.clone();
    second["info"]["trace_id"] = "tr-0123456789abcdef0123456789abcdef".into();
    let lines = dir.path().join("two.jsonl");
    std::fs::write(&lines, format!("{big}\n{second}\n")).unwrap();
    let src = open(&lines);
    let mut ids: Vec<String> = list_all(&src).into_iter().map(|i| i.trace_id).collect();
    ids.sort();
    let mut want = vec![
        id.clone(),
        "tr-0123456789abcdef0123456789abcdef".to_string(),
    ];
    want.sort();
    assert_eq!(ids, want);
    assert_eq!(get(&src, &id).span_count(), spans);

    // cut short after the head: listed from its info, and opening it says the file is broken
    let whole = big.to_string();
    let err = open_cut_short(dir.path(), &whole[..whole.len() - 100], &id);
    assert!(!err.contains("changed since"), "{err}");
}

/// A source that is one file reads it once to list it and open its trace; a file changed in
/// between is read again, so the trace opened is the file as it is now.
#[test]
fn a_one_trace_file_is_read_once_and_again_when_it_changed() {
    let dir = tempfile::tempdir().unwrap();
    let (id, mut doc) = v3_export_with_three_spans();
    let spans = doc["data"]["spans"].as_array().unwrap().len();
    let file = dir.path().join("one.json");
    std::fs::write(&file, doc.to_string()).unwrap();

    // listed, then opened twice: the same trace each time
    let src = open(&file);
    assert_eq!(list_all(&src).len(), 1);
    assert_eq!(get(&src, &id).span_count(), spans);
    assert_eq!(get(&src, &id).span_count(), spans);

    // listed, then the file loses a span before the trace is opened
    let src = open(&file);
    assert_eq!(list_all(&src).len(), 1);
    doc["data"]["spans"].as_array_mut().unwrap().pop();
    std::fs::write(&file, doc.to_string()).unwrap();
    assert_eq!(get(&src, &id).span_count(), spans - 1);
}

/// The pages of one filtered listing of a local store come from the reading of its first
/// page: a filter on spans does not read every trace again for each page, and a trace that
/// goes away in between leaves neither a hole nor a repeat.
#[test]
fn pages_of_a_filtered_listing_come_from_one_reading() {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(fixtures().join("v3").join("export"))
        .unwrap()
        .flatten()
    {
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let src = open(dir.path());
    let filter = Some("span.type = 'TOOL'".to_string());
    let query = |page_token: Option<String>, max_results: usize| mlflow_tui::source::ListQuery {
        experiment_ids: Vec::new(),
        max_results,
        page_token,
        filter: filter.clone(),
        since_ms: None,
        order: Default::default(),
    };
    let r = rt();
    let whole: Vec<String> = r
        .block_on(src.list(query(None, 0)))
        .unwrap()
        .traces
        .into_iter()
        .map(|t| t.trace_id)
        .collect();
    assert!(whole.len() >= 3, "{whole:?}");

    let first = r.block_on(src.list(query(None, 1))).unwrap();
    let mut paged: Vec<String> = first.traces.iter().map(|t| t.trace_id.clone()).collect();
    // every file but the first page's goes away: the later pages still come from the reading
    for e in std::fs::read_dir(dir.path()).unwrap().flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap();
        if !text.contains(&paged[0]) {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    let mut token = first.next_page_token;
    while let Some(t) = token {
        let page = r.block_on(src.list(query(Some(t), 1))).unwrap();
        paged.extend(page.traces.into_iter().map(|t| t.trace_id));
        token = page.next_page_token;
    }
    assert_eq!(paged, whole);
    // a new listing reads the folder as it is now
    let now = r.block_on(src.list(query(None, 0))).unwrap().traces;
    assert_eq!(now.len(), 1);
}

/// A one-trace file larger than what is kept whole is parsed as it is read, in runs, and
/// opens as the whole parse of its text does; one that cannot be cut (its span list is not
/// last), one cut short and one with bytes that are not UTF-8 open or fail as they always did.
#[test]
fn a_large_one_trace_file_opens_as_its_whole_parse() {
    let dir = tempfile::tempdir().unwrap();
    let (id, mut doc) = v3_export_with_three_spans();
    // grown past 16 MB: copies of its spans under its root, each with an id of its own
    let spans = doc["data"]["spans"].as_array().unwrap().clone();
    let root = spans[0]["span_id"].clone();
    let list = doc["data"]["spans"].as_array_mut().unwrap();
    let mut n = 0u64;
    while list.len() < 24_000 {
        for s in &spans[1..] {
            let mut s = s.clone();
            n += 1;
            s["span_id"] = format!("{n:016x}").into();
            s["parent_span_id"] = root.clone();
            s["attributes"]["padding"] = serde_json::to_string(&"p".repeat(n as usize % 700))
                .unwrap()
                .into();
            list.push(s);
        }
    }
    let check = |name: &str, text: &str| {
        assert!(text.len() > 16 << 20, "{name}: {} bytes", text.len());
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let want = mlflow_tui::model::parse::parse_trace(text).unwrap();
        let src = open(&file);
        assert_eq!(list_all(&src).len(), 1, "{name}");
        let got = get(&src, &id);
        assert_eq!(got.tree.spans(), want.tree.spans(), "{name}");
        assert_eq!(got.info.trace_id, want.info.trace_id, "{name}");
        assert_eq!(got.info.tags, want.info.tags, "{name}");
        assert!(got.warnings.is_empty(), "{name}: {:?}", got.warnings);
    };
    check("compact.json", &doc.to_string());
    check("pretty.json", &serde_json::to_string_pretty(&doc).unwrap());
    // a span list that is not last: read whole
    doc["data"]["request"] = "{}".into();
    let text = doc.to_string();
    assert!(
        text.trim_end().ends_with("\"request\":\"{}\"}}"),
        "{}",
        &text[text.len() - 40..]
    );
    check("not-last.json", &text);

    // cut short: the error names the file
    open_cut_short(dir.path(), &text[..text.len() / 2], &id);

    // a byte that is not UTF-8 in a span's name: opened, the byte replaced, with a warning
    let mut bytes = doc.to_string().into_bytes();
    let at = memchr_name(&bytes);
    bytes[at] = 0xff;
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, &bytes).unwrap();
    let src = open(&bad);
    assert_eq!(list_all(&src).len(), 1);
    let t = get(&src, &id);
    assert_eq!(t.span_count(), list_len(&doc));
    assert!(
        !t.warnings.is_empty(),
        "no warning for a byte that is not UTF-8"
    );
}

/// Where the last span's name starts (its first character), in a compact document.
fn memchr_name(bytes: &[u8]) -> usize {
    let key = b"\"name\":\"";
    bytes
        .windows(key.len())
        .rposition(|w| w == key)
        .expect("a span name")
        + key.len()
}

fn list_len(doc: &serde_json::Value) -> usize {
    doc["data"]["spans"].as_array().unwrap().len()
}

/// A trace the SDK exported (v3) with three spans or more: its id and its document.
fn v3_export_with_three_spans() -> (String, serde_json::Value) {
    std::fs::read_dir(fixtures().join("v3").join("export"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(e.path()).unwrap()).ok()?;
            let id = v["info"]["trace_id"].as_str()?.to_string();
            (v["data"]["spans"].as_array()?.len() >= 3).then_some((id, v))
        })
        .next()
        .expect("a v3 export with three spans")
}

/// Writes `text` (a one-trace file cut short) as `cut.json` in `dir`: it is listed, and
/// opening its trace fails with an error that names the file, which is returned.
fn open_cut_short(dir: &std::path::Path, text: &str, id: &str) -> String {
    let cut = dir.join("cut.json");
    std::fs::write(&cut, text).unwrap();
    let src = open(&cut);
    assert_eq!(list_all(&src).len(), 1);
    let err = rt()
        .block_on(src.get(id))
        .expect_err("a file cut short cannot be opened")
        .to_string();
    assert!(err.contains("cut.json"), "{err}");
    err
}
