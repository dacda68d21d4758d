#!/usr/bin/env bash
# The 100k-trace figures of issue 16 against a production-like deployment (PostgreSQL + an S3
# emulator + MLflow 3.17, scripts/deploy_servers.sh): loads TRACES (default 100000) traces into
# the proxied server over MLflow's OTLP endpoint (about 6-7 minutes on 2 cores), then prints
# each figure beside its yardstick (scripts/bench_deploy.py). Not run by CI.
# Usage: scripts/bench_deploy.sh     (TRACES=N, RUNS=N)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
cargo build --release -q --bin mlflow-tui
command -v tmux >/dev/null || { echo "bench_deploy: needs tmux" >&2; exit 1; }
MLFLOW_TUI_DEPLOY_TRACES=${TRACES:-100000} MLFLOW_TUI_DEPLOY_DIRECT_TRACES=200 \
  scripts/deploy_servers.sh "$root/.venv/deploy/bin/python" scripts/bench_deploy.py
