#!/usr/bin/env bash
# How fast a trace opens, each figure against a yardstick measured in the same run (issue 12):
#   1. whole-process `mlflow-tui show` of the 5k-span export vs MLflow's Python
#      `Trace.from_json` on the same file, in-process (target: >= 10x faster)
#   2. launch to the span tree on screen for the 100k-span export, in tmux at 200x50 and 80x24,
#      vs CPython `json.loads` of the same file (target: >= 2x faster), and peak RSS vs the file
#      (target: <= 2x)
#   3. `mlflow-tui list` of the 100k file (target: <= 50 ms)
#   4. with SERVER=1 or SERVER=otlp: a 5k-span and a 20k-span trace from a real `mlflow
#      server` 3.17 on 127.0.0.1 (started here, sqlite backend, stopped afterwards) vs curl of
#      the same span artifact (target: <= 1.1x curl), each a process of its own, taking turns
#      (the server's own time drifts by 10 % over a minute). SERVER=1 logs the traces with the
#      SDK (the server takes about 20 minutes to store 20k spans so); SERVER=otlp sends them to
#      the server's OTLP endpoint (scripts/gen_big_otlp.py, seconds).
# Usage: scripts/bench_open.sh            (RUNS=N to change the number of runs per figure)
#        SERVER=1 scripts/bench_open.sh   SERVER=otlp scripts/bench_open.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
runs=${RUNS:-9}
[ -s benches/data/spans-100k.json ] || scripts/gen_bench_data.sh >/dev/null
cargo build --release -q --bin mlflow-tui --example fetch_trace
bin="$root/target/release/mlflow-tui"
py="$root/.venv/mlflow3/bin/python"
f5k=benches/data/spans-5k.json
f100k=benches/data/spans-100k.json
id=$("$bin" list "$f5k" --json | "$py" -c 'import json,sys; print(json.load(sys.stdin)[0]["trace_id"])')
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), $(uname -sr); $runs runs per figure, medians"

# 1. show of the 5k export vs Trace.from_json (each timed from a process of its own: a
#    process that has just parsed a trace with MLflow is slow to start others)
from_json=$("$py" - "$f5k" "$runs" <<'PY'
import statistics, sys, time
from mlflow.entities import Trace
text = open(sys.argv[1]).read()
ts = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter(); Trace.from_json(text); ts.append(time.perf_counter() - t)
print(statistics.median(ts))
PY
)
python3 - "$bin" "$f5k" "$id" "$runs" "$from_json" <<'PY'
import statistics, subprocess, sys, time
bin, path, tid, runs, py = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
def median(cmd):
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)
show = median([bin, "show", path, tid])
js = median([bin, "show", path, tid, "--json"])
print(f"1. 5k export: Python Trace.from_json (in-process) {py*1e3:.1f} ms | "
      f"mlflow-tui show (whole process) {show*1e3:.1f} ms = {py/show:.1f}x faster | "
      f"show --json {js*1e3:.1f} ms = {py/js:.1f}x   (target >= 10x)")
PY

# 2. the 100k tree on screen, in tmux, vs json.loads
size=$(stat -c %s "$f100k")
loads=$("$py" - "$f100k" "$runs" <<'PY'
import json, statistics, sys, time
ts = []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter(); json.loads(open(sys.argv[1]).read()); ts.append(time.perf_counter() - t)
print(statistics.median(ts))
PY
)
for geom in "200 50" "80 24"; do
  read -r med _min rss < <("$py" "$root/scripts/tmux_open.py" "of 100000" $geom "$runs" "$bin" "$f100k")
  awk -v m="$med" -v l="$loads" -v r="$rss" -v s="$size" -v g="$geom" 'BEGIN {
    printf "2. 100k export at %s: CPython json.loads %.0f ms | launch to span tree on screen %.0f ms = %.2fx faster (target >= 2x) | peak RSS %.0f MB = %.2fx the file (target <= 2x)\n",
      g, l*1000, m*1000, l/m, r/1024, (r*1024)/s }'
done

# 3. list of the 100k file
"$py" - "$bin" "$f100k" "$runs" <<'PY'
import statistics, subprocess, sys, time
ts = []
for _ in range(int(sys.argv[3])):
    t = time.perf_counter()
    subprocess.run([sys.argv[1], "list", sys.argv[2]], stdout=subprocess.DEVNULL, check=True)
    ts.append(time.perf_counter() - t)
print(f"3. list of the 100k export: {statistics.median(ts)*1e3:.1f} ms (target <= 50 ms)")
PY

# 4. from a real server
if [ "${SERVER:-0}" = 0 ] && [ -z "${SERVER_URL:-}" ]; then
  echo "4. server: skipped (SERVER=1 starts a real mlflow server and logs 5k and 20k spans with the SDK, SERVER=otlp sends them over OTLP; SERVER_URL=URL SERVER_TRACES='ID ...' measures traces already there)"
  exit 0
fi
if [ -n "${SERVER_URL:-}" ]; then
  url=$SERVER_URL
  read -r -a ids <<< "${SERVER_TRACES:?SERVER_TRACES: the ids of the traces to fetch from SERVER_URL}"
else
  work=$(mktemp -d)
  port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  (cd "$work" && exec setsid "$root/.venv/mlflow3/bin/mlflow" server --host 127.0.0.1 --port "$port" \
     --backend-store-uri "sqlite:///$work/mlflow.db" --default-artifact-root "$work/artifacts" \
     --workers 2 > "$work/server.log" 2>&1) &
  spid=$!
  trap 'kill -- "-$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true; rm -rf "$work"' EXIT
  url="http://127.0.0.1:$port"
  for _ in $(seq 120); do curl -sf "$url/health" >/dev/null 2>&1 && break; sleep 0.5; done
  ids=()
  for n in 5000 20000; do
    if [ "$SERVER" = otlp ]; then
      ids+=("$("$py" scripts/gen_big_otlp.py "$url" "$n")")
      continue
    fi
    # the server stores spans slowly (minutes for 20k here): logged first, measured after
    MLFLOW_ENABLE_ASYNC_TRACE_LOGGING=false "$py" scripts/gen_big_trace.py "$n" "$work/big-$n.json" "$url" >/dev/null 2>&1
    ids+=("$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1]))["info"]["trace_id"])' "$work/big-$n.json")")
  done
fi
for tid in "${ids[@]}"; do
  python3 - "$url" "$tid" "$runs" <<'PY'
import statistics, subprocess, sys, time
url, tid = sys.argv[1], sys.argv[2]
runs = max(int(sys.argv[3]), 15)  # the server's own time varies by 10 %: more turns
ours, curl, spans = [], [], 0
for _ in range(runs):
    t = time.perf_counter()
    out = subprocess.run(["target/release/examples/fetch_trace", url, tid, "1"],
                         capture_output=True, text=True, check=True).stdout
    ours.append(time.perf_counter() - t)
    spans = int(out.split(": ")[1].split()[0])
    t = time.perf_counter()
    subprocess.run(["curl", "-sf", "-o", "/dev/null",
                    f"{url}/ajax-api/2.0/mlflow/get-trace-artifact?request_id={tid}"], check=True)
    curl.append(time.perf_counter() - t)
o, c = statistics.median(ours), statistics.median(curl)
print(f"4. {spans}-span trace from mlflow server 3.17: curl of its span artifact {c*1e3:.0f} ms | "
      f"mlflow-tui fetch (info + spans) and parse {o*1e3:.0f} ms = {o/c:.2f}x curl (target <= 1.1x)"
      " | each a process, taking turns")
PY
done
