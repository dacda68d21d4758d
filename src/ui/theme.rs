//! Named styles. `mono` is used with NO_COLOR / --no-color: no colours at all, selection and
//! focus shown with reverse video and bold.

use ratatui::style::{Color, Modifier, Style};

use crate::model::{SpanType, TraceState};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
    pub border: Style,
    pub border_focus: Style,
    pub title: Style,
    pub header: Style,
    pub selected: Style,
    pub selected_unfocused: Style,
    pub dim: Style,
    pub error: Style,
    pub ok: Style,
    pub running: Style,
    /// Rows that arrived while following and are not seen yet.
    pub fresh: Style,
    pub bar: Style,
    pub bar_error: Style,
    pub tab_active: Style,
    pub status: Style,
    pub key: Style,
    /// Search matches (tree names, detail text).
    pub search: Style,
    /// The critical path.
    pub critical: Style,
}

impl Theme {
    pub fn new(color: bool) -> Self {
        if !color {
            let plain = Style::default();
            return Theme {
                color,
                border: plain,
                border_focus: plain.add_modifier(Modifier::BOLD),
                title: plain.add_modifier(Modifier::BOLD),
                header: plain.add_modifier(Modifier::BOLD),
                selected: plain.add_modifier(Modifier::REVERSED),
                selected_unfocused: plain.add_modifier(Modifier::UNDERLINED),
                dim: plain,
                error: plain.add_modifier(Modifier::BOLD),
                ok: plain,
                running: plain.add_modifier(Modifier::ITALIC),
                fresh: plain.add_modifier(Modifier::BOLD),
                bar: plain,
                bar_error: plain,
                tab_active: plain.add_modifier(Modifier::REVERSED),
                status: plain,
                key: plain.add_modifier(Modifier::BOLD),
                search: plain.add_modifier(Modifier::REVERSED | Modifier::UNDERLINED),
                critical: plain.add_modifier(Modifier::BOLD),
            };
        }
        Theme {
            color,
            border: Style::default().fg(Color::DarkGray),
            border_focus: Style::default().fg(Color::Cyan),
            title: Style::default()
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            header: Style::default()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            selected: Style::default()
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            selected_unfocused: Style::default().bg(Color::DarkGray).fg(Color::White),
            dim: Style::default().fg(Color::DarkGray),
            error: Style::default().fg(Color::Red).add_modifier(Modifier::BOLD),
            ok: Style::default().fg(Color::Green),
            running: Style::default().fg(Color::Yellow),
            fresh: Style::default()
                .fg(Color::Green)
                .add_modifier(Modifier::BOLD),
            bar: Style::default().fg(Color::Cyan),
            bar_error: Style::default().fg(Color::Red),
            tab_active: Style::default()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            status: Style::default().fg(Color::Gray),
            key: Style::default()
                .fg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            search: Style::default()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
            critical: Style::default()
                .fg(Color::LightMagenta)
                .add_modifier(Modifier::BOLD),
        }
    }

    pub fn state(&self, s: TraceState) -> Style {
        match s {
            TraceState::Ok => self.ok,
            TraceState::Error => self.error,
            TraceState::InProgress => self.running,
            TraceState::Unspecified => self.dim,
        }
    }

    pub fn badge(&self, t: &SpanType) -> Style {
        if !self.color {
            return Style::default().add_modifier(Modifier::BOLD);
        }
        let c = match t {
            SpanType::Llm | SpanType::ChatModel => Color::Magenta,
            SpanType::Agent => Color::LightBlue,
            SpanType::Tool => Color::Yellow,
            SpanType::Retriever | SpanType::Reranker | SpanType::Embedding => Color::Green,
            SpanType::Chain | SpanType::Workflow | SpanType::Task => Color::Cyan,
            SpanType::Guardrail | SpanType::Evaluator => Color::LightRed,
            SpanType::Parser | SpanType::Memory => Color::LightCyan,
            SpanType::Unknown => Color::Gray,
            SpanType::Custom(_) => Color::LightMagenta,
        };
        Style::default().fg(c).add_modifier(Modifier::BOLD)
    }
}
