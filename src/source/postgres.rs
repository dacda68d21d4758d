//! MLflow's SQL store in PostgreSQL, read directly (`postgresql://USER[:PASSWORD]@HOST[:PORT]/DB`,
//! as the MLflow client and `mlflow server --backend-store-uri` take it, `+psycopg2` and other
//! driver suffixes allowed), by [`super::sql::SqlStore`]: the same queries as the sqlite store.
//!
//! Every read is one read-only transaction (the session itself is read-only too), so the
//! database refuses any write, and PostgreSQL's MVCC means a reader never blocks MLflow's
//! writers. The password comes from the URI or `PGPASSWORD` and is never printed. TLS is not
//! spoken yet: a server that requires it is said to, with the way round it (the tracking server).

use std::sync::mpsc;
use std::time::Duration;

use postgres::types::{ToSql, Type};
use postgres::{Client, Config, NoTls};

use super::SourceError;
use super::sql::{Cell, Db, Row, SqlStore, has_scheme};

pub type PostgresStore = SqlStore<Postgres>;

/// The driver blocks on a tokio runtime of its own, which can neither start nor be dropped on a
/// thread that drives async tasks: the connection lives on a thread of its own, and every
/// statement is a job sent to it. Dropping the store ends the thread (and the session).
pub struct Postgres {
    jobs: mpsc::Sender<Job>,
    name: String,
}

struct Conn {
    config: Config,
    client: Client,
    name: String,
}

type Job = Box<dyn FnOnce(&mut Conn) + Send>;

/// Is this argument a PostgreSQL URI (`postgresql://`, `postgres://`, `postgresql+psycopg2://`)?
pub fn is_uri(arg: &str) -> bool {
    has_scheme(arg, &["postgresql", "postgres"])
}

/// The URI as the driver reads it: no `+driver` suffix on the scheme.
fn driver_uri(uri: &str) -> String {
    match uri.split_once("://") {
        Some((_, rest)) => format!("postgresql://{rest}"),
        None => uri.to_string(),
    }
}

fn name_of(config: &Config) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        #[cfg(unix)]
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let db = config.get_dbname().unwrap_or("");
    format!("postgresql {user}{host}:{port}/{db}")
}

fn pg_err(name: &str, e: &postgres::Error) -> SourceError {
    if let Some(db) = e.as_db_error() {
        return SourceError::Database(format!("{name}: {}", db.message()));
    }
    // the driver's own words, then what caused them ("error connecting to server: Connection refused")
    let mut msg = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        msg.push_str(": ");
        msg.push_str(&c.to_string());
        cause = c.source();
    }
    let lower = msg.to_ascii_lowercase();
    if lower.contains("tls") || lower.contains("ssl") {
        return SourceError::Network(format!(
            "{name}: TLS (sslmode=require and the like) is not spoken by mlflow-tui's PostgreSQL reader yet; open the tracking server that serves this store instead ({msg})"
        ));
    }
    SourceError::Network(format!("{name}: {msg}"))
}

fn connect(config: &Config, name: &str) -> Result<Client, SourceError> {
    config.connect(NoTls).map_err(|e| pg_err(name, &e))
}

fn cell(row: &postgres::Row, i: usize) -> Cell {
    let ty = row.columns()[i].type_();
    let got = match *ty {
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)
            .map(|v| v.map(|v| Cell::Int(v.into()))),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)
            .map(|v| v.map(|v| Cell::Int(v.into()))),
        Type::INT8 => row.try_get::<_, Option<i64>>(i).map(|v| v.map(Cell::Int)),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(i)
            .map(|v| v.map(|v| Cell::Real(v.into()))),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i).map(|v| v.map(Cell::Real)),
        Type::BOOL => row.try_get::<_, Option<bool>>(i).map(|v| v.map(Cell::Bool)),
        _ => row
            .try_get::<_, Option<String>>(i)
            .map(|v| v.map(Cell::Text)),
    };
    got.ok().flatten().unwrap_or(Cell::Null)
}

/// `?` placeholders as PostgreSQL's `$1, $2…` (the store's SQL has no `?` inside literals).
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

impl PostgresStore {
    pub fn open(uri: &str) -> Result<Self, SourceError> {
        let shown = super::redact_url(uri);
        let mut config: Config = driver_uri(uri)
            .parse()
            .map_err(|e| SourceError::Other(format!("{shown}: not a PostgreSQL URI ({e})")))?;
        if config.get_password().is_none()
            && let Ok(p) = std::env::var("PGPASSWORD")
        {
            config.password(p);
        }
        if config.get_user().is_none()
            && let Ok(u) = std::env::var("PGUSER").or_else(|_| std::env::var("USER"))
        {
            config.user(&u);
        }
        config
            .application_name("mlflow-tui")
            .connect_timeout(Duration::from_secs(10))
            // the session cannot write, whatever a statement says; a stuck read ends
            .options("-c default_transaction_read_only=on -c statement_timeout=60000");
        let name = name_of(&config);
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready, opened) = mpsc::channel();
        let thread_name = name.clone();
        std::thread::Builder::new()
            .name("postgres".into())
            .spawn(move || {
                let client = match connect(&config, &thread_name) {
                    Ok(c) => c,
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                let _ = ready.send(Ok(()));
                let mut conn = Conn {
                    config,
                    client,
                    name: thread_name,
                };
                for job in inbox {
                    job(&mut conn);
                }
            })
            .map_err(|e| SourceError::Other(format!("{name}: {e}")))?;
        opened
            .recv()
            .map_err(|_| SourceError::Other(format!("{name}: the connection failed")))??;
        SqlStore::new(Postgres { jobs, name })
    }
}

impl Postgres {
    /// Runs `f` on the connection's thread and waits for its answer.
    fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Conn) -> Result<T, SourceError> + Send + 'static,
    ) -> Result<T, SourceError> {
        let (tx, rx) = mpsc::channel();
        let gone = || SourceError::Other(format!("{}: the connection is gone", self.name));
        self.jobs
            .send(Box::new(move |c| {
                let _ = tx.send(f(c));
            }))
            .map_err(|_| gone())?;
        rx.recv().map_err(|_| gone())?
    }
}

impl Db for Postgres {
    fn begin(&mut self) -> Result<(), SourceError> {
        self.run(|c| {
            if c.client.is_closed() {
                // the server restarted or the network broke: a new session, once per read
                c.client = connect(&c.config, &c.name)?;
            }
            c.client
                .batch_execute("BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .map_err(|e| pg_err(&c.name, &e))
        })
    }

    fn end(&mut self) {
        // nothing was written: rolling back ends the snapshot, error or not
        let _ = self.run(|c| {
            let _ = c.client.batch_execute("ROLLBACK");
            Ok(())
        });
    }

    fn query(&mut self, sql: &str, params: &[&str]) -> Result<Vec<Row>, SourceError> {
        let sql = numbered(sql);
        let params: Vec<String> = params.iter().map(|p| p.to_string()).collect();
        self.run(move |c| {
            let refs: Vec<&(dyn ToSql + Sync)> =
                params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            let rows = c
                .client
                .query(sql.as_str(), &refs)
                .map_err(|e| pg_err(&c.name, &e))?;
            Ok(rows
                .iter()
                .map(|r| (0..r.len()).map(|i| cell(r, i)).collect())
                .collect())
        })
    }

    fn no_limit(&self) -> &'static str {
        "ALL"
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
        assert!(is_uri("postgresql://u@h/db"));
        assert!(is_uri("postgres://h/db"));
        assert!(is_uri("postgresql+psycopg2://u:p@h:5433/db"));
        assert!(!is_uri("postgresql"));
        assert!(!is_uri("postgresfoo.db"));
        assert_eq!(
            driver_uri("postgresql+psycopg2://u:p@h:5433/db"),
            "postgresql://u:p@h:5433/db"
        );
    }

    #[test]
    fn placeholders_are_numbered() {
        assert_eq!(numbered("a IN (?,?) AND b = ?"), "a IN ($1,$2) AND b = $3");
    }

    #[test]
    fn the_name_has_no_password() {
        let c: Config = "postgresql://me:s3cret@db.example:5433/mlflow"
            .parse()
            .unwrap();
        let n = name_of(&c);
        assert_eq!(n, "postgresql me@db.example:5433/mlflow");
    }

    #[test]
    fn an_unreachable_server_is_said_plainly() {
        // a port nothing listens on (bound then released)
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = PostgresStore::open(&format!("postgresql://me:s3cret@127.0.0.1:{port}/x"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("127.0.0.1"), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
}
