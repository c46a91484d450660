# Sourced by scripts/demo and scripts/test: make .venv (once) and install the project into it.
# PYTHON picks the interpreter (default: python3); it must be 3.10 or newer.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${DIPLOSEARCH_VENV:-$root/.venv}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
  echo "diplosearch needs Python 3.10 or newer; $python is $("$python" --version 2>&1)" >&2
  exit 2
fi
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
extras="${1:-}"
# The compat editable mode puts the project folder on sys.path with a .pth line;
# the default mode imports a finder at every start (about 10 ms of each search).
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --config-settings editable_mode=compat -e "$root${extras}"
# Compiled modules, so that each start of the command skips compiling (some
# environments set PYTHONDONTWRITEBYTECODE, and an editable install compiles nothing).
"$venv/bin/python" -m compileall -q "$root/index" "$root/searcher" >/dev/null
