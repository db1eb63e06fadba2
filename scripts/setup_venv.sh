#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the project with the pinned versions in
# constraints.txt. Re-runs the install only when pyproject.toml or constraints.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(bash scripts/find_python310.sh)
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info[:2]==(3,10) else 1)'; then
  rm -rf .venv
  "$python" -m venv .venv
fi
stamp=$(cat pyproject.toml constraints.txt | sha256sum | cut -c1-16)
if [ "$(cat .venv/.installed 2>/dev/null)" != "$stamp" ]; then
  echo "== 安装依赖（首次约需几分钟）"
  .venv/bin/python -m pip install --quiet -c constraints.txt -e '.[dev]'
  echo "$stamp" > .venv/.installed
fi
