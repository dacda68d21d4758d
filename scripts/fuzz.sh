#!/usr/bin/env bash
# Runs every cargo-fuzz target for a set time (default 600 s each) and records how long each
# ran and what it found in fuzz/RESULTS.md.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Needs a nightly toolchain (libFuzzer's instrumentation and AddressSanitizer) and cargo-fuzz;
# installs cargo-fuzz 0.13.2 if it is missing. Seeds come from the committed fixtures (traces the
# real MLflow SDK wrote) and tests/hostile; the corpus grows under fuzz/corpus (not committed).
# A crash leaves its input in fuzz/artifacts/<target>/; copy it to tests/fuzz_regressions/<target>/
# so that `cargo test --test hostile` keeps checking it.
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-600}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
  TARGETS=(trace_file spans_doc trace_info filter sanitize render otlp)
fi
rustup run nightly rustc --version >/dev/null 2>&1 || {
  echo "fuzz.sh: needs a nightly toolchain (rustup toolchain install nightly)" >&2; exit 2; }
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2

seed() {
  local t=$1 dir=fuzz/corpus/$1
  mkdir -p "$dir"
  case $t in
    trace_file|render)
      find tests/fixtures -path '*export*' -name '*.json' -size -64k -exec cp {} "$dir/" \; ;;
    spans_doc)
      find tests/fixtures -name 'traces.json' -size -64k | head -40 | while read -r f; do
        cp "$f" "$dir/$(echo "$f" | md5sum | cut -c1-12).json"; done ;;
    trace_info)
      find tests/fixtures -name 'trace_info.yaml' | head -20 | while read -r f; do
        cp "$f" "$dir/$(echo "$f" | md5sum | cut -c1-12).yaml"; done ;;
    filter)
      printf "%s" "attributes.status = 'ERROR' AND span.type = 'TOOL'" > "$dir/a"
      printf "%s" "tags.env LIKE 'd%' and metadata.\`mlflow.trace.user\` ILIKE '%an%'" > "$dir/b"
      printf "%s" "trace.text RLIKE '^he(l+)o' AND timestamp_ms >= 1 AND feedback.score = 1.5" > "$dir/c"
      printf "%s" "span.attributes.model IN ('a', \"b\") AND execution_time_ms < 10" > "$dir/d" ;;
    otlp)
      # the first byte picks the body's kind: 0 protobuf, 1 JSON, 2 gzipped protobuf
      printf '\001%s' '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"app"}}]},"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"chat","startTimeUnixNano":"1","endTimeUnixNano":"2","attributes":[{"key":"gen_ai.operation.name","value":{"stringValue":"chat"}},{"key":"gen_ai.input.messages","value":{"stringValue":"[{\"role\":\"user\",\"parts\":[{\"type\":\"text\",\"content\":\"hi\"}]}]"}},{"key":"gen_ai.usage.input_tokens","value":{"intValue":"3"}}],"events":[{"name":"exception","timeUnixNano":"2","attributes":[{"key":"exception.type","value":{"stringValue":"E"}}]}]}]}]}]}' > "$dir/json"
      if [ -x .venv/otel/bin/python ]; then
        .venv/otel/bin/python - "$dir" <<'PY'
import gzip, json, sys
from google.protobuf.json_format import Parse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
doc = open(sys.argv[1] + "/json", "rb").read()[1:].decode()
# protobuf's JSON mapping wants base64 ids; OTLP JSON has hex
d = json.loads(doc)
import base64
for rs in d["resourceSpans"]:
    for ss in rs["scopeSpans"]:
        for s in ss["spans"]:
            for k in ("traceId", "spanId"):
                s[k] = base64.b64encode(bytes.fromhex(s[k])).decode()
msg = Parse(json.dumps(d), ExportTraceServiceRequest()).SerializeToString()
open(sys.argv[1] + "/proto", "wb").write(b"\x00" + msg)
open(sys.argv[1] + "/gzip", "wb").write(b"\x02" + gzip.compress(msg))
PY
      fi ;;
    sanitize)
      printf 'plain text' > "$dir/a"
      printf 'esc \033]52;c;aGk=\007 title \033]0;x\007 csi \033[2J' > "$dir/b"
      printf 'bidi \xe2\x80\xae evil \xe2\x81\xa6 zw\xe2\x80\x8bsp wide \xe4\xbd\xa0\xe5\xa5\xbd \xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb cr\r nul\x00 tab\t' > "$dir/c" ;;
  esac
  if [ -d tests/hostile ]; then
    find tests/hostile -type f -size -64k -exec cp {} "$dir/" \; 2>/dev/null || true
  fi
  if [ -d "tests/fuzz_regressions/$t" ]; then cp tests/fuzz_regressions/"$t"/* "$dir/" 2>/dev/null || true; fi
}

# built once, then run as plain binaries (edits made while it runs do not rebuild them)
cargo +nightly fuzz build >/dev/null
BIN=fuzz/target/x86_64-unknown-linux-gnu/release
RESULTS=fuzz/RESULTS.md
rows=$(mktemp)
# rows of targets not run this time are kept from the last results
if [ -f "$RESULTS" ]; then grep '^| [a-z_]* | [0-9]' "$RESULTS" > "$rows" || true; fi
status=0
for t in "${TARGETS[@]}"; do
  seed "$t"
  mkdir -p "fuzz/artifacts/$t"
  log="fuzz/artifacts/$t.log"
  echo "fuzz.sh: $t for $SECS s" >&2
  start=$(date +%s)
  set +e
  ASAN_OPTIONS="detect_odr_violation=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" "$BIN/$t" "fuzz/corpus/$t" \
    -max_total_time="$SECS" -timeout=10 -rss_limit_mb=4096 -max_len=262144 \
    -artifact_prefix="fuzz/artifacts/$t/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - start ))
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
  crashes=$(find "fuzz/artifacts/$t" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
  if [ $rc -ne 0 ]; then status=1; echo "fuzz.sh: $t stopped with $rc, see $log" >&2; fi
  row="| $t | $took | ${runs:-?} | $corpus | $crashes | $(date -u +%Y-%m-%d) |"
  grep -v "^| $t |" "$rows" > "$rows.new" || true
  echo "$row" >> "$rows.new"
  mv "$rows.new" "$rows"
done
{
  echo "# Fuzzing runs"
  echo
  echo "\`scripts/fuzz.sh SECONDS\` on $(nproc) cores, $(rustup run nightly rustc --version)."
  echo "Each row is the last run of that target; crashes are inputs left in fuzz/artifacts/."
  echo
  echo "| target | seconds | runs | corpus | crashes | date |"
  echo "|---|---|---|---|---|---|"
  for t in trace_file spans_doc trace_info filter sanitize render otlp; do grep "^| $t |" "$rows" || true; done
} > "$RESULTS"
rm -f "$rows"
cat "$RESULTS"
exit $status
