#!/usr/bin/env bash
# Set up and run the full test suite on every supported interpreter found:
# Python 3.11 (Mesa 3.3.x), 3.12 and 3.13 (Mesa 3.5.x); one missing is skipped
# with a warning, and the script fails only when none is found (SIM_PYTHONS="3.11 3.12"
# names the interpreters to test instead, each then required). Each gets its own
# virtual environment in .venv-py3.X. Per interpreter, two steps, each on every
# core (pytest-xdist, -n auto): the fast tests (pyproject's default selection,
# -m 'not slow'), then the slow ones (-m slow: subprocesses, sweeps, notebooks,
# the browser). Both count in the exit status; a step that selects no test
# (pytest's exit code 5) does not fail; each lists its slowest tests, so that a fast test
# grown slow shows. Extra arguments go to pytest in both steps.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {  # find_python 3.11 -> path of a python3.11, or nothing
  local v=$1 p
  for p in "$(command -v "python$v" 2>/dev/null)" \
           "$(pyenv root 2>/dev/null)"/versions/"$v".*/bin/"python$v" \
           /root/.pyenv/versions/"$v".*/bin/"python$v" /usr/bin/"python$v" /usr/local/bin/"python$v"; do
    if [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import sys' >/dev/null 2>&1; then echo "$p"; return 0; fi
  done
  return 1
}

# The dashboard's browser test drives Debian's Chromium through Playwright (a browser that
# Playwright downloads itself cannot be fetched here). Installed when missing and we may.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "=== installing chromium (apt-get)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "warning: chromium not found and not installable here: the dashboard's browser test will fail under CI=true" >&2
  fi
fi

versions=${SIM_PYTHONS:-"3.11 3.12 3.13"}
required=${SIM_PYTHONS:+yes}
status=0
ran=0
summary=()

step() {  # step 3.12 fast pytest-command... -> runs it, records a final line, keeps the first failure's code
  local v=$1 name=$2 rc=0 t0=$SECONDS
  shift 2
  echo "=== Python $v: $name tests"
  "$@" || rc=$?
  [ $rc = 5 ] && rc=0  # no test selected
  local line="=== Python $v: $name tests $([ $rc = 0 ] && echo passed || echo "FAILED (exit $rc)") in $((SECONDS - t0)) s"
  echo "$line"
  summary+=("$line")
  [ $rc = 0 ] || [ $status != 0 ] || status=$rc
}

for v in $versions; do
  if ! py=$(find_python "$v"); then
    if [ -n "$required" ]; then
      echo "error: python$v not found (SIM_PYTHONS names it)" >&2
      exit 1
    fi
    echo "warning: python$v not found: not tested on it" >&2
    summary+=("=== Python $v: not found, not tested")
    continue
  fi
  venv=".venv-py$v"
  echo "=== Python $v ($py) -> $venv"
  t0=$SECONDS
  [ -x "$venv/bin/python" ] || "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip >/dev/null
  "$venv/bin/python" -m pip install --quiet -e ".[dev]"
  summary+=("=== Python $v: environment ready in $((SECONDS - t0)) s")
  "$venv/bin/python" -c 'import mesa, sys; print(f"mesa {mesa.__version__} on python {sys.version.split()[0]}")'
  step "$v" fast "$venv/bin/python" -m pytest -p no:cacheprovider -n auto --durations=5 "$@"
  # --dist loadfile: a module-scoped fixture (an executed notebook, a 20-seed run set) runs once, on one worker.
  step "$v" slow "$venv/bin/python" -m pytest -p no:cacheprovider -n auto --dist loadfile --durations=10 -m slow "$@"
  ran=$((ran + 1))
done
if [ $ran = 0 ]; then
  echo "error: none of Python $versions found: install one (python3.11 or later)" >&2
  exit 1
fi
printf '%s\n' "${summary[@]}"
echo "=== tested on $ran interpreter(s): $([ $status = 0 ] && echo passed || echo "FAILED (exit $status)")"
exit $status
