//! Keys to actions. The table is data: the help overlay is generated from it, and the config
//! file can override any binding (`[keys] action = ["key", …]`).

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::{Deserialize, Serialize};

/// What the user wants. Imperative; one per binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Quit,
    Help,
    Back,
    FocusNext,
    FocusPrev,
    Up,
    Down,
    Top,
    Bottom,
    HalfPageDown,
    HalfPageUp,
    PageDown,
    PageUp,
    Select,
    Left,
    Right,
    Toggle,
    Parent,
    ExpandAll,
    CollapseAll,
    NextTab,
    PrevTab,
    Wrap,
    Copy,
    Pager,
    Editor,
    Reload,
    Sort,
    ReverseSort,
    TimeFormat,
    Experiments,
    Search,
    NextMatch,
    PrevMatch,
    SpanFilter,
    HidePlumbing,
    Filter,
    Follow,
    Zoom,
    Palette,
    Messages,
    Columns,
    ScrollLeft,
    ScrollRight,
    CriticalNext,
    CriticalPrev,
    Rollups,
    Waterfall,
    TimeWindow,
    ZoomIn,
    ZoomOut,
    Findings,
    Mark,
    Compare,
    Stats,
    Export,
    WebUi,
    Transcript,
    Sessions,
    FailingOnly,
    Annotate,
    Review,
}

/// Where an action applies, for the help's groups and the status line's hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Everywhere,
    Moving,
    TraceList,
    SpanTree,
    Detail,
    Analysis,
}

impl Group {
    pub const ALL: [Group; 6] = [
        Group::Everywhere,
        Group::Moving,
        Group::TraceList,
        Group::SpanTree,
        Group::Detail,
        Group::Analysis,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Group::Everywhere => "Everywhere",
            Group::Moving => "Moving (every pane, help and pickers)",
            Group::TraceList => "Trace list",
            Group::SpanTree => "Span tree",
            Group::Detail => "Detail",
            Group::Analysis => "Analysis: critical path, rollups, waterfall, lints, compare, stats",
        }
    }
}

impl Action {
    pub fn describe(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::Help => "show or hide this help",
            Action::Back => "close a popup; back to the trace list; clear the quick filter",
            Action::FocusNext => "next pane",
            Action::FocusPrev => "previous pane",
            Action::Up => "move up",
            Action::Down => "move down",
            Action::Top => "go to the top",
            Action::Bottom => "go to the bottom",
            Action::HalfPageDown => "half a page down",
            Action::HalfPageUp => "half a page up",
            Action::PageDown => "page down",
            Action::PageUp => "page up",
            Action::Select => "list: go to the span tree; tree: go to the detail",
            Action::Left => "collapse, or go to the parent span / previous tab",
            Action::Right => "expand, or go to the first child / next tab",
            Action::Toggle => "tree: fold or unfold the span; list: pause the live tail",
            Action::Parent => "jump to the parent span",
            Action::ExpandAll => "expand every span (repeated siblings unfold too)",
            Action::CollapseAll => "collapse every span below the top level (repeats fold)",
            Action::NextTab => "next detail tab",
            Action::PrevTab => "previous detail tab",
            Action::Wrap => "wrap long lines (the Chat tab wraps by default)",
            Action::Copy => "copy the value or id (OSC 52, works over SSH)",
            Action::Pager => "open the value in $PAGER",
            Action::Editor => "open the value in $EDITOR",
            Action::Reload => "reload the trace list",
            Action::Sort => "sort by time, duration, tokens, name (on the server where it can)",
            Action::ReverseSort => "reverse the sort order",
            Action::TimeFormat => "relative / absolute times",
            Action::Experiments => {
                "pick experiments (type to narrow, tab marks several, enter picks)"
            }
            Action::Search => "list: quick filter; tree or detail: search the trace",
            Action::NextMatch => "next match of the search in the trace",
            Action::PrevMatch => "previous match",
            Action::SpanFilter => {
                "show or hide span types (errors and parents of shown spans stay)"
            }
            Action::HidePlumbing => "hide plumbing spans (untyped and parser spans)",
            Action::Filter => "MLflow search filter for the list (tab completes, ↑/↓ history)",
            Action::Follow => "live tail: show new traces as they arrive (space pauses)",
            Action::Zoom => "zoom: the focused pane fills the screen, and back",
            Action::Palette => "command palette (:q, :exp NAME, :sort duration, :filter EXPR)",
            Action::Messages => "every warning and error of this session, whole",
            Action::Columns => "choose the list's columns (any tag or metadata key)",
            Action::ScrollLeft => "scroll long lines left (when not wrapping); waterfall: pan left",
            Action::ScrollRight => {
                "scroll long lines right (when not wrapping); waterfall: pan right"
            }
            Action::CriticalNext => {
                "next span on the critical path (what decides when the trace ends)"
            }
            Action::CriticalPrev => "previous span on the critical path",
            Action::Rollups => {
                "span tree columns: % of the trace, self time, Σ tokens, Σ cost, calls"
            }
            Action::Waterfall => "waterfall: the trace as a full-width timeline, and back",
            Action::TimeWindow => {
                "time window: the last 15m, 1h, 24h, 7d, then all (on the server's side; :since 3h for others)"
            }
            Action::ZoomIn => "waterfall: zoom in (around the selected span)",
            Action::ZoomOut => "waterfall: zoom out",
            Action::Findings => {
                "findings in this trace: loops, cut outputs, swallowed errors and more"
            }
            Action::Mark => "mark this trace to compare it with another",
            Action::Compare => "compare the marked trace with this one (the trees aligned)",
            Action::Stats => {
                "stats over the list: latency percentiles, errors, tokens, cost, over time"
            }
            Action::Export => "export this trace: MLflow JSON, Markdown or OTLP JSON to a file",
            Action::WebUi => "this trace in MLflow's web UI: copy its address (servers)",
            Action::Sessions => {
                "sessions of the listed traces (turns, users, tokens, errors); enter reads one as a conversation"
            }
            Action::Annotate => {
                "annotate the selected trace or span on the server: NAME=VALUE # why (again: updates yours, overrides a judge's), expect NAME=VALUE, tag KEY=VALUE, untag KEY, rm NAME; ctrl-x: in $EDITOR"
            }
            Action::Review => {
                "review mode: y pass, n fail on a feedback, then the next trace (again or esc: end)"
            }
            Action::FailingOnly => {
                "only the traces failing a feedback (each press: the next feedback name, then all)"
            }
            Action::Transcript => {
                "transcript: the whole trace as one conversation (tool calls, results, failures in place), and back"
            }
        }
    }

    /// Where the action applies.
    pub fn group(self) -> Group {
        use Action::*;
        match self {
            Quit | Help | Back | FocusNext | FocusPrev | Copy | Pager | Editor | Zoom | Palette
            | Messages | Filter | Follow | Experiments | Reload => Group::Everywhere,
            Up | Down | Top | Bottom | HalfPageDown | HalfPageUp | PageDown | PageUp => {
                Group::Moving
            }
            Sort | ReverseSort | TimeFormat | TimeWindow | Columns | Sessions | FailingOnly
            | Annotate | Review => Group::TraceList,
            Left | Right | Toggle | Parent | ExpandAll | CollapseAll | SpanFilter
            | HidePlumbing | Select => Group::SpanTree,
            NextTab | PrevTab | Wrap | ScrollLeft | ScrollRight | Transcript => Group::Detail,
            Search | NextMatch | PrevMatch => Group::Everywhere,
            CriticalNext | CriticalPrev | Rollups | Waterfall | ZoomIn | ZoomOut | Findings => {
                Group::Analysis
            }
            Mark | Compare | Stats | Export | WebUi => Group::Analysis,
        }
    }
}

/// A key as written in the config file and the help: `q`, `ctrl-d`, `shift-tab`, `enter`, `f5`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    /// Alt (meta): `alt-f` is not `f`.
    pub alt: bool,
}

impl Key {
    pub fn from_event(e: &KeyEvent) -> Self {
        // shift-tab arrives as BackTab, and an uppercase letter carries its shift in the char,
        // so only ctrl matters
        Key {
            code: e.code,
            ctrl: e.modifiers.contains(KeyModifiers::CONTROL),
            alt: e.modifiers.contains(KeyModifiers::ALT),
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let trimmed = s.trim();
        let lower = trimmed.to_ascii_lowercase();
        let (alt, trimmed, lower) = match lower
            .strip_prefix("alt-")
            .or_else(|| lower.strip_prefix("m-"))
        {
            Some(r) => (true, &trimmed[trimmed.len() - r.len()..], r.to_string()),
            None => (false, trimmed, lower.clone()),
        };
        let (ctrl, rest) = match lower
            .strip_prefix("ctrl-")
            .or_else(|| lower.strip_prefix("c-"))
        {
            Some(r) => (true, r.to_string()),
            None => (false, trimmed.to_string()),
        };
        let code = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "shift-tab" | "backtab" => KeyCode::BackTab,
            "space" => KeyCode::Char(' '),
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" | "pgup" => KeyCode::PageUp,
            "pagedown" | "pgdn" => KeyCode::PageDown,
            "backspace" => KeyCode::Backspace,
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().ok()?)
            }
            _ => {
                let mut chars = rest.chars();
                let c = chars.next()?;
                if chars.next().is_some() {
                    return None;
                }
                KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c })
            }
        };
        Some(Key { code, ctrl, alt })
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Enter => "enter".to_string(),
            KeyCode::Esc => "esc".to_string(),
            KeyCode::Tab => "tab".to_string(),
            KeyCode::BackTab => "shift-tab".to_string(),
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Up => "↑".to_string(),
            KeyCode::Down => "↓".to_string(),
            KeyCode::Left => "←".to_string(),
            KeyCode::Right => "→".to_string(),
            KeyCode::Home => "home".to_string(),
            KeyCode::End => "end".to_string(),
            KeyCode::PageUp => "pgup".to_string(),
            KeyCode::PageDown => "pgdn".to_string(),
            KeyCode::F(n) => format!("f{n}"),
            KeyCode::Char(c) => c.to_string(),
            _ => "?".to_string(),
        };
        match (self.ctrl, self.alt) {
            (true, true) => format!("alt-ctrl-{base}"),
            (true, false) => format!("ctrl-{base}"),
            (false, true) => format!("alt-{base}"),
            (false, false) => base,
        }
    }
}

pub fn default_bindings() -> Vec<(Action, &'static [&'static str])> {
    use Action::*;
    vec![
        (Quit, &["q", "ctrl-c"]),
        (Help, &["?"]),
        (Back, &["esc"]),
        (FocusNext, &["tab"]),
        (FocusPrev, &["shift-tab"]),
        (Up, &["k", "up"]),
        (Down, &["j", "down"]),
        (Top, &["g", "home"]),
        (Bottom, &["G", "end"]),
        (HalfPageDown, &["ctrl-d"]),
        (HalfPageUp, &["ctrl-u"]),
        (PageDown, &["pagedown", "ctrl-f"]),
        (PageUp, &["pageup", "ctrl-b"]),
        (Select, &["enter"]),
        (Left, &["h", "left"]),
        (Right, &["l", "right"]),
        (Toggle, &["space"]),
        (Parent, &["p"]),
        (ExpandAll, &["E"]),
        (CollapseAll, &["C"]),
        (NextTab, &["]"]),
        (PrevTab, &["["]),
        (Wrap, &["w"]),
        (Copy, &["y"]),
        (Pager, &["v"]),
        (Editor, &["o"]),
        (Reload, &["r", "f5"]),
        (Sort, &["s"]),
        (ReverseSort, &["S"]),
        (TimeFormat, &["t"]),
        (Experiments, &["e"]),
        (Search, &["/"]),
        (NextMatch, &["n"]),
        (PrevMatch, &["N"]),
        (SpanFilter, &["T"]),
        (HidePlumbing, &["H"]),
        (Filter, &["f"]),
        (Follow, &["F"]),
        (Zoom, &["z"]),
        (Palette, &[":"]),
        (Messages, &["M"]),
        (Columns, &["c"]),
        (ScrollLeft, &["<"]),
        (ScrollRight, &[">"]),
        (CriticalNext, &["x"]),
        (CriticalPrev, &["X"]),
        (Rollups, &["R"]),
        (TimeWindow, &["@"]),
        (Waterfall, &["W"]),
        (ZoomIn, &["+", "="]),
        (ZoomOut, &["-"]),
        (Findings, &["L"]),
        (Mark, &["m"]),
        (Compare, &["D"]),
        (Stats, &["#"]),
        (Export, &["O"]),
        (WebUi, &["U"]),
        (Transcript, &["i"]),
        (Sessions, &["I"]),
        (FailingOnly, &["!"]),
        (Annotate, &["a"]),
        (Review, &["A"]),
    ]
}

#[derive(Debug, Clone)]
pub struct Keymap {
    map: std::collections::HashMap<Key, Action>,
    /// action -> its keys, for the help and the hints
    keys: BTreeMap<Action, Vec<Key>>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::new(&BTreeMap::new()).0
    }
}

impl Keymap {
    /// The defaults with `overrides` (action name -> keys) applied. Returns the keymap and a
    /// message per override that could not be used.
    pub fn new(overrides: &BTreeMap<String, Vec<String>>) -> (Self, Vec<String>) {
        let mut keys: BTreeMap<Action, Vec<Key>> = BTreeMap::new();
        for (action, list) in default_bindings() {
            keys.insert(action, list.iter().filter_map(|k| Key::parse(k)).collect());
        }
        let mut problems = Vec::new();
        for (name, list) in overrides {
            let Ok(action) =
                serde_json::from_value::<Action>(serde_json::Value::String(name.clone()))
            else {
                problems.push(format!("unknown action {name:?} in [keys]"));
                continue;
            };
            let mut parsed = Vec::new();
            for k in list {
                match Key::parse(k) {
                    Some(key) => parsed.push(key),
                    None => problems.push(format!("unknown key {k:?} for {name}")),
                }
            }
            // a key given to this action leaves any other action
            for other in keys.values_mut() {
                other.retain(|k| !parsed.contains(k));
            }
            keys.insert(action, parsed);
        }
        let mut map = std::collections::HashMap::new();
        for (a, ks) in &keys {
            for k in ks {
                map.insert(*k, *a);
            }
        }
        (Keymap { map, keys }, problems)
    }

    pub fn action(&self, e: &KeyEvent) -> Option<Action> {
        self.map.get(&Key::from_event(e)).copied()
    }

    pub fn keys_of(&self, a: Action) -> &[Key] {
        self.keys.get(&a).map(Vec::as_slice).unwrap_or(&[])
    }

    /// `q`, `ctrl-c` style label of the first key of an action.
    pub fn hint(&self, a: Action) -> String {
        self.keys_of(a)
            .first()
            .map(Key::label)
            .unwrap_or_else(|| "-".into())
    }

    /// (keys, description) rows for the help overlay, in table order.
    pub fn help_rows(&self) -> Vec<(String, &'static str)> {
        default_bindings()
            .into_iter()
            .map(|(a, _)| (self.keys_label(a), a.describe()))
            .collect()
    }

    /// Every key of an action, `j ↓` style.
    pub fn keys_label(&self, a: Action) -> String {
        let keys: Vec<String> = self.keys_of(a).iter().map(Key::label).collect();
        keys.join(" ")
    }

    /// The keymap as config-file TOML lines (`--print-config`).
    pub fn to_toml(&self) -> String {
        let mut out = String::new();
        for (a, _) in default_bindings() {
            let name = serde_json::to_value(a)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let keys: Vec<String> = self
                .keys_of(a)
                .iter()
                .map(|k| format!("{:?}", config_key_name(k)))
                .collect();
            out.push_str(&format!("{name} = [{}]\n", keys.join(", ")));
        }
        out
    }
}

fn config_key_name(k: &Key) -> String {
    let base = match k.code {
        KeyCode::Up => "up".into(),
        KeyCode::Down => "down".into(),
        KeyCode::Left => "left".into(),
        KeyCode::Right => "right".into(),
        _ => Key {
            code: k.code,
            ctrl: false,
            alt: false,
        }
        .label(),
    };
    match (k.ctrl, k.alt) {
        (true, true) => format!("alt-ctrl-{base}"),
        (true, false) => format!("ctrl-{base}"),
        (false, true) => format!("alt-{base}"),
        (false, false) => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn defaults_and_overrides() {
        let k = Keymap::default();
        assert_eq!(
            k.action(&ev(KeyCode::Char('j'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(
            k.action(&ev(KeyCode::Char('d'), KeyModifiers::CONTROL)),
            Some(Action::HalfPageDown)
        );
        assert_eq!(
            k.action(&ev(KeyCode::Char('G'), KeyModifiers::SHIFT)),
            Some(Action::Bottom)
        );
        assert_eq!(
            k.action(&ev(KeyCode::BackTab, KeyModifiers::SHIFT)),
            Some(Action::FocusPrev)
        );
        let mut o = BTreeMap::new();
        o.insert("down".to_string(), vec!["n".to_string()]);
        o.insert("bogus".to_string(), vec!["x".to_string()]);
        o.insert("quit".to_string(), vec!["ctrl-shift-nope".to_string()]);
        let (k, problems) = Keymap::new(&o);
        assert_eq!(
            k.action(&ev(KeyCode::Char('n'), KeyModifiers::NONE)),
            Some(Action::Down)
        );
        assert_eq!(k.action(&ev(KeyCode::Char('j'), KeyModifiers::NONE)), None);
        assert_eq!(problems.len(), 2, "{problems:?}");
    }

    #[test]
    fn alt_is_not_the_plain_key() {
        let k = Keymap::default();
        assert_eq!(
            k.action(&ev(KeyCode::Char('F'), KeyModifiers::SHIFT)),
            Some(Action::Follow)
        );
        assert_eq!(k.action(&ev(KeyCode::Char('F'), KeyModifiers::ALT)), None);
        assert_eq!(
            Key::parse("alt-x"),
            Some(Key {
                code: KeyCode::Char('x'),
                ctrl: false,
                alt: true
            })
        );
        assert_eq!(Key::parse("alt-x").unwrap().label(), "alt-x");
    }

    #[test]
    fn toml_round_trip_of_names() {
        let t = Keymap::default().to_toml();
        assert!(t.contains("half_page_down = [\"ctrl-d\"]"), "{t}");
        assert!(t.contains("down = [\"j\", \"down\"]"), "{t}");
        for line in t.lines() {
            let (_, keys) = line.split_once(" = ").unwrap();
            let v: Vec<String> = serde_json::from_str(keys).unwrap();
            assert!(v.iter().all(|k| Key::parse(k).is_some()), "{line}");
        }
    }
}
