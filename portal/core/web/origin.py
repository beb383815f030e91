"""Where a form was sent from.

Forms of signed-in staff carry Flask-WTF's session-bound CSRF token. A few
citizen forms carry a signed, single-use token of their own instead (the QR
survey's nonce): they need no session, so a citizen who only looks at them
gets no cookie. Such a form must also come from the portal's own pages;
:func:`same_origin` checks what the browser says about that.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def same_origin() -> bool:
    """False when the browser says the request comes from another site.

    Browsers send ``Sec-Fetch-Site`` and, on POST, ``Origin``; either one
    naming another site refuses the request. Clients that send neither
    (kiosks, scripts, old phones) pass: their form still needs its token."""
    site = request.headers.get("Sec-Fetch-Site")
    if site and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        parts = urlsplit(origin)
        return parts.scheme == request.scheme and parts.netloc == request.host
    return origin != "null"
