"""Figures against the production-like deployment of scripts/deploy_servers.sh (run through
scripts/bench_deploy.sh, which starts it with 100,000 traces). Each figure beside a yardstick
measured in the same run:

  1. launch to the first rows on screen (tmux, 200x50) vs the server's first page of 500
     (the request mlflow-tui makes, timed from Python): the difference, target <= 0.3 s
  2. `list -n 0 --json` of every trace, paging the server, vs Python urllib + json.loads
     paging the same endpoint with the same page size
  3. the explorer scrolled to the last of all traces (`G` until every page is in): time and
     peak RSS
  4. a filter pushed down (`attributes.status = 'ERROR'`, a tenth of the traces) vs the
     unfiltered listing
  5. the PostgreSQL store read directly (`list postgresql://… -n 0`) vs psql copying the same
     trace_info rows to /dev/null
"""

import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, "target/release/mlflow-tui")
url = os.environ["MLFLOW_TUI_DEPLOY_PROXIED"]
pg = os.environ["MLFLOW_TUI_DEPLOY_PG_PROXIED"]
total = int(os.environ["MLFLOW_TUI_DEPLOY_TRACES"])
runs = int(os.environ.get("RUNS", "5"))


def post(path, body):
    req = urllib.request.Request(
        url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read())


def get(path):
    with urllib.request.urlopen(url + path, timeout=60) as r:
        return json.loads(r.read())


exp = get("/api/2.0/mlflow/experiments/get-by-name?experiment_name=load")["experiment"]["experiment_id"]
search = {
    "locations": [{"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": exp}}],
    "max_results": 500,
    "order_by": ["timestamp_ms DESC"],
}


def timed(f):
    t = time.perf_counter()
    out = f()
    return time.perf_counter() - t, out


def median_of(f, n=runs):
    return statistics.median(timed(f)[0] for _ in range(n))


def tmux(*args):
    return subprocess.run(["tmux", *args], capture_output=True, text=True).stdout


def screen():
    return tmux("capture-pane", "-p", "-t", "bench")


def launch(args):
    tmux("kill-session", "-t", "bench")
    t0 = time.perf_counter()
    tmux("new-session", "-d", "-s", "bench", "-x", "200", "-y", "50", binary, *args)
    return t0


def wait_screen(pred, t0, limit=600):
    while time.perf_counter() - t0 < limit:
        s = screen()
        if pred(s):
            return time.perf_counter() - t0, s
        time.sleep(0.005)
    raise SystemExit(f"bench_deploy: timed out; the screen was:\n{screen()}")


def rss_peak_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


print(f"machine: {os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}; "
      f"{total} traces in PostgreSQL, MLflow 3.17 with artifacts proxied to an S3 emulator; {runs} runs, medians")

# 1. first rows on screen vs the server's first page
page = median_of(lambda: post("/api/3.0/mlflow/traces/search", search))
firsts = []
for _ in range(runs):
    t0 = launch([url, "-e", "load"])
    dt, _ = wait_screen(lambda s: "Traces 1/" in s and "ERROR" in s, t0)
    firsts.append(dt)
tmux("kill-session", "-t", "bench")
first = statistics.median(firsts)
print(f"1. first rows on screen {first*1000:.0f} ms after launch; the server's first page alone "
      f"{page*1000:.0f} ms: {max(first - page, 0)*1000:.0f} ms after it (target <= 300 ms: "
      f"{'met' if first - page <= 0.3 else 'NOT met'})")


# 2. every trace, paged
def python_pages():
    body, n = dict(search), 0
    while True:
        r = post("/api/3.0/mlflow/traces/search", body)
        n += len(r.get("traces", []))
        tok = r.get("next_page_token")
        if not tok:
            return n
        body = dict(search, page_token=tok)


py_all, py_n = timed(python_pages)
tui_all, out = timed(lambda: subprocess.run([binary, "list", url, "-e", "load", "-n", "0", "--json"],
                                             capture_output=True, check=True).stdout)
ids = [t["trace_id"] for t in json.loads(out)]
assert len(ids) == len(set(ids)) == py_n, (len(ids), len(set(ids)), py_n)
print(f"2. list of all {len(ids)} traces (no duplicates): mlflow-tui {tui_all:.2f} s; Python urllib + "
      f"json.loads paging the same endpoint {py_all:.2f} s ({py_all / tui_all:.2f}x)")

# 3. the explorer to the very end
t0 = launch([url, "-e", "load"])
wait_screen(lambda s: "Traces 1/" in s, t0)
pid = int(tmux("display", "-p", "-t", "bench", "#{pane_pid}").strip())
want = f"Traces {total}/{total} "  # not the "+" of a list still paging
while True:
    tmux("send-keys", "-t", "bench", "G")
    s = screen()
    if want in s:
        break
    if time.perf_counter() - t0 > 1200:
        raise SystemExit(f"bench_deploy: never reached the end:\n{s}")
    time.sleep(0.05)
end = time.perf_counter() - t0
peak = rss_peak_mb(pid)
tmux("kill-session", "-t", "bench")
print(f"3. explorer scrolled to the last of {total} traces in {end:.1f} s; peak RSS {peak:.0f} MB "
      f"({peak * 1024 * 1024 / max(total, 1):.0f} bytes per trace)")

# 4. a filter on the server's side
flt, out = timed(lambda: subprocess.run(
    [binary, "list", url, "-e", "load", "-n", "0", "--json", "--filter", "attributes.status = 'ERROR'"],
    capture_output=True, check=True).stdout)
n_err = len(json.loads(out))
print(f"4. filter attributes.status = 'ERROR': {n_err} traces in {flt:.2f} s (all {len(ids)}: {tui_all:.2f} s)")

# 5. the PostgreSQL store itself
psql = median_of(lambda: subprocess.run(
    ["psql", pg, "-qAt", "-c",
     "\\copy (SELECT * FROM trace_info WHERE experiment_id = %s ORDER BY timestamp_ms DESC) TO '/dev/null'" % exp],
    check=True), 3)
direct, out = timed(lambda: subprocess.run([binary, "list", pg, "-e", exp, "-n", "0", "--json"],
                                           capture_output=True, check=True).stdout)
n_direct = len(json.loads(out))
first_direct = median_of(lambda: subprocess.run([binary, "list", pg, "-e", exp, "-n", "500"],
                                                capture_output=True, check=True), 3)
print(f"5. the PostgreSQL store read directly: all {n_direct} traces with tags and metadata in "
      f"{direct:.2f} s, the first 500 in {first_direct*1000:.0f} ms; psql copying the trace_info rows alone "
      f"{psql:.2f} s")

# 6. follow mode on the 100k experiment: 20 new traces, from the end of their upload to the
#    last one printed by `list --follow`
import select  # noqa: E402

follow = subprocess.Popen([binary, "list", url, "-e", "load", "-f", "--json", "-n", "1", "--interval", "1"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
while b"following" not in follow.stderr.readline():
    pass
out_fd = follow.stdout.fileno()  # read unbuffered: select() cannot see what a buffer holds


def lines_until(n):
    got = b""
    while got.count(b"\n") < n:
        ready, _, _ = select.select([out_fd], [], [], 60)
        if not ready:
            raise SystemExit("bench_deploy: follow printed %d of %d lines" % (got.count(b"\n"), n))
        got += os.read(out_fd, 1 << 16)


lines_until(1)  # the newest one already there
subprocess.run([sys.executable, os.path.join(root, "scripts/load_otlp.py"), url, "load", "20", "--spread-s", "1"],
               check=True, capture_output=True)
uploaded = time.perf_counter()
lines_until(20)
delay = time.perf_counter() - uploaded
rss = rss_peak_mb(follow.pid)
follow.kill()
print(f"6. list --follow on the {total}-trace experiment: 20 new traces printed {delay:.2f} s after their "
      f"upload ended (polling every 1 s); peak RSS {rss:.0f} MB")
