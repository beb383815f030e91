"""The offline kiosk: a tablet on the counter, enrolled to one desk.

- An admin creates a kiosk for a desk at ``/kelola/<slug>/survei/kiosk/`` and
  is shown a one-time enrolment code (valid ``SURVEI_KIOSK_CODE_MINUTES``).
- The tablet opens ``/<slug>/survei/kiosk/`` and enters the code; it gets its
  own credential (``pwk_…``): scoped to that desk, revocable, never an API key.
- The page (a service worker keeps it available offline) queues each answer
  in IndexedDB with its client UUID and time, and sends the queue to
  ``POST /api/v1/survei/responses`` with that credential when online.
- Synced responses remember their kiosk (:class:`SurveiKioskCapture`): their
  channel in the report is "kiosk".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from enum import StrEnum
from functools import wraps
from pathlib import Path

from flask import current_app, g, jsonify, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from plugins.survei import NAME, skm
from plugins.survei.models import SurveiKiosk, SurveiKioskCapture, SurveiResponse, desk_kind
from portal.plugin import (
    AgencyBlueprint,
    ApiBlueprint,
    ApiError,
    BaseForm,
    Desk,
    Unit,
    audit,
    authenticate,
    compact,
    day_bounds,
    db,
    is_enabled,
    limiter,
    random_code,
    same_origin,
    strip,
    utcnow,
)

CREDENTIAL_PREFIX = "pwk"
CODE_LENGTH = 8
CODE_MINUTES = 30  # default of SURVEI_KIOSK_CODE_MINUTES
IDLE_SECONDS = 60  # default of SURVEI_KIOSK_IDLE_SECONDS
STATIC = Path(__file__).parent / "static" / "kiosk"

#: Staff pages: create, list and revoke kiosks (admins of the agency).
kiosk_staff = AgencyBlueprint("survei_kiosk_staff", __name__, path="survei/kiosk", plugin=NAME, staff=True)
#: The kiosk page itself, its service worker and its files.
kiosk_page = AgencyBlueprint(
    "survei_kiosk",
    __name__,
    path="survei/kiosk",
    plugin=NAME,
    static_folder="static/kiosk",
    static_url_path="/static",
)
#: What a kiosk reads about its own desk.
kiosk_api = ApiBlueprint("survei_kiosk_api", __name__, path="survei/kiosk", plugin=NAME)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def code_minutes() -> int:
    return int(current_app.config.get("SURVEI_KIOSK_CODE_MINUTES", CODE_MINUTES))


# ---------------------------------------------------------------- credentials


def _presented() -> str:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.headers.get("X-API-Key", "")


def _is_kiosk_credential(key: str) -> bool:
    return key.startswith(CREDENTIAL_PREFIX + "_")


def _authenticate_kiosk(key: str) -> SurveiKiosk:
    """The kiosk of a presented ``pwk_`` credential; 401 when unknown or
    revoked, 403 when its desk was deactivated."""
    parts = key.split("_", 2)
    kiosk = None
    if len(parts) == 3 and parts[1]:
        kiosk = db.session.execute(
            db.select(SurveiKiosk).filter_by(token_prefix=parts[1])
        ).scalar_one_or_none()
    if kiosk is None or not kiosk.token_hash or not hmac.compare_digest(kiosk.token_hash, _hash(key)):
        raise ApiError(
            401, _l("Kredensial kiosk tidak sah. Daftarkan kiosk ini lagi dengan kode dari admin.")
        )
    if kiosk.revoked_at is not None:
        raise ApiError(401, _l("Kiosk ini sudah dicabut oleh admin. Daftarkan lagi dengan kode baru."))
    if not kiosk.desk.active:
        raise ApiError(
            403,
            _l("Loket kiosk ini sudah dinonaktifkan. Minta admin mendaftarkan kiosk ke loket yang aktif."),
        )
    return kiosk


def kiosk_or_key_required(scope: str):
    """Decorator for the sync API: either an agency API key with ``scope``
    (``g.api_key``; ``g.kiosk`` None) or a kiosk credential (``g.kiosk``;
    its items are for the kiosk's desk only). Sets ``g.agency``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            key = _presented()
            if _is_kiosk_credential(key):
                g.kiosk = _authenticate_kiosk(key)
                g.api_key = None
                g.agency = g.kiosk.desk.unit.agency
            else:
                g.kiosk = None
                g.api_key = authenticate(scope)
                g.agency = g.api_key.agency
            return view(*args, **kwargs)

        return wrapped

    return decorator


def current_kiosk() -> SurveiKiosk | None:
    return g.get("kiosk")


def kiosk_desk_error(desk_token) -> dict[str, str] | None:
    """For an item synced with a kiosk credential: an error when it names
    another desk than the kiosk's (it may name none)."""
    kiosk = current_kiosk()
    if kiosk is None or desk_token in (None, "") or str(desk_token) == kiosk.desk.qr_token:
        return None
    return {"desk_token": str(_l("Kiosk ini hanya untuk %(desk)s.", desk=_desk_label(kiosk.desk)))}


def capture(client_uuid: str) -> None:
    """Remember that the kiosk of this request captured ``client_uuid``;
    added to the session before the response is stored, so both are
    committed (or rolled back) together."""
    kiosk = current_kiosk()
    if kiosk is not None:
        db.session.add(SurveiKioskCapture(client_uuid=client_uuid, kiosk_id=kiosk.id))


def synced() -> None:
    """Note when the kiosk of this request last synced."""
    kiosk = current_kiosk()
    if kiosk is not None:
        db.session.execute(
            db.update(SurveiKiosk).where(SurveiKiosk.id == kiosk.id).values(last_sync_at=utcnow())
        )
        db.session.commit()


def _desk_label(desk: Desk) -> str:
    return f"{desk.unit.name} — {desk.name}"


def _desk_config(kiosk: SurveiKiosk) -> dict:
    desk = kiosk.desk
    return {
        "kiosk": kiosk.name,
        "desk": desk.name,
        "unit": desk.unit.name,
        "agency": desk.unit.agency.name,
        "kind": str(desk_kind(desk.id)),
    }


@kiosk_api.route("/desk")
def desk_config():
    """The kiosk's desk: its names and which survey it asks."""
    key = _presented()
    if not _is_kiosk_credential(key):
        raise ApiError(
            401,
            _l("Kunci API tidak berlaku di sini: alamat ini hanya untuk kiosk (kredensial pwk_…)."),
        )
    kiosk = _authenticate_kiosk(key)
    g.agency = kiosk.desk.unit.agency
    if not is_enabled(g.agency, NAME):
        raise ApiError(404, _l("Modul survei tidak aktif untuk instansi kiosk ini."))
    return jsonify(_desk_config(kiosk))


# ---------------------------------------------------------------- staff pages


class KioskForm(BaseForm):
    desk_id = SelectField(_l("Loket"), coerce=int, validate_choice=False)
    name = StringField(
        _l("Nama kiosk"),
        filters=[strip],
        validators=[DataRequired(), Length(max=80)],
        description=_l("Misalnya: Tablet loket 1. Nama ini hanya dilihat petugas."),
    )

    def validate_desk_id(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Pilih loket yang aktif di instansi ini."))


def _admin():
    from flask import abort

    if not current_user.can_manage_agency(g.agency):
        abort(403)


def _active_desks():
    return db.session.execute(
        db.select(Desk)
        .join(Unit)
        .where(Unit.agency_id == g.agency.id, Desk.active.is_(True))
        .order_by(Unit.name, Desk.name)
    ).scalars()


def _kiosks():
    return db.session.scalars(
        db.select(SurveiKiosk)
        .where(SurveiKiosk.agency_id == g.agency.id)
        .order_by(SurveiKiosk.revoked_at.isnot(None), SurveiKiosk.created_at.desc())
    ).all()


def _counts() -> dict[int, int]:
    return dict(
        db.session.execute(
            db.select(SurveiKioskCapture.kiosk_id, func.count(SurveiResponse.id))
            .join(SurveiResponse, SurveiResponse.client_uuid == SurveiKioskCapture.client_uuid)
            .where(SurveiResponse.agency_id == g.agency.id)
            .group_by(SurveiKioskCapture.kiosk_id)
        ).all()
    )


@kiosk_staff.route("/", methods=["GET", "POST"])
def manage():
    _admin()
    form = KioskForm()
    form.desk_id.choices = [SelectChoice(desk.id, _desk_label(desk)) for desk in _active_desks()]
    new_code = None
    status = 200
    if request.method == "POST":
        if form.validate():
            code = random_code(CODE_LENGTH)
            kiosk = SurveiKiosk(
                agency_id=g.agency.id,
                desk_id=form.desk_id.data,
                name=form.name.data,
                code_hash=_hash(code),
                code_expires_at=utcnow() + dt.timedelta(minutes=code_minutes()),
            )
            db.session.add(kiosk)
            db.session.flush()
            audit("survei.kiosk.buat", kiosk, agency=g.agency, detail=kiosk.name)
            db.session.commit()
            new_code = (kiosk, f"{code[:4]}-{code[4:]}")
            form = KioskForm(formdata=None)
            form.desk_id.choices = [SelectChoice(desk.id, _desk_label(desk)) for desk in _active_desks()]
        else:
            status = 400
    reply = make_response(
        render_template(
            "survei/kiosk/manage.html",
            form=form,
            kiosks=_kiosks(),
            counts=_counts(),
            new_code=new_code,
            now=utcnow(),
            tz=g.agency.timezone,
            minutes=code_minutes(),
            kiosk_url=url_for("survei_kiosk.page", _external=True),
        ),
        status,
    )
    reply.headers["Cache-Control"] = "no-store"  # the one-time code is on it
    return reply


@kiosk_staff.route("/<int:kiosk_id>/cabut", methods=["POST"])
def revoke(kiosk_id):
    _admin()
    from flask import abort, flash, redirect

    form = BaseForm()
    kiosk = db.session.get(SurveiKiosk, kiosk_id)
    if kiosk is None or kiosk.agency_id != g.agency.id:
        abort(404)
    if not form.validate():
        abort(400)
    if kiosk.revoked_at is None:
        kiosk.revoked_at = utcnow()
        audit("survei.kiosk.cabut", kiosk, agency=g.agency, detail=kiosk.name)
        db.session.commit()
        flash(_("Kiosk %(name)s dicabut; kredensialnya tidak berlaku lagi.", name=kiosk.name), "success")
    return redirect(url_for("survei_kiosk_staff.manage"))


# ---------------------------------------------------------------- the kiosk page


def _page(error: str | None = None, status: int = 200, code: str = ""):
    reply = make_response(
        render_template(
            "survei/kiosk/kiosk.html",
            agency=g.agency,
            skm=skm,
            error=error,
            code=code,
            idle=int(current_app.config.get("SURVEI_KIOSK_IDLE_SECONDS", IDLE_SECONDS)),
        ),
        status,
    )
    reply.headers["Cache-Control"] = "no-cache"
    return reply


@kiosk_page.route("/")
def page():
    return _page()


@kiosk_page.route("/sw.js")
def service_worker():
    """The service worker, served from the kiosk's own path so that its
    scope is the kiosk page and its files (and nothing else of the portal)."""
    reply = make_response((STATIC / "sw.js").read_bytes())
    reply.mimetype = "text/javascript"
    reply.headers["Cache-Control"] = "no-cache"
    return reply


def _enrol_limit() -> str:
    return current_app.config.get("SURVEI_KIOSK_ENROL_LIMIT", "10 per minute")


@kiosk_page.route("/daftar", methods=["POST"])
@limiter.limit(_enrol_limit)
def enrol():
    if not same_origin():
        return _page(_("Formulir ini dikirim dari situs lain. Buka halaman kiosk di tablet ini."), 400)
    typed = request.form.get("code", "")[:40]
    code = compact(typed)
    if not code:
        return _page(_("Masukkan kode pendaftaran yang ditampilkan kepada admin."), 400)
    kiosk = db.session.execute(
        db.select(SurveiKiosk).where(
            SurveiKiosk.code_hash == _hash(code), SurveiKiosk.agency_id == g.agency.id
        )
    ).scalar_one_or_none()
    problem = _enrol_problem(kiosk)
    if problem:
        return _page(problem, 400, typed)
    prefix = secrets.token_hex(6)
    credential = f"{CREDENTIAL_PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"
    # One tablet wins a code, even when two send it at the same moment.
    claimed = db.session.execute(
        db.update(SurveiKiosk)
        .where(
            SurveiKiosk.id == kiosk.id, SurveiKiosk.enrolled_at.is_(None), SurveiKiosk.revoked_at.is_(None)
        )
        .values(enrolled_at=utcnow(), token_prefix=prefix, token_hash=_hash(credential))
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        return _page(_used(), 400, typed)
    db.session.commit()
    db.session.refresh(kiosk)
    reply = make_response(
        render_template(
            "survei/kiosk/enrolled.html",
            agency=g.agency,
            kiosk=kiosk,
            credential=credential,
            config=_desk_config(kiosk),
        )
    )
    reply.headers["Cache-Control"] = "no-store"
    return reply


def _used() -> str:
    return _("Kode ini sudah dipakai untuk mendaftarkan kiosk. Minta admin membuat kode baru.")


def _enrol_problem(kiosk: SurveiKiosk | None) -> str | None:
    if kiosk is None:
        return _("Kode pendaftaran tidak dikenal. Periksa lagi kode yang ditampilkan kepada admin.")
    if kiosk.revoked_at is not None:
        return _("Kiosk untuk kode ini sudah dicabut. Minta admin membuat kode baru.")
    if kiosk.enrolled_at is not None:
        return _used()
    if kiosk.code_expires_at <= utcnow():
        return _(
            "Kode ini sudah kedaluwarsa (berlaku %(n)d menit). Minta admin membuat kode baru.",
            n=code_minutes(),
        )
    if not kiosk.desk.active:
        return _(
            "Loket %(desk)s sudah dinonaktifkan. Minta admin memilih loket yang aktif.", desk=kiosk.desk.name
        )
    return None


def _error(text: str) -> dict:
    return {
        "description": text,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


PATHS = {
    "/api/v1/survei/kiosk/desk": {
        "get": {
            "summary": "The desk a kiosk credential (pwk_…) is enrolled to, and which survey it asks",
            "responses": {
                "200": {
                    "description": "The kiosk's desk",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["kiosk", "desk", "unit", "agency", "kind"],
                                "properties": {
                                    "kiosk": {"type": "string"},
                                    "desk": {"type": "string"},
                                    "unit": {"type": "string"},
                                    "agency": {"type": "string"},
                                    "kind": {"type": "string", "enum": ["cepat", "skm"]},
                                },
                            }
                        }
                    },
                },
                "401": _error("Not a kiosk credential, unknown or revoked"),
                "403": _error("The kiosk's desk was deactivated"),
                "404": _error("Module off"),
            },
        }
    }
}


# ---------------------------------------------------------------- channels in the report


class SurveiChannel(StrEnum):
    """How a response reached the portal (derived from the response, not stored)."""

    QR = "qr"  # the desk's QR code
    TICKET = "tiket"  # an officer's one-time QR
    KIOSK = "kiosk"  # a kiosk enrolled to the desk
    API = "api"  # another system with the agency's API key


CHANNEL_LABELS = {
    SurveiChannel.QR: _l("Kode QR loket"),
    SurveiChannel.TICKET: _l("Kode QR sekali pakai"),
    SurveiChannel.KIOSK: _l("Kiosk"),
    SurveiChannel.API: _l("Sistem lain (API)"),
}


def channel_counts(agency, unit, start: dt.date, end: dt.date) -> list[tuple[str, int]]:
    """(channel label, counted responses) over [start, end) local dates, for the SKM report."""
    from plugins.survei.models import counted

    lo, hi = day_bounds(start, end - dt.timedelta(days=1), agency.timezone)
    channel = db.case(
        (SurveiResponse.ticket_id.isnot(None), SurveiChannel.TICKET),
        (SurveiKioskCapture.kiosk_id.isnot(None), SurveiChannel.KIOSK),
        (SurveiResponse.client_uuid.isnot(None), SurveiChannel.API),
        else_=SurveiChannel.QR,
    )
    query = (
        db.select(channel, func.count(SurveiResponse.id))
        .outerjoin(SurveiKioskCapture, SurveiKioskCapture.client_uuid == SurveiResponse.client_uuid)
        .where(
            SurveiResponse.agency_id == agency.id,
            SurveiResponse.created_at >= lo,
            SurveiResponse.created_at < hi,
            counted(),
        )
        .group_by(channel)
    )
    if unit is not None:
        query = query.where(SurveiResponse.unit_id == unit.id)
    found = dict(db.session.execute(query).all())
    return [(str(label), found.get(key, 0)) for key, label in CHANNEL_LABELS.items()]


@kiosk_staff.app_context_processor
def _channels_in_templates():
    return {"survei_channels": channel_counts}
