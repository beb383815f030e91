"""Public pages: events, registration, confirmation with QR code, cancel,
ratings by checked-in attendees, and iCalendar feeds."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func

from plugins.dialog_publik.models import DRAF, DialogEvent, DialogRegistration, labels
from plugins.dialog_publik.service import (
    RegistrationError,
    ask,
    cancel,
    ical,
    normalise_code,
    ordered_questions,
    rate,
    register,
    seats_taken,
    valid_contact,
    vote,
    waitlist_length,
)
from portal.core import plugins
from portal.core.forms import BaseForm
from portal.core.models import Agency, Unit
from portal.core.plugins import AgencyBlueprint
from portal.core.qr import qr_svg
from portal.core.timeutil import utcnow
from portal.extensions import db, limiter

bp = AgencyBlueprint("dialog_publik", __name__, path="dialog")
everywhere = Blueprint("dialog_publik_all", __name__, url_prefix="/dialog", template_folder="templates")
bp.context_processor(lambda: {"dialog_labels": labels()})


def _visible(query, now):
    return [e for e in db.session.scalars(query) if e.visible(now)]


@bp.route("/")
def index():
    now = utcnow()
    query = db.select(DialogEvent).where(DialogEvent.agency_id == g.agency.id, DialogEvent.status != DRAF)
    topic = request.args.get("topik", "").strip()
    unit = request.args.get("unit", type=int)
    if topic:
        query = query.where(DialogEvent.topic == topic)
    if unit:
        query = query.where(DialogEvent.unit_id == unit)
    events = _visible(query.order_by(DialogEvent.starts_at), now)
    topics = sorted(
        {
            t
            for t in db.session.scalars(
                db.select(DialogEvent.topic).where(
                    DialogEvent.agency_id == g.agency.id, DialogEvent.status != DRAF
                )
            )
            if t
        }
    )
    units = db.session.scalars(db.select(Unit).filter_by(agency_id=g.agency.id).order_by(Unit.name)).all()
    return render_template(
        "dialog_publik/index.html",
        agency=g.agency,
        now=now,
        topics=topics,
        units=units,
        upcoming=[e for e in events if e.ends_at >= now],
        past=[e for e in events if e.ends_at < now][::-1],
        topic=topic,
        unit=unit,
    )


@everywhere.route("/")
def all_events():
    now = utcnow()
    agencies = {
        a.id: a for a in db.session.scalars(db.select(Agency)) if plugins.is_enabled(a, "dialog_publik")
    }
    events = _visible(
        db.select(DialogEvent)
        .where(
            DialogEvent.agency_id.in_(list(agencies)), DialogEvent.ends_at >= now, DialogEvent.status != DRAF
        )
        .order_by(DialogEvent.starts_at),
        now,
    )
    return render_template("dialog_publik/all.html", events=events, agencies=agencies)


def _event(event_id: int) -> DialogEvent:
    event = db.session.get(DialogEvent, event_id)
    if event is None or event.agency_id != g.agency.id or not event.visible(utcnow()):
        abort(404)
    return event


def calendar_link(event: DialogEvent) -> str:
    """An "add to Google Calendar" link (other calendars take the .ics)."""
    fmt = "%Y%m%dT%H%M%SZ"
    return "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": event.title,
            "dates": f"{event.starts_at.strftime(fmt)}/{event.ends_at.strftime(fmt)}",
            "details": event.description[:500],
            "location": event.venue or event.online_url,
        }
    )


def _register_limit() -> str:
    # Per client address. A whole office or school behind one NAT may sign
    # up for a popular forum at once, so the default is generous.
    return current_app.config.get("DIALOG_RATE_LIMIT", "60 per minute;600 per hour")


@bp.route("/<int:event_id>", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def event(event_id):
    item = _event(event_id)
    form = BaseForm()
    errors, values = {}, {}
    if request.method == "POST" and form.validate_on_submit():
        values = {k: request.form.get(k, "").strip() for k in ("name", "contact", "organisation", "website")}
        if values["website"]:
            return redirect(url_for(".event", event_id=item.id))
        if not 2 <= len(values["name"]) <= 150:
            errors["name"] = _("Isi nama Anda (2–150 karakter).")
        if not valid_contact(values["contact"]):
            errors["contact"] = _("Isi nomor telepon (08…) atau alamat e-mail yang valid.")
        if len(values["organisation"]) > 200:
            errors["organisation"] = _("Paling banyak 200 karakter.")
        if not errors:
            try:
                registration, created = register(
                    item.id, values["name"], values["contact"], values["organisation"]
                )
            except RegistrationError as error:
                errors["form"] = str(error)
            else:
                if not created:
                    flash(_("Kontak ini sudah terdaftar untuk acara ini; berikut pendaftaran Anda."), "info")
                return redirect(url_for(".confirmation", code=registration.code))
    return _event_page(item, form, errors, values)


def _event_page(item, form, errors, values, question_error=None):
    from plugins.dialog_publik.models import DialogCommitment

    now = utcnow()
    present = db.session.scalar(
        db.select(func.count(DialogRegistration.id)).where(
            DialogRegistration.event_id == item.id, DialogRegistration.checked_in_at.isnot(None)
        )
    )
    commitments = db.session.scalars(
        db.select(DialogCommitment).filter_by(event_id=item.id).order_by(DialogCommitment.id)
    ).all()
    return render_template(
        "dialog_publik/event.html",
        event=item,
        form=form,
        errors=errors,
        values=values,
        now=now,
        taken=seats_taken(item.id),
        waiting=waitlist_length(item.id),
        calendar_link=calendar_link(item),
        questions=ordered_questions(item.id),
        question_error=question_error,
        present=present,
        commitments=commitments,
    ), 422 if (errors or question_error) else 200


@bp.route("/<int:event_id>/tanya", methods=["POST"])
@limiter.limit("10 per minute")
def ask_question(event_id):
    item = _event(event_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    try:
        ask(item, request.form.get("question", ""), request.form.get("code", ""))
    except RegistrationError as error:
        return _event_page(item, BaseForm(), {}, {}, question_error=str(error))
    flash(_("Pertanyaan Anda diterima dan akan tampil setelah dimoderasi."), "success")
    return redirect(url_for(".event", event_id=item.id))


VOTER_COOKIE = "dialog_voter"


@bp.route("/pertanyaan/<int:question_id>/dukung", methods=["POST"])
@limiter.limit("30 per minute")
def upvote(question_id):
    from plugins.dialog_publik.models import DialogQuestion

    question = db.session.get(DialogQuestion, question_id)
    if question is None or question.status != "disetujui" or not BaseForm().validate_on_submit():
        abort(404)
    _event(question.event_id)
    code = normalise_code(request.form.get("code", ""))
    device = request.cookies.get(VOTER_COOKIE) or secrets.token_hex(16)
    voter = f"kode:{code}" if code else f"perangkat:{device}"
    counted = vote(question.id, voter)
    flash(_("Dukungan Anda tercatat.") if counted else _("Anda sudah mendukung pertanyaan ini."), "info")
    response = redirect(url_for(".event", event_id=question.event_id) + f"#q{question.id}")
    response.set_cookie(VOTER_COOKIE, device, max_age=365 * 24 * 3600, httponly=True, samesite="Lax")
    return response


def _registration(code: str) -> DialogRegistration:
    registration = db.session.execute(
        db.select(DialogRegistration).filter_by(code=normalise_code(code))
    ).scalar_one_or_none()
    if registration is None or registration.event.agency_id != g.agency.id:
        abort(404)
    return registration


@bp.route("/pendaftaran/<code>")
def confirmation(code):
    registration = _registration(code)
    qr = Markup(qr_svg(registration.code, _("Kode pendaftaran")))  # noqa: S704 - path data only  # nosec B704
    return render_template(
        "dialog_publik/confirmation.html",
        registration=registration,
        event=registration.event,
        qr=qr,
        form=BaseForm(),
        calendar_link=calendar_link(registration.event),
    )


@bp.route("/pendaftaran/<code>/batal", methods=["POST"])
def cancel_registration(code):
    registration = _registration(code)
    if not BaseForm().validate_on_submit():
        abort(400)
    cancel(registration.id)
    flash(_("Pendaftaran %(c)s dibatalkan.", c=registration.code), "success")
    return redirect(url_for(".confirmation", code=registration.code))


@bp.route("/pendaftaran/<code>/nilai", methods=["GET", "POST"])
def rating(code):
    registration = _registration(code)
    event = registration.event
    error = None
    if request.method == "POST" and BaseForm().validate_on_submit():
        scores, comments = {}, {}
        for target in [0] + [p.officer_id for p in event.panelists]:
            value = request.form.get(f"nilai_{target}", type=int)
            if value is not None:
                scores[target] = value
                comments[target] = request.form.get(f"komentar_{target}", "")
        try:
            rate(registration, scores, comments)
        except RegistrationError as problem:
            error = str(problem)
        else:
            flash(_("Terima kasih atas penilaian Anda."), "success")
            return redirect(url_for(".rating", code=registration.code))
    from plugins.dialog_publik.models import DialogRating

    done = set(
        db.session.scalars(db.select(DialogRating.officer_id).filter_by(registration_id=registration.id))
    )
    allowed = registration.checked_in_at is not None and utcnow() >= event.starts_at
    return render_template(
        "dialog_publik/rating.html",
        registration=registration,
        event=event,
        done=done,
        allowed=allowed,
        error=error,
        form=BaseForm(),
    ), 422 if error else 200


@bp.route("/kalender.ics")
def agency_calendar():
    now = utcnow()
    events = _visible(
        db.select(DialogEvent)
        .where(DialogEvent.agency_id == g.agency.id, DialogEvent.status != DRAF)
        .order_by(DialogEvent.starts_at),
        now,
    )
    body = ical(events, lambda e: url_for(".event", event_id=e.id, _external=True), g.agency.name)
    return Response(body, mimetype="text/calendar")


@bp.route("/<int:event_id>/acara.ics")
def event_calendar(event_id):
    item = _event(event_id)
    body = ical([item], lambda e: url_for(".event", event_id=e.id, _external=True), g.agency.name)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="dialog-{item.id}.ics"'},
    )
