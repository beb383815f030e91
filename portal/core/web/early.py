"""Pages answered before Flask: the busiest public page, for a first visit.

A citizen who scans a desk's QR code for the first time sends a plain
``GET /s/<token>``: no cookie, no query string. The page they get is the
desk's cached form (:mod:`portal.core.web.pagecache`) with a fresh nonce,
after one exact query. Flask's request handling around that — request
context, session, CSRF, rate-limit and login hooks, which have nothing to do
for such a visit — would cost as much again as the page itself.

A plugin declares such pages with the ``portal_early_pages`` hook:
``{prefix: handler}``. A ``GET`` of ``<prefix><segment>`` is offered to
``handler(segment)`` first when

- the method is ``GET`` and there is no query string and no ``Cookie``
  header at all (a signed-in user, a chosen language, a device that
  answered already: Flask answers);
- ``segment`` is one path segment of letters, digits, ``-`` and ``_``.

The handler runs inside an app context (``db.engine``, ``current_app``,
:mod:`pagecache` work; there is no request) and returns the page's HTML,
answered ``200`` with the headers Flask would add (content type, the
portal's security headers, ``Vary: Cookie``), or None: Flask then answers
as usual, and so it does whenever the handler raises (a database outage is
answered by Flask's 503 page). A rate-limited, personal or signed-in page
must never be answered here.
"""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

_SEGMENT = re.compile(r"[A-Za-z0-9_-]{1,128}")


class EarlyPages:
    """WSGI middleware offering plain GETs to the declared handlers."""

    def __init__(self, app, wsgi_app, handlers: dict, headers: list[tuple[str, str]]):
        self.app = app
        self.wsgi_app = wsgi_app
        # Longest prefix first, so that "/s/t/" is tried before "/s/".
        self.handlers = sorted(handlers.items(), key=lambda item: -len(item[0]))
        self.headers = headers

    def __call__(self, environ, start_response):
        if (
            environ.get("REQUEST_METHOD") == "GET"
            and not environ.get("QUERY_STRING")
            and not environ.get("HTTP_COOKIE")
        ):
            path = environ.get("PATH_INFO", "")
            for prefix, handler in self.handlers:
                if path.startswith(prefix):
                    segment = path[len(prefix) :]
                    if _SEGMENT.fullmatch(segment):
                        body = self._answer(handler, segment)
                        if body is not None:
                            start_response("200 OK", [*self.headers, ("Content-Length", str(len(body)))])
                            return [body]
                    break
        return self.wsgi_app(environ, start_response)

    def _answer(self, handler, segment: str) -> bytes | None:
        try:
            with self.app.app_context():
                html = handler(segment)
        except Exception:  # noqa: BLE001 - Flask answers instead (and reports the error)
            log.debug("early page for %r left to Flask", segment, exc_info=True)
            return None
        return None if html is None else html.encode()


def install(app, handlers: dict, security_headers) -> None:
    """Put :class:`EarlyPages` in front of ``app`` for ``handlers`` (none: nothing)."""
    if not handlers:
        return
    for prefix in handlers:
        if not (prefix.startswith("/") and prefix.endswith("/")):
            raise ValueError(f"an early page's prefix must start and end with '/': {prefix!r}")
    headers = [("Content-Type", "text/html; charset=utf-8"), *security_headers, ("Vary", "Cookie")]
    app.wsgi_app = EarlyPages(app, app.wsgi_app, handlers, headers)
