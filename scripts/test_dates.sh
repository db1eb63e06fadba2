#!/usr/bin/env bash
# Runs the date-sensitive tests with the system clock moved by libfaketime (Debian package `faketime`),
# once per date given as a Beijing time (YYYY-MM-DDTHH:MM), so an assertion or a rule that only holds
# on "most days" fails here rather than on the 1st of some month. The tests pin the assistant's clock
# to the (faked) time at which their session starts and hand it to every server they start.
# Usage: bash scripts/test_dates.sh [BEIJING_TIME ...]   (default: every date below)
set -euo pipefail
cd "$(dirname "$0")/.."

DEFAULT_DATES=(
  "2027-01-01T00:30"  # the 1st of a month at 00:30 Beijing: still the old month (and year) in UTC
  "2026-12-31T23:30"  # the last evening of a year, Beijing time
  "2027-01-04T10:00"  # first working week of a year the holiday library has no schedule for
  "2027-02-08T10:00"  # Spring Festival 2027 (初三)
  "2028-02-29T10:00"  # a leap day
)
TESTS=(tests/rules tests/records tests/test_conversations.py tests/handoff/test_handoff.py
       tests/test_webchat_browser.py tests/test_soak.py)

if ! command -v faketime >/dev/null 2>&1; then
  echo "faketime is not installed: apt-get install faketime" >&2
  exit 1
fi
dates=("$@")
[ ${#dates[@]} -gt 0 ] || dates=("${DEFAULT_DATES[@]}")

.venv/bin/python scripts/train_model.py  # with the real clock: the model cache is keyed by content
status=0
for beijing in "${dates[@]}"; do
  utc=$(TZ=UTC date -d "${beijing/T/ } +0800" '+%Y-%m-%d %H:%M:%S')
  echo "== date-sensitive tests at ${beijing} Beijing time (${utc} UTC)"
  # The clock starts at that instant and runs on; monotonic clocks stay real (timeouts, asyncio).
  if ! env -u YIBAO_CLOCK_PIN TZ=UTC FAKETIME_DONT_FAKE_MONOTONIC=1 faketime "${utc}" \
      .venv/bin/python -m pytest -q -p no:cacheprovider "${TESTS[@]}"; then
    echo "FAILED at ${beijing} Beijing time" >&2
    status=1
  fi
done
exit $status
