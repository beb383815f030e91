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
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from sqlalchemy import func

from plugins.dialog_publik.models import (
    DialogCommitment,
    DialogEvent,
    DialogEventStatus,
    DialogQuestion,
    DialogQuestionStatus,
    DialogRating,
    DialogRegistration,
    DialogRegistrationStatus,
    labels,
)
from plugins.dialog_publik.service import (
    RegistrationError,
    UnknownCode,
    ask,
    cancel,
    ical,
    normalise_code,
    ordered_questions,
    rate,
    register,
    registration_for_code,
    seats_taken,
    send_code_reminder,
    support,
    valid_contact,
    waitlist_length,
)
from portal.plugin import (
    Agency,
    AgencyBlueprint,
    BaseForm,
    Unit,
    citizen_only,
    db,
    is_enabled,
    limiter,
    qr_svg,
    utcnow,
)

bp = AgencyBlueprint("dialog_publik", __name__, path="dialog")
everywhere = Blueprint("dialog_publik_all", __name__, url_prefix="/dialog", template_folder="templates")
bp.context_processor(lambda: {"dialog_labels": labels()})


def _visible_events(query, now):
    return [e for e in db.session.scalars(query) if e.visible(now)]


@bp.route("/")
def index():
    now = utcnow()
    query = db.select(DialogEvent).where(
        DialogEvent.agency_id == g.agency.id, DialogEvent.status != DialogEventStatus.DRAFT
    )
    topic = request.args.get("topik", "").strip()
    unit = request.args.get("unit", type=int)
    if topic:
        query = query.where(DialogEvent.topic == topic)
    if unit:
        query = query.where(DialogEvent.unit_id == unit)
    events = _visible_events(query.order_by(DialogEvent.starts_at), now)
    topics = sorted(
        {
            t
            for t in db.session.scalars(
                db.select(DialogEvent.topic).where(
                    DialogEvent.agency_id == g.agency.id, DialogEvent.status != DialogEventStatus.DRAFT
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
    agencies = {a.id: a for a in db.session.scalars(db.select(Agency)) if is_enabled(a, "dialog_publik")}
    events = _visible_events(
        db.select(DialogEvent)
        .where(
            DialogEvent.agency_id.in_(list(agencies)),
            DialogEvent.ends_at >= now,
            DialogEvent.status != DialogEventStatus.DRAFT,
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
    utc_format = "%Y%m%dT%H%M%SZ"
    return "https://calendar.google.com/calendar/render?" + urlencode(
        {
            "action": "TEMPLATE",
            "text": event.title,
            "dates": f"{event.starts_at.strftime(utc_format)}/{event.ends_at.strftime(utc_format)}",
            "details": event.description[:500],
            "location": event.venue or event.online_url,
        }
    )


def _register_limit() -> str:
    # Per client address. A whole office or school behind one NAT may sign
    # up for a popular forum at once, so the default is generous.
    return current_app.config.get("DIALOG_RATE_LIMIT", "60 per minute;600 per hour")


def _code_limit() -> str:
    # Per client address, counting only lookups whose registration code names
    # nothing (see _code_miss): a person opening their own page never uses it
    # up, while guessing codes stops after a few tries.
    return current_app.config.get("DIALOG_CODE_RATE_LIMIT", "20 per minute;100 per hour")


def _code_miss() -> None:
    """Count this request against the per-address budget of wrong codes."""
    g.dialog_code_miss = True


#: Every view that takes a registration code shares one budget of misses.
code_guard = limiter.shared_limit(
    _code_limit, scope="dialog_publik_code", deduct_when=lambda response: bool(g.get("dialog_code_miss"))
)

VOTER_COOKIE = "dialog_voter"
ONE_YEAR = 365 * 24 * 3600


def set_cookie(response, name: str, value: str, max_age: int, path: str = "/") -> None:
    """Every cookie of this module: never readable by scripts, not sent by
    other sites' forms, and HTTPS-only whenever the session cookie is."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


def _voter_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="dialog_publik.voter")


def _voter_device() -> str | None:
    """This browser's voter id, when it carries one this portal issued."""
    raw = request.cookies.get(VOTER_COOKIE)
    if not raw:
        return None
    try:
        value = _voter_signer().loads(raw)
    except BadSignature:
        return None
    return value if isinstance(value, str) and len(value) == 32 else None


def _give_voter_cookie(response) -> None:
    if _voter_device() is None:
        set_cookie(response, VOTER_COOKIE, _voter_signer().dumps(secrets.token_hex(16)), ONE_YEAR)


def _code_cookie(event_id: int) -> str:
    return f"dialog_kode_{event_id}"


REMEMBER_FOR = 30 * 24 * 3600


def _registration_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="dialog_publik.registration")


def _remember_code(response, registration: DialogRegistration) -> None:
    """Remember the registration in this browser for 30 days, so that the
    registrant asks and upvotes on the event page without typing the code.
    The cookie is signed by the portal (a forged or altered one names
    nobody), readable by no script, sent only to this agency's forum pages,
    and holds the registration's id with its code: a cancelled
    registration is forgotten. Typing the code always works as well."""
    set_cookie(
        response,
        _code_cookie(registration.event_id),
        _registration_signer().dumps([registration.id, registration.code]),
        REMEMBER_FOR,
        path=url_for(".index"),
    )


def _forget_code(response, event_id: int) -> None:
    response.delete_cookie(
        _code_cookie(event_id),
        path=url_for(".index"),
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


def remembered(event: DialogEvent) -> DialogRegistration | None:
    """The registration of ``event`` this browser remembers (seat or
    waitlist), or None: no cookie, a cookie this portal did not sign, or one
    naming a registration of another event or one since cancelled."""
    raw = request.cookies.get(_code_cookie(event.id))
    if not raw:
        return None
    try:
        registration_id, code = _registration_signer().loads(raw)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(registration_id, int) or not isinstance(code, str):
        return None
    registration = db.session.get(DialogRegistration, registration_id)
    if (
        registration is None
        or registration.event_id != event.id
        or registration.code != code
        or registration.status == DialogRegistrationStatus.CANCELLED
    ):
        return None
    return registration


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
                if created:
                    response = redirect(url_for(".confirmation", code=registration.code))
                    _remember_code(response, registration)  # this device registered
                    return response
                # Never hand an existing registration's code to whoever typed
                # the same contact: it opens, cancels and rates that seat.
                if send_code_reminder(registration):
                    flash(
                        _(
                            "Kontak ini sudah terdaftar untuk acara ini. Kode pendaftarannya kami "
                            "kirim ke alamat e-mail tersebut."
                        ),
                        "info",
                    )
                else:
                    flash(
                        _(
                            "Nomor telepon ini sudah terdaftar untuk acara ini. Gunakan kode "
                            "pendaftaran yang Anda terima saat mendaftar; bila lupa, tunjukkan "
                            "identitas Anda kepada petugas di lokasi acara."
                        ),
                        "info",
                    )
                return redirect(url_for(".event", event_id=item.id))
    return _event_page(item, form, errors, values)


def _present(event_id: int) -> int:
    return db.session.scalar(
        db.select(func.count(DialogRegistration.id)).where(
            DialogRegistration.event_id == event_id,
            DialogRegistration.checked_in_at.isnot(None),
            DialogRegistration.status != DialogRegistrationStatus.CANCELLED,
        )
    )


def _event_page(item, form, errors, values, question_error=None, vote_error=None):
    now = utcnow()
    mine = remembered(item)
    started = item.has_started(now)
    commitments = (
        db.session.scalars(
            db.select(DialogCommitment).filter_by(event_id=item.id).order_by(DialogCommitment.id)
        ).all()
        if started
        else []
    )
    response = make_response(
        render_template(
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
            vote_error=vote_error,
            mine=mine,
            started=started,
            present=_present(item.id) if started else None,
            commitments=commitments,
        ),
        422 if (errors or question_error or vote_error) else 200,
    )
    if mine is None and request.cookies.get(_code_cookie(item.id)):
        _forget_code(response, item.id)  # altered, or its registration was cancelled
    if item.anonymous_votes:
        _give_voter_cookie(response)  # the one vote this browser may cast per question
    return response


def _typed_or_remembered_code(item: DialogEvent) -> tuple[str, bool]:
    """(code, typed): the code in the form, else the one this browser remembers."""
    typed = normalise_code(request.form.get("code", ""))
    if typed:
        return typed, True
    mine = remembered(item)
    return (mine.code if mine else ""), False


def _refused(item: DialogEvent, error: RegistrationError, typed: bool, error_slot: str) -> Response:
    """The event page again, ``error`` shown in ``error_slot`` (``question_error``
    or ``vote_error``). A code that names no registration counts against the
    budget of wrong codes."""
    if isinstance(error, UnknownCode):
        _code_miss()
    return _event_page(item, BaseForm(), {}, {}, **{error_slot: str(error)})


#: After asking, the registrant is told this wherever they asked.
ASKED = _l(
    "Pertanyaan Anda diterima dan menunggu moderasi. Pertanyaan tampil di halaman acara setelah disetujui."
)


@bp.route("/<int:event_id>/tanya", methods=["POST"])
@code_guard
@limiter.limit("10 per minute")
@citizen_only
def ask_question(event_id):
    item = _event(event_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    code, typed = _typed_or_remembered_code(item)
    from_registration = request.form.get("dari") == "pendaftaran"
    try:
        question = ask(item, request.form.get("question", ""), code)
    except RegistrationError as error:
        registration = registration_for_code(item, code) if from_registration and code else None
        if registration is not None:
            return _confirmation_page(registration, question_error=str(error), status=422)
        return _refused(item, error, typed, "question_error")
    flash(str(ASKED), "success")
    registration = (
        db.session.get(DialogRegistration, question.registration_id) if question.registration_id else None
    )
    if from_registration and registration is not None:
        response = redirect(url_for(".confirmation", code=registration.code) + "#pertanyaan-anda")
    else:
        response = redirect(url_for(".event", event_id=item.id))
    if typed and registration is not None:
        _remember_code(response, registration)
    return response


@bp.route("/pertanyaan/<int:question_id>/dukung", methods=["POST"])
@code_guard
@limiter.limit("30 per minute")
@citizen_only
def upvote(question_id):
    question = db.session.get(DialogQuestion, question_id)
    if (
        question is None
        or question.status != DialogQuestionStatus.APPROVED
        or not BaseForm().validate_on_submit()
    ):
        abort(404)
    item = _event(question.event_id)
    code, typed = _typed_or_remembered_code(item)
    try:
        counted = support(question, item, code, _voter_device())
    except RegistrationError as error:
        return _refused(item, error, typed, "vote_error")
    flash(_("Dukungan Anda tercatat.") if counted else _("Anda sudah mendukung pertanyaan ini."), "info")
    response = redirect(url_for(".event", event_id=item.id) + f"#q{question.id}")
    if typed:
        _remember_code(response, registration_for_code(item, code))
    return response


@bp.route("/<int:event_id>/lupakan", methods=["POST"])
def forget(event_id):
    """Forget the registration this browser remembers (a shared phone, a
    family computer): the code has to be typed again."""
    item = _event(event_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    flash(_("Pendaftaran tidak lagi diingat di perangkat ini. Kodenya tetap berlaku."), "info")
    response = redirect(url_for(".event", event_id=item.id))
    _forget_code(response, item.id)
    return response


def _registration(code: str) -> DialogRegistration:
    registration = db.session.execute(
        db.select(DialogRegistration).filter_by(code=normalise_code(code))
    ).scalar_one_or_none()
    if registration is None or registration.event.agency_id != g.agency.id:
        _code_miss()
        abort(404)
    return registration


def _rated(registration: DialogRegistration) -> set[int]:
    return set(
        db.session.scalars(db.select(DialogRating.officer_id).filter_by(registration_id=registration.id))
    )


def _rating_targets(event: DialogEvent) -> list[int]:
    """Who an attendee rates: the event itself (0), then each panelist."""
    return [0] + [p.officer_id for p in event.panelists]


def _confirmation_page(registration: DialogRegistration, question_error=None, status=200):
    event, now = registration.event, utcnow()
    active = registration.status != DialogRegistrationStatus.CANCELLED
    left_to_rate = [t for t in _rating_targets(event) if t not in _rated(registration)]
    attended = registration.checked_in_at is not None
    questions = db.session.scalars(
        db.select(DialogQuestion).filter_by(registration_id=registration.id).order_by(DialogQuestion.id)
    ).all()
    qr = Markup(qr_svg(registration.code, _("Kode pendaftaran")))  # noqa: S704 - path data only  # nosec B704
    response = make_response(
        render_template(
            "dialog_publik/confirmation.html",
            registration=registration,
            event=event,
            qr=qr,
            form=BaseForm(),
            calendar_link=calendar_link(event),
            now=now,
            active=active,
            attended=attended,
            may_rate=attended and event.rating_open(now) and bool(left_to_rate),
            rated_all=attended and not left_to_rate,
            may_cancel=active and not attended and event.cancellable(now),
            may_ask=active and event.questions_open(now),
            questions=questions,
            question_error=question_error,
        ),
        status,
    )
    if active:
        _remember_code(response, registration)
    else:
        _forget_code(response, registration.event_id)
    return response


@bp.route("/pendaftaran/<code>")
@code_guard
def confirmation(code):
    return _confirmation_page(_registration(code))


@bp.route("/pendaftaran/<code>/batal", methods=["POST"])
@code_guard
def cancel_registration(code):
    registration = _registration(code)
    if not BaseForm().validate_on_submit():
        abort(400)
    try:
        cancel(registration.id)
    except RegistrationError as error:
        flash(str(error), "error")
    else:
        flash(_("Pendaftaran %(c)s dibatalkan.", c=registration.code), "success")
    return redirect(url_for(".confirmation", code=registration.code))


def _submitted_scores(targets: list[int]) -> tuple[dict, dict, dict]:
    """(scores, comments, values) from the rating form: a score is None when
    not chosen, and an unreadable one is 0 (off the scale, refused)."""
    scores, comments, values = {}, {}, {}
    for target in targets:
        raw = request.form.get(f"nilai_{target}", "").strip()
        values[target] = raw
        scores[target] = (int(raw) if raw.isdigit() and len(raw) < 3 else 0) if raw else None
        comments[target] = request.form.get(f"komentar_{target}", "")[:1000]
    return scores, comments, values


@bp.route("/pendaftaran/<code>/nilai", methods=["GET", "POST"])
@code_guard
@citizen_only
def rating(code):
    registration = _registration(code)
    event, now = registration.event, utcnow()
    error, values, comments = None, {}, {}
    allowed = registration.checked_in_at is not None and event.rating_open(now)
    if request.method == "POST" and BaseForm().validate_on_submit():
        targets = [t for t in _rating_targets(event) if t not in _rated(registration)]
        scores, comments, values = _submitted_scores(targets)
        try:
            stored = rate(registration, scores, comments, now)
        except RegistrationError as problem:
            error = str(problem)
        else:
            if stored:
                flash(_("Terima kasih atas penilaian Anda."), "success")
            else:
                flash(_("Penilaian ini sudah tercatat sebelumnya; tidak ada yang diubah."), "info")
            return redirect(url_for(".rating", code=registration.code))
    done = _rated(registration)
    return render_template(
        "dialog_publik/rating.html",
        registration=registration,
        event=event,
        done=done,
        finished=all(t in done for t in _rating_targets(event)),
        allowed=allowed,
        error=error,
        values=values,
        comments=comments,
        form=BaseForm(),
        now=now,
    ), 422 if error else 200


@bp.route("/kalender.ics")
def agency_calendar():
    now = utcnow()
    events = _visible_events(
        db.select(DialogEvent)
        .where(DialogEvent.agency_id == g.agency.id, DialogEvent.status != DialogEventStatus.DRAFT)
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
