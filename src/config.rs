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
    /// Key overrides: action = ["key", …]
    pub keys: BTreeMap<String, Vec<String>>,
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
            keys: BTreeMap::new(),
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
    if c.theme != "dark" && c.theme != "light" {
        return Err(format!(
            "theme must be \"dark\" or \"light\", not {:?}",
            c.theme
        ));
    }
    Ok(c)
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
         follow_lookback_s = {}        # live tail: how far back each poll looks again\n\n\
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
    fn bad_config_is_explained() {
        assert!(parse("theme = \"neon\"").unwrap_err().contains("theme"));
        assert!(parse("mouse = 3").is_err());
        assert!(parse("colour = true").unwrap_err().contains("colour"));
    }
}
