"""Error pages in the portal's look and language; JSON for API paths."""

from __future__ import annotations

import logging

from flask import jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from portal.core.web.params import ParamError
from portal.extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Permintaan tidak valid"), _l("Data yang dikirim tidak dapat diproses.")),
    403: (_l("Akses ditolak"), _l("Akun Anda tidak berwenang membuka halaman ini.")),
    404: (
        _l("Halaman tidak ditemukan"),
        _l("Alamat ini tidak ada atau layanan ini tidak aktif untuk instansi tersebut."),
    ),
    405: (_l("Metode tidak diizinkan"), _l("Halaman ini tidak menerima permintaan seperti itu.")),
    413: (_l("Berkas terlalu besar"), _l("Ukuran kiriman melebihi batas yang diizinkan.")),
    429: (
        _l("Terlalu banyak permintaan"),
        _l(
            "Anda mengirim terlalu banyak permintaan dalam waktu singkat. "
            "Silakan tunggu sebentar lalu coba lagi."
        ),
    ),
    500: (
        _l("Terjadi kesalahan"),
        _l("Maaf, terjadi kesalahan pada sistem. Kejadian ini sudah dicatat; silakan coba lagi nanti."),
    ),
    503: (
        _l("Layanan sedang tidak tersedia"),
        _l("Basis data sedang tidak dapat dihubungi. Silakan coba lagi beberapa saat lagi."),
    ),
}


OUT_OF_RANGE = _l("Salah satu nilai yang dikirim di luar batas yang dapat diproses.")


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz"))


#: The last resort when even the error page cannot be rendered: no
#: template, no database, no session.
PLAIN_PAGE = (
    '<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>{title}</title></head><body><h1>{title}</h1><p>{text}</p></body></html>"
)


def without_database() -> None:
    """Render what follows without touching the database: no signed-in
    user is loaded and no agency navigation is read (used while the
    database is unreachable)."""
    from flask import current_app, g

    g.portal_offline = True
    g._login_user = current_app.login_manager.anonymous_user()


def render_error(code: int, detail=None):
    """A response for error ``code``: the error page, or JSON on API paths."""
    title, text = MESSAGES.get(code, MESSAGES[500])
    if _wants_json():
        response = jsonify({"error": {"code": code, "message": str(detail or text)}})
    else:
        try:
            body = render_template("error.html", code=code, title=title, text=text, detail=detail)
        except Exception:  # noqa: BLE001 - the error must still be answered
            log.exception("error page %s could not be rendered", code)
            body = PLAIN_PAGE.format(lang="id", title=escape(title), text=escape(text))
        response = make_response(body)
    response.status_code = code
    return response


def _has_nul(value, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 50:
        return False
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v, depth + 1) for v in value)
    return False


def _refuse_nul_bytes():
    """No text may carry a NUL character: PostgreSQL cannot store it and no
    honest client sends one. Refused up front with a clear 400."""
    bad = (
        "\x00" in request.path
        or b"%00" in request.query_string
        or "\x00" in request.query_string.decode("latin-1")
    )
    if not bad and request.method in ("POST", "PUT", "PATCH"):
        if request.is_json:
            bad = _has_nul(request.get_json(silent=True))
        elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            bad = any("\x00" in v for v in request.form.values())
    if bad:
        return render_error(400, _l("Data berisi karakter NUL yang tidak diizinkan."))
    return None


def init_app(app) -> None:
    app.before_request(_refuse_nul_bytes)

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render_error(
            400, _l("Formulir sudah kedaluwarsa atau tidak sah. Muat ulang halaman lalu kirim sekali lagi.")
        )

    @app.errorhandler(HTTPException)
    def _http(error):
        if error.code is None or error.code < 400:
            return error
        detail = _soft_limit(error) or (error.description if isinstance(error, ParamError) else None)
        response = render_error(error.code if error.code in MESSAGES else 400, detail)
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(OperationalError)
    def _db_down(error):
        log.error("database unavailable: %s", error.orig)
        _rollback()
        without_database()
        return render_error(503)

    @app.errorhandler(DBAPIError)
    def _db_error(error):
        _rollback()
        if isinstance(error, DataError):
            # A value the database cannot hold (out of range, bad encoding):
            # the request's fault, whichever view let it through.
            log.warning("value refused by the database: %s", error.orig)
            return render_error(400, OUT_OF_RANGE)
        if error.connection_invalidated:
            log.error("database connection lost: %s", error.orig)
            without_database()
            return render_error(503)
        log.exception("database error")
        return render_error(500)

    @app.errorhandler(OverflowError)
    def _overflow(error):
        log.warning("value out of range: %s", error)
        _rollback()
        return render_error(400, OUT_OF_RANGE)

    @app.errorhandler(Exception)
    def _unexpected(error):
        log.exception("unhandled error")
        _rollback()
        return render_error(500)


def _period(seconds: int) -> str:
    for size, one, many in (
        (86400, _l("hari"), _l("%(k)d hari")),
        (3600, _l("jam"), _l("%(k)d jam")),
        (60, _l("menit"), _l("%(k)d menit")),
    ):
        if seconds % size == 0:
            count = seconds // size
            return str(one) if count == 1 else str(many) % {"k": count}
    return str(_l("%(k)d detik")) % {"k": seconds}


def _soft_limit(error):
    """What the limit was, for the two limits a citizen can run into."""
    from flask import current_app

    if error.code == 413:
        size = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        return _l(
            "Satu kiriman paling besar %(mb)s MB. Kecilkan atau kurangi lampiran, lalu kirim lagi.",
            mb=f"{size / 2**20:g}",
        )
    limit = getattr(getattr(error, "limit", None), "limit", None)
    if error.code == 429 and limit is not None:
        return _l(
            "Batasnya %(n)d kali per %(period)s dari satu alamat internet.",
            n=limit.amount,
            period=_period(limit.get_expiry()),
        )
    return None


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception as error:  # noqa: BLE001 - the page must render anyway
        log.error("rollback failed: %s", error)
