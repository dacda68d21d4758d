//! The export round trip with the real MLflow SDK: every fixture trace of every MLflow
//! generation (3.17, 3.5, 2.22: the scenarios and the analysis traces), exported with
//! `--format mlflow`, is read back by MLflow's `Trace.from_json` into the same trace as the
//! original file MLflow wrote (spans, ids, parents, times, status, attributes, events; id,
//! state, times, tags, metadata). Needs the pinned venv (scripts/setup-python.sh).

mod common;

use common::*;

#[test]
#[ignore = "needs the pinned MLflow venv (scripts/setup-python.sh; scripts/ci.sh runs it)"]
fn mlflow_reads_every_export_back_as_the_same_trace() {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let py = root.join(".venv/mlflow3/bin/python");
    assert!(
        py.is_file(),
        "{} is missing: run scripts/setup-python.sh",
        py.display()
    );
    let out = tempfile::tempdir().unwrap();
    let mut pairs = String::new();
    let mut n = 0;
    for generation in ["v3", "v35", "v2"] {
        for folder in ["export", "analysis"] {
            let dir = fixtures().join(generation).join(folder);
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect();
            files.sort();
            for f in files {
                let src = open(&f);
                let id = list_all(&src)[0].trace_id.clone();
                let t = get(&src, &id);
                let text =
                    mlflow_tui::cli::export::render(&t, mlflow_tui::cli::export::Format::Mlflow)
                        .unwrap();
                n += 1;
                let ours = out.path().join(format!("{n}.json"));
                std::fs::write(&ours, text).unwrap();
                pairs.push_str(&format!("{}\t{}\n", f.display(), ours.display()));
            }
        }
    }
    assert!(n >= 30, "{n} fixture traces");
    let list = out.path().join("pairs.tsv");
    std::fs::write(&list, pairs).unwrap();
    let o = std::process::Command::new(&py)
        .arg(root.join("scripts/check_export.py"))
        .arg(&list)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        report.contains(&format!("{n} of {n} traces read back the same")),
        "{report}"
    );
}
