#!/usr/bin/env bash
# Makes screenshots/*.png of the real UI: the release binary runs on the demo in tmux, keys are
# sent as a user would type them, and each screen (captured with its colours) is drawn to PNG
# by scripts/ansi_to_png.py.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup-python.sh
cargo build --release -q
py="$root/.venv/mlflow3/bin/python"
cols=170 rows=46
sock="mlflow-tui-shots-$$"
t() { tmux -L "$sock" -f /dev/null "$@"; }
trap 't kill-server 2>/dev/null' EXIT
mkdir -p screenshots
wait_for() {
  for _ in $(seq 200); do t capture-pane -p -t s | grep -q -- "$1" && return 0; sleep 0.05; done
  echo "screenshots: timed out waiting for '$1'" >&2; t capture-pane -p -t s >&2; exit 1
}
shot() {
  t capture-pane -e -p -t s > "$root/target/shot.txt"
  "$py" scripts/ansi_to_png.py "$root/target/shot.txt" "screenshots/$1.png" "$cols" "$rows"
  echo "screenshots/$1.png"
}
t new-session -d -s s -x "$cols" -y "$rows" "env TZ=UTC TERM=xterm-256color $root/target/release/mlflow-tui $root/assets/demo"
wait_for "Traces 1/53"
wait_for "Name        moderated_reply"
for _ in 1 2 3 4 5 6 7; do t send-keys -t s j; done
wait_for "Name        travel_agent"
t send-keys -t s Enter
t send-keys -t s j
wait_for '"temperature": 0.2'
shot explorer
for _ in 1 2 3 4; do t send-keys -t s ']'; done
wait_for "── assistant ──"
shot chat
t send-keys -t s Escape
sleep 0.3
t send-keys -t s k
wait_for "Name        batch_job"
t send-keys -t s Enter
t send-keys -t s G ']' ']' ']'
wait_for "Traceback"
shot exception
t kill-session -t s 2>/dev/null || true

# the assistant's working day: its sessions, one read as a conversation, a turn's transcript
t new-session -d -s s -x "$cols" -y "$rows" "env TZ=UTC TERM=xterm-256color $root/target/release/mlflow-tui $root/assets/demo"
wait_for "Traces 1/53"
t send-keys -t s I
wait_for "Sessions · "
t send-keys -t s G
sleep 0.3
shot sessions
t send-keys -t s Enter
wait_for "turn 1 of 4"
shot session
t send-keys -t s Escape
sleep 0.3
t send-keys -t s Escape
wait_for "Traces "
t send-keys -t s /
t send-keys -t s -l "hold the delta"
t send-keys -t s Enter
wait_for "Traces 1/1 of 53"
wait_for "Spans 1/"
t send-keys -t s i
wait_for "TimeoutError"
shot transcript
t kill-session -t s 2>/dev/null || true

# review mode on a real tracking server serving a copy of the demo
srv=$(mktemp -d)
cp assets/demo/mlflow.db "$srv/mlflow.db"
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$srv" && exec setsid "$root/.venv/mlflow3/bin/mlflow" server --host 127.0.0.1 --port "$port" \
   --backend-store-uri "sqlite:///$srv/mlflow.db" --default-artifact-root "$srv/artifacts" \
   > "$srv/server.log" 2>&1) &
server=$!
trap 't kill-server 2>/dev/null; kill -- -$server 2>/dev/null; rm -rf "$srv"' EXIT
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
t new-session -d -s s -x "$cols" -y "$rows" "env TZ=UTC TERM=xterm-256color USER=maria $root/target/release/mlflow-tui http://127.0.0.1:$port"
wait_for "Traces 1/"
t send-keys -t s /
t send-keys -t s -l "assistant_turn"
t send-keys -t s Enter
wait_for "of 53 · /assistant_turn"
t send-keys -t s A
wait_for "review feedback>"
t send-keys -t s C-u
t send-keys -t s -l "resolved"
t send-keys -t s Enter
wait_for "reviewing resolved"
t send-keys -t s y
wait_for "wrote feedback resolved"
t send-keys -t s n
wait_for "Traces 3/"
# a second look at the one just failed: the verdict is updated, not doubled
t send-keys -t s k
t send-keys -t s a
wait_for "annotate>"
t send-keys -t s C-u
t send-keys -t s -l "resolved=yes # second look: it did answer"
t send-keys -t s Enter
wait_for "updated your feedback resolved"
wait_for "rationale: second look: it did answer"
shot review
t kill-session -t s 2>/dev/null || true
kill -- -"$server" 2>/dev/null || true

# the analyses, on traces with known answers: the waterfall of a parallel agent, two runs compared
t new-session -d -s s -x "$cols" -y "$rows" "env TZ=UTC TERM=xterm-256color $root/target/release/mlflow-tui $root/tests/fixtures/v3/analysis"
wait_for "Traces 1/5"
t send-keys -t s G
wait_for "Traces 5/5"
wait_for "critical_path"
t send-keys -t s W
wait_for "window 0ns"
t send-keys -t s x
sleep 0.3
shot waterfall
t send-keys -t s W
wait_for "Traces 5/5"
t send-keys -t s Escape
sleep 0.3
t send-keys -t s g
wait_for "Traces 1/5"
t send-keys -t s m
wait_for "marked"
t send-keys -t s j
wait_for "Spans 1/3 of 3"
t send-keys -t s D
wait_for "Compare "
t send-keys -t s j j j
wait_for "politely"
shot compare
t kill-session -t s 2>/dev/null || true

# live tail: a copy of the demo followed while the real SDK logs into it
live=$(mktemp -d)
cp assets/demo/mlflow.db "$live/mlflow.db"
t new-session -d -s s -x "$cols" -y "$rows" "env TZ=UTC TERM=xterm-256color $root/target/release/mlflow-tui --follow --interval 0.5 $live/mlflow.db"
wait_for "● live"
"$py" scripts/live_logger.py --uri "sqlite:///$live/mlflow.db" --experiment Default \
  --count 6 --interval 0.4 --long 8 >/dev/null 2>&1 &
logger=$!
wait_for "live_5"
wait_for "● RUNNING"
shot live
wait "$logger" || true
rm -rf "$live"
