"""Citizen actions: what only a citizen may do, never a signed-in officer.

A rating is evidence about the officer who served. A browser that carries a
staff session (any signed-in user) must not be able to produce one, so every
view that records a citizen's rating, answer or vote is wrapped in
:func:`citizen_only`. Reading pages stays open to everyone.
"""

from __future__ import annotations

from functools import wraps

from flask import request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.core.web.errors import render_error

STAFF_SESSION_REFUSED = _l(
    "Anda sedang masuk sebagai petugas. Penilaian dan jawaban warga tidak dapat dikirim dari "
    "sesi petugas: keluar dulu, atau biarkan warga mengisinya dari perangkatnya sendiri."
)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def staff_session() -> bool:
    """True when this request comes from a browser signed in as staff."""
    return bool(getattr(current_user, "is_authenticated", False))


def citizen_only(view):
    """Refuse (403, with the reason) any write to ``view`` from a staff session."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method not in SAFE_METHODS and staff_session():
            return render_error(403, STAFF_SESSION_REFUSED)
        return view(*args, **kwargs)

    return wrapper
