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
# Python 3.11 is the floor: a pin whose release needs a later 3.11.x (Requires-Python such as
# >=3.11.5) gets a marker, and the newest release that installs on 3.11.0 is pinned beside it.
grep '==' constraints.txt | while read -r spec; do
  if ! "$venv/bin/python" -m pip download --quiet --no-deps --only-binary=:all: \
      --python-version 3.11.0 -d "$(dirname "$venv")/floor" "$spec" >/dev/null 2>&1; then
    name=${spec%%==*}
    dl=$(mktemp -d)
    "$venv/bin/python" -m pip download --quiet --no-deps --only-binary=:all: \
      --python-version 3.11.0 -d "$dl" "$name" >/dev/null 2>&1 || true
    old=$(ls "$dl" | head -1 | cut -d- -f2)  # wheel name: <dist>-<version>-...
    rm -rf "$dl"
    [ -n "$old" ] || { echo "no release of $name installs on Python 3.11.0" >&2; exit 1; }
    sed -i "s|^${spec}\$|${spec}; python_full_version >= \"3.11.5\"\n${name}==${old}; python_full_version < \"3.11.5\"|" \
      constraints.txt
  fi
done
rm -rf "$(dirname "$venv")"
echo "constraints.txt: $(grep -c '==' constraints.txt) pinned packages"
