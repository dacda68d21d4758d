#!/usr/bin/env bash
# Regenerates tests/fixtures/ and assets/demo/ with the real MLflow SDK (pinned in
# scripts/requirements-*.txt). Run it after changing scripts/gen_traces.py; commit the result.
#
#   tests/fixtures/v3/sqlite/     mlflow.db written by MLflow 3.x (spans in the `spans` table)
#   tests/fixtures/v3/export/     the same traces as Trace.to_json(), one file each + traces.jsonl
#   tests/fixtures/v3/filestore/  an mlruns file store written by MLflow 3.x, and migrated.db,
#                                 made from it by `mlflow migrate-filestore` (spans stay in
#                                 the artifacts: the tag mlflow.trace.spansLocation is absent)
#   tests/fixtures/v35/           MLflow 3.5.0 (hex span ids, `tr-` trace_id): sqlite + export
#   tests/fixtures/v2/sqlite/     mlflow.db + artifact folder written by MLflow 2.x
#   tests/fixtures/v2/export/     the same traces as Trace.to_json() (v2 shape)
#   tests/fixtures/v2/filestore/  an mlruns file store written by MLflow 2.x
#   tests/fixtures/*/analysis/    traces with known answers for the analyses (gen_analysis.py)
#   tests/fixtures/v3/frameworks/ conversations from OpenAI, Anthropic, LangChain, LangGraph,
#                                 DSPy, Gemini, Bedrock, LlamaIndex and PydanticAI under autolog
#                                 (gen_chat_fixtures.py), MLflow 3.17.2: sqlite + export
#   tests/fixtures/v318/frameworks/ the same under MLflow 3.18.0
#   assets/demo/mlflow.db         demo traces (MLflow 3.x, default sqlite store): the scenarios
#                                 and a travel assistant's working day (gen_demo.py)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup-python.sh"
gen="$root/scripts/gen_traces.py"
# With an argument, writes everything under that folder instead (CI checks that freshly
# written traces read the same as the committed ones): DIR/fixtures and DIR/demo.
if [ $# -ge 1 ]; then
  mkdir -p "$1"; out=$(cd "$1" && pwd)
  fx="$out/fixtures"; demo="$out/demo"
else
  fx="$root/tests/fixtures"; demo="$root/assets/demo"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

py() { local v=$1; shift; "$root/.venv/$v/bin/python" "$@"; }

# Writes with cwd = the store's folder, so the default artifact root (./mlruns) lands there.
sqlite_store() { # venv outdir exportdir [extra args]
  local v=$1 out=$2 exp=$3; shift 3
  rm -rf "$out" "$exp"; mkdir -p "$out"
  (cd "$out" && py "$v" "$gen" --tracking-uri "sqlite:///$out/mlflow.db" --export "$exp" \
     --manifest "$out/manifest.json" "$@")
}

file_store() { # venv outdir [extra args]
  local v=$1 out=$2; shift 2
  rm -rf "$out"; mkdir -p "$out"
  (cd "$out" && MLFLOW_ALLOW_FILE_STORE=true py "$v" "$gen" --tracking-uri "file://$out/mlruns" \
     --manifest "$out/manifest.json" "$@")
}

sqlite_store mlflow3 "$fx/v3/sqlite" "$fx/v3/export" --hostile
file_store mlflow3 "$fx/v3/filestore" --hostile
(cd "$fx/v3/filestore" && "$root/.venv/mlflow3/bin/mlflow" migrate-filestore --no-progress \
   --source "$fx/v3/filestore" --target "sqlite:///$fx/v3/filestore/migrated.db" >/dev/null)
sqlite_store mlflow35 "$fx/v35/sqlite" "$fx/v35/export" --hostile
sqlite_store mlflow2 "$fx/v2/sqlite" "$fx/v2/export" --hostile
file_store mlflow2 "$fx/v2/filestore" --hostile

# conversations written by the frameworks' own autolog (OpenAI, Anthropic, LangChain,
# LangGraph, DSPy, Gemini, Bedrock, LlamaIndex, PydanticAI), offline against fake endpoints on 127.0.0.1 (scripts/fake_llm.py)
# under MLflow 3.17.2 (v3/) and 3.18.0 (v318/)
frameworks() { # venv outdir
  local v=$1 fw=$2
  rm -rf "$fw"; mkdir -p "$fw/sqlite"
  (cd "$fw/sqlite" && MLFLOW_ENABLE_ASYNC_TRACE_LOGGING=false py "$v" \
     "$root/scripts/gen_chat_fixtures.py" --tracking-uri "sqlite:///$fw/sqlite/mlflow.db" \
     --export "$fw/export" --manifest "$fw/sqlite/manifest.json")
}
frameworks frameworks "$fx/v3/frameworks"
frameworks frameworks318 "$fx/v318/frameworks"

# traces with known answers for the analyses (critical path, folds, lints, diff)
analysis() { # venv generation
  local v=$1 g=$2
  rm -rf "$fx/$g/analysis"
  (cd "$work" && MLFLOW_ENABLE_ASYNC_TRACE_LOGGING=false py "$v" "$root/scripts/gen_analysis.py" \
     --tracking-uri "sqlite:///$work/analysis-$g.db" --export "$fx/$g/analysis")
}
analysis mlflow3 v3
analysis mlflow35 v35
analysis mlflow2 v2

rm -rf "$demo"; mkdir -p "$demo"
(cd "$work" && py mlflow3 "$gen" --tracking-uri "sqlite:///$demo/mlflow.db" \
   --experiment demo-app --demo 3)
# a working day of a travel assistant before those: sessions, tool calls, failures, a long agent
# loop, a judge's and a person's feedback (frameworks' autolog, fake endpoints on 127.0.0.1)
(cd "$work" && MLFLOW_ENABLE_ASYNC_TRACE_LOGGING=false py frameworks "$root/scripts/gen_demo.py" \
   --tracking-uri "sqlite:///$demo/mlflow.db" --experiment demo-app)
# The sqlite store keeps spans in the database; the empty artifact folders it leaves are not needed.
find "$fx" "$demo" -type d -empty -delete
echo "fixtures written under $fx and $demo"
