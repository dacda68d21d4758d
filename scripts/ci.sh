#!/usr/bin/env bash
# Everything: formatting, lints, the test suite, the #[ignore]d tests that need real MLflow
# servers, the pinned venvs or tmux (run here with --include-ignored: a missing server fails),
# and the tests against traces that the real MLflow SDK writes right now on this machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TERM_COLOR=never
# a clean clone gains nothing from incremental builds, and they cost disk (0.5 GB here)
export CARGO_INCREMENTAL=0

step() { printf '\n==> %s\n' "$*"; }

# A linker that runs out of disk dies with SIGBUS ("ld terminated with signal 7"): say how much
# there was, so that such a failure reads as what it is. The whole run needs about 12 GB
# (target/ 4-5 GB, the venvs 6.5 GB).
step "disk"
df -h . | tail -n 1

# tmux drives the real binary in tests/tmux.rs; Debian's package if this machine lacks it
if ! command -v tmux >/dev/null 2>&1; then
  step "installing tmux"
  (apt-get update -qq && apt-get install -y -qq tmux) >/dev/null
fi

step "cargo fmt --check"
cargo fmt --all -- --check
cargo fmt --manifest-path fuzz/Cargo.toml -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings

step "cargo test (tests that need servers, the venvs or tmux are #[ignore]d here and run below)"
cargo test

step "the pinned MLflow venvs"
scripts/setup-python.sh

step "the export round trip, read back by MLflow's own Trace.from_json"
cargo test --test export -- --include-ignored

step "client certificates: a TLS stub that requires one (certificates made with the venv's cryptography)"
cargo test --test faults -- --include-ignored

step "journeys and tmux tests against the release binary"
cargo build --release -q
bin="$root/target/release/mlflow-tui"
MLFLOW_TUI_BIN="$bin" cargo test --test journeys
MLFLOW_TUI_BIN="$bin" cargo test --test tmux -- --include-ignored

step "real MLflow tracking servers (3.17, 2.22, 3.17 with basic auth, a file store) on 127.0.0.1"
MLFLOW_TUI_BIN="$bin" scripts/live_servers.sh cargo test --test server -- --include-ignored

step "live tail end to end: the real SDK logs while mlflow-tui follows (sqlite, a server, JSON)"
rm -f "$root/target/live-tail-delays.txt"
cargo test --test live -- --include-ignored --test-threads=1
cat "$root/target/live-tail-delays.txt"

step "the OTLP receiver end to end: the MLflow SDK, the OpenTelemetry SDK (GenAI), an OpenInference app and an OpenLLMetry app export to it and to a real server"
cargo test --test otlp -- --include-ignored

step "a production-like deployment: PostgreSQL and MariaDB (Debian), an S3 emulator, MLflow 3.17 proxied and --no-serve-artifacts, traces over OTLP and 2.22's in the bucket; the SQL stores read directly"
MLFLOW_TUI_BIN="$bin" scripts/deploy_servers.sh cargo test --test deploy -- --include-ignored

step "the fuzz targets still build (running them needs nightly: scripts/fuzz.sh)"
cargo check -q --manifest-path fuzz/Cargo.toml

step "fresh traces from the real MLflow SDK (pinned 3.17, 3.5, 2.22) and from nine LLM client libraries under autolog (3.17 and 3.18)"
fresh="$root/target/fresh-traces"
rm -rf "$fresh"
scripts/gen_fixtures.sh "$fresh" > "$root/target/gen-fixtures.log" 2>&1 || {
  tail -40 "$root/target/gen-fixtures.log"; exit 1; }
MLFLOW_TUI_FIXTURES="$fresh/fixtures" MLFLOW_TUI_DEMO="$fresh/demo" \
  cargo test --test sources --test analysis --test chat
MLFLOW_TUI_FIXTURES="$fresh/fixtures" cargo test --test export -- --include-ignored

step "all checks passed"
