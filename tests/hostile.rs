//! The hostile corpus (tests/hostile, written by scripts/gen_hostile.py) and every input a fuzz
//! target ever crashed on (tests/fuzz_regressions/<target>/): through the explorer (every span,
//! every tab, wrapped and not) and through `show`, nothing panics, no character that could act
//! on a terminal reaches the screen or stdout, and memory stays within a bound of the file's
//! size (a counting allocator measures the peak). Frame times are a benchmark
//! (`cargo bench --bench hostile`), not asserted here.

mod common;
#[path = "common/fuzz_checks.rs"]
mod fuzz_checks;

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{Harness, buffer_text};
use crossterm::event::KeyCode;
use mlflow_tui::app::Focus;
use mlflow_tui::text::is_unsafe;

struct Counting;
static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = NOW.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        NOW.fetch_sub(l.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        let q = unsafe { System.realloc(p, l, new) };
        if !q.is_null() {
            if new >= l.size() {
                let now = NOW.fetch_add(new - l.size(), Ordering::Relaxed) + new - l.size();
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                NOW.fetch_sub(l.size() - new, Ordering::Relaxed);
            }
        }
        q
    }
}

#[global_allocator]
static A: Counting = Counting;

/// The allocator counts the whole process: the tests here take turns.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The hostile corpus and the fuzz regressions of the targets that take whole trace files.
fn corpus() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("hostile"))
        .expect("tests/hostile exists (scripts/gen_hostile.py writes it)")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    assert!(files.len() >= 11, "the corpus is there: {files:?}");
    files
}

fn assert_clean(what: &str, text: &str) {
    if let Some(bad) = text.chars().find(|&c| c != '\n' && is_unsafe(c)) {
        panic!("{what}: U+{:04X} reached the output", bad as u32);
    }
}

/// Every span (up to 12), every tab, wrapped and not, rendered at 120x40.
fn explore(h: &mut Harness, what: &str) {
    let frame = |h: &Harness, step: &str| {
        let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
        term.draw(|f| mlflow_tui::ui::render(f, &h.app)).unwrap();
        assert_clean(
            &format!("{what}, {step}"),
            &buffer_text(term.backend().buffer()),
        );
    };
    frame(h, "list");
    h.app.focus = Focus::SpanTree;
    h.keys("E");
    let spans = h.app.open.as_ref().map_or(0, |o| o.view.rows.len()).min(12);
    for s in 0..spans {
        for t in 0..7 {
            frame(h, &format!("span {s} tab {t}"));
            h.key(KeyCode::Char(']'));
        }
        h.keys("w");
        frame(h, &format!("span {s} wrapped"));
        h.keys("w");
        h.key(KeyCode::Down);
    }
    // the detail pane scrolled to its end, and search inside the trace
    h.app.focus = Focus::Detail;
    h.keys("G");
    frame(h, "detail end");
    h.keys("/");
    h.keys("\u{1b}[2J");
    h.key(KeyCode::Enter);
    frame(h, "search");
}

#[test]
fn hostile_traces_are_shown_safely_in_bounded_memory() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for path in corpus() {
        let what = path.file_name().unwrap().to_string_lossy().into_owned();
        let size = std::fs::metadata(&path).unwrap().len() as usize;
        let base = NOW.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        if let Err(e) = mlflow_tui::source::open(Some(path.to_str().unwrap())) {
            // refused as a whole (a file nested 10,000 deep): said plainly, safely
            let msg = mlflow_tui::text::sanitize_line(&e.to_string()).into_owned();
            assert!(
                msg.contains(&what),
                "{what}: the error names the file: {msg}"
            );
            continue;
        }
        let mut h = Harness::new(&path, (120, 40));
        assert!(h.app.list.loaded, "{what}: listed");
        assert!(
            h.app.open.is_some() || h.app.error.is_some(),
            "{what}: opened or explained"
        );
        explore(&mut h, &what);
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        let bound = 12 * size + 64 * 1024 * 1024;
        assert!(
            peak < bound,
            "{what}: peak {} MB for a {} MB file (bound {} MB)",
            peak >> 20,
            size >> 20,
            bound >> 20
        );
        eprintln!("{what}: {} bytes, peak {} MB", size, peak >> 20);
    }
}

#[test]
fn show_prints_hostile_traces_safely() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for path in corpus() {
        let what = path.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(src) = mlflow_tui::source::open(Some(path.to_str().unwrap())) else {
            continue;
        };
        let infos = common::list_all(&src);
        for info in infos {
            for json in [false, true] {
                let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mlflow-tui"));
                cmd.arg("show").arg(&path).arg(&info.trace_id);
                if json {
                    cmd.arg("--json");
                }
                let out = cmd.output().unwrap();
                assert!(
                    out.status.success(),
                    "{what}: show failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                let stdout = String::from_utf8(out.stdout).expect("show prints UTF-8");
                assert_clean(&format!("{what} show json={json}"), &stdout);
                assert_clean(
                    &format!("{what} stderr"),
                    &String::from_utf8_lossy(&out.stderr),
                );
            }
        }
        let list = std::process::Command::new(env!("CARGO_BIN_EXE_mlflow-tui"))
            .arg("list")
            .arg(&path)
            .output()
            .unwrap();
        assert_clean(
            &format!("{what} list"),
            &String::from_utf8_lossy(&list.stdout),
        );
    }
}

/// Every input that ever crashed a fuzz target, through that target's checks again.
#[test]
fn fuzz_regressions_stay_fixed() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    type Check = (&'static str, fn(&[u8]));
    let checks: [Check; 7] = [
        ("trace_file", fuzz_checks::trace_file),
        ("spans_doc", fuzz_checks::spans_doc),
        ("trace_info", fuzz_checks::trace_info),
        ("filter", fuzz_checks::filter),
        ("sanitize", fuzz_checks::sanitize),
        ("render", fuzz_checks::render),
        ("otlp", fuzz_checks::otlp),
    ];
    let mut n = 0;
    for (target, check) in checks {
        let Ok(rd) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for e in rd.flatten() {
            check(&std::fs::read(e.path()).unwrap());
            n += 1;
        }
    }
    // every folder there is a target's
    for e in std::fs::read_dir(&root).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        assert!(
            checks.iter().any(|(t, _)| *t == name),
            "no fuzz target {name}"
        );
    }
    assert!(n >= 1, "the regressions are there");
}
