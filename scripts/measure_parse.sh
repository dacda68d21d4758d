#!/usr/bin/env bash
# Time and peak memory of reading + parsing the bench traces once, with the release build.
# Prints one line per file: spans, milliseconds, peak RSS, file size and their ratio.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -s benches/data/spans-100k.json ] || scripts/gen_bench_data.sh >/dev/null
cargo build --release --example parse_file -q
for f in benches/data/spans-5k.json benches/data/spans-100k.json; do
  size=$(stat -c %s "$f")
  out=$( { /usr/bin/time -v target/release/examples/parse_file "$f"; } 2>&1 )
  rss_kb=$(printf '%s\n' "$out" | awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}')
  line=$(printf '%s\n' "$out" | grep 'read+parse')
  awk -v l="$line" -v r="$rss_kb" -v s="$size" 'BEGIN {
    printf "%s | peak RSS %.1f MB | file %.1f MB | RSS/file %.2fx\n", l, r/1024, s/1048576, (r*1024)/s }'
done
