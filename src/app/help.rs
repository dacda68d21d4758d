//! The help's content, generated from the keymap (so overrides from the config file show):
//! every key grouped by where it applies, long descriptions wrapped to the popup's width, and
//! narrowed by what is typed. One function builds the rows for the viewport and the drawing.

use crate::keymap::{Action, Group, Keymap, default_bindings};
use crate::text::{width, word_wrap};

/// One row of the help on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpRow {
    /// A group's title.
    Heading(String),
    /// Keys (on the first row of an entry only) and a piece of the description.
    Entry {
        keys: String,
        text: String,
    },
    Blank,
}

/// Keys that are not actions of the keymap.
const EXTRA: [(Group, &str, &str); 4] = [
    (Group::SpanTree, "1-9", "expand the span tree to that depth"),
    (
        Group::Everywhere,
        "mouse",
        "click selects, a second click on the selected span folds it; click a tab to open it, a column header to sort; the wheel scrolls",
    ),
    (
        Group::Everywhere,
        "typing",
        "in every prompt: ←/→ home/end ctrl-a/e move, ctrl-w deletes a word, ctrl-u/ctrl-k to the start/end, tab completes, ↑/↓ history",
    ),
    (
        Group::Everywhere,
        "in help",
        "type to narrow what is shown; esc or ? closes",
    ),
];

/// The width of the keys column.
pub fn key_width(keymap: &Keymap) -> usize {
    default_bindings()
        .iter()
        .map(|(a, _)| width(&keymap.keys_label(*a)))
        .chain(EXTRA.iter().map(|(_, k, _)| width(k)))
        .max()
        .unwrap_or(8)
        .min(18)
}

/// The help's rows at a width, narrowed by `query` (matched in keys, descriptions and group
/// titles, ignoring case).
pub fn rows(keymap: &Keymap, text_width: usize, query: &str) -> Vec<HelpRow> {
    let kw = key_width(keymap);
    let desc_w = text_width.saturating_sub(kw + 1).max(8);
    let q = query.to_lowercase();
    let mut out = Vec::new();
    for g in Group::ALL {
        let mut entries: Vec<(String, String)> = default_bindings()
            .iter()
            .map(|(a, _)| *a)
            .filter(|a: &Action| a.group() == g)
            .map(|a| (keymap.keys_label(a), a.describe().to_string()))
            .collect();
        entries.extend(
            EXTRA
                .iter()
                .filter(|(eg, _, _)| *eg == g)
                .map(|(_, k, d)| (k.to_string(), d.to_string())),
        );
        let group_hit = !q.is_empty() && g.title().to_lowercase().contains(&q);
        entries.retain(|(k, d)| {
            q.is_empty()
                || group_hit
                || k.to_lowercase().contains(&q)
                || d.to_lowercase().contains(&q)
        });
        if entries.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(HelpRow::Blank);
        }
        out.push(HelpRow::Heading(g.title().to_string()));
        for (keys, desc) in entries {
            for (i, piece) in word_wrap(&desc, desc_w).into_iter().enumerate() {
                out.push(HelpRow::Entry {
                    keys: if i == 0 { keys.clone() } else { String::new() },
                    text: piece,
                });
            }
        }
    }
    if out.is_empty() {
        out.push(HelpRow::Entry {
            keys: String::new(),
            text: format!("no key matches {query:?}"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_there_and_nothing_is_cut() {
        let k = Keymap::default();
        let all = rows(&k, 40, "");
        let text: String = all
            .iter()
            .map(|r| match r {
                HelpRow::Entry { keys, text } => format!("{keys} {text}\n"),
                _ => String::new(),
            })
            .collect();
        for (a, _) in default_bindings() {
            assert!(text.contains(&k.keys_label(a)), "{a:?}");
        }
        for r in &all {
            if let HelpRow::Entry { text, .. } = r {
                assert!(width(text) < 40 - key_width(&k), "{text}");
            }
        }
        let narrowed = rows(&k, 80, "zoom");
        assert!(narrowed.len() < all.len());
        assert!(
            narrowed
                .iter()
                .any(|r| matches!(r, HelpRow::Entry{keys, ..} if keys == "z"))
        );
    }
}
