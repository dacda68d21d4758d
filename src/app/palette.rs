//! The `:` command palette (k9s style): commands, their parsing, and completions for it and for
//! the filter line (field names, tag and metadata keys seen, experiment names).

use crate::source::{Order, OrderKey};

/// A command as typed after `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Quit,
    /// `None`: every experiment.
    Experiment(Option<String>),
    Sort(Order),
    /// `None`: remove the filter.
    Filter(Option<String>),
    /// `None`: toggle.
    Follow(Option<bool>),
    Theme(crate::highlight::Palette),
    Columns,
    Messages,
    Help,
    Zoom,
    Wrap,
    Reload,
    /// `None`: toggle relative times.
    Time(Option<bool>),
    /// The list's time window (`None`: all traces): its label and length in ms.
    Since(Option<(String, i64)>),
}

/// Every command: name, aliases, arguments, what it does (the palette lists them).
pub const COMMANDS: &[(&str, &[&str], &str, &str)] = &[
    ("quit", &["q", "q!", "exit"], "", "quit"),
    (
        "experiment",
        &["exp", "e"],
        "NAME|ID|all",
        "list one experiment (or all)",
    ),
    (
        "sort",
        &["s"],
        "time|duration|tokens|name [asc|desc]",
        "sort the list",
    ),
    (
        "filter",
        &["f"],
        "EXPR",
        "MLflow search filter (empty: remove it)",
    ),
    ("follow", &["live", "tail"], "[on|off]", "live tail"),
    ("theme", &[], "dark|light", "colours for highlighted JSON"),
    ("columns", &["cols"], "", "choose the list's columns"),
    ("messages", &["log", "msg"], "", "every warning and error"),
    ("help", &["h", "?"], "", "every key"),
    ("zoom", &["z"], "", "the focused pane fills the screen"),
    ("wrap", &["w"], "", "wrap long lines in the detail"),
    ("reload", &["r"], "", "load the list again"),
    ("time", &["t"], "[relative|absolute]", "how times are shown"),
    (
        "since",
        &["last", "window"],
        "15m|1h|24h|7d|DURATION|all",
        "only the traces started within the last DURATION",
    ),
];

fn command_name(word: &str) -> Option<&'static str> {
    let w = word.to_ascii_lowercase();
    COMMANDS
        .iter()
        .find(|(name, aliases, _, _)| *name == w || aliases.contains(&w.as_str()))
        .map(|(name, _, _, _)| *name)
}

/// Parses a command line (without the `:`). Errors say what was expected.
pub fn parse(text: &str) -> Result<Command, String> {
    let text = text.trim().trim_start_matches(':').trim();
    let (head, rest) = match text.split_once(char::is_whitespace) {
        Some((h, r)) => (h, r.trim()),
        None => (text, ""),
    };
    if head.is_empty() {
        return Err("type a command: quit, experiment, sort, filter, follow, theme, columns, messages, help, zoom, wrap, reload, time, since".into());
    }
    let Some(name) = command_name(head) else {
        let (hits, _) = crate::app::line_edit::complete(
            head,
            &COMMANDS
                .iter()
                .map(|(n, _, _, _)| n.to_string())
                .collect::<Vec<_>>(),
        );
        let close: Vec<&str> = COMMANDS
            .iter()
            .map(|(n, _, _, _)| *n)
            .filter(|n| {
                let w: String = head.to_ascii_lowercase().chars().take(3).collect();
                w.len() == 3 && n.starts_with(&w)
            })
            .collect();
        return Err(if !close.is_empty() && hits.is_empty() {
            format!(
                "unknown command {head:?}; did you mean {}?",
                close.join(", ")
            )
        } else if hits.is_empty() {
            format!("unknown command {head:?} (tab lists them)")
        } else {
            format!(
                "unknown command {head:?}; did you mean {}?",
                hits.join(", ")
            )
        });
    };
    let no_args = |c: Command| {
        if rest.is_empty() {
            Ok(c)
        } else {
            Err(format!(":{name} takes no argument"))
        }
    };
    match name {
        "quit" => no_args(Command::Quit),
        "experiment" => Ok(Command::Experiment(match rest {
            "" | "all" | "*" => None,
            r => Some(r.trim_matches(|c| c == '"' || c == '\'').to_string()),
        })),
        "sort" => {
            let mut words = rest.split_whitespace();
            let Some(key) = words.next() else {
                return Err("sort by what? time, duration, tokens or name".into());
            };
            let key = OrderKey::parse(key)
                .ok_or_else(|| format!("cannot sort by {key:?}: time, duration, tokens or name"))?;
            let mut order = Order::natural(key);
            match words.next().map(str::to_ascii_lowercase).as_deref() {
                None => {}
                Some("asc" | "ascending" | "up") => order.ascending = true,
                Some("desc" | "descending" | "down") => order.ascending = false,
                Some(other) => return Err(format!("{other:?}: asc or desc")),
            }
            Ok(Command::Sort(order))
        }
        "filter" => Ok(Command::Filter(
            (!rest.is_empty()).then(|| rest.to_string()),
        )),
        "follow" => match rest.to_ascii_lowercase().as_str() {
            "" => Ok(Command::Follow(None)),
            "on" | "true" | "yes" => Ok(Command::Follow(Some(true))),
            "off" | "false" | "no" => Ok(Command::Follow(Some(false))),
            other => Err(format!("follow {other:?}: on or off")),
        },
        "theme" => match rest.to_ascii_lowercase().as_str() {
            "dark" => Ok(Command::Theme(crate::highlight::Palette::Dark)),
            "light" => Ok(Command::Theme(crate::highlight::Palette::Light)),
            other => Err(format!("theme {other:?}: dark or light")),
        },
        "columns" => no_args(Command::Columns),
        "messages" => no_args(Command::Messages),
        "help" => no_args(Command::Help),
        "zoom" => no_args(Command::Zoom),
        "wrap" => no_args(Command::Wrap),
        "reload" => no_args(Command::Reload),
        "time" => match rest.to_ascii_lowercase().as_str() {
            "" => Ok(Command::Time(None)),
            "relative" | "rel" | "ago" => Ok(Command::Time(Some(true))),
            "absolute" | "abs" => Ok(Command::Time(Some(false))),
            other => Err(format!("time {other:?}: relative or absolute")),
        },
        "since" => match rest.to_ascii_lowercase().as_str() {
            "" => Err("since when? 15m, 1h, 24h, 7d, any DURATION, or all".into()),
            "all" | "off" | "none" | "*" => Ok(Command::Since(None)),
            w => crate::model::time::parse_window_ms(w)
                .map(|ms| Command::Since(Some((w.to_string(), ms)))),
        },
        _ => Err(format!("unknown command {head:?}")),
    }
}

/// What completions can draw on.
#[derive(Debug, Clone, Default)]
pub struct Known<'a> {
    pub experiments: Vec<&'a str>,
    pub tag_keys: Vec<&'a str>,
    pub metadata_keys: Vec<&'a str>,
}

/// A key as the filter grammar writes it: backquoted unless it is a plain identifier.
fn quoted_key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        k.to_string()
    } else {
        format!("`{}`", k.replace('`', ""))
    }
}

const FIELDS: &[&str] = &[
    "attributes.status",
    "attributes.name",
    "attributes.timestamp_ms",
    "attributes.execution_time_ms",
    "attributes.end_time_ms",
    "attributes.request_id",
    "attributes.client_request_id",
    "attributes.run_id",
    "trace.text",
    "span.name",
    "span.type",
    "span.status",
    "span.content",
    "span.attributes.",
    "tags.",
    "metadata.",
    "feedback.",
    "expectation.",
    "AND",
    "LIKE",
    "ILIKE",
    "RLIKE",
    "IN",
    "IS",
    "NULL",
    "NOT",
];

/// Completions for a word of a filter expression: fields, operators, and the tag and
/// metadata keys seen in the list.
pub fn filter_candidates(known: &Known) -> Vec<String> {
    let mut out: Vec<String> = FIELDS.iter().map(|s| s.to_string()).collect();
    for k in &known.tag_keys {
        out.push(format!("tags.{}", quoted_key(k)));
    }
    for k in &known.metadata_keys {
        out.push(format!("metadata.{}", quoted_key(k)));
    }
    out
}

/// Completions for the palette's word under the cursor, given the text before it.
pub fn palette_candidates(before_word: &str, known: &Known) -> Vec<String> {
    let words: Vec<&str> = before_word.split_whitespace().collect();
    let Some(first) = words.first() else {
        return COMMANDS.iter().map(|(n, _, _, _)| n.to_string()).collect();
    };
    match command_name(first) {
        Some("experiment") => std::iter::once("all".to_string())
            .chain(known.experiments.iter().map(|s| s.to_string()))
            .collect(),
        Some("sort") if words.len() == 1 => OrderKey::ALL
            .iter()
            .map(|k| k.label().to_string())
            .collect(),
        Some("sort") => vec!["asc".into(), "desc".into()],
        Some("filter") => filter_candidates(known),
        Some("follow") => vec!["on".into(), "off".into()],
        Some("theme") => vec!["dark".into(), "light".into()],
        Some("time") => vec!["relative".into(), "absolute".into()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_parse() {
        assert_eq!(parse("q"), Ok(Command::Quit));
        assert_eq!(
            parse("sort duration"),
            Ok(Command::Sort(Order::natural(OrderKey::Duration)))
        );
        assert_eq!(
            parse(":sort name desc"),
            Ok(Command::Sort(Order {
                key: OrderKey::Name,
                ascending: false
            }))
        );
        assert_eq!(
            parse("exp my app"),
            Ok(Command::Experiment(Some("my app".into())))
        );
        assert_eq!(parse("exp all"), Ok(Command::Experiment(None)));
        assert_eq!(
            parse("filter attributes.status = 'ERROR'"),
            Ok(Command::Filter(Some("attributes.status = 'ERROR'".into())))
        );
        assert_eq!(
            parse("theme light"),
            Ok(Command::Theme(crate::highlight::Palette::Light))
        );
        assert!(parse("sort color").unwrap_err().contains("cannot sort"));
        assert!(parse("folow").unwrap_err().contains("follow"));
        assert!(parse("zoom in").is_err());
    }

    #[test]
    fn completes_by_position() {
        let known = Known {
            experiments: vec!["demo-app"],
            tag_keys: vec!["env", "mlflow.traceName"],
            metadata_keys: vec![],
        };
        assert!(palette_candidates("", &known).contains(&"experiment".to_string()));
        assert!(palette_candidates("exp ", &known).contains(&"demo-app".to_string()));
        assert!(palette_candidates("sort ", &known).contains(&"duration".to_string()));
        let f = palette_candidates("filter ", &known);
        assert!(f.contains(&"tags.env".to_string()));
        assert!(f.contains(&"tags.`mlflow.traceName`".to_string()));
    }
}
