#!/usr/bin/env bash
# Makes the bench inputs under benches/data/ (not committed):
#   spans-5k.json    a 5,000-span agent trace written by the real MLflow SDK (Trace.to_json)
#   spans-100k.json  the same trace grown to 100,000 spans by copying its subtrees
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-python.sh"
data="$root/benches/data"
mkdir -p "$data"
py="$root/.venv/mlflow3/bin/python"
if [ ! -s "$data/spans-5k.json" ]; then
  MLFLOW_ENABLE_ASYNC_TRACE_LOGGING=false "$py" "$root/scripts/gen_big_trace.py" 5000 "$data/spans-5k.json"
fi
if [ ! -s "$data/spans-100k.json" ]; then
  "$py" "$root/scripts/grow_trace.py" "$data/spans-5k.json" 100000 "$data/spans-100k.json"
fi
ls -la "$data"
