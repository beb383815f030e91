"""Ticket codes: random, no look-alike characters, not enumerable."""

from __future__ import annotations

from portal.core.codes import ALPHABET, compact, random_code

__all__ = ["ALPHABET", "LENGTH", "new_code", "normalise"]

LENGTH = 10  # 23^10 ≈ 4·10^13: guessing one of a million tickets takes ~4·10^7 tries


def new_code() -> str:
    raw = random_code(LENGTH)
    return f"{raw[:5]}-{raw[5:]}"


def normalise(code: str) -> str:
    """What a person typed, as stored: upper case, dash in the middle."""
    raw = compact(code)
    return f"{raw[:5]}-{raw[5:]}" if len(raw) == LENGTH else raw
