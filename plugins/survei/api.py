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
from enum import StrEnum

from flask import current_app, g, jsonify
from flask_babel import lazy_gettext as _l

from plugins.survei import alerts, kiosk
from plugins.survei.models import SurveiHoldReason, SurveiKind, SurveiResponse, active_questions, desk_kind
from plugins.survei.service import COMMENT_MAX, officer_choices, store, validate
from portal.plugin import (
    ApiBlueprint,
    ApiError,
    Desk,
    Officer,
    ParamError,
    Unit,
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


class KioskItemStatus(StrEnum):
    """What became of one synced item (the API's published values)."""

    STORED = "stored"
    HELD = "held"  # stored, held for review
    DUPLICATE = "duplicate"  # already stored: nothing stored twice
    INVALID = "invalid"  # refused, with its errors


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
@kiosk.kiosk_or_key_required("write")  # an agency's write key, or a kiosk's credential for its desk
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
    kiosk.synced()
    counts = {str(s): sum(1 for r in results if r["status"] == s) for s in KioskItemStatus}
    return jsonify({"results": results, **counts})


class _InvalidItem(Exception):
    """An item refused with ``errors`` (field → message)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.errors = errors


def _one(item: dict) -> dict:
    """The result of syncing one item: stored, held, duplicate or invalid."""
    client_uuid = _uuid(item.get("client_uuid"))
    if client_uuid is None:
        return {
            "client_uuid": item.get("client_uuid"),
            "status": KioskItemStatus.INVALID,
            "errors": {"client_uuid": str(_l("client_uuid harus berupa UUID."))},
        }
    result = {"client_uuid": client_uuid}
    try:
        return {**result, **_sync(item, client_uuid)}
    except _InvalidItem as invalid:
        return {**result, "status": KioskItemStatus.INVALID, "errors": invalid.errors}


def _sync(item: dict, client_uuid: str) -> dict:
    """Store one item with a valid UUID; raises :class:`_InvalidItem`."""
    if db.session.scalar(db.select(SurveiResponse.id).filter_by(client_uuid=client_uuid)):
        return {"status": KioskItemStatus.DUPLICATE}
    desk, at, now = _desk_and_moment(item)
    kind = desk_kind(desk.id)
    if item.get("kind") not in (None, kind):
        raise _InvalidItem({"kind": str(_l("Loket ini memakai survei '%(k)s'.", k=kind))})
    officer, unscheduled = _credited_officer(item, desk, at)
    data = {k: (str(v) if v is not None else "") for k, v in item.items()}
    # A kiosk asks the standard questions only, not the unit's own.
    questions = [] if kiosk.current_kiosk() else active_questions(desk.unit_id)
    submission = validate(data, kind, questions, [], officer)
    if not submission.ok:
        raise _InvalidItem(submission.errors)
    kiosk.capture(client_uuid)
    response = store(desk, submission, client_uuid=client_uuid, at=at, hold=_kiosk_hold(at, now, unscheduled))
    if response is None:
        return {"status": KioskItemStatus.DUPLICATE}
    alerts.response_stored(response)
    if response.hold_reason:
        return {
            "status": KioskItemStatus.HELD,
            "id": response.id,
            "reason": response.hold_reason,
            "reason_label": hold_label(response.hold_reason),
        }
    return {"status": KioskItemStatus.STORED, "id": response.id}


def _desk_and_moment(item: dict) -> tuple[Desk, dt.datetime, dt.datetime]:
    """(the item's desk in this agency, when it was captured, now); raises
    :class:`_InvalidItem` naming every field that is wrong."""
    errors = {}
    own = kiosk.current_kiosk()
    if own is not None:  # a kiosk's items are for its desk (they may leave desk_token out)
        desk = own.desk
        errors.update(kiosk.kiosk_desk_error(item.get("desk_token")) or {})
    else:
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
        raise _InvalidItem(errors)
    return desk, at, now


def _credited_officer(item: dict, desk: Desk, at: dt.datetime) -> tuple[Officer | None, bool]:
    """(the officer to credit, whether the desk's own form would not have
    offered them at ``at``); raises :class:`_InvalidItem` for an unknown NIP."""
    officer = None
    if item.get("officer_nip"):
        officer = db.session.execute(
            db.select(Officer).filter_by(nip=str(item["officer_nip"]), agency_id=g.agency.id, active=True)
        ).scalar_one_or_none()
        if officer is None:
            raise _InvalidItem({"officer_nip": str(_l("Pegawai tidak ditemukan di instansi ini."))})
    offered, only = officer_choices(desk, at)
    if officer is None:
        officer = only
    # The officer a kiosk names must be one the desk's own form would have
    # offered at that moment (on duty, or rostered there when nobody was).
    unscheduled = officer is not None and officer not in (offered or [only])
    return officer, unscheduled


def _kiosk_hold(at: dt.datetime, now: dt.datetime, unscheduled: bool) -> SurveiHoldReason | None:
    """Why a kiosk item is held for review before any plausibility check, or None."""
    backdated = dt.timedelta(days=int(current_app.config.get("SURVEI_KIOSK_MAX_AGE_DAYS", BACKDATE_DAYS)))
    if at < now - backdated:
        return SurveiHoldReason.KIOSK_BACKDATED
    return SurveiHoldReason.OFF_ROSTER if unscheduled else None


RESPONSE_ITEM = {
    "type": "object",
    "required": ["client_uuid", "created_at"],
    "properties": {
        "client_uuid": {"type": "string", "format": "uuid"},
        "desk_token": {
            "type": "string",
            "description": "The desk's QR token (as in /s/<token>); required with an API key. "
            "With a kiosk credential the desk is the kiosk's, and a token of another desk is refused.",
        },
        "created_at": {"type": "string", "format": "date-time"},
        "kind": {"type": "string", "enum": [str(kind) for kind in SurveiKind]},
        "officer_nip": {"type": "string", "pattern": "^[0-9]{18}$"},
        "face": {"type": "integer", "minimum": 1, "maximum": 4},
        **{f"u{n}": {"type": "integer", "minimum": 1, "maximum": 4} for n in range(1, 10)},
        "sex": {"type": "string"},
        "age_group": {"type": "string"},
        "education": {"type": "string"},
        "occupation": {"type": "string"},
        "comment": {"type": "string", "maxLength": COMMENT_MAX},
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
                                                "status": {
                                                    "enum": [str(status) for status in KioskItemStatus]
                                                },
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
                                    **{str(status): {"type": "integer"} for status in KioskItemStatus},
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
                        ("401", "Missing or invalid key, or a kiosk credential unknown or revoked"),
                        ("403", "Read-only key, or the kiosk's desk deactivated"),
                        ("404", "Module off"),
                        ("415", "Not JSON"),
                        ("429", "Rate limited"),
                    )
                },
            },
        }
    },
}
