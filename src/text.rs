//! Text that came from a trace or a server is untrusted. Everything that reaches the terminal
//! passes through [`sanitize_line`] or [`sanitize_block`] first: control characters (C0, C1, DEL,
//! ESC and so every ANSI/OSC sequence), bidi overrides and invisible format characters are made
//! visible instead of being executed. Widths are display widths, and cutting is by character.

use std::borrow::Cow;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Tab stops used when a block of text is expanded.
pub const TAB_WIDTH: usize = 4;

/// True for a character that must never reach the terminal as is.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        // bidi embeddings, overrides and isolates, and the implicit marks
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}'
        // invisible characters that hide text (zero width space, word joiner, BOM, soft hyphen,
        // invisible operators, interlinear annotations, tag characters)
        | '\u{200b}' | '\u{2060}'..='\u{2064}' | '\u{feff}' | '\u{ad}' | '\u{fff9}'..='\u{fffb}'
        | '\u{e0000}'..='\u{e007f}'
        // line and paragraph separators break the layout like a newline would
        | '\u{2028}' | '\u{2029}')
}

/// Does `s` hold an unsafe character (a newline counts unless `newline_ok`)? A scan over
/// bytes: plain text is mostly ASCII, and only five UTF-8 lead bytes (`C2`, `D8`, `E2`, `EF`,
/// `F3`) can begin an unsafe character beyond it, so only those are decoded.
pub fn has_unsafe(s: &str, newline_ok: bool) -> bool {
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\n' if newline_ok => {}
            0..=0x1f | 0x7f => return true,
            // a lead byte starts a character: `i` is a boundary
            0xc2 | 0xd8 | 0xe2 | 0xef | 0xf3 if s[i..].chars().next().is_some_and(is_unsafe) => {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// The visible stand-in for an unsafe character: a control picture for C0 and DEL, `<U+XXXX>`
/// for the rest.
fn push_visible(out: &mut String, c: char) {
    let code = c as u32;
    if code < 0x20 {
        // U+2400..U+241F are the control pictures: ␀ ␛ ␍ …
        out.push(char::from_u32(0x2400 + code).unwrap_or('?'));
    } else if code == 0x7f {
        out.push('\u{2421}');
    } else {
        out.push_str(&format!("<U+{code:04X}>"));
    }
}

/// Makes a string safe to show on one terminal line: newlines become `⏎`, tabs a space, and
/// every other unsafe character its visible stand-in.
pub fn sanitize_line(s: &str) -> Cow<'_, str> {
    if !has_unsafe(s, false) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push('\u{23ce}'),
            '\t' => out.push(' '),
            c if is_unsafe(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Makes a multi-line string safe: newlines stay, a CR right before a newline is dropped, tabs
/// are expanded to spaces, every other unsafe character becomes its visible stand-in.
pub fn sanitize_block(s: &str) -> Cow<'_, str> {
    if !has_unsafe(s, true) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut col = 0usize;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                out.push('\n');
                col = 0;
                continue;
            }
            '\r' if chars.peek() == Some(&'\n') => continue,
            '\t' => {
                let n = TAB_WIDTH - col % TAB_WIDTH;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
                continue;
            }
            c if is_unsafe(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
        col += out.chars().last().map_or(0, |c| c.width().unwrap_or(0));
    }
    Cow::Owned(out)
}

/// Makes JSON text safe for a terminal without changing what it means: every unsafe character
/// (which can only stand inside a string there) becomes a `\uXXXX` escape.
pub fn escape_json_unsafe(json: String) -> String {
    if !has_unsafe(&json, true) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe(c) && c != '\n' {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", u));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Display width of a string, as the terminal draws it.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Cuts `s` to at most `max` display columns, ending with `…` when something was cut.
/// Never splits a character.
pub fn truncate(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    // A string's width is not always the sum of its characters' (a variation selector makes
    // the character before it wide, emoji sequences join): measure what was kept as a whole.
    while width(&out) > max - 1 && out.pop().is_some() {}
    out.push('…');
    Cow::Owned(out)
}

/// At most `max` columns of `s`, cut at the start (`…/chat-1`): for hierarchical ids, whose
/// end tells them apart.
pub fn truncate_start(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut kept: Vec<char> = Vec::new();
    let mut used = 0;
    for c in s.chars().rev() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        kept.push(c);
        used += w;
    }
    let mut out: String = kept.into_iter().rev().collect();
    while width(&out) > max - 1 && !out.is_empty() {
        out.remove(0);
    }
    out.insert(0, '…');
    Cow::Owned(out)
}

/// `truncate` then pad with spaces to exactly `w` columns.
pub fn fit(s: &str, w: usize) -> String {
    let t = truncate(s, w);
    let pad = w.saturating_sub(width(&t));
    let mut out = t.into_owned();
    out.extend(std::iter::repeat_n(' ', pad));
    out
}

/// Where each row of `s` starts (byte offsets; the first is 0) when it is wrapped at `width`
/// columns: as many characters per row as fit, a wide character never split. Sanitized text is
/// assumed (no control characters).
pub fn wrap_starts(s: &str, width: usize) -> Vec<usize> {
    let width = width.max(1);
    let mut out = vec![0];
    if s.is_ascii() {
        out.extend((width..s.len()).step_by(width));
        return out;
    }
    let mut used = 0;
    for (b, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width && used > 0 {
            out.push(b);
            used = 0;
        }
        used += w;
    }
    out
}

/// How many rows `s` takes wrapped at `width` columns (at least one).
pub fn wrapped_rows(s: &str, width: usize) -> usize {
    let width = width.max(1);
    if s.is_ascii() {
        return s.len().div_ceil(width).max(1);
    }
    wrap_starts(s, width).len()
}

/// Wraps prose at word boundaries to `width` columns (a word wider than a row is cut by
/// width). For help and messages; documents wrap by character (`wrap_starts`).
pub fn word_wrap(s: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        let w = UnicodeWidthStr::width(word);
        if used > 0 && used + 1 + w > width {
            out.push(std::mem::take(&mut line));
            used = 0;
        }
        if w > width {
            let starts = wrap_starts(word, width);
            for (i, &a) in starts.iter().enumerate() {
                let b = starts.get(i + 1).copied().unwrap_or(word.len());
                if used > 0 {
                    out.push(std::mem::take(&mut line));
                }
                line.push_str(&word[a..b]);
                used = UnicodeWidthStr::width(&word[a..b]);
            }
            continue;
        }
        if used > 0 {
            line.push(' ');
            used += 1;
        }
        line.push_str(word);
        used += w;
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}

/// The bytes of `s` that show in display columns `from..from + width`, and the blank columns to
/// put before them (a wide character cut by the left edge shows as a blank).
pub fn column_range(s: &str, from: usize, width: usize) -> (std::ops::Range<usize>, usize) {
    if s.is_ascii() {
        let a = from.min(s.len());
        let b = (from + width).min(s.len());
        return (a..b, 0);
    }
    let mut col = 0;
    let mut start = None;
    let mut pad = 0;
    let mut end = s.len();
    for (b, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if start.is_none() {
            if col >= from {
                start = Some(b);
            } else if col + w > from {
                // a wide character straddles the left edge
                pad = col + w - from;
                col += w;
                continue;
            }
        }
        if start.is_some() && col + w > from + width {
            end = b;
            break;
        }
        col += w;
    }
    let start = start.unwrap_or(end.min(s.len()));
    (start..end.max(start), pad.min(width))
}

/// A one-line preview: sanitized, whitespace runs folded, cut to `max` columns.
pub fn preview(s: &str, max: usize) -> String {
    let mut folded = String::with_capacity(s.len().min(max * 4 + 8));
    let mut last_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !last_space && !folded.is_empty() {
                folded.push(' ');
            }
            last_space = true;
        } else {
            folded.push(c);
            last_space = false;
        }
        // enough for any preview; avoids folding a 10 MB string
        if folded.len() > max * 4 + 8 {
            break;
        }
    }
    let safe = sanitize_line(folded.trim_end());
    truncate(&safe, max).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchical_ids_keep_their_end() {
        assert_eq!(truncate_start("support/alice/chat-1", 10), "…ce/chat-1");
        assert_eq!(truncate_start("short", 10), "short");
        assert_eq!(truncate_start("会話/セッション一", 7), "…ョン一");
    }

    proptest::proptest! {
        /// Cut at either end, a string fits its width and keeps its other end.
        #[test]
        fn truncating_the_start_fits_and_keeps_the_end(s in "\\PC*", max in 0usize..30) {
            let t = truncate_start(&s, max);
            proptest::prop_assert!(width(&t) <= max);
            if width(&s) > max && max > 0 {
                proptest::prop_assert!(t.starts_with('…'));
                proptest::prop_assert!(s.ends_with(t.trim_start_matches('…')));
            }
        }
    }

    proptest::proptest! {
        /// The byte scan finds exactly what a scan of every character finds.
        #[test]
        fn the_fast_scan_agrees_with_every_character(s in "\\PC*|[\\x00-\\x7f\\u{80}-\\u{a0}\\u{600}-\\u{620}\\u{2000}-\\u{2070}\\u{fef0}-\\u{ffff}\\u{e0000}-\\u{e0080}]*") {
            proptest::prop_assert_eq!(has_unsafe(&s, false), s.chars().any(is_unsafe));
            proptest::prop_assert_eq!(
                has_unsafe(&s, true),
                s.chars().any(|c| c != '\n' && is_unsafe(c))
            );
        }
    }

    #[test]
    fn escapes_become_visible() {
        let s = "a\u{1b}[31mred\u{1b}]52;c;aGk=\u{7}b";
        let out = sanitize_line(s);
        assert!(!out.chars().any(is_unsafe), "{out}");
        assert!(out.contains("␛[31mred"));
        assert!(out.contains('␇'));
    }

    #[test]
    fn bidi_and_invisible_are_shown() {
        let out = sanitize_line("user\u{202e}gnp.exe\u{200b}");
        assert_eq!(out, "user<U+202E>gnp.exe<U+200B>");
        let c1 = sanitize_line("x\u{9b}31m");
        assert_eq!(c1, "x<U+009B>31m");
    }

    #[test]
    fn block_keeps_lines_and_expands_tabs() {
        let out = sanitize_block("a\tb\r\nc\rd\0");
        assert_eq!(out, "a   b\nc␍d␀");
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(sanitize_line("hello 世界 🚀"), Cow::Borrowed(_)));
    }

    #[test]
    fn truncate_by_width_never_splits() {
        assert_eq!(truncate("世界世界", 5), "世界…");
        assert_eq!(width(&truncate("世界世界", 5)), 5);
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcd", 3), "ab…");
        assert_eq!(truncate("abcd", 0), "");
        assert_eq!(fit("世", 3), "世 ");
        assert_eq!(width(&fit("🚀🚀🚀", 4)), 4);
    }

    #[test]
    fn json_escapes_keep_meaning() {
        let raw = serde_json::to_string(&"a\u{202e}b\u{7f}c\u{e0041}").unwrap();
        let safe = escape_json_unsafe(raw.clone());
        assert!(!safe.chars().any(is_unsafe), "{safe}");
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "a\u{202e}b\u{7f}c\u{e0041}");
    }

    #[test]
    fn wrapping_counts_and_cuts_by_width() {
        assert_eq!(wrap_starts("abcdefg", 3), vec![0, 3, 6]);
        assert_eq!(wrapped_rows("abcdefg", 3), 3);
        assert_eq!(wrapped_rows("", 3), 1);
        // 世 is two columns: two fit in a 5-column row, never half of a third
        let s = "世界世界x";
        assert_eq!(wrap_starts(s, 5), vec![0, 6]);
        assert_eq!(wrapped_rows(s, 5), 2);
        assert_eq!(wrap_starts("世界世", 3), vec![0, 3, 6]);
        assert_eq!(column_range("abcdef", 2, 3), (2..5, 0));
        // columns 1..4 of "世界世": half of 世 then 界 and half of 世
        let (r, pad) = column_range("世界世", 1, 3);
        assert_eq!((&"世界世"[r], pad), ("界", 1));
    }

    #[test]
    fn word_wrap_keeps_every_word() {
        let w = word_wrap("show or hide span types with their counts", 12);
        assert!(w.iter().all(|l| width(l) <= 12), "{w:?}");
        assert_eq!(w.join(" "), "show or hide span types with their counts");
        assert_eq!(word_wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
    }

    #[test]
    fn preview_folds_whitespace() {
        assert_eq!(preview("  a\n\n  b\tc  ", 20), "a b c");
        assert_eq!(preview("x\u{1b}[2J", 20), "x␛[2J");
        let long = "y".repeat(10_000_000);
        assert_eq!(width(&preview(&long, 30)), 30);
    }
}
