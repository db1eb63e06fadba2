"""Prints the fingerprint of every question in the given files (one question a line, or the first
tab-separated column), for tests/nlu/real/reserved_fingerprints.txt. Run it where the reserved data
is; only the fingerprints leave that place.

    python scripts/fingerprint_questions.py reserved.tsv > fingerprints.txt
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.nlp.fingerprint import fingerprint  # noqa: E402


def main(paths: list[str]) -> None:
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            question = line.split("\t", 1)[0].strip()
            if question:
                print(fingerprint(question))


if __name__ == "__main__":
    main(sys.argv[1:])
