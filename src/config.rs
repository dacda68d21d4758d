//! The config file: `$XDG_CONFIG_HOME/mlflow-tui/config.toml` (else `~/.config/…`).
//! `mlflow-tui --print-config` prints the defaults in this format.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `dark` or `light` (JSON highlighting colours); NO_COLOR or --no-color turn colour off.
    pub theme: String,
    /// Mouse support (click, wheel); `--no-mouse` turns it off.
    pub mouse: bool,
    /// Times in UTC instead of the local time zone.
    pub utc: bool,
    /// The source used when none is given (before $MLFLOW_TRACKING_URI and ./mlflow.db).
    pub default_source: Option<String>,
    /// Follow mode: the poll interval while traces arrive (it grows while nothing does).
    pub follow_interval_ms: u64,
    /// Follow mode: trace summaries kept in the list (the oldest go first).
    pub follow_retention: usize,
    /// Follow mode: each poll also asks again for traces this much older than the newest seen
    /// (a trace that reaches the store late, because it ran long, still shows).
    pub follow_lookback_s: u64,
    /// The trace list's columns, in order: time, name, state, duration, spans, tokens, cost,
    /// user, session, experiment, request, response, `tag:KEY`, `metadata:KEY`. Written by the
    /// column chooser (`c`).
    pub columns: Option<Vec<String>>,
    /// Key overrides: action = ["key", …]
    pub keys: BTreeMap<String, Vec<String>>,
    /// Extra request headers sent to tracking servers (an identity-aware proxy's token, a
    /// gateway's key): name = value. Never printed; never sent to another host (redirects
    /// across hosts are refused).
    pub headers: BTreeMap<String, String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            theme: "dark".into(),
            mouse: true,
            utc: false,
            default_source: None,
            follow_interval_ms: 1_000,
            follow_retention: 20_000,
            follow_lookback_s: 60,
            columns: None,
            keys: BTreeMap::new(),
            headers: BTreeMap::new(),
        }
    }
}

pub fn path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("mlflow-tui").join("config.toml"))
}

/// Reads the config file; a missing file gives the defaults, a bad one a clear error.
pub fn load() -> anyhow::Result<Config> {
    let Some(p) = path() else {
        return Ok(Config::default());
    };
    match std::fs::read_to_string(&p) {
        Ok(text) => parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", p.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(anyhow::anyhow!(
            "{}: {}",
            p.display(),
            crate::source::io_reason(&e)
        )),
    }
}

pub fn parse(text: &str) -> Result<Config, String> {
    let c: Config = toml::from_str(text).map_err(|e| e.message().to_string())?;
    if !(100..=3_600_000).contains(&c.follow_interval_ms) {
        return Err(format!(
            "follow_interval_ms must be between 100 and 3600000, not {}",
            c.follow_interval_ms
        ));
    }
    if c.follow_retention < 100 {
        return Err(format!(
            "follow_retention must be at least 100, not {}",
            c.follow_retention
        ));
    }
    if let Some(cols) = &c.columns {
        for name in cols {
            if crate::app::Column::parse(name).is_none() {
                return Err(format!(
                    "columns: unknown column {name:?}; use time, name, state, duration, spans, tokens, cost, user, session, experiment, request, response, tag:KEY or metadata:KEY"
                ));
            }
        }
        if cols.is_empty() {
            return Err("columns: at least one column".into());
        }
    }
    if c.theme != "dark" && c.theme != "light" {
        return Err(format!(
            "theme must be \"dark\" or \"light\", not {:?}",
            c.theme
        ));
    }
    Ok(c)
}

/// The columns a config asks for (the defaults when it names none).
pub fn columns(c: &Config) -> Vec<crate::app::Column> {
    c.columns
        .as_ref()
        .map(|cols| {
            cols.iter()
                .filter_map(|n| crate::app::Column::parse(n))
                .collect()
        })
        .filter(|v: &Vec<crate::app::Column>| !v.is_empty())
        .unwrap_or_else(crate::app::Column::defaults)
}

/// Writes `columns = [...]` into the config file, keeping everything else in it as it was
/// (comments and order included). Returns the file's path.
pub fn save_columns(columns: &[String]) -> Result<String, String> {
    let p = path().ok_or("no config folder: set XDG_CONFIG_HOME or HOME")?;
    save_columns_at(&p, columns)?;
    Ok(p.display().to_string())
}

pub fn save_columns_at(p: &std::path::Path, columns: &[String]) -> Result<(), String> {
    let text = match std::fs::read_to_string(p) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(format!("{}: {}", p.display(), crate::source::io_reason(&e))),
    };
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| format!("{}: {}", p.display(), e.message()))?;
    let mut arr = toml_edit::Array::new();
    for c in columns {
        arr.push(c.as_str());
    }
    // top-level keys go before the first table
    doc.insert("columns", toml_edit::value(arr));
    let out = doc.to_string();
    parse(&out).map_err(|e| format!("{}: {e}", p.display()))?;
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("{}: {}", dir.display(), crate::source::io_reason(&e)))?;
    }
    let tmp = p.with_extension("toml.tmp");
    std::fs::write(&tmp, out)
        .and_then(|_| std::fs::rename(&tmp, p))
        .map_err(|e| format!("{}: {}", p.display(), crate::source::io_reason(&e)))
}

/// The defaults as a commented config file.
pub fn print_defaults() -> String {
    let d = Config::default();
    format!(
        "# mlflow-tui config: {}\n\
         theme = \"{}\"          # dark | light\n\
         mouse = {}\n\
         utc = {}\n\
         # default_source = \"sqlite:///path/to/mlflow.db\"\n\
         follow_interval_ms = {}     # live tail: poll interval while traces arrive\n\
         follow_retention = {}     # live tail: trace summaries kept\n\
         follow_lookback_s = {}        # live tail: how far back each poll looks again\n\
         # columns = [\"time\", \"name\", \"state\", \"duration\", \"tokens\", \"tag:env\", \"request\"]\n\n\
         # [headers]   # sent with every request to a tracking server; never printed\n\
         # \"X-Goog-IAP-JWT-Assertion\" = \"…\"\n\n\
         [keys]\n{}",
        path()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "$XDG_CONFIG_HOME/mlflow-tui/config.toml".into()),
        d.theme,
        d.mouse,
        d.utc,
        d.follow_interval_ms,
        d.follow_retention,
        d.follow_lookback_s,
        crate::keymap::Keymap::default().to_toml()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_defaults_parse_back() {
        let text = print_defaults();
        let c = parse(&text).unwrap();
        assert_eq!(c.theme, "dark");
        assert_eq!(
            c.keys.get("quit").unwrap(),
            &vec!["q".to_string(), "ctrl-c".to_string()]
        );
        let (k, problems) = crate::keymap::Keymap::new(&c.keys);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(k.help_rows(), crate::keymap::Keymap::default().help_rows());
    }

    #[test]
    fn saving_columns_keeps_the_rest_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mlflow-tui/config.toml");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "# mine\ntheme = \"light\"\n\n[keys]\nquit = [\"x\"]\n").unwrap();
        save_columns_at(&p, &["name".into(), "tag:env".into()]).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains("# mine"), "{text}");
        let c = parse(&text).unwrap();
        assert_eq!(c.theme, "light");
        assert_eq!(c.keys["quit"], vec!["x".to_string()]);
        assert_eq!(
            columns(&c),
            vec![
                crate::app::Column::Name,
                crate::app::Column::Tag("env".into())
            ]
        );
    }

    #[test]
    fn bad_config_is_explained() {
        assert!(parse("theme = \"neon\"").unwrap_err().contains("theme"));
        assert!(parse("mouse = 3").is_err());
        assert!(parse("colour = true").unwrap_err().contains("colour"));
        assert!(parse("columns = [\"nope\"]").unwrap_err().contains("nope"));
    }
}
