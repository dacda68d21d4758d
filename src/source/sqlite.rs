//! MLflow's SQL store as a local sqlite file (`mlflow.db`, the default store since MLflow 3.7).
//!
//! Opened read-only: never a write, never a schema change, and every read is one short
//! statement so that a running MLflow that writes to the same file is never blocked for long.
//! Spans come from the `spans` table, or from `traces.json` under the trace's artifact location
//! when the trace keeps them there (MLflow 2.x, older 3.x, migrated file stores).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, params_from_iter};
use serde_json::Value;

use super::artifacts::{read_traces_json, resolve_dir};
use super::{Experiment, ListQuery, LocalStore, SourceError, TracePage, parse_offset_token};
use crate::model::parse::parse_span;
use crate::model::{Assessment, Schema, Span, Trace, TraceInfo, TraceState, keys};

pub struct SqliteStore {
    path: PathBuf,
    conn: Mutex<Connection>,
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
fn apply_promoted(
    info: &mut TraceInfo,
    name: Option<String>,
    session: Option<String>,
    tokens: &[(&str, Option<i64>)],
    costs: &[(&str, Option<f64>)],
) {
    if let Some(n) = name {
        info.tags.insert(keys::TRACE_NAME.to_string(), n);
    }
    if let Some(s) = session {
        info.metadata.insert(keys::SESSION.to_string(), s);
    }
    let t: serde_json::Map<String, Value> = tokens
        .iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), Value::from(v))))
        .collect();
    if !t.is_empty() {
        info.metadata
            .insert(keys::TOKEN_USAGE.to_string(), Value::Object(t).to_string());
    }
    let c: serde_json::Map<String, Value> = costs
        .iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), Value::from(v))))
        .collect();
    if !c.is_empty() {
        info.metadata
            .insert(keys::COST.to_string(), Value::Object(c).to_string());
    }
}

struct Promoted {
    name: Option<String>,
    session: Option<String>,
    tokens: Vec<Option<i64>>,
    costs: Vec<Option<f64>>,
}

impl Promoted {
    fn apply(self, info: &mut TraceInfo) {
        // the column names double as the JSON keys MLflow writes
        let tokens: Vec<(&str, Option<i64>)> =
            PROMOTED[2..8].iter().copied().zip(self.tokens).collect();
        let costs: Vec<(&str, Option<f64>)> =
            PROMOTED[8..].iter().copied().zip(self.costs).collect();
        apply_promoted(info, self.name, self.session, &tokens, &costs);
    }
}

/// The first column of every row, as a set of names (tables, columns).
fn names(conn: &Connection, sql: &str) -> rusqlite::Result<HashSet<String>> {
    let mut st = conn.prepare(sql)?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

fn db_err(path: &Path, e: rusqlite::Error) -> SourceError {
    let msg = e.to_string();
    let lower = msg.to_ascii_lowercase();
    let what = if lower.contains("locked") || lower.contains("busy") {
        "the database is locked by another process; try again".to_string()
    } else if lower.contains("not a database")
        || lower.contains("malformed")
        || lower.contains("corrupt")
    {
        format!("not a valid sqlite database ({msg})")
    } else {
        msg
    };
    SourceError::Database(format!("{}: {what}", path.display()))
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<Self, SourceError> {
        if !path.is_file() {
            return Err(SourceError::bad_file(path, "no such file"));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| db_err(path, e))?;
        conn.busy_timeout(Duration::from_secs(3))
            .map_err(|e| db_err(path, e))?;
        let tables = names(&conn, "SELECT name FROM sqlite_master WHERE type = 'table'")
            .map_err(|e| db_err(path, e))?;
        if !tables.contains("trace_info") || !tables.contains("experiments") {
            return Err(SourceError::bad_file(
                path,
                "a sqlite database, but not an MLflow tracking store (no trace_info table; MLflow 2.14 or newer writes traces)",
            ));
        }
        let columns = names(&conn, "SELECT name FROM pragma_table_info('trace_info')")
            .map_err(|e| db_err(path, e))?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            has_previews: columns.contains("request_preview"),
            has_client_request_id: columns.contains("client_request_id"),
            has_spans: tables.contains("spans"),
            has_assessments: tables.contains("assessments"),
            has_promoted: PROMOTED.iter().all(|c| columns.contains(*c)),
            conn: Mutex::new(conn),
        })
    }

    fn err(&self, e: rusqlite::Error) -> SourceError {
        db_err(&self.path, e)
    }

    fn with_conn<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, rusqlite::Error>,
    ) -> Result<T, SourceError> {
        let conn = self
            .conn
            .lock()
            .map_err(|_| SourceError::Other("the database connection is unusable".into()))?;
        f(&conn).map_err(|e| self.err(e))
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

    /// Reads the promoted columns of a row (if this schema has them) into tags and metadata.
    fn promoted_of(&self, r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<Promoted>> {
        if !self.has_promoted {
            return Ok(None);
        }
        let tokens = (0..6)
            .map(|k| r.get::<_, Option<i64>>(10 + k))
            .collect::<Result<Vec<_>, _>>()?;
        let costs = (0..3)
            .map(|k| r.get::<_, Option<f64>>(16 + k))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(Promoted {
            name: r.get(8)?,
            session: r.get(9)?,
            tokens,
            costs,
        }))
    }

    fn row_to_info(r: &rusqlite::Row<'_>, schema: Schema) -> rusqlite::Result<TraceInfo> {
        Ok(TraceInfo {
            trace_id: r.get(0)?,
            experiment_id: r.get::<_, Option<i64>>(1)?.map(|e| e.to_string()),
            request_time_ms: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
            duration_ms: r.get(3)?,
            state: TraceState::parse(&r.get::<_, Option<String>>(4)?.unwrap_or_default()),
            client_request_id: r.get(5)?,
            request_preview: r.get(6)?,
            response_preview: r.get(7)?,
            schema,
            ..TraceInfo::default()
        })
    }

    /// Loads tags, metadata and assessments for these traces, in one statement per table.
    fn fill_details(&self, conn: &Connection, infos: &mut [TraceInfo]) -> rusqlite::Result<()> {
        if infos.is_empty() {
            return Ok(());
        }
        let index: HashMap<String, usize> = infos
            .iter()
            .enumerate()
            .map(|(i, t)| (t.trace_id.clone(), i))
            .collect();
        let ids: Vec<String> = infos.iter().map(|t| t.trace_id.clone()).collect();
        // sqlite's bound-parameter limit is 32766 in the bundled build; pages are smaller.
        for chunk in ids.chunks(900) {
            let marks = vec!["?"; chunk.len()].join(",");
            for (table, is_tag) in [("trace_tags", true), ("trace_request_metadata", false)] {
                let sql = format!(
                    "SELECT request_id, key, value FROM {table} WHERE request_id IN ({marks})"
                );
                let mut st = conn.prepare(&sql)?;
                let rows = st.query_map(params_from_iter(chunk.iter()), |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                    ))
                })?;
                for row in rows {
                    let (id, k, v) = row?;
                    if let Some(&i) = index.get(&id) {
                        let map = if is_tag {
                            &mut infos[i].tags
                        } else {
                            &mut infos[i].metadata
                        };
                        map.insert(k, v);
                    }
                }
            }
            if self.has_assessments {
                let sql = format!(
                    "SELECT assessment_id, trace_id, name, assessment_type, value, error, source_type, \
                     source_id, span_id, rationale, valid, overrides FROM assessments WHERE trace_id IN ({marks}) \
                     ORDER BY created_timestamp"
                );
                let mut st = conn.prepare(&sql)?;
                let rows = st.query_map(params_from_iter(chunk.iter()), |r| {
                    let value: Option<String> = r.get(4)?;
                    let error: Option<String> = r.get(5)?;
                    Ok((
                        r.get::<_, String>(1)?,
                        Assessment {
                            id: r.get(0)?,
                            name: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                            kind: r
                                .get::<_, Option<String>>(3)?
                                .unwrap_or_else(|| "feedback".into()),
                            value: value
                                .map(|v| serde_json::from_str(&v).unwrap_or(Value::String(v))),
                            source_type: r.get(6)?,
                            source_id: r.get(7)?,
                            span_id: r.get(8)?,
                            rationale: r.get(9)?,
                            error: error.map(|e| {
                                serde_json::from_str::<Value>(&e)
                                    .ok()
                                    .and_then(|v| {
                                        v.get("error_message")
                                            .and_then(Value::as_str)
                                            .map(str::to_string)
                                    })
                                    .unwrap_or(e)
                            }),
                            valid: r.get::<_, Option<bool>>(10)?,
                            overrides: r.get(11)?,
                        },
                    ))
                })?;
                for row in rows {
                    let (id, a) = row?;
                    if let Some(&i) = index.get(&id) {
                        infos[i].assessments.push(a);
                    }
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

    /// Adds tags, metadata and assessments, then the promoted columns over them.
    fn finish(
        &self,
        c: &Connection,
        rows: Vec<(TraceInfo, Option<Promoted>)>,
    ) -> rusqlite::Result<Vec<TraceInfo>> {
        let (mut infos, promoted): (Vec<TraceInfo>, Vec<Option<Promoted>>) =
            rows.into_iter().unzip();
        self.fill_details(c, &mut infos)?;
        for (info, p) in infos.iter_mut().zip(promoted) {
            if let Some(p) = p {
                p.apply(info);
            }
        }
        Ok(infos)
    }

    fn experiment_ids_sql(&self, query: &ListQuery) -> (String, Vec<String>) {
        let (mut sql, params) = if query.experiment_ids.is_empty() {
            (
                "experiment_id IN (SELECT experiment_id FROM experiments WHERE lifecycle_stage = 'active')".to_string(),
                Vec::new(),
            )
        } else {
            let marks = vec!["?"; query.experiment_ids.len()].join(",");
            (
                format!("experiment_id IN ({marks})"),
                query.experiment_ids.clone(),
            )
        };
        if let Some(t) = query.since_ms {
            // a number, not text: written into the SQL as one
            sql.push_str(&format!(" AND timestamp_ms >= {t}"));
        }
        (sql, params)
    }

    fn spans_from_table(
        &self,
        conn: &Connection,
        trace_id: &str,
    ) -> rusqlite::Result<Vec<(String, String)>> {
        let mut st = conn.prepare(
            "SELECT span_id, content FROM spans WHERE trace_id = ? \
             ORDER BY (parent_span_id IS NOT NULL), start_time_unix_nano",
        )?;
        let rows = st.query_map([trace_id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                r.get::<_, Option<String>>(1)?.unwrap_or_default(),
            ))
        })?;
        rows.collect()
    }
}

impl LocalStore for SqliteStore {
    fn watch_target(&self) -> Option<super::watch::WatchTarget> {
        // the folder, not the file: the -wal/-journal files come and go
        let dir = self.path.parent().filter(|d| !d.as_os_str().is_empty());
        Some(super::watch::WatchTarget {
            path: dir.map_or_else(|| PathBuf::from("."), Path::to_path_buf),
            recursive: false,
            name_prefix: Some(self.path.file_name()?.to_string_lossy().into_owned()),
            ignore_suffixes: vec!["-shm"],
        })
    }

    fn describe(&self) -> String {
        format!("sqlite {}", self.path.display())
    }

    fn experiments(&self) -> Result<Vec<Experiment>, SourceError> {
        self.with_conn(|c| {
            let mut st = c.prepare(
                "SELECT experiment_id, name, lifecycle_stage FROM experiments ORDER BY experiment_id",
            )?;
            let rows = st.query_map([], |r| {
                Ok(Experiment {
                    id: r.get::<_, i64>(0)?.to_string(),
                    name: r.get::<_, Option<String>>(1)?.unwrap_or_default(),
                    active: r.get::<_, Option<String>>(2)?.as_deref() != Some("deleted"),
                })
            })?;
            rows.collect()
        })
    }

    fn list(&self, query: &ListQuery) -> Result<TracePage, SourceError> {
        if let Some(page) = super::filtered_page(self, query, crate::model::filter::Store::Sql)? {
            return Ok(page);
        }
        if let Some(page) = super::ordered_page(self, query)? {
            return Ok(page);
        }
        let offset = parse_offset_token(query.page_token.as_deref())?;
        let limit = if query.max_results == 0 {
            -1
        } else {
            query.max_results as i64
        };
        let (where_exp, params) = self.experiment_ids_sql(query);
        let sql = format!(
            "SELECT {} FROM trace_info WHERE {where_exp} \
             ORDER BY timestamp_ms DESC, request_id ASC LIMIT {limit} OFFSET {offset}",
            self.info_columns()
        );
        let count_sql = format!("SELECT COUNT(*) FROM trace_info WHERE {where_exp}");
        self.with_conn(|c| {
            let infos = {
                let mut st = c.prepare(&sql)?;
                let rows = st.query_map(params_from_iter(params.iter()), |r| {
                    Ok((Self::row_to_info(r, Schema::V3)?, self.promoted_of(r)?))
                })?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            let infos = self.finish(c, infos)?;
            let total: i64 =
                c.query_row(&count_sql, params_from_iter(params.iter()), |r| r.get(0))?;
            let next = offset + infos.len();
            Ok(TracePage {
                next_page_token: ((next as i64) < total && !infos.is_empty())
                    .then(|| next.to_string()),
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
        let (info, rows) = self.with_conn(|c| {
            let infos = {
                let mut st = c.prepare(&sql)?;
                let rows = st.query_map([trace_id], |r| {
                    Ok((Self::row_to_info(r, Schema::V3)?, self.promoted_of(r)?))
                })?;
                rows.collect::<Result<Vec<_>, _>>()?
            };
            let mut infos = self.finish(c, infos)?;
            let rows = match (infos.is_empty(), self.has_spans) {
                (false, true) => self.spans_from_table(c, trace_id)?,
                _ => Vec::new(),
            };
            Ok((infos.pop(), rows))
        })?;
        let Some(info) = info else {
            return Err(SourceError::NotFound(format!(
                "no trace {trace_id} in {}",
                self.path.display()
            )));
        };
        let mut warnings = Vec::new();
        let mut spans: Vec<Span> = Vec::with_capacity(rows.len());
        for (span_id, content) in rows {
            if content.is_empty() {
                continue; // archived: the content lives elsewhere
            }
            match parse_span(&content) {
                Ok(s) => spans.push(s),
                Err(e) => warnings.push(format!("span {span_id}: {e}")),
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

impl SqliteStore {
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
        let db_dir = self.path.parent().unwrap_or(Path::new("."));
        let grand = db_dir.parent().unwrap_or(db_dir);
        match resolve_dir(artifacts, &[db_dir, grand]) {
            Some(dir) => match read_traces_json(&dir) {
                Ok(r) => r,
                Err(e) => (Vec::new(), vec![e.to_string()]),
            },
            None => (
                Vec::new(),
                vec![format!(
                    "spans are at {artifacts}, which is not a local folder that exists here"
                )],
            ),
        }
    }
}
