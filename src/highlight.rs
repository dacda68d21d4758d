//! JSON highlighting with syntect (pure-Rust regex engine), converted to ratatui styles by a
//! small function of our own. Highlighting is incremental: a [`Checkpoint`] carries syntect's
//! parse state from one chunk of lines to the next, so a big value is highlighted a chunk at a
//! time (the first screenful at once, the rest in the background as the user scrolls).

use std::sync::LazyLock;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use syntect::highlighting::{
    FontStyle, HighlightIterator, HighlightState, Highlighter, Theme, ThemeSet,
};
use syntect::parsing::{ParseState, ScopeStack, SyntaxReference, SyntaxSet};

struct Assets {
    syntaxes: SyntaxSet,
    dark: Theme,
    light: Theme,
}

static ASSETS: LazyLock<Option<Assets>> = LazyLock::new(|| {
    let syntaxes = SyntaxSet::load_defaults_newlines();
    let mut themes = ThemeSet::load_defaults().themes;
    let dark = themes.remove("base16-ocean.dark")?;
    let light = themes.remove("InspiredGitHub")?;
    Some(Assets {
        syntaxes,
        dark,
        light,
    })
});

fn json_syntax(a: &Assets) -> Option<&SyntaxReference> {
    a.syntaxes.find_syntax_by_extension("json")
}

/// Which colours to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Palette {
    Dark,
    Light,
}

/// Where highlighting stopped: syntect's state after the last highlighted line.
#[derive(Clone, Debug)]
pub struct Checkpoint {
    parse: ParseState,
    highlight: HighlightState,
    palette: Palette,
}

impl Checkpoint {
    /// The state before the first line of a JSON document.
    pub fn start(palette: Palette) -> Option<Self> {
        let a = ASSETS.as_ref()?;
        let syntax = json_syntax(a)?;
        let theme = match palette {
            Palette::Dark => &a.dark,
            Palette::Light => &a.light,
        };
        let hl = Highlighter::new(theme);
        Some(Checkpoint {
            parse: ParseState::new(syntax),
            highlight: HighlightState::new(&hl, ScopeStack::new()),
            palette,
        })
    }
}

/// Converts a syntect style to a ratatui one: the foreground colour and the font style; the
/// background stays the terminal's.
pub fn convert_style(s: syntect::highlighting::Style) -> Style {
    let mut out = Style::default().fg(Color::Rgb(s.foreground.r, s.foreground.g, s.foreground.b));
    if s.font_style.contains(FontStyle::BOLD) {
        out = out.add_modifier(Modifier::BOLD);
    }
    if s.font_style.contains(FontStyle::ITALIC) {
        out = out.add_modifier(Modifier::ITALIC);
    }
    if s.font_style.contains(FontStyle::UNDERLINE) {
        out = out.add_modifier(Modifier::UNDERLINED);
    }
    out
}

/// Highlights `lines` (already sanitized, one display line each) continuing from `cp`.
/// Returns the styled lines; `cp` is advanced past them. A line syntect cannot parse is
/// returned plain and the rest continues.
pub fn highlight_lines(cp: &mut Checkpoint, lines: &[String]) -> Vec<Line<'static>> {
    let Some(a) = ASSETS.as_ref() else {
        return lines.iter().map(|l| Line::raw(l.clone())).collect();
    };
    let theme = match cp.palette {
        Palette::Dark => &a.dark,
        Palette::Light => &a.light,
    };
    let hl = Highlighter::new(theme);
    let mut out = Vec::with_capacity(lines.len());
    let mut buf = String::new();
    for line in lines {
        buf.clear();
        buf.push_str(line);
        buf.push('\n');
        let ops = match cp.parse.parse_line(&buf, &a.syntaxes) {
            Ok(ops) => ops,
            Err(_) => {
                out.push(Line::raw(line.clone()));
                continue;
            }
        };
        let spans: Vec<Span<'static>> = HighlightIterator::new(&mut cp.highlight, &ops, &buf, &hl)
            .filter_map(|(style, text)| {
                let text = text.strip_suffix('\n').unwrap_or(text);
                (!text.is_empty()).then(|| Span::styled(text.to_string(), convert_style(style)))
            })
            .collect();
        out.push(Line::from(spans));
    }
    out
}

/// Highlights the next chunk of a document from `from` (at most `chunk` lines), returning the
/// styled lines and the advanced checkpoint. What the background highlighter runs.
pub fn highlight_chunk(
    lines: &[String],
    from: usize,
    chunk: usize,
    mut cp: Checkpoint,
) -> (Vec<Line<'static>>, Checkpoint) {
    let from = from.min(lines.len());
    let end = lines.len().min(from.saturating_add(chunk));
    let styled = highlight_lines(&mut cp, &lines[from..end]);
    (styled, cp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_gets_colours_and_keeps_text() {
        let mut cp = Checkpoint::start(Palette::Dark).unwrap();
        let lines: Vec<String> = ["{", "  \"q\": \"hi\",", "  \"n\": 42", "}"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let first = highlight_lines(&mut cp, &lines[..2]);
        let rest = highlight_lines(&mut cp, &lines[2..]);
        let all: Vec<Line> = first.into_iter().chain(rest).collect();
        let text: Vec<String> = all.iter().map(|l| l.to_string()).collect();
        assert_eq!(text, lines);
        let colours: std::collections::HashSet<_> = all
            .iter()
            .flat_map(|l| l.spans.iter().map(|s| s.style.fg))
            .collect();
        assert!(
            colours.len() >= 3,
            "keys, strings and numbers differ: {colours:?}"
        );
    }
}
