"""Time from launching a command in a fresh tmux window to a text on its screen, and the
command's peak RSS then (scripts/bench_open.sh).
usage: tmux_open.py MARKER WIDTH HEIGHT RUNS CMD...   prints: median_s min_s peak_rss_kb"""
import statistics, subprocess, sys, time
marker, w, h, runs, cmd = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:]
sock = "bench-open"
def tmux(*a, **kw):
    return subprocess.run(["tmux", "-L", sock, *a], capture_output=True, text=True, **kw)
times, rss = [], []
for _ in range(runs):
    tmux("kill-server")
    tmux("new-session", "-d", "-s", "b", "-x", w, "-y", h, "sleep 600")
    pane_pid = None
    t0 = time.perf_counter()
    tmux("respawn-pane", "-k", "-t", "b", " ".join(cmd))
    while True:
        out = tmux("capture-pane", "-p", "-t", "b").stdout
        if marker in out:
            break
        if time.perf_counter() - t0 > 60:
            sys.exit(f"no {marker!r} on screen after 60 s:\n{out}")
    times.append(time.perf_counter() - t0)
    time.sleep(2)  # the peak of the whole open: the analyses run after the first frame
    pid = tmux("display", "-p", "-t", "b", "#{pane_pid}").stdout.strip()
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM:"):
                rss.append(int(line.split()[1]))
    except OSError:
        pass
    tmux("kill-server")
print(f"{statistics.median(times):.3f} {min(times):.3f} {max(rss) if rss else 0}")
