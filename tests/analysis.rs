//! The analyses on traces the real MLflow SDK wrote with known answers
//! (`scripts/gen_analysis.py`, every pinned MLflow generation: 3.17, 3.5, 2.22): the critical
//! path, self time and rollups, folded repeats, lints, and the diff of two runs.

mod common;

use common::*;
use mlflow_tui::model::Trace;
use mlflow_tui::model::analysis::{Analysis, base_name};
use mlflow_tui::model::diff::{Side, diff};
use mlflow_tui::model::lint::lint;

const GENERATIONS: [&str; 3] = ["v3", "v35", "v2"];

fn load(generation: &str, name: &str) -> std::sync::Arc<Trace> {
    let path = fixtures()
        .join(generation)
        .join("analysis")
        .join(format!("{name}.json"));
    let src = open(&path);
    let id = list_all(&src)[0].trace_id.clone();
    get(&src, &id)
}

fn names(t: &Trace, spans: impl IntoIterator<Item = usize>) -> Vec<String> {
    spans
        .into_iter()
        .map(|i| base_name(&t.tree.span(i).name).to_string())
        .collect()
}

#[test]
fn the_critical_path_goes_through_the_long_branch() {
    for g in GENERATIONS {
        let t = load(g, "critical_path");
        let a = Analysis::of(&t);
        let path: Vec<String> = names(&t, a.path.iter().map(|s| s.span));
        let mut walked = path.clone();
        walked.dedup();
        assert_eq!(
            walked,
            [
                "critical_path",
                "plan",
                "critical_path",
                "fetch_b",
                "embed",
                "fetch_b",
                "critical_path",
                "answer",
                "critical_path"
            ],
            "{g}: {path:?}"
        );
        let fetch_a = (0..t.span_count())
            .find(|&i| t.tree.span(i).name == "fetch_a")
            .unwrap();
        assert!(
            !a.on_path[fetch_a],
            "{g}: the short parallel branch is off the path"
        );
        // the path covers the trace: its segments add up to the root's duration
        let root = t.tree.roots()[0];
        let root_ns = t.tree.span(root).duration_ns().unwrap();
        assert_eq!(a.split.total_ns(), root_ns, "{g}");
        // embed (EMBEDDING, 120 ms) is retrieval; plan and answer (80 ms) are LLM time
        assert!(a.split.retrieval_ns >= 150_000_000, "{g}: {:?}", a.split);
        assert!(a.split.llm_ns >= 80_000_000, "{g}: {:?}", a.split);
        // walking it visits its spans in time order
        let mut cur = None;
        let mut walk = Vec::new();
        for _ in 0..6 {
            cur = a.next_on_path(cur, true);
            walk.push(base_name(&t.tree.span(cur.unwrap()).name).to_string());
        }
        assert_eq!(
            walk[..5],
            ["critical_path", "plan", "fetch_b", "embed", "answer"],
            "{g}"
        );
    }
}

#[test]
fn rollups_and_self_time() {
    for g in GENERATIONS {
        let t = load(g, "critical_path");
        let a = Analysis::of(&t);
        let root = t.tree.roots()[0];
        let r = a.rollup[root];
        assert_eq!(r.spans, 6, "{g}");
        assert_eq!(r.llm_calls, 2, "{g}");
        assert_eq!(r.tool_calls, 1, "{g}");
        let tokens = r.tokens.unwrap();
        assert_eq!((tokens.input, tokens.output), (60, 15), "{g}");
        let embed = (0..t.span_count())
            .find(|&i| t.tree.span(i).name == "embed")
            .unwrap();
        let fetch_b = t.tree.parent(embed).unwrap();
        // fetch_b's own time is what embed does not cover: about 40 ms
        let own = a.self_ns[fetch_b];
        assert!(
            (30_000_000..80_000_000).contains(&own),
            "{g}: fetch_b self {own}"
        );
        // 120 ms of a trace of a little over 300 ms
        let pct = a.percent(&t, embed);
        assert!((25.0..60.0).contains(&pct), "{g}: {pct}");
    }
}

#[test]
fn repeats_fold_and_the_slow_one_is_found() {
    for g in GENERATIONS {
        let t = load(g, "loop");
        let a = Analysis::of(&t);
        let runs: Vec<(String, usize)> = a
            .runs
            .iter()
            .map(|r| (r.name.clone(), r.spans.len()))
            .collect();
        assert_eq!(runs, [("search".into(), 4), ("lookup".into(), 5)], "{g}");
        let lookup = &a.runs[1];
        assert!(lookup.max_ns >= 140_000_000, "{g}");
        assert!(lookup.p50_ns < 40_000_000, "{g}");
        let found = lint(&t, &a);
        let kinds: Vec<&str> = found.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, ["loop", "slow_span"], "{g}: {found:?}");
        assert!(found[0].message.contains("4 times"), "{g}");
        assert_eq!(base_name(&t.tree.span(found[1].span).name), "lookup");
    }
}

#[test]
fn swallowed_errors_cut_outputs_and_empty_retrievals_are_found() {
    for g in GENERATIONS {
        let t = load(g, "swallowed");
        let a = Analysis::of(&t);
        let found = lint(&t, &a);
        let got: Vec<(&str, String)> = found
            .iter()
            .map(|f| (f.kind, base_name(&t.tree.span(f.span).name).to_string()))
            .collect();
        assert_eq!(
            got,
            [
                ("swallowed_error", "charge_card".into()),
                ("swallowed_error", "audit_write".into()),
                ("empty_output", "find_docs".into()),
                ("length_limit", "summarize".into()),
            ],
            "{g}: {found:#?}"
        );
    }
}

#[test]
fn the_diff_of_two_runs_shows_what_changed() {
    for g in GENERATIONS {
        let (v1, v2) = (load(g, "support_v1"), load(g, "support_v2"));
        let d = diff(&v1, &v2);
        let added: Vec<&str> = d
            .rows
            .iter()
            .filter(|r| r.side == Side::Added)
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(added, ["rerank"], "{g}");
        assert_eq!(d.removed, 0, "{g}");
        let answer = d.rows.iter().find(|r| r.name == "answer").unwrap();
        assert_eq!(answer.side, Side::Both);
        assert!(answer.delta_ns().unwrap() > 20_000_000, "{g}: slower");
        assert_eq!(answer.delta_tokens(), Some(34), "{g}: 84 - 50 tokens");
        assert!(answer.io_changed, "{g}: its prompt changed");
        let retrieve = d.rows.iter().find(|r| r.name == "retrieve").unwrap();
        assert!(!retrieve.io_changed, "{g}: the retrieval did not change");
        let lines =
            mlflow_tui::model::diff::io_diff(&v1, answer.a.unwrap(), &v2, answer.b.unwrap());
        assert!(
            lines
                .iter()
                .any(|l| l.tag == '+' && l.text.contains("politely")),
            "{g}: {lines:?}"
        );
    }
}

/// The critical path as first written: each step scans the span's children from the latest
/// end (quadratic for a span with many children). The analysis resumes each span's scan
/// where it stopped; both must walk the same path.
fn critical_path_by_scanning(t: &Trace) -> Vec<(usize, u64, u64)> {
    let tree = &t.tree;
    let (_, t1) = tree.time_range();
    let end_of = |i: usize| tree.span(i).end_ns.unwrap_or(t1).max(tree.span(i).start_ns);
    let Some(&root) = tree
        .roots()
        .iter()
        .max_by_key(|&&r| end_of(r).saturating_sub(tree.span(r).start_ns))
    else {
        return Vec::new();
    };
    let mut path = Vec::new();
    let (mut cur, mut bound, mut strict) = (root, None::<u64>, false);
    for _ in 0..4 * tree.len() + 8 {
        let s = tree.span(cur);
        let end = end_of(cur);
        let upto = bound.unwrap_or(end).min(end);
        let mut kids: Vec<(u64, usize)> = tree
            .children(cur)
            .iter()
            .filter(|&&c| tree.span(c).start_ns <= end)
            .map(|&c| (end_of(c).min(end), c))
            .collect();
        kids.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
        match kids
            .into_iter()
            .find(|(ce, _)| if strict { *ce < upto } else { *ce <= upto })
        {
            Some((ce, c)) => {
                if upto > ce {
                    path.push((cur, ce, upto));
                }
                (cur, bound, strict) = (c, Some(ce), false);
            }
            None => {
                if upto > s.start_ns {
                    path.push((cur, s.start_ns, upto));
                }
                match tree.parent(cur) {
                    Some(p) if cur != root => (cur, bound, strict) = (p, Some(s.start_ns), true),
                    _ => break,
                }
            }
        }
    }
    path.sort_by_key(|&(_, s, e)| (s, e));
    path
}

/// A trace from (parent, start, length) triples: span i's parent is an earlier span.
fn random_trace(spans: &[(usize, u64, u64)]) -> Trace {
    let t0: u64 = 1_795_312_923_000_000_000;
    let list: Vec<serde_json::Value> = spans
        .iter()
        .enumerate()
        .map(|(i, &(parent, start, len))| {
            serde_json::json!({
                "trace_id": "AAAAAAAAAAAAAAAAAAAAQg==",
                "span_id": format!("{:016x}", i + 1),
                "parent_span_id": (i > 0).then(|| format!("{:016x}", parent % i + 1)),
                "name": format!("s{i}"),
                "start_time_unix_nano": t0 + start,
                "end_time_unix_nano": t0 + start + len,
                "status": {"code": "STATUS_CODE_OK", "message": ""},
                "attributes": {"mlflow.spanType": "\"CHAIN\""},
                "events": [],
            })
        })
        .collect();
    let doc = serde_json::json!({
        "info": {"trace_id": "tr-00000000000000000000000000000042", "state": "OK"},
        "data": {"spans": list},
    });
    mlflow_tui::model::parse::parse_trace(&doc.to_string()).unwrap()
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, ..Default::default() })]
    #[test]
    fn the_critical_path_is_the_one_a_plain_scan_walks(
        spans in proptest::collection::vec((0usize..64, 0u64..1_000, 0u64..400), 1..60)
    ) {
        let t = random_trace(&spans);
        let a = Analysis::of(&t);
        let got: Vec<(usize, u64, u64)> =
            a.path.iter().map(|g| (g.span, g.start_ns, g.end_ns)).collect();
        proptest::prop_assert_eq!(got, critical_path_by_scanning(&t));
    }
}

#[test]
fn a_span_with_forty_thousand_children_has_its_path() {
    // 40,000 sequential children (the plain scan above would take seconds here)
    let spans: Vec<(usize, u64, u64)> = std::iter::once((0, 0, 40_000_000))
        .chain((0..40_000u64).map(|i| (0, i * 1_000, 900)))
        .collect();
    let t = random_trace(&spans);
    let a = Analysis::of(&t);
    assert_eq!(
        a.path.len(),
        2 * 40_000,
        "each child and the parent's gap after it"
    );
    assert!(a.on_path.iter().all(|&on| on));
}
