"""Text stored now and shown later, in the reader's language.

A sentence the portal writes into the database (a complaint's timeline
entry, say) must not be translated when it is stored: the next reader may
use another language. Mark it with :func:`N_` so that ``make i18n``
extracts it, store the Indonesian source as it is, and translate it when it
is shown, with ``_()`` in the template (``{{ _(entry.text) }}``).
"""

from __future__ import annotations


def N_(text: str) -> str:  # noqa: N802 - the conventional name of the marker
    """Mark ``text`` for translation without translating it now."""
    return text
