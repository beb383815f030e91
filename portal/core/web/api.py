"""The JSON API under ``/api/v1/``: API keys, JSON errors, the OpenAPI
document, and ``ApiBlueprint`` for plugins' endpoints."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, request
from flask_babel import lazy_gettext as _l

from portal.core.models import Agency, ApiKey
from portal.core.plugin_system import plugins
from portal.core.util.timeutil import utcnow
from portal.extensions import csrf, db

API_PREFIX = "/api/v1"
SCOPES = ("read", "write")
bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
csrf.exempt(bp)


class ApiError(Exception):
    """Raised in an API view: answered as ``{"error": {"code", "message", "details"}}``."""

    def __init__(self, status: int, message, details=None):
        super().__init__(str(message))
        self.status, self.message, self.details = status, message, details


def error_response(status: int, message, details=None):
    body = {"error": {"code": status, "message": str(message)}}
    if details:
        body["error"]["details"] = details
    return jsonify(body), status


# ---------------------------------------------------------------- keys


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(agency: Agency, name: str, scope: str) -> tuple[ApiKey, str]:
    """A new key for ``agency``; returns (row, the key itself — shown once)."""
    if scope not in SCOPES:
        raise ValueError(scope)
    prefix = secrets.token_hex(4)
    key = f"pw_{prefix}_{secrets.token_urlsafe(24)}"
    row = ApiKey(agency_id=agency.id, name=name, prefix=prefix, key_hash=_hash(key), scope=scope)
    db.session.add(row)
    return row, key


def _presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-API-Key")


def authenticate(scope: str) -> ApiKey:
    key = _presented_key()
    if not key:
        raise ApiError(401, _l("Kunci API diperlukan (header Authorization: Bearer <kunci>)."))
    parts = key.split("_")
    row = None
    if len(parts) >= 3 and parts[0] == "pw":
        row = db.session.execute(db.select(ApiKey).filter_by(prefix=parts[1])).scalar_one_or_none()
    if row is None or not hmac.compare_digest(row.key_hash, _hash(key)) or not row.active:
        raise ApiError(401, _l("Kunci API tidak sah atau sudah dicabut."))
    if scope == "write" and row.scope != "write":
        raise ApiError(403, _l("Kunci API ini hanya boleh membaca."))
    row.last_used_at = utcnow()
    return row


def api_key_required(scope: str = "read"):
    """Decorator: the request must carry an active key with ``scope``; sets
    ``g.api_key`` and ``g.agency`` (the key's agency)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            g.api_key = authenticate(scope)
            g.agency = g.api_key.agency
            return view(*args, **kwargs)

        return wrapped

    return decorator


class ApiBlueprint(Blueprint):
    """Blueprint for a plugin's API under ``/api/v1/<path>``: CSRF-exempt
    (keys, not cookies, authenticate), JSON errors, and 404 when the plugin
    is off for the key's agency (checked after the key, in the view's
    ``api_key_required``)."""

    def __init__(self, name: str, import_name: str, *, path: str, plugin: str | None = None, **kwargs):
        super().__init__(name, import_name, url_prefix=f"{API_PREFIX}/{path}", **kwargs)
        self.plugin = plugin or name
        csrf.exempt(self)
        self.errorhandler(ApiError)(lambda e: error_response(e.status, e.message, e.details))

    def plugin_required(self, view):
        """Decorator (inside ``api_key_required``): 404 unless the plugin is on."""

        @wraps(view)
        def wrapped(*args, **kwargs):
            if not plugins.is_enabled(g.agency, self.plugin):
                raise ApiError(404, _l("Modul ini tidak aktif untuk instansi kunci API ini."))
            return view(*args, **kwargs)

        return wrapped


def json_body() -> dict:
    """The request's JSON object, or an ApiError with a clear message."""
    if not request.is_json:
        raise ApiError(415, _l("Kirim data sebagai JSON (Content-Type: application/json)."))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, _l("Badan permintaan bukan objek JSON yang valid."))
    return data


# ---------------------------------------------------------------- spec


@bp.errorhandler(ApiError)
def _api_error(error):
    return error_response(error.status, error.message, error.details)


#: Answers every endpoint may give, for a path item to refer to as
#: ``#/components/responses/E<code>``.
ERROR_RESPONSES = {
    f"E{code}": {
        "description": text,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for code, text in (
        (400, "Bad request"),
        (401, "Missing or revoked key"),
        (403, "Read-only key"),
        (404, "Not found"),
        (409, "Conflict"),
        (413, "Too many items"),
        (415, "Not JSON"),
        (422, "Invalid data"),
    )
}


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document: the error shapes, then every plugin's schemas and paths
    (the built-in ``portal.api`` included)."""
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "Portal Warga API", "version": "1"},
        "servers": [{"url": API_PREFIX}],
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "integer"},
                                "message": {"type": "string"},
                                "details": {},
                            },
                        }
                    },
                }
            },
        },
        "security": [{"apiKey": []}],
        "paths": {},
    }
    spec["components"]["responses"] = ERROR_RESPONSES
    hook = plugins.manager(current_app).hook
    for schemas in hook.portal_api_schemas():
        spec["components"]["schemas"].update(schemas or {})
    for paths in hook.portal_api_paths():
        for path, item in (paths or {}).items():
            spec["paths"][path.removeprefix(API_PREFIX)] = item
    return jsonify(spec)
