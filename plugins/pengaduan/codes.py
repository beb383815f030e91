"""Ticket codes: random, no look-alike characters, not enumerable."""

from __future__ import annotations

import secrets

#: No 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V: hard to misread on a phone or on paper.
ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
LENGTH = 10  # 23^10 ≈ 4·10^13: guessing one of a million tickets takes ~4·10^7 tries


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise(code: str) -> str:
    """What a person typed, as stored: upper case, dash in the middle."""
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return f"{raw[:5]}-{raw[5:]}" if len(raw) == LENGTH else raw
