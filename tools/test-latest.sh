#!/usr/bin/env bash
# Run the test suite against the newest releases that pyproject.toml allows (no constraints
# file), so that a breaking release is seen here before users see it. Not a step of .ci/run:
# a red result here is a warning to act on (an upper bound, a fix), not a failed build.
#
#   bash tools/test-latest.sh [pytest args]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
venv=$(mktemp -d)/venv
"$PY" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet --upgrade --upgrade-strategy eager -e ".[test]"
"$venv/bin/python" -m pip list --format=freeze | grep -i -E '^(duckdb|pandas|numpy|pyarrow|altair|papermill|nbval)=='
status=0
(. "$venv/bin/activate" && pytest --nbval-lax --doctest-modules esc tests notebooks "$@") || status=$?
rm -rf "$(dirname "$venv")"
exit $status
