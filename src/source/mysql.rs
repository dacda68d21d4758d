//! MLflow's SQL store in MySQL or MariaDB, read directly (`mysql://USER[:PASSWORD]@HOST[:PORT]/DB`,
//! as the MLflow client and `mlflow server --backend-store-uri` take it, `+pymysql` and other
//! driver suffixes allowed), by [`super::sql::SqlStore`]: the same queries as the sqlite store.
//!
//! The session is read-only and every read is one `READ ONLY` transaction with a consistent
//! snapshot (InnoDB's MVCC: a reader never blocks MLflow's writers). The password comes from
//! the URI or `MYSQL_PWD` and is never printed. TLS is not spoken yet.

use mysql::consts::ColumnType;
use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder, Params, Value};

use super::SourceError;
use super::sql::{Cell, Db, Row, SqlStore, has_scheme};

pub type MysqlStore = SqlStore<Mysql>;

pub struct Mysql {
    opts: Opts,
    conn: Conn,
    name: String,
}

/// Is this argument a MySQL URI (`mysql://`, `mysql+pymysql://`, `mariadb://`)?
pub fn is_uri(arg: &str) -> bool {
    has_scheme(arg, &["mysql", "mariadb"])
}

/// The URI as the driver reads it: `mysql://`, no `+driver` suffix, no SQLAlchemy query
/// options the driver does not know (`?charset=utf8mb4`).
fn driver_uri(uri: &str) -> String {
    let rest = uri.split_once("://").map_or(uri, |(_, r)| r);
    let rest = rest.split('?').next().unwrap_or(rest);
    format!("mysql://{rest}")
}

fn name_of(opts: &Opts) -> String {
    let user = opts.get_user().map(|u| format!("{u}@")).unwrap_or_default();
    format!(
        "mysql {user}{}:{}/{}",
        opts.get_ip_or_hostname(),
        opts.get_tcp_port(),
        opts.get_db_name().unwrap_or("")
    )
}

fn my_err(name: &str, e: &mysql::Error) -> SourceError {
    match e {
        mysql::Error::MySqlError(m) => SourceError::Database(format!("{name}: {}", m.message)),
        mysql::Error::IoError(io) => {
            SourceError::Network(format!("{name}: {}", super::io_reason(io)))
        }
        other => SourceError::Network(format!("{name}: {other}")),
    }
}

fn cell(v: Value, ty: ColumnType) -> Cell {
    match v {
        Value::NULL => Cell::Null,
        Value::Int(i) => Cell::Int(i),
        Value::UInt(u) => Cell::Int(i64::try_from(u).unwrap_or(i64::MAX)),
        Value::Float(f) => Cell::Real(f.into()),
        Value::Double(d) => Cell::Real(d),
        Value::Bytes(b) => {
            let text = String::from_utf8_lossy(&b).into_owned();
            match ty {
                ColumnType::MYSQL_TYPE_NEWDECIMAL | ColumnType::MYSQL_TYPE_DECIMAL => {
                    text.parse().map_or(Cell::Text(text), Cell::Real)
                }
                _ => Cell::Text(text),
            }
        }
        other => Cell::Text(other.as_sql(true)),
    }
}

impl MysqlStore {
    pub fn open(uri: &str) -> Result<Self, SourceError> {
        let shown = super::redact_url(uri);
        let opts = Opts::from_url(&driver_uri(uri))
            .map_err(|e| SourceError::Other(format!("{shown}: not a MySQL URI ({e})")))?;
        let has_pass = opts.get_pass().is_some();
        let mut b = OptsBuilder::from_opts(opts)
            .tcp_connect_timeout(Some(std::time::Duration::from_secs(10)))
            // the session cannot write, whatever a statement says
            .init(vec!["SET SESSION TRANSACTION READ ONLY"]);
        if !has_pass && let Ok(p) = std::env::var("MYSQL_PWD") {
            b = b.pass(Some(p));
        }
        let opts: Opts = b.into();
        let name = name_of(&opts);
        let conn = Conn::new(opts.clone()).map_err(|e| my_err(&name, &e))?;
        SqlStore::new(Mysql { opts, conn, name })
    }
}

impl Db for Mysql {
    fn begin(&mut self) -> Result<(), SourceError> {
        if self.conn.ping().is_err() {
            // the server restarted or the network broke: a new session, once per read
            self.conn = Conn::new(self.opts.clone()).map_err(|e| my_err(&self.name, &e))?;
        }
        self.conn
            .query_drop("START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT")
            .map_err(|e| my_err(&self.name, &e))
    }

    fn end(&mut self) {
        // nothing was written: rolling back ends the snapshot, error or not
        let _ = self.conn.query_drop("ROLLBACK");
    }

    fn query(&mut self, sql: &str, params: &[&str]) -> Result<Vec<Row>, SourceError> {
        let params = if params.is_empty() {
            Params::Empty
        } else {
            Params::Positional(params.iter().map(|p| Value::from(*p)).collect())
        };
        let name = self.name.clone();
        let err = |e: mysql::Error| my_err(&name, &e);
        let result = self.conn.exec_iter(sql, params).map_err(err)?;
        let types: Vec<ColumnType> = result
            .columns()
            .as_ref()
            .iter()
            .map(|c| c.column_type())
            .collect();
        let mut rows = Vec::new();
        for row in result {
            let row = row.map_err(|e| my_err(&self.name, &e))?;
            rows.push(
                row.unwrap()
                    .into_iter()
                    .zip(&types)
                    .map(|(v, t)| cell(v, *t))
                    .collect(),
            );
        }
        Ok(rows)
    }

    fn current_schema(&self) -> &'static str {
        "DATABASE()"
    }

    fn no_limit(&self) -> &'static str {
        // MySQL has no LIMIT ALL; its manual's own "all rows" is the largest unsigned BIGINT
        "18446744073709551615"
    }

    fn describe(&self) -> String {
        self.name.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_as_mlflow_takes_them() {
        assert!(is_uri("mysql://u@h/db"));
        assert!(is_uri("mysql+pymysql://u:p@h:3307/db"));
        assert!(is_uri("mariadb://h/db"));
        assert!(!is_uri("mysqlish.db"));
        assert_eq!(
            driver_uri("mysql+pymysql://u:p@h:3307/db?charset=utf8mb4"),
            "mysql://u:p@h:3307/db"
        );
    }

    #[test]
    fn the_name_has_no_password() {
        let o = Opts::from_url("mysql://me:s3cret@db.example:3307/mlflow").unwrap();
        assert_eq!(name_of(&o), "mysql me@db.example:3307/mlflow");
    }

    #[test]
    fn an_unreachable_server_is_said_plainly() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = MysqlStore::open(&format!("mysql://me:s3cret@127.0.0.1:{port}/x"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("127.0.0.1"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
}
