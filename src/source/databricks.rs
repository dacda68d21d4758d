//! Databricks-hosted MLflow: the tracking URIs `databricks` and `databricks://PROFILE`, as the
//! MLflow client reads them. The host and token come from `DATABRICKS_HOST` and
//! `DATABRICKS_TOKEN` (for `databricks`, when both are set), else from a profile of
//! `~/.databrickscfg` (`DATABRICKS_CONFIG_FILE` names another file; `DEFAULT` when none is
//! named, or `DATABRICKS_CONFIG_PROFILE`). The server speaks MLflow's REST API under the host,
//! with the token as a bearer token. The token is never printed.

use std::path::PathBuf;

use super::SourceError;

/// Where the tracking server is and the token it takes.
pub struct Target {
    pub host: String,
    pub token: String,
}

fn env(k: &str) -> Option<String> {
    std::env::var(k).ok().filter(|v| !v.trim().is_empty())
}

fn config_path() -> Option<PathBuf> {
    env("DATABRICKS_CONFIG_FILE")
        .map(PathBuf::from)
        .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".databrickscfg")))
}

/// The profiles of a `.databrickscfg` (INI): name -> (key -> value).
fn profiles(text: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() || l.starts_with('#') || l.starts_with(';') {
            continue;
        }
        if let Some(name) = l.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            out.push((name.trim().to_string(), Vec::new()));
            continue;
        }
        if let (Some((k, v)), Some(last)) = (l.split_once('='), out.last_mut()) {
            last.1
                .push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    out
}

/// Reads a `databricks` / `databricks://PROFILE` tracking URI.
pub fn resolve(uri: &str) -> Result<Target, SourceError> {
    let rest = uri
        .get("databricks".len()..)
        .unwrap_or("")
        .trim_start_matches("://")
        .trim_start_matches(':');
    // `databricks://PROFILE:PREFIX` (a secret-scope prefix) names the profile first
    let named = rest.split(':').next().filter(|p| !p.is_empty());
    if named.is_none()
        && let (Some(host), Some(token)) = (env("DATABRICKS_HOST"), env("DATABRICKS_TOKEN"))
    {
        return Ok(Target {
            host: normalize(&host),
            token,
        });
    }
    let profile = named
        .map(str::to_string)
        .or_else(|| env("DATABRICKS_CONFIG_PROFILE"))
        .unwrap_or_else(|| "DEFAULT".into());
    let Some(path) = config_path() else {
        return Err(SourceError::Auth(
            "databricks: set DATABRICKS_HOST and DATABRICKS_TOKEN, or write ~/.databrickscfg"
                .into(),
        ));
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        SourceError::Auth(format!(
            "databricks: {}: {}; set DATABRICKS_HOST and DATABRICKS_TOKEN, or write the profile {profile}",
            path.display(),
            super::io_reason(&e)
        ))
    })?;
    let all = profiles(&text);
    let Some((_, keys)) = all.iter().find(|(n, _)| *n == profile) else {
        let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
        return Err(SourceError::Auth(format!(
            "databricks: no profile [{profile}] in {} (it has: {})",
            path.display(),
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        )));
    };
    let get = |k: &str| {
        keys.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    match (get("host"), get("token")) {
        (Some(host), Some(token)) => Ok(Target {
            host: normalize(&host),
            token,
        }),
        (None, _) => Err(SourceError::Auth(format!(
            "databricks: the profile [{profile}] in {} has no host",
            path.display()
        ))),
        (Some(_), None) => Err(SourceError::Auth(format!(
            "databricks: the profile [{profile}] in {} has no token (only personal access tokens are read)",
            path.display()
        ))),
    }
}

/// A host as written in a profile (`adb-1.azuredatabricks.net` or with its scheme).
fn normalize(host: &str) -> String {
    let h = host.trim().trim_end_matches('/');
    if h.contains("://") {
        h.to_string()
    } else {
        format!("https://{h}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_of_a_databrickscfg() {
        let p = profiles(
            "; comment\n[DEFAULT]\nhost = https://a.cloud.databricks.com/\ntoken = dapi1\n\n[work]\nHOST=b.example\ntoken=dapi2\n",
        );
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].0, "work");
        assert_eq!(p[1].1[0], ("host".into(), "b.example".into()));
        assert_eq!(normalize("b.example"), "https://b.example");
        assert_eq!(normalize("http://127.0.0.1:5/"), "http://127.0.0.1:5");
    }
}
