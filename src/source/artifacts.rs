//! Reading a trace's `traces.json` from a local artifact location (tag `mlflow.artifactLocation`).
//! Stores are often moved or copied (a fixture, a colleague's mlflow.db): when the recorded
//! absolute path does not exist, the same tail of it is looked for next to the store.

use std::path::{Component, Path, PathBuf};

use crate::model::Span;
use crate::model::parse::{parse_spans_doc, parse_spans_streamed};

use super::{SourceError, io_reason};

/// Decodes `%XX` escapes in a file URI path; anything malformed stays as is.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A local path from an artifact location: a plain path or a `file://` URI. Remote schemes
/// (`s3://`, `mlflow-artifacts:/`, …) give `None`.
pub fn local_path(location: &str) -> Option<PathBuf> {
    if let Some(p) = location.strip_prefix("file://") {
        // file:///abs and file://localhost/abs
        let p = p.strip_prefix("localhost").unwrap_or(p);
        return Some(PathBuf::from(percent_decode(p)));
    }
    if location.contains("://") || location.starts_with("mlflow-artifacts:") {
        return None;
    }
    Some(PathBuf::from(location))
}

/// Finds an artifact directory: as recorded, else its tail re-rooted under each of `bases`
/// (longest tail first), so a store copied elsewhere still finds its artifacts.
pub fn resolve_dir(location: &str, bases: &[&Path]) -> Option<PathBuf> {
    let recorded = local_path(location)?;
    if recorded.is_dir() {
        return Some(recorded);
    }
    let parts: Vec<_> = recorded
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p),
            _ => None,
        })
        .collect();
    for skip in 0..parts.len() {
        let tail: PathBuf = parts[skip..].iter().collect();
        for base in bases {
            let candidate = base.join(&tail);
            if candidate.is_dir() {
                return Some(candidate);
            }
        }
    }
    None
}

/// Artifacts larger than this are parsed as they are read (the JSON files' threshold too).
const STREAM_FROM_BYTES: u64 = 16 << 20;

/// Reads and parses `<dir>/traces.json`. Returns spans and warnings.
pub fn read_traces_json(dir: &Path) -> Result<(Vec<Span>, Vec<String>), SourceError> {
    let path = dir.join("traces.json");
    let bad = |e: std::io::Error| SourceError::bad_file(&path, io_reason(&e));
    // a giant trace's artifact is parsed as it is read, never held whole (else read whole)
    if std::fs::metadata(&path).is_ok_and(|m| m.len() > STREAM_FROM_BYTES)
        && let Some((spans, _, warnings)) =
            parse_spans_streamed(&mut std::fs::File::open(&path).map_err(bad)?).map_err(bad)?
    {
        return Ok((spans, warnings));
    }
    let text =
        std::fs::read_to_string(&path).map_err(|e| SourceError::bad_file(&path, io_reason(&e)))?;
    let (spans, _, warnings) =
        parse_spans_doc(&text).map_err(|e| SourceError::bad_file(&path, e))?;
    Ok((spans, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `traces.json` over the threshold is parsed as it is read, into what the whole
    /// parse gives; one that cannot be cut (its list is not last) is read whole.
    #[test]
    fn a_giant_artifact_reads_as_its_whole_parse() {
        let dir = tempfile::tempdir().unwrap();
        let spans: Vec<serde_json::Value> = (0..30_000)
            .map(|i| {
                serde_json::json!({
                    "span_id": format!("{i:016x}"),
                    "parent_span_id": if i == 0 { serde_json::Value::Null } else { "0000000000000000".into() },
                    "name": format!("step_{i}"),
                    "start_time_unix_nano": 1_000 + i,
                    "attributes": {"mlflow.traceRequestId": "\"tr-1\"", "mlflow.spanInputs": "x".repeat(500)},
                })
            })
            .collect();
        for doc in [
            serde_json::json!({"spans": spans}).to_string(),
            format!(
                "{{\"spans\": {}, \"after\": 1}}",
                serde_json::Value::from(spans.clone())
            ),
        ] {
            assert!(doc.len() as u64 > STREAM_FROM_BYTES);
            std::fs::write(dir.path().join("traces.json"), &doc).unwrap();
            let (want, _, _) = parse_spans_doc(&doc).unwrap();
            let (got, warnings) = read_traces_json(dir.path()).unwrap();
            assert_eq!(got, want);
            assert!(warnings.is_empty(), "{warnings:?}");
        }
    }

    #[test]
    fn decodes_and_resolves() {
        assert_eq!(percent_decode("/a%20b/c%2"), "/a b/c%2");
        assert_eq!(local_path("file:///x/y"), Some(PathBuf::from("/x/y")));
        assert_eq!(local_path("s3://bucket/x"), None);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("mlruns/1/traces/tr-a/artifacts")).unwrap();
        let found = resolve_dir(
            "/old/machine/place/mlruns/1/traces/tr-a/artifacts",
            &[dir.path()],
        );
        assert_eq!(
            found,
            Some(dir.path().join("mlruns/1/traces/tr-a/artifacts"))
        );
        assert_eq!(resolve_dir("/nothing/like/it", &[dir.path()]), None);
    }
}
