"""Static files a phone keeps: versioned addresses, cached for a year.

Every ``url_for`` of a static file (the app's or a plugin blueprint's) gets
``?v=`` and the first characters of the file's content hash. A file served
at such an address may be kept by the browser for a year without asking
again (``Cache-Control: public, max-age=31536000, immutable``): a changed
file has a new address. A file asked for without ``v`` (a service worker's
own list, an old bookmark) is served as before, revalidated each time.

On a phone on a slow link this saves a round trip per file on every page
after the first one: the thanks page after the survey needs no request but
its own.
"""

from __future__ import annotations

import functools
import hashlib
import os

from flask import Flask, request

YEAR = 365 * 24 * 3600


@functools.lru_cache(maxsize=1024)
def _version(folder: str, filename: str, mtime: float) -> str | None:
    try:
        with open(os.path.join(folder, filename), "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()[:10]
    except OSError:
        return None


def _folder(app: Flask, endpoint: str) -> str | None:
    if endpoint == "static":
        return app.static_folder
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
    return blueprint.static_folder if blueprint is not None else None


def init_app(app: Flask) -> None:
    @app.url_defaults
    def _versioned(endpoint: str, values: dict) -> None:
        if endpoint != "static" and not endpoint.endswith(".static"):
            return
        filename = values.get("filename")
        folder = _folder(app, endpoint)
        if not filename or "v" in values or folder is None:
            return
        path = os.path.join(folder, filename)
        try:
            mtime = os.stat(path).st_mtime
        except OSError:
            return
        version = _version(folder, filename, mtime)
        if version:
            values["v"] = version

    @app.after_request
    def _keep_versioned(response):
        endpoint = request.endpoint or ""
        if (
            (endpoint == "static" or endpoint.endswith(".static"))
            and request.args.get("v")
            and response.status_code in (200, 304)
        ):
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
            response.cache_control.no_cache = None
        return response
