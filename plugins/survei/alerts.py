"""Bad days are noticed the same day.

- **Alerts.** After each counted response, the head of the desk's unit is
  notified (in the portal and by e-mail, through core's ``notify``) when the
  desk's mean satisfaction in the current window falls *below*
  ``SURVEI_ALERT_THRESHOLD`` (0–100; at the threshold: no alert) over at
  least ``SURVEI_ALERT_MIN_RESPONSES`` responses, or when a citizen gives
  the lowest answer. Windows are ``SURVEI_ALERT_WINDOW_MINUTES`` long from
  the agency's local midnight; one alert per desk and window (its ``key``).
- **The citizen's next step.** The thanks page after a low rating offers
  the links other modules give (``citizen_followups``, e.g. the complaint
  form) and a call-back: a validated phone number that lands on the staff
  follow-up list (``/kelola/<slug>/survei/telepon-balik/``), due
  ``SURVEI_CALLBACK_WORKING_DAYS`` working days later.

Unit heads: the unit's officers who supervise someone in the unit and have
no supervisor in it themselves, through their logins; when a unit has none,
the agency's admins.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired
from sqlalchemy import func
from sqlalchemy.exc import DBAPIError, IntegrityError
from wtforms import StringField
from wtforms.validators import Length

from plugins.survei import NAME
from plugins.survei.models import (
    REVIEW_COUNTED,
    SurveiCallback,
    SurveiCallbackStatus,
    SurveiKind,
    SurveiResponse,
    SurveiReview,
)
from plugins.survei.service import _signer
from portal.plugin import (
    ROLE_ADMIN,
    AgencyBlueprint,
    BaseForm,
    Desk,
    Officer,
    Unit,
    User,
    audit,
    citizen_followups,
    citizen_only,
    csrf,
    db,
    is_enabled,
    limiter,
    local,
    notify,
    pagecache,
    read_first,
    same_origin,
    strip,
    utcnow,
    workdays,
)

log = logging.getLogger(__name__)

WINDOW_MINUTES = 120  # default of SURVEI_ALERT_WINDOW_MINUTES
THRESHOLD = 65.0  # default of SURVEI_ALERT_THRESHOLD: below grade C's lower bound
MIN_RESPONSES = 5  # default of SURVEI_ALERT_MIN_RESPONSES
CALLBACK_DAYS = 2  # default of SURVEI_CALLBACK_WORKING_DAYS
REF_MAX_AGE = 24 * 3600  # the thanks page's offer lasts a day

#: The call-back form on the thanks page (citizens; signed reference instead of a session).
followup = Blueprint("survei_followup", __name__, url_prefix="/s", template_folder="templates")
#: The staff follow-up list.
followup_staff = AgencyBlueprint(
    "survei_followup_staff", __name__, path="survei/telepon-balik", plugin=NAME, staff=True
)


def setting(name: str, default):
    return type(default)(current_app.config.get(name, default))


# ---------------------------------------------------------------- satisfaction


def satisfaction(response: SurveiResponse) -> Decimal | None:
    """A response's satisfaction, 0–100: the face, or the mean of the nine
    unsur, on the SKM conversion (× 25)."""
    if response.kind == SurveiKind.QUICK:
        return Decimal(response.face * 25) if response.face else None
    answers = [getattr(response, f"u{n}") for n in range(1, 10)]
    if None in answers:
        return None
    return Decimal(sum(answers) * 25) / 9


def is_low(response: SurveiResponse) -> bool:
    """Low enough to offer the citizen a next step: "Kurang puas" or worse,
    or an SKM mean below the middle of the scale."""
    value = satisfaction(response)
    return value is not None and value <= 50


def gave_lowest(response: SurveiResponse) -> bool:
    """The lowest answer: the unhappy face, or any unsur answered 1."""
    if response.kind == SurveiKind.QUICK:
        return response.face == 1
    return any(getattr(response, f"u{n}") == 1 for n in range(1, 10))


def window_of(zone: str, moment: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """(local start, UTC start, UTC end) of the alert window holding ``moment``
    (naive UTC) in time zone ``zone``."""
    minutes = max(1, setting("SURVEI_ALERT_WINDOW_MINUTES", WINDOW_MINUTES))
    here = local(moment, zone)
    midnight = here.replace(hour=0, minute=0, second=0, microsecond=0)
    elapsed = int((here - midnight).total_seconds() // 60)
    start = midnight + dt.timedelta(minutes=elapsed - elapsed % minutes)
    end = min(start + dt.timedelta(minutes=minutes), midnight + dt.timedelta(days=1))
    as_utc = lambda t: t.astimezone(dt.UTC).replace(tzinfo=None)  # noqa: E731
    return start, as_utc(start), as_utc(end)


def _window(desk_id: int, zone: str, moment: dt.datetime) -> tuple:
    """(local start, local end, responses, mean satisfaction) of the desk's
    counted responses in the window holding ``moment``."""
    start, lo, hi = window_of(zone, moment)
    params = {"desk_id": desk_id, "lo": lo, "hi": hi}
    if db.session().in_transaction():  # the session holds a connection already: read through it
        count, total = db.session.execute(_WINDOW, params).one()
    else:  # one read after the answer's commit: no transaction, no BEGIN/COMMIT round trips
        count, total = pagecache.first_row(_WINDOW, **params)
    mean = (Decimal(str(total)) / 9 / count) if count else None
    return start, local(hi, zone), int(count or 0), mean


#: A desk's counted responses in a window: how many, and their satisfaction
#: × 9 summed (a face × 25 × 9, or the nine unsur × 25). Built once.
_WINDOW = db.select(
    func.count(SurveiResponse.id),
    func.sum(
        db.case(
            (SurveiResponse.kind == SurveiKind.QUICK, SurveiResponse.face * 25.0 * 9),
            else_=sum((getattr(SurveiResponse, f"u{n}") for n in range(1, 10)), start=0) * 25.0,
        )
    ),
).where(
    SurveiResponse.desk_id == db.bindparam("desk_id"),
    SurveiResponse.created_at >= db.bindparam("lo"),
    SurveiResponse.created_at < db.bindparam("hi"),
    # counted(), written out: the statement runs without SQLAlchemy's IN expansion
    db.or_(*(SurveiResponse.review == state for state in REVIEW_COUNTED)),
)


# ---------------------------------------------------------------- who is told


def unit_heads(unit: Unit) -> list[User]:
    """The logins of the unit's heads (see the module's docstring), else the
    agency's admins."""
    officers = db.session.scalars(
        db.select(Officer).where(Officer.unit_id == unit.id, Officer.active.is_(True))
    ).all()
    in_unit = {officer.id for officer in officers}
    supervising = {officer.supervisor_id for officer in officers if officer.supervisor_id in in_unit}
    heads = [o.id for o in officers if o.id in supervising and o.supervisor_id not in in_unit]
    users = []
    if heads:
        users = db.session.scalars(
            db.select(User).where(User.officer_id.in_(heads), User.active.is_(True)).order_by(User.id)
        ).all()
    if not users:
        users = db.session.scalars(
            db.select(User)
            .where(User.agency_id == unit.agency_id, User.role == ROLE_ADMIN, User.active.is_(True))
            .order_by(User.id)
        ).all()
    return list(users)


def _desk_label(desk: Desk) -> str:
    return f"{desk.unit.name} — {desk.name}"


def response_stored(response: SurveiResponse, zone: str | None = None) -> int:
    """Raise the alerts a newly stored response calls for, and commit them.
    ``zone`` is the agency's time zone when the caller knows it (saves
    reading the desk). Never raises: the citizen's answer is stored whatever
    happens here. Returns how many notifications were created."""
    try:
        if response.review != SurveiReview.NONE:
            return 0  # held for review: counted nowhere yet
        read_first()  # what an alert reads is read beside other requests; a notice takes the lock
        created = _alerts(response, zone)
        db.session.commit()  # nothing to send when no alert was due (the window is read outside it)
        return created
    except DBAPIError as error:  # the database went away after the answer was stored
        log.warning(
            "survey alert for response %s skipped: database unavailable (%s)",
            response.id,
            type(error.orig).__name__,
        )
        db.session.rollback()
        return 0
    except Exception:  # an alert must never cost a citizen's answer
        log.exception("survey alert for response %s failed", response.id)
        db.session.rollback()
        return 0


def _alerts(response: SurveiResponse, zone: str | None) -> int:
    if zone is None:
        zone = db.session.get(Desk, response.desk_id).unit.agency.timezone
    lowest = gave_lowest(response)
    start, end, count, mean = _window(response.desk_id, zone, response.created_at)
    threshold = Decimal(str(setting("SURVEI_ALERT_THRESHOLD", THRESHOLD)))
    low_window = (
        mean is not None
        and count >= setting("SURVEI_ALERT_MIN_RESPONSES", MIN_RESPONSES)
        and mean < threshold
    )
    if not (lowest or low_window):
        return 0  # the usual case: nothing more to read
    desk = db.session.get(Desk, response.desk_id)
    agency = desk.unit.agency
    heads = unit_heads(desk.unit)
    url = url_for("survei_followup_staff.index", agency_slug=agency.slug)
    created = 0
    if lowest:
        at = local(response.created_at, agency.timezone)
        created += notify(
            heads,
            _("Penilaian terendah di %(desk)s", desk=_desk_label(desk)),
            body=_(
                "Seorang warga memberi jawaban terendah untuk %(desk)s pada %(time)s.",
                desk=_desk_label(desk),
                time=at.strftime("%d-%m-%Y %H.%M"),
            ),
            url=url,
            key=f"survei:terendah:{response.id}",
        )
    if low_window:
        created += notify(
            heads,
            _("Kepuasan di %(desk)s turun", desk=_desk_label(desk)),
            body=_(
                "Rata-rata kepuasan %(desk)s pada %(day)s pukul %(start)s–%(end)s: %(mean)s dari "
                "%(count)d penilaian, di bawah ambang %(threshold)s.",
                desk=_desk_label(desk),
                day=start.strftime("%d-%m-%Y"),
                start=start.strftime("%H.%M"),
                end=end.strftime("%H.%M"),
                mean=f"{mean:.2f}".replace(".", ","),
                count=count,
                threshold=f"{threshold:.2f}".replace(".", ","),
            ),
            url=url,
            key=f"survei:turun:{desk.id}:{start:%Y-%m-%dT%H%M}",
        )
    return created


# ---------------------------------------------------------------- the citizen's next step


def _ref_signer():
    return _signer(current_app.config["SECRET_KEY"], "survei-callback")


def low_rating_ref(response: SurveiResponse) -> str | None:
    """A signed reference to ``response`` for its thanks page, when it is
    low (the page then offers the next step), else None."""
    return _ref_signer().dumps(response.id) if is_low(response) else None


def _response_of(ref: str, desk: Desk) -> SurveiResponse | None:
    try:
        response_id = _ref_signer().loads(ref or "", max_age=REF_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    response = db.session.get(SurveiResponse, response_id) if isinstance(response_id, int) else None
    if response is None or response.desk_id != desk.id or not is_low(response):
        return None
    return response


def _next_step(desk: Desk, ref: str, asked: bool) -> dict:
    return {
        "links": citizen_followups(desk.unit.agency, desk.unit),
        "ref": ref,
        "asked": asked,
        "action": url_for("survei_followup.callback", token=desk.qr_token),
    }


def thanks_context(desk: Desk) -> dict:
    """What the thanks page adds after a low rating (its ``?r=`` signed reference)."""
    ref = request.args.get("r", "")[:200]
    response = _response_of(ref, desk) if ref else None
    if response is None:
        return {"next_step": None}
    asked = db.session.scalar(db.select(SurveiCallback.id).filter_by(response_id=response.id))
    return {"next_step": _next_step(desk, ref, asked is not None)}


PHONE_SEPARATORS = re.compile(r"[\s\-().]")


def normalise_phone(raw: str) -> tuple[str | None, str | None]:
    """(the number as +62…, None) or (None, what is wrong, in Indonesian)."""
    typed = PHONE_SEPARATORS.sub("", raw or "")
    if not typed:
        return None, _("Tuliskan nomor telepon yang dapat kami hubungi.")
    for prefix in ("+62", "62", "0"):
        if typed.startswith(prefix):
            rest = typed[len(prefix) :]
            break
    else:
        return None, _("Nomor telepon diawali 0 atau +62, misalnya 0812 3456 7890.")
    if not rest.isdigit():
        return None, _("Nomor telepon hanya berisi angka (boleh dengan spasi atau tanda hubung).")
    if rest.startswith("0") or not 8 <= len(rest) <= 12:
        return None, _("Nomor telepon Indonesia berisi 9 sampai 13 angka setelah 0; periksa lagi nomornya.")
    return "+62" + rest, None


def _callback_limit() -> str:
    return current_app.config.get("SURVEI_RATE_LIMIT", "120 per minute;3000 per hour")


@followup.route("/<token>/telepon-balik", methods=["POST"])
@csrf.exempt  # the signed reference to the citizen's own response is the token
@limiter.limit(_callback_limit)
@citizen_only
def callback(token):
    desk = db.session.execute(db.select(Desk).filter_by(qr_token=token)).scalar_one_or_none()
    if desk is None or not desk.active or not is_enabled(desk.unit.agency, NAME):
        abort(404)
    g.agency = desk.unit.agency
    response = _response_of(request.form.get("ref", "")[:200], desk)
    if not same_origin() or response is None:
        return _notice(
            _l("Formulir tidak berlaku"),
            _l("Tautan ini sudah tidak berlaku. Bila perlu, tanyakan kepada petugas."),
            400,
        )
    typed = request.form.get("phone", "")[:40]
    phone, error = normalise_phone(typed)
    ref = request.form.get("ref", "")[:200]
    context = {"desk": desk, "agency": g.agency, "next_step": _next_step(desk, ref, False)}
    if error:
        return render_template("survei/thanks.html", phone_error=error, phone=typed, **context), 400
    agency = g.agency
    today = local(utcnow(), agency.timezone).date()
    row = SurveiCallback(
        agency_id=agency.id,
        unit_id=desk.unit_id,
        desk_id=desk.id,
        response_id=response.id,
        phone=phone,
        due_on=workdays.add_working_days(
            agency, today, setting("SURVEI_CALLBACK_WORKING_DAYS", CALLBACK_DAYS)
        ),
    )
    db.session.add(row)
    try:
        db.session.flush()
        notify(
            unit_heads(desk.unit),
            _("Warga minta ditelepon balik: %(desk)s", desk=_desk_label(desk)),
            body=_("Jatuh tempo %(date)s.", date=row.due_on.strftime("%d-%m-%Y")),
            url=url_for("survei_followup_staff.index", agency_slug=agency.slug),
            key=f"survei:telepon:{row.id}",
        )
        due = row.due_on
        db.session.commit()
    except IntegrityError:  # already asked for this response (a second tap)
        db.session.rollback()
        due = db.session.scalar(db.select(SurveiCallback.due_on).filter_by(response_id=response.id))
    return render_template("survei/thanks.html", callback_due=due, **context)


def _notice(title, text, status):
    return render_template("survei/notice.html", title=title, text=text), status


# ---------------------------------------------------------------- staff follow-up list


class DoneForm(BaseForm):
    note = StringField(_l("Catatan"), filters=[strip], validators=[Length(max=300)])


def _visible_units() -> list[int] | None:
    """Unit ids the user follows up (None: every unit of the agency)."""
    if current_user.can_manage_agency(g.agency):
        return None
    officer = db.session.get(Officer, current_user.officer_id) if current_user.officer_id else None
    if officer is None or not officer.unit_id or current_user not in unit_heads(officer.unit):
        abort(403)
    return [officer.unit_id]


def _callbacks(units):
    query = db.select(SurveiCallback).where(SurveiCallback.agency_id == g.agency.id)
    if units is not None:
        query = query.where(SurveiCallback.unit_id.in_(units))
    recent = utcnow() - dt.timedelta(days=30)
    query = query.where(
        (SurveiCallback.status == SurveiCallbackStatus.OPEN) | (SurveiCallback.done_at >= recent)
    )
    return db.session.scalars(
        query.order_by(SurveiCallback.status.desc(), SurveiCallback.due_on, SurveiCallback.id)
    ).all()


@followup_staff.route("/")
def index():
    units = _visible_units()
    today = local(utcnow(), g.agency.timezone).date()
    return render_template(
        "survei/callbacks.html",
        callbacks=_callbacks(units),
        today=today,
        form=DoneForm(),
        satisfaction=satisfaction,
    )


@followup_staff.route("/<int:callback_id>/selesai", methods=["POST"])
def done(callback_id):
    units = _visible_units()
    row = db.session.get(SurveiCallback, callback_id)
    if row is None or row.agency_id != g.agency.id or (units is not None and row.unit_id not in units):
        abort(404)
    form = DoneForm()
    if not form.validate():
        flash(" ".join(form.note.errors) or _("Formulir tidak berlaku; coba lagi."), "error")
        return redirect(url_for(".index"))
    if row.status == SurveiCallbackStatus.OPEN:
        row.status = SurveiCallbackStatus.DONE
        row.done_at = utcnow()
        row.done_by_id = current_user.id
        row.done_note = form.note.data or ""
        audit("survei.telepon_balik.selesai", row, agency=g.agency)
        db.session.commit()
        flash(_("Tindak lanjut dicatat selesai."), "success")
    return redirect(url_for(".index"))


def anonymise(before: dt.datetime) -> dict[str, int]:
    """The retention job: call-back phone numbers older than ``before`` go."""
    changed = db.session.execute(
        db.update(SurveiCallback)
        .where(SurveiCallback.created_at < before, SurveiCallback.phone.isnot(None))
        .values(phone=None)
    ).rowcount
    db.session.flush()
    return {"nomor telepon balik survei": changed}
