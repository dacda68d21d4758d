#!/usr/bin/env bash
# Starts real MLflow tracking servers on 127.0.0.1 (free ports), fills them with traces written
# by the real SDK, runs a command with their URLs in the environment, and stops them:
#   MLFLOW_TUI_SERVER_V3    MLflow 3.17 (sqlite backend): the fixture scenarios, 600 small
#                           traces in experiments many-a/many-b, and a 5,000-span trace
#   MLFLOW_TUI_SERVER_V2    MLflow 2.22 (sqlite backend): the scenarios and 520 small traces
#   MLFLOW_TUI_SERVER_AUTH  MLflow 3.17 with the basic-auth app (admin, password Tui-admin-pass-2026)
#   MLFLOW_TUI_SERVER_FS    MLflow 3.17 on a file store (the scenarios), its folder in
#                           MLFLOW_TUI_SERVER_FS_DIR
#   MLFLOW_TUI_SERVER_V3_DB the 3.x server's own sqlite file; MLFLOW_TUI_SERVER_V3_EXPORT a
#                           folder with its traces exported by the SDK (Trace.to_json)
# Usage: scripts/live_servers.sh COMMAND...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-python.sh"
work=$(mktemp -d)
pids=()
cleanup() {
  # each server leads a process group of its own: its workers (uvicorn, huey) go with it
  for p in "${pids[@]}"; do kill -- "-$p" 2>/dev/null || kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { "$root/.venv/mlflow3/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() { # venv dir port [extra server args]
  local v=$1 dir=$2 port=$3; shift 3
  mkdir -p "$dir"
  (cd "$dir" && exec setsid "$root/.venv/$v/bin/mlflow" server --host 127.0.0.1 --port "$port" \
      --backend-store-uri "sqlite:///$dir/mlflow.db" --default-artifact-root "$dir/artifacts" \
      --workers 2 "$@" > "$dir/server.log" 2>&1) &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 120); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "live_servers: MLflow ($v) did not start on port $port" >&2
  tail -30 "$dir/server.log" >&2
  exit 1
}

p3=$(free_port); start mlflow3 "$work/v3" "$p3"
p2=$(free_port); start mlflow2 "$work/v2" "$p2"
pf=$(free_port)
(mkdir -p "$work/fs" && cd "$work/fs" && MLFLOW_ALLOW_FILE_STORE=true exec setsid "$root/.venv/mlflow3/bin/mlflow" server \
    --host 127.0.0.1 --port "$pf" --backend-store-uri "$work/fs/mlruns" --default-artifact-root "$work/fs/mlruns" \
    --workers 1 > "$work/fs/server.log" 2>&1) &
pids+=($!)
pa=$(free_port)
MLFLOW_FLASK_SERVER_SECRET_KEY=tui-test-secret MLFLOW_AUTH_ADMIN_PASSWORD=Tui-admin-pass-2026 start mlflow3 "$work/auth" "$pa" --app-name basic-auth

v3="http://127.0.0.1:$p3"; v2="http://127.0.0.1:$p2"; va="http://127.0.0.1:$pa"; vf="http://127.0.0.1:$pf"
for _ in $(seq 120); do curl -sf "$vf/health" >/dev/null 2>&1 && break; sleep 0.5; done
echo "live_servers: filling $v3 and $v2 (takes a minute)" >&2
(cd "$work/v3" && "$root/.venv/mlflow3/bin/python" "$root/scripts/gen_traces.py" --tracking-uri "$v3" --experiment scenarios --manifest "$work/v3/manifest.json" >/dev/null 2>&1) &
g1=$!
(cd "$work/v2" && "$root/.venv/mlflow2/bin/python" "$root/scripts/gen_traces.py" --tracking-uri "$v2" --experiment scenarios --manifest "$work/v2/manifest.json" >/dev/null 2>&1) &
g2=$!
wait $g1 $g2
(cd "$work/fs" && "$root/.venv/mlflow3/bin/python" "$root/scripts/gen_traces.py" --tracking-uri "$vf" --experiment scenarios >/dev/null 2>&1)
"$root/.venv/mlflow3/bin/python" - "$v3" "$work/v3-export" <<'PY' >/dev/null 2>&1
import os, sys
import mlflow
mlflow.set_tracking_uri(sys.argv[1])
os.makedirs(sys.argv[2], exist_ok=True)
exp = mlflow.get_experiment_by_name("scenarios")
for t in mlflow.search_traces(locations=[exp.experiment_id], return_type="list"):
    full = mlflow.get_trace(t.info.trace_id)
    with open(os.path.join(sys.argv[2], t.info.trace_id + ".json"), "w") as f:
        f.write(full.to_json())
PY
"$root/.venv/mlflow3/bin/python" "$root/scripts/log_many.py" "$v3" 600 >/dev/null 2>&1 &
g1=$!
"$root/.venv/mlflow2/bin/python" "$root/scripts/log_many.py" "$v2" 520 >/dev/null 2>&1 &
g2=$!
MLFLOW_ENABLE_ASYNC_TRACE_LOGGING=false "$root/.venv/mlflow3/bin/python" "$root/scripts/gen_big_trace.py" 5000 "$work/big.json" "$v3" >/dev/null 2>&1 &
g3=$!
wait $g1 $g2 $g3
MLFLOW_TRACKING_USERNAME=admin MLFLOW_TRACKING_PASSWORD=Tui-admin-pass-2026 \
  "$root/.venv/mlflow3/bin/python" "$root/scripts/log_many.py" "$va" 3 >/dev/null 2>&1
echo "live_servers: ready" >&2

export MLFLOW_TUI_SERVER_V3="$v3" MLFLOW_TUI_SERVER_V2="$v2" MLFLOW_TUI_SERVER_AUTH="$va"
export MLFLOW_TUI_SERVER_FS="$vf" MLFLOW_TUI_SERVER_FS_DIR="$work/fs/mlruns"
export MLFLOW_TUI_SERVER_V3_DB="$work/v3/mlflow.db" MLFLOW_TUI_SERVER_V3_EXPORT="$work/v3-export"
export MLFLOW_TUI_SERVER_V3_MANIFEST="$work/v3/manifest.json" MLFLOW_TUI_SERVER_V2_MANIFEST="$work/v2/manifest.json"
"$@"
