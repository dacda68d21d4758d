//! MLflow's SQL tracking store read directly: one set of queries over every database MLflow
//! keeps its store in, each reached through a small [`Db`] driver (`sqlite.rs`, `postgres.rs`).
//!
//! Read-only: never a write, never a schema change. Spans come from the `spans` table, or from
//! `traces.json` under the trace's artifact location when the trace keeps them there (MLflow
//! 2.x, older 3.x, migrated file stores) and that location is a folder on this machine.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::artifacts::{read_traces_json, resolve_dir};
use super::{Experiment, ListQuery, LocalStore, SourceError, TracePage, parse_offset_token};
use crate::model::parse::parse_span;
use crate::model::{Assessment, Schema, Span, Trace, TraceInfo, TraceState, keys};

/// One value of a result row, whatever the database's own types.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
}

impl Cell {
    fn text(&mut self) -> Option<String> {
        match std::mem::replace(self, Cell::Null) {
            Cell::Text(s) => Some(s),
            Cell::Int(i) => Some(i.to_string()),
            Cell::Real(f) => Some(f.to_string()),
            Cell::Bool(b) => Some(b.to_string()),
            Cell::Null => None,
        }
    }
    fn int(&self) -> Option<i64> {
        match self {
            Cell::Int(i) => Some(*i),
            Cell::Real(f) => Some(*f as i64),
            Cell::Text(s) => s.parse().ok(),
            Cell::Bool(b) => Some(i64::from(*b)),
            Cell::Null => None,
        }
    }
    fn real(&self) -> Option<f64> {
        match self {
            Cell::Real(f) => Some(*f),
            Cell::Int(i) => Some(*i as f64),
            Cell::Text(s) => s.parse().ok(),
            _ => None,
        }
    }
    fn bool(&self) -> Option<bool> {
        match self {
            Cell::Bool(b) => Some(*b),
            Cell::Int(i) => Some(*i != 0),
            _ => None,
        }
    }
}

pub type Row = Vec<Cell>;

/// The first column of every row, as a set of names (tables, columns).
pub fn names(rows: Vec<Row>) -> HashSet<String> {
    rows.into_iter()
        .filter_map(|r| match r.into_iter().next() {
            Some(Cell::Text(s)) => Some(s),
            _ => None,
        })
        .collect()
}

/// Does `arg` start with one of these URI schemes (`scheme://` or SQLAlchemy's
/// `scheme+driver://`)?
pub fn has_scheme(arg: &str, schemes: &[&str]) -> bool {
    let lower = arg.to_ascii_lowercase();
    schemes.iter().any(|s| {
        lower.starts_with(s) && {
            let rest = &lower[s.len()..];
            rest.starts_with("://") || (rest.starts_with('+') && rest.contains("://"))
        }
    })
}

/// What the store needs of a database: statements with `?` placeholders and text parameters,
/// one read-only snapshot around each of the store's reads.
pub trait Db: Send + 'static {
    /// Starts one read (a read-only transaction where the database has them).
    fn begin(&mut self) -> Result<(), SourceError>;
    /// Ends the read started by `begin`.
    fn end(&mut self);
    fn query(&mut self, sql: &str, params: &[&str]) -> Result<Vec<Row>, SourceError>;
    /// What names the current schema in `information_schema` (`current_schema()`; MySQL's
    /// `DATABASE()`), for the default [`Db::tables`] and [`Db::columns`].
    fn current_schema(&self) -> &'static str {
        "current_schema()"
    }
    /// The store's tables, from `information_schema` unless the database has no such thing.
    fn tables(&mut self) -> Result<HashSet<String>, SourceError> {
        // CONCAT: plain text in both PostgreSQL (not its sql_identifier) and MySQL
        let sql = format!(
            "SELECT CONCAT(table_name, '') FROM information_schema.tables WHERE table_schema = {}",
            self.current_schema()
        );
        Ok(names(self.query(&sql, &[])?))
    }
    /// A table's columns, as [`Db::tables`].
    fn columns(&mut self, table: &str) -> Result<HashSet<String>, SourceError> {
        let sql = format!(
            "SELECT CONCAT(column_name, '') FROM information_schema.columns \
             WHERE table_schema = {} AND table_name = ?",
            self.current_schema()
        );
        Ok(names(self.query(&sql, &[table])?))
    }
    /// `LIMIT` without a limit.
    fn no_limit(&self) -> &'static str;
    /// Safe to print: no password.
    fn describe(&self) -> String;
    /// Folders that relative artifact locations are resolved against: a database server's
    /// store has no folder of its own, so the working folder.
    fn artifact_bases(&self) -> Vec<PathBuf> {
        vec![PathBuf::from(".")]
    }
    fn watch_target(&self) -> Option<super::watch::WatchTarget> {
        None
    }
}

pub struct SqlStore<D: Db> {
    db: Mutex<D>,
    /// Optional columns and tables of this schema version.
    has_previews: bool,
    has_client_request_id: bool,
    has_spans: bool,
    has_assessments: bool,
    /// Newer stores (about 3.15+) keep name, session, tokens and cost in trace_info columns
    /// instead of tags and metadata.
    has_promoted: bool,
}

/// trace_info columns that newer MLflow promotes out of tags and metadata, in select order.
const PROMOTED: [&str; 11] = [
    "trace_name",
    "session_id",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cache_read_input_tokens",
    "cache_creation_input_tokens",
    "cache_creation_input_tokens_above_1hr",
    "input_cost",
    "output_cost",
    "total_cost",
];

/// Puts promoted columns back where every other store keeps them, as MLflow's own
/// `SqlTraceInfo.to_mlflow_entity` does.
fn apply_promoted(info: &mut TraceInfo, row: &mut [Cell]) {
    if let Some(n) = row[0].text() {
        info.tags.insert(keys::TRACE_NAME.to_string(), n);
    }
    if let Some(s) = row[1].text() {
        info.metadata.insert(keys::SESSION.to_string(), s);
    }
    // the column names double as the JSON keys MLflow writes
    let t: serde_json::Map<String, Value> = PROMOTED[2..8]
        .iter()
        .zip(&row[2..8])
        .filter_map(|(k, v)| v.int().map(|v| (k.to_string(), Value::from(v))))
        .collect();
    if !t.is_empty() {
        info.metadata
            .insert(keys::TOKEN_USAGE.to_string(), Value::Object(t).to_string());
    }
    let c: serde_json::Map<String, Value> = PROMOTED[8..]
        .iter()
        .zip(&row[8..11])
        .filter_map(|(k, v)| v.real().map(|v| (k.to_string(), Value::from(v))))
        .collect();
    if !c.is_empty() {
        info.metadata
            .insert(keys::COST.to_string(), Value::Object(c).to_string());
    }
}

/// Experiment ids are integers in MLflow's SQL stores: written into the SQL as numbers (never
/// as text), so every database compares them with its index; anything else matches nothing.
fn experiment_list(ids: &[String]) -> String {
    let nums: Vec<String> = ids
        .iter()
        .filter_map(|i| i.trim().parse::<i64>().ok())
        .map(|i| i.to_string())
        .collect();
    if nums.is_empty() {
        "NULL".into()
    } else {
        nums.join(",")
    }
}

/// A page token of this store: `k{timestamp_ms}:{request_id}`, the last row of the page before
/// (numeric tokens are offsets, as every local source's).
fn keyset(token: &str) -> Option<(i64, String)> {
    let (ts, id) = token.strip_prefix('k')?.split_once(':')?;
    Some((ts.parse().ok()?, id.to_string()))
}

/// Spans kept in object storage or behind a server are not read from here: say where they are.
fn not_local(artifacts: &str) -> String {
    let remote = artifacts
        .split_once(':')
        .is_some_and(|(scheme, _)| scheme.len() > 1 && !scheme.eq_ignore_ascii_case("file"));
    if remote {
        format!(
            "spans are at {}, outside this database; open the tracking server that serves this store to read them",
            super::redact_url(artifacts)
        )
    } else {
        format!("spans are at {artifacts}, which is not a local folder that exists here")
    }
}

impl<D: Db> SqlStore<D> {
    /// Checks that the database holds an MLflow tracking store and learns its schema version.
    pub fn new(mut db: D) -> Result<Self, SourceError> {
        let tables = db.tables()?;
        if !tables.contains("trace_info") || !tables.contains("experiments") {
            return Err(SourceError::Other(format!(
                "{}: a database, but not an MLflow tracking store (no trace_info table; MLflow 2.14 or newer writes traces)",
                db.describe()
            )));
        }
        let columns = db.columns("trace_info")?;
        Ok(SqlStore {
            has_previews: columns.contains("request_preview"),
            has_client_request_id: columns.contains("client_request_id"),
            has_spans: tables.contains("spans"),
            has_assessments: tables.contains("assessments"),
            has_promoted: PROMOTED.iter().all(|c| columns.contains(*c)),
            db: Mutex::new(db),
        })
    }

    /// Runs `f` as one read of the database.
    fn read<T>(&self, f: impl FnOnce(&mut D) -> Result<T, SourceError>) -> Result<T, SourceError> {
        let mut db = self
            .db
            .lock()
            .map_err(|_| SourceError::Other("the database connection is unusable".into()))?;
        db.begin()?;
        let out = f(&mut db);
        db.end();
        out
    }

    fn info_columns(&self) -> String {
        let mut cols =
            String::from("request_id, experiment_id, timestamp_ms, execution_time_ms, status");
        cols.push_str(if self.has_client_request_id {
            ", client_request_id"
        } else {
            ", NULL"
        });
        cols.push_str(if self.has_previews {
            ", request_preview, response_preview"
        } else {
            ", NULL, NULL"
        });
        if self.has_promoted {
            for c in PROMOTED {
                cols.push_str(", ");
                cols.push_str(c);
            }
        }
        cols
    }

    /// A trace_info row as an info, and its promoted columns (applied after tags and
    /// metadata are read, over them: see `finish`).
    fn row_to_info(&self, mut r: Row, schema: Schema) -> (TraceInfo, Option<Row>) {
        let promoted = (self.has_promoted && r.len() >= 8 + PROMOTED.len()).then(|| r.split_off(8));
        r.resize(8, Cell::Null);
        let info = TraceInfo {
            trace_id: r[0].text().unwrap_or_default(),
            experiment_id: r[1].text(),
            request_time_ms: r[2].int().unwrap_or(0),
            duration_ms: r[3].int(),
            state: TraceState::parse(&r[4].text().unwrap_or_default()),
            client_request_id: r[5].text(),
            request_preview: r[6].text(),
            response_preview: r[7].text(),
            schema,
            ..TraceInfo::default()
        };
        (info, promoted)
    }

    /// Loads tags, metadata and assessments for these traces, in one statement per table:
    /// for the traces `from` selects (a subquery of request ids: one statement whatever the
    /// number of traces), else by their ids.
    fn fill_details(
        &self,
        db: &mut D,
        infos: &mut [TraceInfo],
        from: Option<&str>,
    ) -> Result<(), SourceError> {
        if infos.is_empty() {
            return Ok(());
        }
        let index: HashMap<String, usize> = infos
            .iter()
            .enumerate()
            .map(|(i, t)| (t.trace_id.clone(), i))
            .collect();
        let ids: Vec<String> = infos.iter().map(|t| t.trace_id.clone()).collect();
        let selections: Vec<(String, Vec<&str>)> = match from {
            Some(sub) => vec![(sub.to_string(), Vec::new())],
            // below every database's bound-parameter limit
            None => ids
                .chunks(900)
                .map(|c| {
                    (
                        vec!["?"; c.len()].join(","),
                        c.iter().map(String::as_str).collect(),
                    )
                })
                .collect(),
        };
        for (marks, params) in &selections {
            for (table, is_tag) in [("trace_tags", true), ("trace_request_metadata", false)] {
                // qualified: `key` is a reserved word in MySQL, not after a table name
                let sql = format!(
                    "SELECT d.request_id, d.key, d.value FROM {table} d WHERE d.request_id IN ({marks})"
                );
                for mut row in db.query(&sql, params)? {
                    row.resize(3, Cell::Null);
                    let (Some(id), Some(k)) = (row[0].text(), row[1].text()) else {
                        continue;
                    };
                    if let Some(&i) = index.get(&id) {
                        let map = if is_tag {
                            &mut infos[i].tags
                        } else {
                            &mut infos[i].metadata
                        };
                        map.insert(k, row[2].text().unwrap_or_default());
                    }
                }
            }
            if self.has_assessments {
                let sql = format!(
                    "SELECT a.assessment_id, a.trace_id, a.name, a.assessment_type, a.value, a.error, \
                     a.source_type, a.source_id, a.span_id, a.rationale, a.valid, a.overrides \
                     FROM assessments a WHERE a.trace_id IN ({marks}) ORDER BY a.created_timestamp"
                );
                for mut r in db.query(&sql, params)? {
                    r.resize(12, Cell::Null);
                    let Some(trace) = r[1].text() else { continue };
                    let Some(&i) = index.get(&trace) else {
                        continue;
                    };
                    let a = Assessment {
                        id: r[0].text().unwrap_or_default(),
                        name: r[2].text().unwrap_or_default(),
                        kind: r[3].text().unwrap_or_else(|| "feedback".into()),
                        value: r[4]
                            .text()
                            .map(|v| serde_json::from_str(&v).unwrap_or(Value::String(v))),
                        source_type: r[6].text(),
                        source_id: r[7].text(),
                        span_id: r[8].text(),
                        rationale: r[9].text(),
                        error: r[5].text().map(|e| {
                            serde_json::from_str::<Value>(&e)
                                .ok()
                                .and_then(|v| {
                                    v.get("error_message")
                                        .and_then(Value::as_str)
                                        .map(str::to_string)
                                })
                                .unwrap_or(e)
                        }),
                        valid: r[10].bool(),
                        overrides: r[11].text(),
                    };
                    infos[i].assessments.push(a);
                }
            }
        }
        for info in infos.iter_mut() {
            // 2.x kept user and session as tags; 3.x as metadata. Both read the same.
            if info
                .metadata
                .get("mlflow.trace_schema.version")
                .map(String::as_str)
                == Some("2")
            {
                info.schema = Schema::V2;
            }
        }
        Ok(())
    }

    /// Reads these rows as trace infos: tags, metadata and assessments, then the promoted
    /// columns over them.
    fn finish(
        &self,
        db: &mut D,
        rows: Vec<Row>,
        from: Option<&str>,
    ) -> Result<Vec<TraceInfo>, SourceError> {
        let (mut infos, promoted): (Vec<TraceInfo>, Vec<Option<Row>>) = rows
            .into_iter()
            .map(|r| self.row_to_info(r, Schema::V3))
            .unzip();
        self.fill_details(db, &mut infos, from)?;
        for (info, p) in infos.iter_mut().zip(promoted) {
            if let Some(mut p) = p {
                apply_promoted(info, &mut p);
            }
        }
        Ok(infos)
    }

    fn experiment_ids_sql(&self, query: &ListQuery) -> String {
        let mut sql = if query.experiment_ids.is_empty() {
            "experiment_id IN (SELECT experiment_id FROM experiments WHERE lifecycle_stage = 'active')".to_string()
        } else {
            format!(
                "experiment_id IN ({})",
                experiment_list(&query.experiment_ids)
            )
        };
        if let Some(t) = query.since_ms {
            // a number, not text: written into the SQL as one
            sql.push_str(&format!(" AND timestamp_ms >= {t}"));
        }
        sql
    }

    /// Spans from `<mlflow.artifactLocation>/traces.json`, for traces that keep them there.
    fn spans_from_artifacts(&self, info: &TraceInfo) -> (Vec<Span>, Vec<String>) {
        let location = info.tags.get(keys::SPANS_LOCATION).map(String::as_str);
        let Some(artifacts) = info.tags.get(keys::ARTIFACT_LOCATION) else {
            let why = match location {
                Some("ARCHIVE_REPO") => {
                    "its spans were archived and are not in this database".to_string()
                }
                _ if info.state == TraceState::InProgress => {
                    "no spans written yet (in progress)".to_string()
                }
                _ => "no spans in the database and no artifact location".to_string(),
            };
            return (Vec::new(), vec![why]);
        };
        let bases = self
            .db
            .lock()
            .map(|d| d.artifact_bases())
            .unwrap_or_default();
        let bases: Vec<&std::path::Path> = bases.iter().map(PathBuf::as_path).collect();
        match resolve_dir(artifacts, &bases) {
            Some(dir) => match read_traces_json(&dir) {
                Ok(r) => r,
                Err(e) => (Vec::new(), vec![e.to_string()]),
            },
            None => (Vec::new(), vec![not_local(artifacts)]),
        }
    }
}

impl<D: Db> LocalStore for SqlStore<D> {
    fn watch_target(&self) -> Option<super::watch::WatchTarget> {
        self.db.lock().ok()?.watch_target()
    }

    fn describe(&self) -> String {
        self.db
            .lock()
            .map(|d| d.describe())
            .unwrap_or_else(|_| "database".into())
    }

    fn experiments(&self) -> Result<Vec<Experiment>, SourceError> {
        self.read(|db| {
            let rows = db.query(
                "SELECT experiment_id, name, lifecycle_stage FROM experiments ORDER BY experiment_id",
                &[],
            )?;
            Ok(rows
                .into_iter()
                .map(|mut r| {
                    r.resize(3, Cell::Null);
                    Experiment {
                        id: r[0].text().unwrap_or_default(),
                        name: r[1].text().unwrap_or_default(),
                        active: r[2].text().as_deref() != Some("deleted"),
                    }
                })
                .collect())
        })
    }

    fn list(&self, query: &ListQuery) -> Result<TracePage, SourceError> {
        if let Some(page) = super::filtered_page(self, query, crate::model::filter::Store::Sql)? {
            return Ok(page);
        }
        if let Some(page) = super::ordered_page(self, query)? {
            return Ok(page);
        }
        let (where_exp, offset, after) = match query.page_token.as_deref().and_then(keyset) {
            // after the last row of the previous page: an index range, however deep the page
            Some((ts, id)) => (
                format!(
                    "{} AND (timestamp_ms < {ts} OR (timestamp_ms = {ts} AND request_id > ?))",
                    self.experiment_ids_sql(query)
                ),
                0,
                Some(id),
            ),
            None => (
                self.experiment_ids_sql(query),
                parse_offset_token(query.page_token.as_deref())?,
                None,
            ),
        };
        let params: Vec<&str> = after.iter().map(String::as_str).collect();
        self.read(|db| {
            // one row more than asked: whether there is a next page, without counting
            let limit = if query.max_results == 0 {
                db.no_limit().to_string()
            } else {
                (query.max_results + 1).to_string()
            };
            let sql = format!(
                "SELECT {} FROM trace_info WHERE {where_exp} \
                 ORDER BY timestamp_ms DESC, request_id ASC LIMIT {limit} OFFSET {offset}",
                self.info_columns()
            );
            let mut rows = db.query(&sql, &params)?;
            let more = query.max_results != 0 && rows.len() > query.max_results;
            rows.truncate(if more { query.max_results } else { rows.len() });
            // every trace at once: their details by the same selection, three statements
            // whatever the number; a page: by its ids (an index lookup each)
            let all = format!("SELECT request_id FROM trace_info WHERE {where_exp}");
            let from = (query.max_results == 0 && after.is_none()).then_some(all.as_str());
            let infos = self.finish(db, rows, from)?;
            let next = more
                .then(|| infos.last())
                .flatten()
                .map(|t| format!("k{}:{}", t.request_time_ms, t.trace_id));
            Ok(TracePage {
                next_page_token: next,
                traces: infos,
                warnings: Vec::new(),
            })
        })
    }

    fn get(&self, trace_id: &str) -> Result<Arc<Trace>, SourceError> {
        let sql = format!(
            "SELECT {} FROM trace_info WHERE request_id = ?",
            self.info_columns()
        );
        let (info, rows) = self.read(|db| {
            let found = db.query(&sql, &[trace_id])?;
            let mut infos = self.finish(db, found, None)?;
            let rows = match (infos.is_empty(), self.has_spans) {
                (false, true) => db.query(
                    "SELECT span_id, content FROM spans WHERE trace_id = ? \
                     ORDER BY (parent_span_id IS NOT NULL), start_time_unix_nano",
                    &[trace_id],
                )?,
                _ => Vec::new(),
            };
            Ok((infos.pop(), rows))
        })?;
        let Some(info) = info else {
            return Err(SourceError::NotFound(format!(
                "no trace {trace_id} in {}",
                self.describe()
            )));
        };
        let mut warnings = Vec::new();
        let mut spans: Vec<Span> = Vec::with_capacity(rows.len());
        for mut row in rows {
            row.resize(2, Cell::Null);
            let Some(content) = row[1].text().filter(|c| !c.is_empty()) else {
                continue; // archived: the content lives elsewhere
            };
            match parse_span(&content) {
                Ok(s) => spans.push(s),
                Err(e) => warnings.push(format!("span {}: {e}", row[0].text().unwrap_or_default())),
            }
        }
        if spans.is_empty() {
            let (from_artifacts, mut w) = self.spans_from_artifacts(&info);
            spans = from_artifacts;
            warnings.append(&mut w);
        }
        let mut trace = Trace::new(info, spans);
        trace.warnings = warnings;
        Ok(Arc::new(trace))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn experiment_ids_are_written_as_numbers_only() {
        assert_eq!(experiment_list(&["1".into(), " 22 ".into()]), "1,22");
        assert_eq!(experiment_list(&["1); DROP TABLE x; --".into()]), "NULL");
        assert_eq!(experiment_list(&[]), "NULL");
    }

    #[test]
    fn spans_in_object_storage_are_said_to_be_there() {
        let m = not_local("s3://user:secret@bucket/1/traces/tr-1/artifacts");
        assert!(m.contains("s3://bucket/1/traces/tr-1/artifacts"), "{m}");
        assert!(m.contains("tracking server"), "{m}");
        assert!(!m.contains("secret"), "{m}");
        assert!(not_local("/nowhere/x").contains("not a local folder"));
    }

    #[test]
    fn page_tokens_are_the_last_row_or_an_offset() {
        assert_eq!(
            keyset("k1700000000000:tr-ab"),
            Some((1700000000000, "tr-ab".into()))
        );
        assert_eq!(keyset("500"), None);
        assert_eq!(keyset("kx:tr"), None);
    }

    #[test]
    fn cells_read_across_database_types() {
        assert_eq!(Cell::Int(1).bool(), Some(true));
        assert_eq!(Cell::Bool(false).bool(), Some(false));
        assert_eq!(Cell::Int(3).real(), Some(3.0));
        assert_eq!(Cell::Int(7).text(), Some("7".into()));
        assert_eq!(Cell::Null.int(), None);
    }
}
