#!/usr/bin/env bash
# serde_json against simd-json and sonic-rs on the real exports (benches/parsers, a crate of
# its own that the project's build and CI never compile). Prints each as a ratio to serde_json.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ -s "$root/benches/data/spans-100k.json" ] || "$root/scripts/gen_bench_data.sh" >/dev/null
cd "$root/benches/parsers"
cargo build --release -q
RUNS=${RUNS:-7} target/release/bench-parsers "$root/benches/data/spans-5k.json" "$root/benches/data/spans-100k.json"
