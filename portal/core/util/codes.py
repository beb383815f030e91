"""Codes people read aloud or type from paper: random, without look-alike
characters, and forgiving of how they are typed."""

from __future__ import annotations

import secrets

#: No 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V: hard to misread on a phone or on paper.
ALPHABET = "34679ACDEFGHJKMNPQRTWXY"


def random_code(length: int) -> str:
    """``length`` characters from :data:`ALPHABET` (log2(23) ≈ 4.5 bits each)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def compact(code: str) -> str:
    """What a person typed, upper case, without spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())
