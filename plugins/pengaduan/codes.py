"""The two identifiers of a complaint, both random, without look-alike
characters and forgiving of how they are typed.

- The **public reference** (``ADU-XXXX-XXXX``, "nomor referensi") names the
  complaint wherever it may be shown: Open311 ``service_request_id``, staff
  pages, exports, e-mails to staff. Knowing it gives nothing but what is
  public anyway.
- The **private tracking code** (``XXXXX-XXXXX-XXXXX``, "kode pelacakan") is
  the citizen's credential. It alone opens the tracking page with the
  complaint's private parts and attachments and lets the citizen rate or
  reopen it. It is shown once, to the citizen, and never published.

Tracking codes given before the public reference existed have ten
characters (``XXXXX-XXXXX``); they stay valid.
"""

from __future__ import annotations

from portal.plugin import CODE_ALPHABET as ALPHABET
from portal.plugin import compact, random_code

__all__ = [
    "ALPHABET",
    "LENGTH",
    "REFERENCE_PREFIX",
    "is_reference",
    "new_code",
    "new_reference",
    "normalise",
    "normalise_reference",
]

#: 23^15 ≈ 2.7·10^20 (68 bits): with a million complaints on file one guess
#: in 2.7·10^14 hits one; at 350 guesses a second that is 24,000 years.
LENGTH = 15
OLD_LENGTH = 10  # codes given before the public reference: still accepted
REFERENCE_PREFIX = "ADU"
REFERENCE_LENGTH = 8  # 23^8 ≈ 7.8·10^10: collisions are rare (and retried)


def new_code() -> str:
    """A fresh private tracking code, ``XXXXX-XXXXX-XXXXX``."""
    return _groups(random_code(LENGTH), 5)


def new_reference() -> str:
    """A fresh public reference, ``ADU-XXXX-XXXX``."""
    return f"{REFERENCE_PREFIX}-{_groups(random_code(REFERENCE_LENGTH), 4)}"


def _groups(raw: str, size: int) -> str:
    return "-".join(raw[i : i + size] for i in range(0, len(raw), size))


def normalise(code: str) -> str:
    """A tracking code as a person typed it, as stored: upper case, dashes
    between groups of five."""
    raw = compact(code)
    return _groups(raw, 5) if len(raw) in (LENGTH, OLD_LENGTH) else raw


def is_reference(text: str) -> bool:
    """Whether ``text`` has the shape of a public reference (not a tracking code)."""
    raw = compact(text)
    return raw.startswith(REFERENCE_PREFIX) and len(raw) == len(REFERENCE_PREFIX) + REFERENCE_LENGTH


def normalise_reference(text: str) -> str:
    """A public reference as a person typed it, as stored."""
    raw = compact(text)
    if not is_reference(raw):
        return raw
    return f"{REFERENCE_PREFIX}-{_groups(raw[len(REFERENCE_PREFIX) :], 4)}"
