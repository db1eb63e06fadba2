#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 does not install on 3.11+).
# Looks on PATH first, then in pyenv's versions; exits 1 with a clear message when none exists.
set -u
is_310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }
for candidate in "${PYTHON310:-}" python3.10 python3 python; do
  [ -n "$candidate" ] || continue
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if is_310 "$path"; then echo "$path"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for path in "$root"/versions/3.10*/bin/python3.10; do
    if [ -x "$path" ] && is_310 "$path"; then echo "$path"; exit 0; fi
  done
fi
echo "错误：需要 Python 3.10（Rasa 3.6 不支持 3.11 及以上）。请安装 Python 3.10，例如 'pyenv install 3.10'，或设置 PYTHON310=/path/to/python3.10。" >&2
exit 1
