"""Kiosk sync: ``POST /api/v1/survei/responses`` takes a batch of responses
captured offline, each with the kiosk's own UUID; a re-sent batch stores
nothing twice, and invalid items are reported one by one while the valid
ones are stored. A batch holds at most ``SURVEI_KIOSK_MAX_BATCH`` items;
items dated in the future are refused, items older than
``SURVEI_KIOSK_MAX_AGE_DAYS`` or implausible for their desk are stored held
for review (status "held", with the reason), counted nowhere until a
supervisor or admin accepts them."""

from __future__ import annotations

import datetime as dt
import uuid

from flask import current_app, g, jsonify
from flask_babel import lazy_gettext as _l

from plugins.survei.models import SurveiQuestion, SurveiResponse, desk_kind
from plugins.survei.service import officer_choices, store, validate
from portal.plugin import (
    ApiBlueprint,
    ApiError,
    Desk,
    Officer,
    ParamError,
    Unit,
    api_key_required,
    db,
    hold_label,
    json_body,
    limiter,
    parse_datetime,
    utcnow,
)

api = ApiBlueprint("survei_api", __name__, path="survei", plugin="survei")
MAX_BATCH = 500  # default of SURVEI_KIOSK_MAX_BATCH, as kiosks were built for
BACKDATE_DAYS = 7  # default of SURVEI_KIOSK_MAX_AGE_DAYS
MAX_AGE = dt.timedelta(days=366)
CLOCK_SKEW = dt.timedelta(minutes=10)
STATUSES = ("stored", "held", "duplicate", "invalid")


def max_batch() -> int:
    return int(current_app.config.get("SURVEI_KIOSK_MAX_BATCH", MAX_BATCH))


def _uuid(value) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except (TypeError, ValueError, AttributeError):
        return None


def _moment(value) -> dt.datetime | None:
    """An ISO 8601 time with offset, as naive UTC."""
    try:
        moment = parse_datetime(value, "created_at")
    except ParamError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


@api.route("/responses", methods=["POST"])
@limiter.limit("60 per minute")
@api_key_required("write")
@api.plugin_required
def sync_responses():
    items = json_body().get("responses")
    if not isinstance(items, list) or not items:
        raise ApiError(400, _l("Kirim daftar 'responses' yang berisi paling sedikit satu jawaban."))
    if len(items) > max_batch():
        raise ApiError(
            413,
            _l(
                "Paling banyak %(n)d jawaban per kiriman; yang dikirim %(m)d. Bagi "
                "kiriman menjadi beberapa bagian.",
                n=max_batch(),
                m=len(items),
            ),
        )
    results = []
    for item in items:
        results.append(_one(item if isinstance(item, dict) else {}))
    counts = {s: sum(1 for r in results if r["status"] == s) for s in STATUSES}
    return jsonify({"results": results, **counts})


def _one(item: dict) -> dict:
    client_uuid = _uuid(item.get("client_uuid"))
    result = {"client_uuid": item.get("client_uuid")}
    if client_uuid is None:
        return {
            **result,
            "status": "invalid",
            "errors": {"client_uuid": str(_l("client_uuid harus berupa UUID."))},
        }
    result["client_uuid"] = client_uuid
    if db.session.scalar(db.select(SurveiResponse.id).filter_by(client_uuid=client_uuid)):
        return {**result, "status": "duplicate"}
    errors = {}
    desk = db.session.execute(
        db.select(Desk)
        .join(Unit)
        .where(Desk.qr_token == str(item.get("desk_token", "")), Unit.agency_id == g.agency.id)
    ).scalar_one_or_none()
    if desk is None:
        errors["desk_token"] = str(_l("Loket tidak dikenal di instansi ini."))
    at = _moment(item.get("created_at"))
    now = utcnow()
    if at is None:
        errors["created_at"] = str(
            _l("created_at harus waktu ISO 8601 dengan zona, misalnya 2026-11-25T09:30:00+07:00.")
        )
    elif at > now + CLOCK_SKEW or at < now - MAX_AGE:
        errors["created_at"] = str(_l("created_at di luar rentang yang diterima (setahun terakhir)."))
    if errors:
        return {**result, "status": "invalid", "errors": errors}

    kind = desk_kind(desk.id)
    if item.get("kind") not in (None, kind):
        return {
            **result,
            "status": "invalid",
            "errors": {"kind": str(_l("Loket ini memakai survei '%(k)s'.", k=kind))},
        }
    officer = None
    if item.get("officer_nip"):
        officer = db.session.execute(
            db.select(Officer).filter_by(nip=str(item["officer_nip"]), agency_id=g.agency.id, active=True)
        ).scalar_one_or_none()
        if officer is None:
            return {
                **result,
                "status": "invalid",
                "errors": {"officer_nip": str(_l("Pegawai tidak ditemukan di instansi ini."))},
            }
    offered, only = officer_choices(desk, at)
    if officer is None:
        officer = only
    # The officer a kiosk names must be one the desk's own form would have
    # offered at that moment (on duty, or rostered there when nobody was).
    unscheduled = officer is not None and officer not in (offered or [only])
    questions = list(
        db.session.scalars(db.select(SurveiQuestion).filter_by(unit_id=desk.unit_id, active=True))
    )
    data = {k: (str(v) if v is not None else "") for k, v in item.items()}
    sub = validate(data, kind, questions, [], officer)
    if not sub.ok:
        return {**result, "status": "invalid", "errors": sub.errors}
    backdated = dt.timedelta(days=int(current_app.config.get("SURVEI_KIOSK_MAX_AGE_DAYS", BACKDATE_DAYS)))
    hold = "kiosk_mundur" if at < now - backdated else ("luar_jadwal" if unscheduled else None)
    response = store(desk, sub, client_uuid=client_uuid, at=at, hold=hold)
    if response is None:
        return {**result, "status": "duplicate"}
    if response.hold_reason:
        return {
            **result,
            "status": "held",
            "id": response.id,
            "reason": response.hold_reason,
            "reason_label": hold_label(response.hold_reason),
        }
    return {**result, "status": "stored", "id": response.id}


RESPONSE_ITEM = {
    "type": "object",
    "required": ["client_uuid", "desk_token", "created_at"],
    "properties": {
        "client_uuid": {"type": "string", "format": "uuid"},
        "desk_token": {"type": "string", "description": "The desk's QR token (as in /s/<token>)."},
        "created_at": {"type": "string", "format": "date-time"},
        "kind": {"type": "string", "enum": ["cepat", "skm"]},
        "officer_nip": {"type": "string", "pattern": "^[0-9]{18}$"},
        "face": {"type": "integer", "minimum": 1, "maximum": 4},
        **{f"u{n}": {"type": "integer", "minimum": 1, "maximum": 4} for n in range(1, 10)},
        "sex": {"type": "string"},
        "age_group": {"type": "string"},
        "education": {"type": "string"},
        "occupation": {"type": "string"},
        "comment": {"type": "string", "maxLength": 1000},
    },
}

PATHS = {
    "/api/v1/survei/responses": {
        "post": {
            "summary": "Sync survey responses captured offline by a kiosk",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["responses"],
                            "properties": {
                                "responses": {
                                    "type": "array",
                                    "minItems": 1,
                                    "description": "At most SURVEI_KIOSK_MAX_BATCH items (default 500).",
                                    "items": RESPONSE_ITEM,
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": {
                    "description": "Per-item results",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "results": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "properties": {
                                                "client_uuid": {},
                                                "status": {"enum": list(STATUSES)},
                                                "id": {"type": "integer"},
                                                "errors": {"type": "object"},
                                                "reason": {
                                                    "type": "string",
                                                    "description": "Why the item is held for review",
                                                },
                                                "reason_label": {"type": "string"},
                                            },
                                        },
                                    },
                                    "stored": {"type": "integer"},
                                    "held": {"type": "integer"},
                                    "duplicate": {"type": "integer"},
                                    "invalid": {"type": "integer"},
                                },
                            }
                        }
                    },
                },
                **{
                    code: {
                        "description": text,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    }
                    for code, text in (
                        ("400", "Bad request or batch too large"),
                        ("401", "Missing or invalid key"),
                        ("403", "Read-only key"),
                        ("404", "Module off"),
                        ("415", "Not JSON"),
                        ("429", "Rate limited"),
                    )
                },
            },
        }
    },
}
