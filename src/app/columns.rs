//! The trace list's columns: built-in ones and any tag or metadata key, chosen with the column
//! chooser and kept in the config file (`columns = ["time", "name", "tag:env", …]`). Which
//! columns fit a width is worked out here, once for the list and for mouse clicks on headers.

use crate::source::OrderKey;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Column {
    Time,
    Name,
    State,
    Duration,
    Spans,
    Tokens,
    Cost,
    User,
    Session,
    /// Shown only while the list holds traces of several experiments.
    Experiment,
    Request,
    Response,
    Tag(String),
    Metadata(String),
    /// The value of a feedback by name (`pass`/`fail` coloured).
    Feedback(String),
    Expectation(String),
}

impl Column {
    pub const BUILT_IN: [Column; 12] = [
        Column::Time,
        Column::Name,
        Column::State,
        Column::Duration,
        Column::Spans,
        Column::Tokens,
        Column::Cost,
        Column::User,
        Column::Session,
        Column::Experiment,
        Column::Request,
        Column::Response,
    ];

    pub fn defaults() -> Vec<Column> {
        vec![
            Column::Time,
            Column::Name,
            Column::State,
            Column::Duration,
            Column::Spans,
            Column::Tokens,
            Column::User,
            Column::Session,
            Column::Experiment,
            Column::Request,
            Column::Response,
        ]
    }

    /// The name in the config file.
    pub fn key(&self) -> String {
        match self {
            Column::Tag(k) => format!("tag:{k}"),
            Column::Metadata(k) => format!("metadata:{k}"),
            Column::Feedback(k) => format!("feedback:{k}"),
            Column::Expectation(k) => format!("expectation:{k}"),
            other => other.title().to_ascii_lowercase(),
        }
    }

    pub fn parse(s: &str) -> Option<Column> {
        let s = s.trim();
        if let Some(k) = s.strip_prefix("tag:").filter(|k| !k.is_empty()) {
            return Some(Column::Tag(k.to_string()));
        }
        if let Some(k) = s.strip_prefix("feedback:").filter(|k| !k.is_empty()) {
            return Some(Column::Feedback(k.to_string()));
        }
        if let Some(k) = s.strip_prefix("expectation:").filter(|k| !k.is_empty()) {
            return Some(Column::Expectation(k.to_string()));
        }
        if let Some(k) = s
            .strip_prefix("metadata:")
            .or_else(|| s.strip_prefix("meta:"))
            .filter(|k| !k.is_empty())
        {
            return Some(Column::Metadata(k.to_string()));
        }
        Column::BUILT_IN
            .iter()
            .find(|c| c.key().eq_ignore_ascii_case(s))
            .cloned()
    }

    pub fn title(&self) -> String {
        match self {
            Column::Time => "TIME".into(),
            Column::Name => "NAME".into(),
            Column::State => "STATE".into(),
            Column::Duration => "DURATION".into(),
            Column::Spans => "SPANS".into(),
            Column::Tokens => "TOKENS".into(),
            Column::Cost => "COST".into(),
            Column::User => "USER".into(),
            Column::Session => "SESSION".into(),
            Column::Experiment => "EXPERIMENT".into(),
            Column::Request => "REQUEST".into(),
            Column::Response => "RESPONSE".into(),
            Column::Tag(k) => k.to_uppercase(),
            Column::Metadata(k) => k.to_uppercase(),
            Column::Feedback(k) | Column::Expectation(k) => k.to_uppercase(),
        }
    }

    /// What the column chooser says of it.
    pub fn describe(&self) -> String {
        match self {
            Column::Tag(k) => format!("tag {k}"),
            Column::Metadata(k) => format!("metadata {k}"),
            Column::Feedback(k) => format!("feedback {k}"),
            Column::Expectation(k) => format!("expectation {k}"),
            Column::Experiment => "EXPERIMENT (when several are listed)".into(),
            other => other.title(),
        }
    }

    pub fn right_aligned(&self) -> bool {
        matches!(
            self,
            Column::Duration | Column::Spans | Column::Tokens | Column::Cost
        )
    }

    /// Previews share the width that is left.
    pub fn flexible(&self) -> bool {
        matches!(self, Column::Request | Column::Response)
    }

    /// The sort a click on the header asks for.
    pub fn order_key(&self) -> Option<OrderKey> {
        match self {
            Column::Time => Some(OrderKey::Time),
            Column::Duration => Some(OrderKey::Duration),
            Column::Tokens => Some(OrderKey::Tokens),
            Column::Name => Some(OrderKey::Name),
            _ => None,
        }
    }

    /// The width of a fixed column.
    fn width(&self, time_w: usize) -> usize {
        match self {
            Column::Time => time_w,
            Column::Name => 18,
            Column::State => 9,
            Column::Duration => 8,
            Column::Spans => 6,
            Column::Tokens => 7,
            Column::Cost => 9,
            Column::User => 10,
            Column::Session => 14,
            Column::Experiment => 14,
            Column::Request | Column::Response => 0,
            Column::Tag(_) | Column::Metadata(_) => 14,
            Column::Feedback(k) | Column::Expectation(k) => crate::text::width(k).clamp(6, 14),
        }
    }

    /// Which columns go first when the terminal is narrow: lower stays longer. The state stays
    /// longest (an error must never vanish), then the name.
    fn priority(&self) -> u8 {
        match self {
            Column::State => 0,
            Column::Name => 1,
            Column::Time => 2,
            Column::Duration => 3,
            Column::Tokens => 4,
            Column::Spans => 5,
            Column::Cost => 6,
            Column::Experiment => 7,
            Column::Tag(_) | Column::Metadata(_) => 8,
            Column::Feedback(_) | Column::Expectation(_) => 8,
            Column::User => 9,
            Column::Session => 10,
            Column::Request => 11,
            Column::Response => 12,
        }
    }
}

/// The columns that fit `width`, in the chosen order, with their widths (each followed by one
/// space). Fixed columns are taken by priority until the next one does not fit (so a column is
/// never kept while a more important one is dropped); the previews share what is left.
pub fn fit(chosen: &[Column], width: usize, time_w: usize) -> Vec<(Column, usize)> {
    let mut by_priority: Vec<&Column> = chosen.iter().filter(|c| !c.flexible()).collect();
    by_priority.sort_by_key(|c| c.priority());
    let flex: Vec<&Column> = chosen.iter().filter(|c| c.flexible()).collect();
    // the request preview keeps some room on ordinary terminals; narrow ones give it up first
    let reserve = if flex.is_empty() || width < 60 { 0 } else { 12 };
    let mut kept: Vec<(Column, usize)> = Vec::new();
    let mut used = 0;
    for c in by_priority {
        let w = c.width(time_w);
        if used + w + 1 + reserve > width && !kept.is_empty() {
            break;
        }
        kept.push((c.clone(), w.min(width.saturating_sub(1))));
        used += w + 1;
    }
    let rest = width.saturating_sub(used);
    match flex.as_slice() {
        [] => {}
        [one] => {
            if rest > 1 {
                kept.push(((*one).clone(), rest - 1));
            }
        }
        [a, b, ..] => {
            if rest >= 24 {
                let half = rest / 2;
                kept.push(((*a).clone(), half - 1));
                kept.push(((*b).clone(), rest - half - 1));
            } else if rest > 1 {
                kept.push(((*a).clone(), rest - 1));
            }
        }
    }
    kept.sort_by_key(|(c, _)| chosen.iter().position(|o| o == c));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_never_goes_before_less_important_columns() {
        let cols = Column::defaults();
        for w in 1..300 {
            let fitted = fit(&cols, w, 12);
            let used: usize = fitted.iter().map(|(_, w)| w + 1).sum();
            assert!(used <= w.max(1) + 1, "{w}: {used}");
            assert!(fitted.iter().any(|(c, _)| *c == Column::State), "{w}");
            let has = |c: Column| fitted.iter().any(|(x, _)| *x == c);
            if has(Column::Spans) {
                assert!(has(Column::State) && has(Column::Name) && has(Column::Duration));
            }
        }
        let at40 = fit(&cols, 40, 12);
        let names: Vec<Column> = at40.into_iter().map(|(c, _)| c).collect();
        assert!(names.contains(&Column::State) && names.contains(&Column::Name));
    }

    #[test]
    fn config_names_round_trip() {
        for c in Column::BUILT_IN
            .iter()
            .cloned()
            .chain([Column::Tag("env".into()), Column::Metadata("a.b".into())])
        {
            assert_eq!(Column::parse(&c.key()), Some(c.clone()));
        }
        assert_eq!(Column::parse("nope"), None);
    }
}
