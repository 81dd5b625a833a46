"""German text folding shared by name lookup and matching."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def fold(text: str) -> str:
    """Lower-case, umlauts to ae/oe/ue, ß to ss, other accents dropped, punctuation to spaces."""
    text = text.lower().translate(_UMLAUTS)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NON_ALNUM.sub(" ", text).strip()
