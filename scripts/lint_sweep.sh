#!/usr/bin/env bash
# The one-time lint sweep: ruff's safe fixes and its formatter over the whole tree, then what ruff
# and mypy still find (those need a person). Run from anywhere; uses .venv's tools when present.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=.venv/bin
if [ ! -x "$bin/ruff" ]; then
  command -v ruff >/dev/null || { echo "lint_sweep: no ruff in .venv/bin or on PATH (pip install -e '.[test]')" >&2; exit 2; }
  bin=$(dirname "$(command -v ruff)")
fi

"$bin/ruff" check --fix --no-cache .
"$bin/ruff" format --no-cache .
echo "== ruff: what is left after --fix (fix by hand)"
"$bin/ruff" check --no-cache --statistics . && echo "ruff: clean"
echo "== mypy: remaining errors, per module"
"$bin/mypy" > /tmp/lint_sweep_mypy.txt 2>&1
mypy_status=$?
grep ': error:' /tmp/lint_sweep_mypy.txt | cut -d: -f1 | sort | uniq -c | sort -rn
tail -n 1 /tmp/lint_sweep_mypy.txt
echo "(full mypy output: /tmp/lint_sweep_mypy.txt)"
exit "$mypy_status"
