#!/usr/bin/env bash
# Idle cost of the explorer: runs the release binary on the demo in tmux, lets it settle,
# then for 10 seconds of no input measures the CPU time it used (from /proc) and the bytes it
# wrote to the terminal (tmux pipe-pane). Both should be zero or close to it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --release -q
sock="mlflow-tui-idle-$$"
out=$(mktemp)
t() { tmux -L "$sock" -f /dev/null "$@"; }
trap 't kill-server 2>/dev/null; rm -f "$out"' EXIT
t new-session -d -s idle -x 160 -y 45 "$root/target/release/mlflow-tui $root/assets/demo"
for _ in $(seq 100); do t capture-pane -p -t idle | grep -q "Traces (27)" && break; sleep 0.1; done
pid=$(t display-message -p -t idle '#{pane_pid}')
sleep 2   # let the first trace load and the spinner stop
t pipe-pane -t idle "cat > $out"
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
before=$(ticks)
sleep 10
after=$(ticks)
t pipe-pane -t idle
bytes=$(stat -c %s "$out")
echo "idle 10 s: cpu $(( (after - before) * 1000 / hz )) ms, ${bytes} bytes written to the terminal"
