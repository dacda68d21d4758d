#!/usr/bin/env bash
# Compares fetching the 5,000-span trace from a real MLflow server three ways, best of several
# runs each: mlflow-tui's fetch + parse, MLflow's Python client (`mlflow.get_trace`), and a raw
# HTTP download of the same span data with curl. Run it inside scripts/live_servers.sh:
#   scripts/live_servers.sh scripts/compare_server.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
url=${MLFLOW_TUI_SERVER_V3:?run this inside scripts/live_servers.sh}
cargo build --release -q --example fetch_trace --bin mlflow-tui
id=$(target/release/mlflow-tui list "$url" --filter "attributes.name = 'big_agent'" --json \
  | "$root/.venv/mlflow3/bin/python" -c 'import json,sys; print(json.load(sys.stdin)[0]["trace_id"])')
echo "trace $id on $url"
target/release/examples/fetch_trace "$url" "$id" 7
"$root/.venv/mlflow3/bin/python" - "$url" "$id" <<'PY'
import statistics, sys, time
import mlflow
mlflow.set_tracking_uri(sys.argv[1])
times = []
for _ in range(3):
    t = time.perf_counter()
    tr = mlflow.get_trace(sys.argv[2])
    times.append(time.perf_counter() - t)
print(f"python mlflow.get_trace: {len(tr.data.spans)} spans, best {min(times):.3f} s, median {statistics.median(times):.3f} s")
PY
best=""
for _ in $(seq 7); do
  t=$(curl -s -o /dev/null -w '%{time_total} %{size_download}' "$url/ajax-api/2.0/mlflow/get-trace-artifact?request_id=$id")
  best=$(printf '%s\n%s\n' "$best" "$t" | sed '/^$/d' | sort -n | head -1)
done
echo "raw HTTP (curl get-trace-artifact): best ${best%% *} s, $(( ${best##* } / 1048576 )) MB"
