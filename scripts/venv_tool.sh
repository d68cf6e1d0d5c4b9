#!/bin/sh
# Run a development tool (ruff, nbstripout) from the project's .venv if it is there, else from PATH.
# Used by .pre-commit-config.yaml, whose hooks are local so that they need no download.
# Usage: scripts/venv_tool.sh TOOL [ARGS...]
tool="$1"
shift
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ -x "$here/.venv/bin/$tool" ]; then
  exec "$here/.venv/bin/$tool" "$@"
fi
if command -v "$tool" >/dev/null 2>&1; then
  exec "$tool" "$@"
fi
echo "$tool not found: run 'make setup' (it installs the pinned $tool into .venv)" >&2
exit 1
