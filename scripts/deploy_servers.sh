#!/usr/bin/env bash
# A production-like MLflow deployment on 127.0.0.1, for the tests and benchmarks against it:
# PostgreSQL (Debian's package; its data under target/, a free port) and an S3-compatible store
# (moto's server, from PyPI), then two MLflow 3.17 tracking servers on PostgreSQL:
#   MLFLOW_TUI_DEPLOY_PROXIED  --artifacts-destination s3://mlflow-tui/proxied (artifacts
#                              proxied by the server, as `mlflow server` does by default)
#   MLFLOW_TUI_DEPLOY_DIRECT   --default-artifact-root s3://mlflow-tui/direct
#                              --no-serve-artifacts (clients reach the bucket themselves)
#   MLFLOW_TUI_DEPLOY_MYSQL    the same on MariaDB (Debian's package): a MySQL store
#                              (--default-artifact-root s3://mlflow-tui/mysql --no-serve-artifacts)
#   MLFLOW_TUI_DEPLOY_PG_PROXIED, MLFLOW_TUI_DEPLOY_PG_DIRECT, MLFLOW_TUI_DEPLOY_MY  their
#                              backend stores' URIs (the MySQL one with a password);
#                              MLFLOW_S3_ENDPOINT_URL, AWS_* the bucket's
# Each server gets MLFLOW_TUI_DEPLOY_TRACES traces (default 2000; the benchmark loads 100000;
# MLFLOW_TUI_DEPLOY_DIRECT_TRACES and MLFLOW_TUI_DEPLOY_MYSQL_TRACES set the others' apart)
# in experiment `load`, through MLflow's own OTLP endpoint (scripts/load_otlp.py), and the
# 2.x-era traces MLflow 2.22's SDK writes (scripts/gen_traces.py, experiment `scenarios`): their
# spans live as artifacts in the bucket. Then it runs COMMAND with all of that in the
# environment, and stops everything (data removed) however the command ends.
# Usage: [MLFLOW_TUI_DEPLOY_TRACES=N] scripts/deploy_servers.sh COMMAND...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
traces=${MLFLOW_TUI_DEPLOY_TRACES:-2000}
direct_traces=${MLFLOW_TUI_DEPLOY_DIRECT_TRACES:-$traces}
mysql_traces=${MLFLOW_TUI_DEPLOY_MYSQL_TRACES:-500}
"$root/scripts/setup-python.sh"
py="$root/.venv/deploy/bin/python"

pg_server() { ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 | xargs -r dirname; }
pgbin=$(pg_server)
if [ -z "$pgbin" ]; then
  echo "deploy_servers: installing Debian's postgresql" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql) >/dev/null
  pgbin=$(pg_server)
  # the package starts a cluster of its own: this script runs its own, on a free port
  service postgresql stop >/dev/null 2>&1 || true
fi

if [ ! -x /usr/sbin/mariadbd ]; then
  echo "deploy_servers: installing Debian's mariadb-server" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server) >/dev/null
  service mariadb stop >/dev/null 2>&1 || true
fi

mkdir -p "$root/target"
work=$(mktemp -d "$root/target/deploy.XXXXXX")
chmod 755 "$work"
pids=()
pg_started=
as_pg() { # PostgreSQL refuses to run as root: run its tools as the postgres user then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
cleanup() {
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [ -n "$pg_started" ] && as_pg "$pgbin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { # url pid what log
  for _ in $(seq 240); do
    curl -sf "$1" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || break
    sleep 0.5
  done
  echo "deploy_servers: $3 did not start" >&2
  tail -30 "$4" >&2
  exit 1
}

# PostgreSQL: a cluster of our own, trust auth on loopback only, its socket in the work dir
pgport=$(free_port)
mkdir -p "$work/pg" "$work/pgsock"
[ "$(id -u)" = 0 ] && chown postgres "$work/pg" "$work/pgsock"
as_pg "$pgbin/initdb" -D "$work/pg" -U mlflow --auth=trust -E UTF8 >"$work/initdb.log" 2>&1 || {
  cat "$work/initdb.log" >&2; exit 1; }
as_pg "$pgbin/pg_ctl" -D "$work/pg" -l "$work/pg/server.log" -w \
  -o "-p $pgport -k $work/pgsock -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
pg_started=1
for db in mlflow_proxied mlflow_direct; do
  "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U mlflow "$db"
done
pg="postgresql://mlflow@127.0.0.1:$pgport"

# MariaDB: a server of our own, on loopback, a user with a password for MLflow and the reader
myport=$(free_port)
mariadb-install-db --no-defaults --datadir="$work/my" --user="$(id -un)" >"$work/my-install.log" 2>&1 || {
  cat "$work/my-install.log" >&2; exit 1; }
(exec setsid /usr/sbin/mariadbd --no-defaults --datadir="$work/my" --socket="$work/my.sock" \
   --port="$myport" --bind-address=127.0.0.1 --user="$(id -un)" --skip-log-bin >"$work/my.log" 2>&1) &
pids+=($!)
for _ in $(seq 120); do
  mariadb-admin --no-defaults --socket="$work/my.sock" -uroot ping >/dev/null 2>&1 && break
  kill -0 "${pids[-1]}" 2>/dev/null || { tail -20 "$work/my.log" >&2; exit 1; }
  sleep 0.5
done
mypass=Tui-db-pass-2026
mariadb --no-defaults --socket="$work/my.sock" -uroot -e "CREATE DATABASE mlflow_my;
  CREATE USER 'mlflow'@'127.0.0.1' IDENTIFIED BY '$mypass';
  GRANT ALL ON mlflow_my.* TO 'mlflow'@'127.0.0.1';"
my="mysql://mlflow:$mypass@127.0.0.1:$myport/mlflow_my"

# the S3 emulator and its bucket
s3port=$(free_port)
(cd "$work" && exec setsid "$root/.venv/deploy/bin/moto_server" -H 127.0.0.1 -p "$s3port" >"$work/moto.log" 2>&1) &
pids+=($!)
wait_http "http://127.0.0.1:$s3port/moto-api/" "${pids[-1]}" "the S3 emulator" "$work/moto.log"
export MLFLOW_S3_ENDPOINT_URL="http://127.0.0.1:$s3port" AWS_ACCESS_KEY_ID=testing \
  AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1
"$py" -c "import boto3, os; boto3.client(\"s3\", endpoint_url=os.environ[\"MLFLOW_S3_ENDPOINT_URL\"]).create_bucket(Bucket=\"mlflow-tui\")"

start() { # name backend-store-uri port [server args]
  local name=$1 store=$2 port=$3; shift 3
  mkdir -p "$work/$name"
  (cd "$work/$name" && exec setsid "$root/.venv/deploy/bin/mlflow" server --host 127.0.0.1 --port "$port" \
      --backend-store-uri "$store" --workers 2 "$@" \
      > "$work/$name/server.log" 2>&1) &
  pids+=($!)
  wait_http "http://127.0.0.1:$port/health" "${pids[-1]}" "MLflow ($name)" "$work/$name/server.log"
}
pp=$(free_port); start proxied "postgresql+psycopg2://mlflow@127.0.0.1:$pgport/mlflow_proxied" "$pp" \
  --artifacts-destination s3://mlflow-tui/proxied
pd=$(free_port); start direct "postgresql+psycopg2://mlflow@127.0.0.1:$pgport/mlflow_direct" "$pd" \
  --default-artifact-root s3://mlflow-tui/direct --no-serve-artifacts
pm=$(free_port); start mysql "mysql+pymysql://mlflow:$mypass@127.0.0.1:$myport/mlflow_my" "$pm" \
  --default-artifact-root s3://mlflow-tui/mysql --no-serve-artifacts
proxied="http://127.0.0.1:$pp"; direct="http://127.0.0.1:$pd"; mysqlsrv="http://127.0.0.1:$pm"

echo "deploy_servers: loading $traces, $direct_traces and $mysql_traces traces over OTLP, and MLflow 2.22's traces" >&2
for url in "$proxied" "$direct" "$mysqlsrv"; do
  n=$traces; [ "$url" = "$direct" ] && n=$direct_traces; [ "$url" = "$mysqlsrv" ] && n=$mysql_traces
  "$py" "$root/scripts/load_otlp.py" "$url" load "$n" >/dev/null
  # 2.x-era traces: MLflow 2.22's SDK uploads their spans as artifacts (through the server's
  # proxy, or straight to the bucket when it does not serve artifacts)
  (cd "$work" && "$root/.venv/mlflow2/bin/python" "$root/scripts/gen_traces.py" --tracking-uri "$url" \
     --experiment scenarios >"$work/gen2.log" 2>&1) || { tail -30 "$work/gen2.log" >&2; exit 1; }
done

export MLFLOW_TUI_DEPLOY_PROXIED="$proxied" MLFLOW_TUI_DEPLOY_DIRECT="$direct" \
  MLFLOW_TUI_DEPLOY_MYSQL="$mysqlsrv" MLFLOW_TUI_DEPLOY_MY="$my" \
  MLFLOW_TUI_DEPLOY_PG_PROXIED="$pg/mlflow_proxied" MLFLOW_TUI_DEPLOY_PG_DIRECT="$pg/mlflow_direct" \
  MLFLOW_TUI_DEPLOY_TRACES="$traces" MLFLOW_TUI_DEPLOY_DIRECT_TRACES="$direct_traces" \
  MLFLOW_TUI_DEPLOY_MYSQL_TRACES="$mysql_traces" \
  MLFLOW_TUI_DEPLOY_DIR="$work"
"$@"
