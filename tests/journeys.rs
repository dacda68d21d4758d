//! Journeys: a user's task end to end, the real binary in a real (pseudo-)terminal at 80x24 and
//! 200x50, asserting on the screen a user sees. Each defect of issue 11 has a journey that
//! failed before its fix; the features (zoom, palette, hints, picker, span summary, columns,
//! search, sideways scroll) have theirs. `scripts/ci.sh` runs them against the release binary
//! (`MLFLOW_TUI_BIN`); `cargo test` against the debug one.

mod common;

use common::term::Term;
use common::*;
use std::path::PathBuf;

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

fn demo_arg() -> String {
    demo().display().to_string()
}

fn fixture(store: &str) -> String {
    fixtures().join(store).display().to_string()
}

/// Opens the demo and waits for its list and the first trace.
fn open_demo(cols: u16, rows: u16) -> Term {
    let t = Term::run(&[&demo_arg()], cols, rows);
    t.wait_for("the list and the first trace", |s| {
        s.contains("Traces 1/") && s.contains("Spans 1/")
    });
    t
}

/// `a-b of c` after `marker` in a line (the range shown and the total).
fn range_in(line: &str, marker: &str) -> (usize, usize, usize) {
    let from = line.find(marker).expect("the marker in the line");
    let title = &line[from..];
    let at = title.find(" of ").expect("a range in the title");
    let before = &title[..at];
    let range = before.rsplit(' ').next().unwrap_or_default();
    let (a, b) = range.split_once('-').expect("a-b");
    let total: String = title[at + 4..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (
        a.parse().unwrap(),
        b.parse().unwrap(),
        total.parse().unwrap(),
    )
}

/// Selects the first trace in the list whose name is `name`, with the quick filter, then
/// clears the filter (the selection stays) and waits until it is open.
fn select_named(t: &mut Term, name: &str) {
    // the quick filter is the list's: go back to it first
    if !t.screen().contains("┏ Traces") {
        t.keys(&["esc"]);
        t.wait_for("the list focused", |s| s.contains("┏ Traces"));
    }
    t.keys(&["/"]);
    t.type_text(name);
    t.keys(&["enter"]);
    // applied, not only typed: the prompt on the last row (`/name  enter keep  esc clear`) is
    // gone, or the esc below would cancel it instead of clearing the applied filter
    t.wait_for(name, |s| {
        let prompt_open = s
            .trim_end()
            .lines()
            .last()
            .is_some_and(|l| l.starts_with('/'));
        s.contains(&format!("· /{name}")) && !prompt_open && !s.contains("loading")
    });
    t.keys(&["esc"]);
    t.wait_for("the filter cleared", |s| !s.contains(&format!("· /{name}")));
    t.wait_for("its tree", |s| s.contains(&format!("] {name}")));
}

// ---------------------------------------------------------------------------------------------
// The defects of issue 11

/// Defect 1: with wrap on, `G` in the detail reaches the last line, and the title counts rows
/// on screen.
#[test]
fn wrap_then_end_shows_the_last_line() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        select_named(&mut t, "travel_agent");
        // the first LLM call's inputs: long messages
        t.keys(&["enter", "j", "tab"]);
        t.wait_for("the inputs", |s| s.contains("\"messages\""));
        t.keys(&["w"]);
        t.wait_text("· wrap");
        t.keys(&["G"]);
        let s = t.wait_for("the end", |s| {
            s.lines().find(|l| l.contains("Detail ·")).is_some_and(|l| {
                let (_, b, c) = range_in(l, "Detail ·");
                b == c
            })
        });
        let body = t.pane("Detail ·").expect("the detail pane");
        let last = body.iter().rev().find(|l| !l.trim().is_empty()).unwrap();
        assert_eq!(
            last.trim(),
            "}",
            "{w}x{h}: the document's last line shows:\n{s}"
        );
        assert_eq!(
            body.last().map(|l| l.trim()),
            Some("}"),
            "{w}x{h}: the view ends at the document's end, no empty rows:\n{s}"
        );
        t.quit();
    }
}

/// Defect 2: `G` in the list, then a quick filter: every match shows, and the title's count
/// is what can be reached.
#[test]
fn filter_after_scrolling_shows_every_match() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        t.keys(&["G"]);
        t.wait_for("the last row", |s| {
            s.lines().next().is_some_and(|l| {
                let p = l.split("Traces ").nth(1).unwrap_or("");
                let (a, b) = p.split_once('/').unwrap_or(("", ""));
                let b: String = b.chars().take_while(|c| c.is_ascii_digit()).collect();
                !a.is_empty() && a == b
            })
        });
        t.keys(&["/"]);
        t.type_text("rag");
        let s = t.wait_text("· /rag");
        let list = t.pane("Traces").expect("the list");
        let shown = list.iter().filter(|l| l.contains("rag_pipeline")).count();
        let title = s.lines().next().unwrap();
        let n: usize = title
            .split('/')
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(n >= 2, "{title}");
        let room = list.len() - 1; // the header
        assert_eq!(
            shown,
            n.min(room),
            "{w}x{h}: every match that fits is drawn:\n{s}"
        );
        t.keys(&["enter"]);
        t.quit();
    }
}

/// Defect 2 in the tree: after hiding a span type, every remaining span shows and the title
/// says a span filter is on.
#[test]
fn span_filter_after_scrolling_keeps_spans_in_view_and_says_so() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        select_named(&mut t, "travel_agent");
        t.keys(&["enter", "G"]);
        t.wait_text("Spans 6/6");
        // hide TOOL spans
        t.keys(&["T"]);
        t.wait_text("Span filter");
        // types are listed A to Z: TOOL is the last
        t.keys(&["G", "space"]);
        t.wait_text("[ ] TOOL");
        t.keys(&["esc"]);
        let s = t.wait_for("the popup closed", |s| !s.contains("Span filter"));
        let tree = t.pane("Spans").unwrap();
        let drawn = tree.iter().filter(|l| l.contains('[')).count();
        assert_eq!(drawn, 4, "{w}x{h}: the four other spans show:\n{s}");
        assert!(s.contains("filter: 2 hidden (T)"), "{s}");
        t.quit();
    }
}

/// Defect 3: help at 80x24 scrolls to every key, and long descriptions wrap instead of being
/// cut.
#[test]
fn help_scrolls_to_every_key_and_nothing_is_cut() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        t.keys(&["?"]);
        t.wait_text("Keys 1-");
        let mut seen = String::new();
        for _ in 0..20 {
            let s = t.screen();
            let title = s.lines().find(|l| l.contains("Keys ")).unwrap().to_string();
            seen.push_str(&t.pane("Keys ").unwrap().join("\n"));
            let (_, b, c) = range_in(&title, "Keys ");
            if b == c {
                break;
            }
            t.keys(&["pgdn"]);
            t.wait_for("the next page", |s| !s.contains(&title));
        }
        for want in [
            "quick filter",
            "MLflow search filter",
            "live tail",
            "pick experiments",
            "copy the value",
            "open the value in $PAGER",
            "sort by time",
            "show or hide span types",
            "zoom",
            "command palette",
        ] {
            assert!(
                seen.contains(want),
                "{w}x{h}: help never shows {want:?}:\n{seen}"
            );
        }
        assert!(
            !seen.contains("…"),
            "{w}x{h}: nothing in the help is cut:\n{seen}"
        );
        // search narrows it
        t.keys(&["/"]);
        t.type_text("zoom");
        let s = t.wait_text("/zoom");
        assert!(s.contains("the focused pane fills the screen"), "{s}");
        assert!(!s.contains("quick filter"), "{s}");
        t.keys(&["esc"]);
        t.wait_text("/ to search the keys");
        t.keys(&["esc"]);
        t.wait_for("help closed", |s| !s.contains("Keys "));
        t.quit();
    }
}

/// Defect 4 (a local store sorts the whole list) and defect 5 (name sorts A to Z under an up
/// arrow, and says so).
#[test]
fn sorting_covers_the_whole_list_and_names_go_a_to_z() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        t.keys(&["s"]);
        t.wait_text("sort: duration ↓");
        t.keys(&["g"]);
        let s = t.wait_text("Traces 1/");
        let list = t.pane("Traces").unwrap();
        assert!(
            list[1].contains("fare_watch_planner"),
            "{w}x{h}: the slowest trace first:\n{s}"
        );
        t.keys(&["s", "s"]);
        t.wait_text("sort: name ↑");
        t.keys(&["g"]);
        let s = t.wait_text("Traces 1/");
        let list = t.pane("Traces").unwrap();
        assert!(
            list[1].contains("assistant_turn"),
            "{w}x{h}: A to Z: assistant_turn first:\n{s}"
        );
        t.keys(&["S"]);
        t.wait_text("sort: name ↓");
        t.keys(&["g"]);
        let s = t.wait_text("Traces 1/");
        let list = t.pane("Traces").unwrap();
        assert!(list[1].contains("voice_turn"), "Z to A:\n{s}");
        t.quit();
    }
}

/// Defect 6: a filter MLflow refuses (a bare `text`) is refused at once, with what was typed
/// kept and the column it points at; nothing is sent, so nothing is retried.
#[test]
fn a_filter_mlflow_refuses_stays_open_with_the_reason() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        t.keys(&["f"]);
        t.wait_text("filter>");
        t.type_text("text LIKE '%x%'");
        t.keys(&["enter"]);
        let s = t.wait_text("✗ column 1");
        assert!(s.contains("trace.text"), "{w}x{h}: says what to use:\n{s}");
        assert!(
            s.contains("filter> text LIKE '%x%"),
            "{w}x{h}: the line keeps what was typed:\n{s}"
        );
        assert!(!s.contains("retrying"), "{s}");
        // fix it in place: trace.text
        t.keys(&["home"]);
        t.type_text("trace.");
        t.keys(&["enter"]);
        let s = t.wait_text("filter: trace.text LIKE '%x%'");
        assert!(!s.contains("✗ column"), "{s}");
        t.quit();
    }
}

/// Defect 7: a trace that fails to load says so in the tree and the detail, instead of
/// showing the previous trace.
#[test]
fn a_trace_that_fails_to_load_says_so_in_its_panes() {
    for (w, h) in SIZES {
        let dir = tempfile::tempdir().unwrap();
        let export = fixtures().join("v3/export");
        for name in ["agent.json", "rag.json"] {
            std::fs::copy(export.join(name), dir.path().join(name)).unwrap();
        }
        let mut t = Term::run(&[dir.path().to_str().unwrap()], w, h);
        t.wait_text("Traces 1/2");
        t.wait_text("Spans 1/");
        // the second trace's file breaks after it was listed
        let s = t.screen();
        let second_is_rag = s.find("rag_pipeline").unwrap() > s.find("travel_agent").unwrap();
        let broken = if second_is_rag {
            "rag.json"
        } else {
            "agent.json"
        };
        std::fs::write(dir.path().join(broken), "{ not json").unwrap();
        t.keys(&["j"]);
        let s = t.wait_text("could not load trace");
        assert!(s.contains("Spans (not loaded)"), "{w}x{h}:\n{s}");
        assert!(
            s.contains("the trace could not be loaded"),
            "{w}x{h}: the detail says so too:\n{s}"
        );
        // going back shows the good one again
        t.keys(&["k"]);
        t.wait_for("the first trace", |s| s.contains("Spans 1/"));
        t.quit();
    }
}

/// Defect 8: in the experiment picker, enter picks the highlighted row; typing narrows.
#[test]
fn the_experiment_picker_picks_the_highlighted_row() {
    for (w, h) in SIZES {
        let mut t = Term::run(&[&fixture("v3/sqlite")], w, h);
        t.wait_text("Traces 1/10");
        t.keys(&["e"]);
        t.wait_text("tui-fixtures");
        t.keys(&["down"]);
        t.keys(&["enter"]);
        let s = t.wait_text("experiment Default");
        assert!(
            s.contains("Traces 0"),
            "{w}x{h}: Default has no traces:\n{s}"
        );
        t.keys(&["e"]);
        t.wait_text("Experiments");
        t.type_text("fixt");
        t.wait_for("narrowed", |s| !s.contains("Default  ·"));
        t.keys(&["enter"]);
        t.wait_text("Traces 1/10");
        t.wait_text("experiment tui-fixtures");
        t.quit();
    }
}

/// Defect 9: a folder of dated folders of exported JSON opens as a source.
#[test]
fn a_folder_of_dated_export_folders_opens() {
    let dir = tempfile::tempdir().unwrap();
    let day = dir.path().join("exports/2026-11-21");
    std::fs::create_dir_all(&day).unwrap();
    std::fs::copy(
        fixtures().join("v3/export/agent.json"),
        day.join("agent.json"),
    )
    .unwrap();
    let exports = dir.path().join("exports");
    let t = Term::run(&[exports.to_str().unwrap()], 80, 24);
    t.wait_text("Traces 1/1");
    t.wait_text("travel_agent");
    t.quit();
}

/// Defect 10: a click that focuses the tree does not fold it; enter twice from the list keeps
/// the trace open; tabs and column headers can be clicked.
#[test]
fn clicks_focus_without_folding_and_tabs_and_headers_click() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        select_named(&mut t, "travel_agent");
        // enter twice: to the tree, then to the detail; the tree stays open
        t.keys(&["enter"]);
        t.wait_for("the tree focused", |s| s.contains("┏ Spans"));
        t.keys(&["enter"]);
        t.wait_for("the detail focused", |s| s.contains("┏ Detail"));
        assert!(t.screen().contains("Spans 1/6 of 6"), "{}", t.screen());
        // back to the list, then click the root span once: it is selected, not folded
        t.keys(&["esc"]);
        t.wait_for("the list focused", |s| s.contains("┏ Traces"));
        let (x, y) = t.find("] travel_agent").unwrap();
        t.click(x, y);
        t.wait_for("the tree focused", |s| s.contains("┏ Spans"));
        let s = t.screen();
        assert!(
            s.contains("llm_step_0"),
            "{w}x{h}: one click does not fold:\n{s}"
        );
        // a second click on it folds
        t.click(x, y);
        t.wait_for("folded", |s| !s.contains("llm_step_0"));
        t.click(x, y);
        t.wait_text("llm_step_0");
        // a tab title opens that tab
        let (x, y) = t.find(" Attr").or_else(|| t.find("Attr")).unwrap();
        t.click(x + 1, y);
        t.wait_text("mlflow.");
        // a column header sorts
        let (x, y) = t.find("DURATION").unwrap();
        t.click(x + 2, y);
        t.wait_text("sort: duration ↓");
        t.click(x + 2, y);
        t.wait_text("sort: duration ↑");
        t.quit();
    }
}

/// Defect 11: at 40 columns the state stays, so errors never vanish.
#[test]
fn at_40_columns_errors_stay_visible() {
    let mut t = open_demo(80, 24);
    t.resize(40, 12);
    let s = t.wait_for("the narrow layout", |s| {
        s.lines()
            .all(|l| unicode_width::UnicodeWidthStr::width(l) <= 40)
            && s.contains("STATE")
    });
    assert!(!s.contains("SPANS"), "{s}");
    select_named(&mut t, "batch_job");
    let s = t.wait_text("✗ ERROR");
    assert!(s.contains("batch_job"), "{s}");
    t.resize(200, 50);
    t.wait_text("RESPONSE");
    t.quit();
}

/// Defect 14: the status line separates what it joins, shows warnings by count, and cut
/// errors point at the message log, which shows them whole; alt-F is not F.
#[test]
fn the_message_log_shows_errors_whole_and_alt_keys_are_not_plain_keys() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        let s = t.screen();
        let status = s.lines().last().unwrap();
        assert!(
            status.starts_with("53 traces · all experiments · sqlite"),
            "{w}x{h}: {status}"
        );
        // alt-F does nothing; F follows
        t.keys(&["alt-F"]);
        t.keys(&["?"]);
        t.wait_text("Keys ");
        assert!(!t.screen().contains("● live"), "{}", t.screen());
        t.keys(&["?"]);
        t.wait_for("help closed", |s| !s.contains("Keys "));
        // an error longer than the status line
        t.keys(&["f"]);
        let long = format!("tags.`{}` = 'x' AND status = OR", "k".repeat(150));
        t.type_text(&long);
        t.keys(&["enter"]);
        t.wait_text("✗ column");
        t.keys(&["esc"]);
        t.wait_for("the prompt closed", |s| !s.contains("filter>"));
        // a failing palette command is kept whole in the log? (palette errors stay in the
        // line); a failed load is logged: ask for an experiment the source does not have
        t.keys(&[":"]);
        t.type_text("exp nope-no-such-experiment");
        t.keys(&["enter"]);
        t.wait_text("no experiment named");
        t.keys(&["esc"]);
        t.wait_for("closed", |s| !s.contains("exp nope"));
        t.keys(&["M"]);
        let s = t.wait_text("Messages");
        assert!(
            s.contains("no warnings or errors so far") || s.contains("error"),
            "{s}"
        );
        t.keys(&["esc"]);
        t.wait_for("closed", |s| !s.contains("Messages"));
        t.quit();
    }
}

/// Defect 15: the JSON tab shows MLflow's own span JSON; the normalized form has its own tab.
#[test]
fn the_json_tab_is_mlflow_s_own_and_the_normalized_form_has_its_own() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        select_named(&mut t, "batch_job");
        t.keys(&["enter", "G", "tab"]);
        t.wait_for("the detail", |s| s.contains("┏ Detail"));
        // from Inputs (the tab a span opens on) to MLflow's JSON, zoomed to see it whole
        for _ in 0..5 {
            t.keys(&["]"]);
        }
        t.keys(&["z"]);
        let s = t.wait_text("\"span_id\": \"");
        assert!(s.contains("=\","), "{w}x{h}: base64 ids:\n{s}");
        t.keys(&["ctrl-d"]);
        t.wait_text("STATUS_CODE_ERROR");
        t.keys(&["]"]);
        let s = t.wait_for("the normalized tab", |s| !s.contains("STATUS_CODE_ERROR"));
        assert!(s.contains("\"status\": \"ERROR\""), "{s}");
        t.quit();
    }
}

/// Defect 16: `C` collapses everything below the top level; the root stays open.
#[test]
fn collapse_all_keeps_the_root_open() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        select_named(&mut t, "batch_job");
        t.keys(&["enter", "C"]);
        let s = t.wait_text("Spans 1/2 of 5");
        let tree = t.pane("Spans").unwrap();
        assert_eq!(
            tree.iter().filter(|l| l.contains('[')).count(),
            2,
            "{w}x{h}: the root and its child:\n{s}"
        );
        assert!(s.contains("▼ [SPAN] batch_job") || s.contains("▼ ["), "{s}");
        t.keys(&["E"]);
        t.wait_text("Spans 1/5 of 5");
        t.quit();
    }
}

// ---------------------------------------------------------------------------------------------
// What users of k9s, lazygit and jless reach for first

#[test]
fn zoom_fills_the_screen_and_back() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        select_named(&mut t, "travel_agent");
        t.keys(&["enter", "j", "tab", "z"]);
        let s = t.wait_for("zoomed", |s| !s.contains("Traces ") && s.contains("Detail"));
        assert!(!s.contains("Spans "), "{s}");
        let body = t.pane("Detail ·").unwrap();
        assert!(
            body.len() as u16 >= h - 4,
            "{w}x{h}: the detail has the screen"
        );
        assert!(s.contains("z goes back"), "the message says how back:\n{s}");
        t.keys(&["z"]);
        t.wait_text("Traces ");
        t.quit();
    }
}

#[test]
fn the_palette_runs_commands_with_completion() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        t.keys(&[":"]);
        t.type_text("so");
        t.keys(&["tab"]);
        t.wait_text(":sort ");
        t.type_text("du");
        t.keys(&["tab"]);
        t.wait_text(":sort duration");
        t.keys(&["enter"]);
        t.wait_text("sort: duration ↓");
        // a typo keeps the line, with a suggestion
        t.keys(&[":"]);
        t.type_text("folow");
        t.keys(&["enter"]);
        let s = t.wait_text("did you mean follow");
        assert!(s.contains(":folow"), "{s}");
        t.keys(&["ctrl-u"]);
        t.type_text("filter attributes.status = 'ERROR'");
        t.keys(&["enter"]);
        // the title changes at once, the rows when the source has answered
        let s = t.wait_for("only the errors listed", |s| {
            let list: Vec<&str> = s
                .lines()
                .take_while(|l| !l.starts_with('┗') && !l.starts_with('└'))
                .skip(2)
                .filter(|l| l.chars().any(|c| c.is_ascii_digit()))
                .collect();
            s.contains("filter: attributes.status = 'ERROR'")
                && !list.is_empty()
                && list.iter().all(|l| l.contains("ERROR"))
        });
        let list = t.pane("Traces").unwrap();
        assert!(
            list.iter()
                .skip(1)
                .filter(|l| !l.is_empty())
                .all(|l| l.contains("ERROR")),
            "{s}"
        );
        // tab completes tag keys seen in the list
        t.keys(&["f"]);
        t.keys(&["ctrl-u"]);
        t.type_text("tags.ag");
        t.keys(&["tab"]);
        t.wait_text("filter> tags.agent");
        t.keys(&["ctrl-u", "enter"]);
        t.wait_for("the filter removed", |s| !s.contains("filter: "));
        t.keys(&[":"]);
        t.type_text("q");
        t.keys(&["enter"]);
        // :q quits
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        t.wait_for("the program gone", |s| {
            !s.contains("Traces") || std::time::Instant::now() > deadline
        });
    }
}

#[test]
fn key_hints_follow_the_focused_pane() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        let status = |t: &Term| t.screen().lines().last().unwrap().to_string();
        assert!(status(&t).contains("enter open"), "{}", status(&t));
        t.keys(&["tab"]);
        t.wait_for("tree hints", |s| {
            s.lines().last().unwrap().contains("space fold")
        });
        t.keys(&["tab"]);
        t.wait_for("detail hints", |s| {
            s.lines().last().unwrap().contains("] tab")
        });
        t.keys(&["f"]);
        t.wait_for("prompt hints", |s| {
            s.lines().last().unwrap().contains("tab complete")
        });
        t.keys(&["esc"]);
        t.wait_for("closed", |s| !s.contains("filter>"));
        t.quit();
    }
}

#[test]
fn the_span_summary_sits_at_the_top_of_the_detail() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        select_named(&mut t, "travel_agent");
        t.keys(&["enter", "j"]);
        let s = t.wait_text("CHAT_MODEL OK");
        assert!(s.contains("parent "), "{s}");
        assert!(
            s.contains("tokens 31 in / 8 out") || h < 30,
            "{w}x{h}:\n{s}"
        );
        assert!(s.contains("gpt-4o-mini"), "{s}");
        t.quit();
    }
}

#[test]
fn the_column_chooser_adds_a_tag_column_and_keeps_it() {
    let mut t = open_demo(200, 50);
    t.keys(&["c"]);
    t.wait_text("Columns");
    let s = t.screen();
    let row = s
        .lines()
        .filter(|l| l.contains("] "))
        .position(|l| l.contains("tag agent"))
        .expect("the tag agent is offered");
    for _ in 0..row {
        t.keys(&["j"]);
    }
    t.keys(&["space"]);
    t.keys(&["esc"]);
    t.wait_text("columns saved in");
    let s = t.screen();
    assert!(s.contains("AGENT"), "{s}");
    let saved = std::fs::read_to_string(t.config_file()).unwrap();
    assert!(saved.contains("tag:agent"), "{saved}");
    t.quit();
    // a new start keeps the choice
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("config/mlflow-tui");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), saved).unwrap();
    let t = Term::run_with(
        &[&demo_arg()],
        200,
        50,
        &[(
            "XDG_CONFIG_HOME",
            home.path().join("config").to_str().unwrap(),
        )],
    );
    t.wait_text("AGENT");
    t.quit();
}

#[test]
fn search_highlights_matches_and_walks_them() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        select_named(&mut t, "travel_agent");
        t.keys(&["enter", "/"]);
        t.type_text("Lisbon");
        t.keys(&["enter"]);
        let s = t.wait_text("/Lisbon 1/");
        assert!(s.contains("◆"), "{w}x{h}: matched spans are marked:\n{s}");
        t.keys(&["n"]);
        t.wait_text("/Lisbon 2/");
        t.quit();
    }
}

#[test]
fn long_lines_show_a_marker_and_scroll_sideways() {
    let mut t = open_demo(80, 24);
    select_named(&mut t, "travel_agent");
    t.keys(&["tab", "tab", "z"]);
    t.wait_for("the detail", |s| {
        s.contains("┏ Detail") && !s.contains("Traces ")
    });
    // the trace's Request line is longer than the pane
    let s = t.wait_text("›");
    assert!(s.contains("Request"), "{s}");
    t.keys(&[">"]);
    let s = t.wait_text("‹");
    assert!(s.contains("col "), "{s}");
    t.keys(&["<"]);
    t.wait_for("back", |s| !s.contains("‹"));
    t.quit();
}

#[test]
fn the_filter_line_edits_like_a_shell_line() {
    let mut t = Term::run(&[&fixture("v3/sqlite")], 80, 24);
    t.wait_text("Traces 1/10");
    t.keys(&["f"]);
    t.type_text("status = 'OK' AND name = 'nope'");
    t.keys(&["ctrl-w", "ctrl-w", "ctrl-w"]);
    t.wait_text("filter> status = 'OK' AND ");
    t.keys(&["ctrl-w"]);
    t.keys(&["home", "right", "right", "right", "right", "right", "right"]);
    t.type_text("X");
    t.wait_text("filter> statusX");
    t.keys(&["backspace", "end", "enter"]);
    t.wait_text("filter: status = 'OK'");
    t.wait_text("Traces 1/9");
    t.quit();
}

#[test]
fn resizing_keeps_the_selection_on_screen() {
    let mut t = open_demo(200, 50);
    t.keys(&["G"]);
    t.wait_text("Traces 53/53");
    t.resize(80, 24);
    // the program has drawn the new size when the list's border closes at the new edge
    let s = t.wait_for("small", |s| {
        s.lines()
            .next()
            .is_some_and(|l| l.ends_with('┓') || l.ends_with('┐'))
            && s.contains("Traces 53/53")
    });
    let list = t
        .pane("Traces")
        .unwrap_or_else(|| panic!("no list pane in:\n{s}\n{:?}", t.grid()[0]));
    assert!(list.last().unwrap().contains("fare_watch_planner"), "{s}");
    t.resize(200, 50);
    t.wait_text("RESPONSE");
    let _ = PathBuf::new();
    t.quit();
}

/// Defect 14: a bad key in the config's `[keys]` is one clear error that names the file.
#[test]
fn a_bad_key_in_the_config_names_the_file() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("config/mlflow-tui");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "[keys]\nquit = [\"hyper-q\"]\n").unwrap();
    let t = Term::run_with(
        &[&demo_arg()],
        80,
        24,
        &[(
            "XDG_CONFIG_HOME",
            home.path().join("config").to_str().unwrap(),
        )],
    );
    let s = t.wait_exit();
    assert!(s.contains("config.toml: [keys]"), "{s}");
    assert!(s.contains("hyper-q"), "{s}");
}

// ---------------------------------------------------------------------------------------------
// Issue 14: analyses in the explorer

fn open_analysis(cols: u16, rows: u16) -> Term {
    let t = Term::run(&[&fixture("v3/analysis")], cols, rows);
    t.wait_for("the list and the first trace", |s| {
        s.contains("Traces 1/5") && s.contains("Spans 1/")
    });
    t
}

/// Folded repeats: four identical tool calls show as one row with their numbers; space
/// unfolds them; the critical path is marked and `x` walks it.
#[test]
fn repeats_fold_and_the_critical_path_is_walked() {
    for (w, h) in SIZES {
        let mut t = open_analysis(w, h);
        select_named(&mut t, "loop");
        t.keys(&["enter"]);
        let s = t.wait_text("×4 search");
        assert!(s.contains("×5 lookup"), "{w}x{h}:\n{s}");
        assert!(s.contains("p50") && s.contains("max"), "{s}");
        t.keys(&["j", "space"]);
        let s = t.wait_for("unfolded", |s| !s.contains("×4 search"));
        assert!(
            s.contains("Spans 2/6 of 10"),
            "{w}x{h}: the four searches have rows:\n{s}"
        );
        t.keys(&["space"]);
        t.wait_text("×4 search");
        // the critical path: x walks it span by span, unfolding what it passes through
        select_named(&mut t, "critical_path");
        t.keys(&["enter", "x"]);
        let s = t.wait_text("critical path: plan");
        assert!(s.contains("▌"), "{s}");
        t.keys(&["x"]);
        t.wait_text("critical path: fetch_b");
        t.quit();
    }
}

/// The waterfall: a full-width timeline with an axis; + zooms around the selection, < and >
/// pan, W goes back.
#[test]
fn the_waterfall_zooms_and_pans() {
    for (w, h) in SIZES {
        let mut t = open_analysis(w, h);
        select_named(&mut t, "critical_path");
        t.keys(&["W"]);
        let s = t.wait_text("window 0ns–");
        assert!(!s.contains("Traces "), "{w}x{h}: full screen:\n{s}");
        assert!(s.contains("█"), "{s}");
        t.keys(&["+"]);
        let s = t.wait_for("zoomed", |s| !s.contains("window 0ns–"));
        assert!(
            s.contains("◂") || s.contains("▸"),
            "spans cut by the window:\n{s}"
        );
        t.keys(&[">"]);
        t.keys(&["W"]);
        t.wait_text("Traces ");
        t.quit();
    }
}

/// Compare: mark one run, select the other, D: the rows aligned, the added step marked, the
/// prompt's change in the line diff.
#[test]
fn compare_two_runs_shows_what_changed() {
    for (w, h) in SIZES {
        let mut t = open_analysis(w, h);
        // the list is newest first: support_v2, then support_v1
        select_named(&mut t, "support_bot");
        t.keys(&["m"]);
        t.wait_text("marked");
        t.keys(&["j"]);
        t.wait_for("the other run, loaded", |s| {
            s.contains("Traces 2/5") && s.contains("Spans 1/3 of 3")
        });
        t.keys(&["D"]);
        let s = t.wait_text("Compare ");
        assert!(s.contains("rerank"), "{w}x{h}:\n{s}");
        assert!(s.contains("1 removed") || s.contains("1 added"), "{s}");
        // the LLM call: its prompt changed
        for _ in 0..3 {
            t.keys(&["j"]);
        }
        let s = t.wait_text("politely");
        assert!(s.contains("-") && s.contains("+"), "{s}");
        t.keys(&["esc"]);
        t.wait_text("Traces 2/5");
        t.quit();
    }
}

/// Stats: by name over the list, then by model (the spans are read), with the chart.
#[test]
fn stats_by_name_then_by_model() {
    for (w, h) in SIZES {
        let mut t = open_analysis(w, h);
        t.keys(&["#"]);
        let s = t.wait_text("Stats by name");
        assert!(
            s.contains("support_bot") && s.contains("P95"),
            "{w}x{h}:\n{s}"
        );
        t.keys(&["tab"]);
        let s = t.wait_for("by model", |s| {
            s.contains("Stats by model") && s.contains("gpt-4o-mini")
        });
        assert!(s.contains("all model calls"), "{s}");
        t.keys(&["esc"]);
        t.wait_text("Traces 1/5");
        t.quit();
    }
}

/// Findings: L lists the trace's lints; enter goes to the span.
#[test]
fn findings_list_and_jump_to_their_span() {
    for (w, h) in SIZES {
        let mut t = open_analysis(w, h);
        select_named(&mut t, "swallowed");
        t.keys(&["L"]);
        let s = t.wait_text("Findings 1/4");
        assert!(
            s.contains("swallowed_error") && s.contains("length_limit"),
            "{s}"
        );
        t.keys(&["G", "enter"]);
        let s = t.wait_text("stopped on its length limit");
        assert!(s.contains("summarize"), "{w}x{h}:\n{s}");
        t.quit();
    }
}

/// Export: O writes the open trace as Markdown, and says where.
#[test]
fn export_writes_the_trace_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.md");
    let mut t = open_analysis(120, 30);
    t.keys(&["O"]);
    t.wait_text("export> markdown");
    t.keys(&["ctrl-u"]);
    t.type_text(&format!("markdown {}", out.display()));
    t.keys(&["enter"]);
    t.wait_text("wrote ");
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(md.starts_with("# Trace `"), "{md}");
    assert!(md.contains("## Spans"), "{md}");
    t.quit();
}

// ---------------------------------------------------------------------------------------------
// Issue 15: the OTLP receiver

/// The explorer listening: an empty list says where to send spans; a child span arrives first
/// (the trace is running), then its root (the trace turns OK and its tree is whole).
#[test]
fn listening_shows_traces_arriving_and_a_running_one_finishing() {
    use common::procs::{otlp_json, post};
    for (i, (w, h)) in SIZES.into_iter().enumerate() {
        let addr = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().to_string()
        };
        let mut t = Term::run(&["--listen", &addr], w, h);
        t.wait_for("where to send spans", |s| {
            s.contains("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") && s.contains("● live")
        });
        let json = [("content-type", "application/json")];
        let trace = format!("{:032x}", 0xabc0 + i);
        let child = otlp_json(
            &trace,
            "0000000000000002",
            "0000000000000001",
            "chat",
            1763780000500000000,
        );
        assert_eq!(post(&addr, "/v1/traces", &json, child.as_bytes()).0, 200);
        let s = t.wait_for("the running trace", |s| s.contains("RUNNING"));
        assert!(s.contains("Traces 1/1"), "{w}x{h}:\n{s}");
        t.wait_for("its span so far", |s| s.contains("[CHAT] chat"));
        let root = otlp_json(&trace, "0000000000000001", "", "agent", 1763780001000000000);
        assert_eq!(post(&addr, "/v1/traces", &json, root.as_bytes()).0, 200);
        let s = t.wait_for("the trace finished, its tree whole", |s| {
            !s.contains("RUNNING") && s.contains("[CHAT] agent") && s.contains("  [CHAT] chat")
        });
        assert!(s.contains(" OK "), "{w}x{h}:\n{s}");
        // garbage is refused and the explorer carries on
        let (code, _) = post(&addr, "/v1/traces", &json, b"{");
        assert_eq!(code, 400);
        t.wait_for("the refusal told", |s| s.contains("⚠ 1 warning"));
        t.keys(&["j"]);
        t.wait_for("still answering", |s| s.contains("[CHAT] agent"));
        t.quit();
    }
}

/// A giant trace (past the size whose analyses wait for the first frame): its tree, folded,
/// is on screen; then its findings open once they are worked out.
#[test]
fn a_giant_trace_shows_its_tree_then_its_findings() {
    let dir = tempfile::tempdir().unwrap();
    let n = mlflow_tui::app::ANALYSE_LATER_FROM + 2_000;
    let file = dir.path().join("giant.json");
    std::fs::write(&file, giant_trace_json(n)).unwrap();
    for (cols, rows) in SIZES {
        let mut t = Term::run(&[file.to_str().unwrap()], cols, rows);
        t.wait_for("the tree, folded", |s| {
            s.contains(&format!("of {n}")) && s.contains(&format!("×{} step", n - 1))
        });
        // the title says the analyses are coming; then the findings open
        t.wait_for("the analyses", |s| !s.contains("analysing…"));
        t.keys(&["L"]);
        let s = t.wait_for("the findings", |s| s.contains("Findings "));
        assert!(s.contains("step"), "{s}");
        t.keys(&["esc"]);
        t.wait_for("the findings closed", |s| !s.contains("Findings "));
        t.quit();
    }
}

/// Issue 13: a trace read as one conversation. An Anthropic agent whose tool failed, written
/// by the real SDK under autolog: `i` shows its transcript full screen (thinking, the tool
/// call with its arguments, the failed result, the answer); `G` reaches its end; `i` goes
/// back to the tree.
#[test]
fn the_transcript_of_a_trace_reads_as_one_conversation() {
    let store = fixture("v3/frameworks/sqlite");
    for (cols, rows) in SIZES {
        let mut t = Term::run(&[&store], cols, rows);
        t.wait_for("the list", |s| s.contains("Traces 1/"));
        select_named(&mut t, "claude_agent");
        t.keys(&["i"]);
        let s = t.wait_text("Transcript: the whole trace");
        assert!(s.contains("── user ──"), "{cols}x{rows}:\n{s}");
        assert!(s.contains("thinking: I should look the weather up."), "{s}");
        t.keys(&["G"]);
        let s = t.wait_for("the end", |s| {
            s.contains("The lookup failed; Paris is usually mild.")
                || s.contains("It is 18°C in Paris.")
        });
        assert!(s.contains("── tool [toolu_1]"), "{cols}x{rows}:\n{s}");
        t.keys(&["i"]);
        t.wait_for("the tree again", |s| s.contains("Spans 1/"));
        t.quit();
    }
}

/// Issue 13 (sessions): from a turn of a conversation, `I` opens the sessions with its session
/// selected; enter reads the three turns as one conversation to its end; esc, esc: the list.
#[test]
fn a_session_reads_as_one_conversation() {
    let store = fixture("v3/frameworks/sqlite");
    for (cols, rows) in SIZES {
        let mut t = Term::run(&[&store], cols, rows);
        t.wait_for("the list", |s| s.contains("Traces 1/"));
        select_named(&mut t, "chat_turn");
        t.keys(&["I"]);
        let s = t.wait_text("Sessions · 7 sessions");
        assert!(s.contains("erin/chat-5"), "{cols}x{rows}:\n{s}");
        t.keys(&["enter"]);
        t.wait_text("━━ turn 1 of 3");
        t.keys(&["G"]);
        let s = t.wait_text("You said: yes");
        assert!(s.contains("━━ turn 3 of 3"), "{cols}x{rows}:\n{s}");
        t.keys(&["esc"]);
        t.wait_text("Sessions · 7 sessions");
        t.keys(&["esc"]);
        t.wait_for("the list again", |s| {
            s.contains("Traces ") && !s.contains("Sessions ·")
        });
        t.quit();
    }
}

/// Issue 13 (assessments): the feedback's pass rate in the status line and a column per
/// feedback name where there is room; `!` shows only the trace failing it, `!` all again.
#[test]
fn the_traces_failing_a_feedback_are_one_key_away() {
    let store = fixture("v3/frameworks/sqlite");
    for (cols, rows) in SIZES {
        let mut t = Term::run(&[&store], cols, rows);
        let s = t.wait_for("the list", |s| s.contains("Traces 1/14"));
        if cols >= 200 {
            assert!(s.contains("CORRECTNESS"), "{s}");
        }
        t.keys(&["!"]);
        let s = t.wait_text("· failing correctness");
        assert!(s.contains("Traces 1/1"), "{cols}x{rows}:\n{s}");
        assert!(s.contains("claude_agent"), "{cols}x{rows}:\n{s}");
        t.keys(&["!"]);
        // all again, the selection still on the trace it was on
        let s = t.wait_for("all again", |s| {
            s.contains("/14 · sort") && !s.contains("· failing")
        });
        assert!(
            s.contains("Name        claude_agent"),
            "{cols}x{rows}:\n{s}"
        );
        t.quit();
    }
}

/// Issue 16 (time windows): `@` narrows the list to the last 15 minutes (the demo is older:
/// nothing, and the list says how to widen it), four more presses walk 1h, 24h, 7d and back to
/// every trace; `:since 5200w` takes any window.
#[test]
fn the_time_window_narrows_the_list_and_comes_back() {
    for (w, h) in SIZES {
        let mut t = open_demo(w, h);
        t.keys(&["@"]);
        let s = t.wait_text("no trace started in the last 15m");
        assert!(s.contains("· last 15m"), "{w}x{h}:\n{s}");
        t.keys(&["@", "@", "@", "@"]);
        let s = t.wait_for("every trace", |s| {
            s.contains("Traces 1/53") && !s.contains("· last ")
        });
        assert!(s.contains("moderated_reply"), "{w}x{h}:\n{s}");
        t.keys(&[":"]);
        t.type_text("since 5200w");
        t.keys(&["enter"]);
        t.wait_for("a long window", |s| {
            s.contains("· last 5200w") && s.contains("Traces 1/53")
        });
        t.quit();
    }
}

/// A trace without spans says so in the span pane, with why (its warnings), and where the
/// whole of it is when the pane is too short: never an empty pane.
#[test]
fn a_trace_without_spans_says_why() {
    let mut doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("v3/export/agent.json")).unwrap(),
    )
    .unwrap();
    // two spans no reader can take: both skipped, each with a warning
    doc["data"]["spans"] = serde_json::json!([5, "x"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("no-spans.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    for (w, h) in SIZES {
        let t = Term::run(&[file.to_str().unwrap()], w, h);
        t.wait_text("why, in full: the Trace tab");
        let pane = t.pane("Spans").unwrap_or_default().join("\n");
        assert!(pane.contains("no spans"), "{w}x{h}:\n{pane}");
        assert!(pane.contains("span #0 skipped"), "{w}x{h}:\n{pane}");
        if h >= 50 {
            assert!(pane.contains("span #1 skipped"), "{w}x{h}:\n{pane}");
        }
        t.quit();
    }
}
