//! MLflow's SQL store as a local sqlite file (`mlflow.db`, the default store since MLflow 3.7),
//! read by [`super::sql::SqlStore`].
//!
//! Opened read-only, and every read is one short statement (no transaction held across them)
//! so that a running MLflow that writes to the same file is never blocked for long, whatever
//! its journal mode.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, params_from_iter};

use super::SourceError;
use super::sql::{Cell, Db, Row, SqlStore, names};

pub type SqliteStore = SqlStore<Sqlite>;

pub struct Sqlite {
    path: PathBuf,
    conn: Connection,
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

fn cell(v: ValueRef<'_>) -> Cell {
    match v {
        ValueRef::Null => Cell::Null,
        ValueRef::Integer(i) => Cell::Int(i),
        ValueRef::Real(f) => Cell::Real(f),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            Cell::Text(String::from_utf8_lossy(t).into_owned())
        }
    }
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
        let mut db = Sqlite {
            path: path.to_path_buf(),
            conn,
        };
        let tables = db.tables()?;
        if !tables.contains("trace_info") || !tables.contains("experiments") {
            return Err(SourceError::bad_file(
                path,
                "a sqlite database, but not an MLflow tracking store (no trace_info table; MLflow 2.14 or newer writes traces)",
            ));
        }
        SqlStore::new(db)
    }
}

impl Sqlite {
    fn query_rows(&self, sql: &str, params: &[&str]) -> Result<Vec<Row>, SourceError> {
        let run = || -> rusqlite::Result<Vec<Row>> {
            let mut st = self.conn.prepare(sql)?;
            let n = st.column_count();
            let rows = st.query_map(params_from_iter(params.iter()), |r| {
                (0..n).map(|i| r.get_ref(i).map(cell)).collect()
            })?;
            rows.collect()
        };
        run().map_err(|e| db_err(&self.path, e))
    }
}

impl Db for Sqlite {
    fn begin(&mut self) -> Result<(), SourceError> {
        Ok(())
    }

    fn end(&mut self) {}

    fn query(&mut self, sql: &str, params: &[&str]) -> Result<Vec<Row>, SourceError> {
        self.query_rows(sql, params)
    }

    fn tables(&mut self) -> Result<HashSet<String>, SourceError> {
        Ok(names(self.query_rows(
            "SELECT name FROM sqlite_master WHERE type = 'table'",
            &[],
        )?))
    }

    fn columns(&mut self, table: &str) -> Result<HashSet<String>, SourceError> {
        Ok(names(self.query_rows(
            "SELECT name FROM pragma_table_info(?)",
            &[table],
        )?))
    }

    fn no_limit(&self) -> &'static str {
        "-1"
    }

    fn describe(&self) -> String {
        format!("sqlite {}", self.path.display())
    }

    fn artifact_bases(&self) -> Vec<PathBuf> {
        let db_dir = self.path.parent().unwrap_or(Path::new("."));
        let grand = db_dir.parent().unwrap_or(db_dir);
        vec![db_dir.to_path_buf(), grand.to_path_buf()]
    }

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
}
