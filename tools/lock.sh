#!/usr/bin/env bash
# Refresh constraints.txt: the exact versions that the README's commands and .ci/run install.
#
#   bash tools/lock.sh            # then run the tests on it and commit constraints.txt
#
# It installs esc with every extra into a throwaway Python 3.11 virtual environment, newest
# releases allowed within pyproject.toml's ranges, and freezes what it got. Refresh on purpose
# (a new dependency, a wanted upgrade), never as a side effect; `bash tools/test-latest.sh`
# tells beforehand whether the newest releases pass the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
venv=$(mktemp -d)/venv
"$PY" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e ".[test,lab,excel,comtrade]"
{
  echo "# Tested versions of everything esc installs, extras included (Python 3.11)."
  echo "# Used as: pip install -c constraints.txt -e \".[test]\"   (README, .ci/run)"
  echo "# Refresh on purpose with: bash tools/lock.sh   (see docs/reliability.md)"
  "$venv/bin/python" -m pip freeze --exclude-editable --all | grep -v -E '^(pip|setuptools|wheel)=='
} > constraints.txt
rm -rf "$(dirname "$venv")"
echo "constraints.txt: $(grep -c '==' constraints.txt) pinned packages"
