#!/usr/bin/env bash
# Creates the pinned Python venvs that hold the real MLflow SDK and server:
#   .venv/mlflow3 (MLflow 3.17), .venv/mlflow35 (MLflow 3.5.0), .venv/mlflow2 (MLflow 2.22),
#   .venv/otel (plain OpenTelemetry and OpenInference apps, for the OTLP receiver's tests)
#   .venv/frameworks (MLflow 3.17 with OpenAI, Anthropic, LangChain, LangGraph, DSPy, Gemini,
#   Bedrock, LlamaIndex, PydanticAI: the
#   conversation fixtures, written by their autolog against fake endpoints on 127.0.0.1)
#   .venv/frameworks318 (the same frameworks under MLflow 3.18.0, installed --no-deps over
#   them: the index has no mlflow-skinny 3.18.0)
#   .venv/deploy (MLflow 3.17 with psycopg2, moto's S3 server and boto3: the PostgreSQL +
#   object-storage deployment of scripts/deploy_servers.sh)
# Idempotent: a venv whose pins have not changed is kept.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python3}
for gen in mlflow3 mlflow35 mlflow2 otel frameworks frameworks318 deploy; do
  req="$root/scripts/requirements-$gen.txt"
  nodeps="$root/scripts/requirements-$gen.nodeps.txt"
  venv="$root/.venv/$gen"
  stamp="$venv/.requirements"
  # what the venv was made from: its pins, the files they include, and the --no-deps overlay
  want=$(cd "$root/scripts" && cat "$req" $(sed -n 's/^-r //p' "$req") "$nodeps" 2>/dev/null || true)
  if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$want" = "$(cat "$stamp")" ]; then
    continue
  fi
  if [ ! -x "$venv/bin/python" ]; then
    echo "setup-python: creating $venv" >&2
    "$py" -m venv "$venv"
  fi
  (cd "$root/scripts" && "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$req")
  if [ -f "$nodeps" ]; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$nodeps"
  fi
  printf '%s' "$want" > "$stamp"
done
