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
:mod:`pagecache` work; there is no request; on SQLite what it reads is read
without taking the write lock) and returns the page's HTML, answered
``200`` with the headers Flask would add (content type, the portal's
security headers, ``Vary: Cookie``), or None: Flask then answers as usual,
and so it does whenever the handler raises (a database outage is answered
by Flask's 503 page). A rate-limited, personal or signed-in page must never
be answered here.

Settings that make Flask check every request — ``TRUSTED_HOSTS``, rate
limits for every page (``RATELIMIT_DEFAULT``, ``RATELIMIT_APPLICATION``,
``RATELIMIT_META``) — switch early pages off, so that no request escapes
them.
"""

from __future__ import annotations

import logging
import re

from flask import g
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

#: Settings under which Flask checks every request: no early pages then.
CHECKED_BY_FLASK = (
    "TRUSTED_HOSTS",
    "RATELIMIT_DEFAULT",
    "RATELIMIT_APPLICATION",
    "RATELIMIT_META",
)

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
                g._portal_read_first = True  # SQLite: a read, never the write lock
                html = handler(segment)
        except DBAPIError:  # the database: Flask answers (503) and reports it
            log.debug("early page for %r left to Flask", segment, exc_info=True)
            return None
        except Exception:  # noqa: BLE001 - a bug in the handler: Flask answers, and it is said
            log.warning("early page for %r failed; Flask answers instead", segment, exc_info=True)
            return None
        return None if html is None else html.encode()


def install(app, declared: list[dict], security_headers) -> None:
    """Put :class:`EarlyPages` in front of ``app`` for the handlers the
    plugins ``declared`` (none, or a setting in :data:`CHECKED_BY_FLASK`:
    nothing)."""
    handlers: dict = {}
    for pages in declared:
        for prefix, handler in (pages or {}).items():
            if not (prefix.startswith("/") and prefix.endswith("/")):
                raise ValueError(f"an early page's prefix must start and end with '/': {prefix!r}")
            if prefix in handlers:
                raise ValueError(f"two plugins declare the early page prefix {prefix!r}")
            handlers[prefix] = handler
    checked = [name for name in CHECKED_BY_FLASK if app.config.get(name)]
    if not handlers or checked:
        if handlers:
            log.info("early pages off: Flask checks every request (%s)", ", ".join(checked))
        return
    headers = [("Content-Type", "text/html; charset=utf-8"), *security_headers, ("Vary", "Cookie")]
    app.wsgi_app = EarlyPages(app, app.wsgi_app, handlers, headers)
