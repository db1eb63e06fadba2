"""Fingerprints of questions, to detect repeats of a data set nobody on the team may read.

A maintainer who holds a reserved evaluation set runs scripts/fingerprint_questions.py over it and
shares only the SHA-256 of each normalised question; tests flag any training or development
question with the same fingerprint.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NOT_TEXT = re.compile(r"[\W_]+")


def question_key(text: str) -> str:
    """The comparable form of a question: NFKC, lower case, without spaces and punctuation."""
    return _NOT_TEXT.sub("", unicodedata.normalize("NFKC", text).lower())


def fingerprint(text: str) -> str:
    return hashlib.sha256(question_key(text).encode("utf-8")).hexdigest()
