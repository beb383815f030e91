"""Citizen pages: the QR target ``/s/<token>``, the one-time QR
``/s/t/<token>``, and the agency's published results."""

from __future__ import annotations

import hmac

from flask import (
    Blueprint,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from plugins.survei import NAME, alerts, fastform, skm
from plugins.survei.models import SurveiHoldReason, SurveiTicket, active_questions, desk_kind
from plugins.survei.service import (
    DEVICE_MARKER,
    NO_OFFICER,
    device_cookie_name,
    device_cookie_value,
    device_window,
    issue_nonce,
    officer_choices,
    open_nonce,
    origin_hash,
    recently_answered,
    set_private_cookie,
    store,
    validate,
)
from portal.plugin import (
    Desk,
    Unit,
    citizen_only,
    csrf,
    db,
    is_enabled,
    limiter,
    pagecache,
    read_first,
    same_origin,
    utcnow,
)

qr = Blueprint(
    "survei_qr",
    __name__,
    url_prefix="/s",
    template_folder="templates",
    static_folder="static/public",
    static_url_path="/static",
)


def _rate_limit() -> str:
    # Generous: a whole office may share one address behind NAT.
    return current_app.config.get("SURVEI_RATE_LIMIT", "120 per minute;3000 per hour")


def notice(title, text, status):
    return render_template("survei/notice.html", title=title, text=text), status


def _desk_or_notice(token: str):
    desk = db.session.execute(
        db.select(Desk).filter_by(qr_token=token).options(joinedload(Desk.unit).joinedload(Unit.agency))
    ).scalar_one_or_none()
    if desk is None:
        return None, notice(
            _l("Kode QR tidak berlaku"),
            _l(
                "Kode QR ini sudah diganti atau tidak dikenal. Mohon pindai kode QR yang terpasang "
                "di loket saat ini, atau tanyakan kepada petugas."
            ),
            404,
        )
    if not desk.active or not is_enabled(desk.unit.agency, NAME):
        return None, notice(
            _l("Survei tidak tersedia"),
            _l("Survei untuk loket ini sedang tidak dibuka. Terima kasih atas kesediaan Anda."),
            404,
        )
    g.agency = desk.unit.agency
    return desk, None


# The form's signed single-use nonce is its CSRF token (plus an origin
# check): the page needs no session, so citizens get no cookie for looking.
# Showing and sending are two views so that only sending is rate-limited.
@qr.get("/<token>")
def survey(token):
    cached = fastform.cached_form(token)
    if cached is not None:
        return cached
    return _desk_survey(token)


@qr.post("/<token>", endpoint="survey_submit")
@csrf.exempt
@limiter.limit(_rate_limit)
@citizen_only
def survey_submit(token):
    read_first()
    sent = fastform.submit(token)
    if sent is not None:
        return _sent(sent.response, sent.desk_id, token, sent.zone)
    return _desk_survey(token)


def _sent(response, desk_id: int, token: str, zone: str | None = None):
    """The reply to a stored response: alerts raised, the device remembered,
    the thanks page (offering a next step after a low rating). The answer
    is committed: what follows reads (an alert due takes the lock itself)."""
    read_first()  # a committed one-time QR answer is expired: reading it back must not take the lock
    ref = alerts.low_rating_ref(response)  # read before the alerts' commit expires it
    alerts.response_stored(response, zone)
    reply = make_response(redirect(url_for("survei_qr.thanks", token=token, r=ref)))
    set_private_cookie(
        reply,
        device_cookie_name(desk_id),
        device_cookie_value(desk_id),
        max_age=int(device_window().total_seconds()),
    )
    return reply


def _desk_survey(token):
    desk, problem = _desk_or_notice(token)
    if problem:
        return problem
    return _survey(desk, ticket=None, action=url_for("survei_qr.survey", token=token))


@qr.route("/t/<token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit(_rate_limit, methods=["POST"])
@citizen_only
def ticket_survey(token):
    if request.method == "POST":
        read_first()
    ticket = db.session.execute(db.select(SurveiTicket).filter_by(token=token)).scalar_one_or_none()
    if ticket is None:
        return notice(
            _l("Kode QR tidak dikenal"),
            _l("Kode QR sekali pakai ini tidak dikenal. Mohon minta petugas menampilkan kode yang baru."),
            404,
        )
    desk, problem = _desk_or_notice(ticket.desk.qr_token)
    if problem:
        return problem
    if ticket.used_at is not None:
        return notice(
            _l("Kode QR sudah dipakai"),
            _l("Kode QR sekali pakai ini sudah dipakai untuk memberi penilaian. Terima kasih."),
            410,
        )
    if ticket.expires_at <= utcnow():
        return notice(
            _l("Kode QR sudah kedaluwarsa"),
            _l(
                "Kode QR sekali pakai ini sudah kedaluwarsa. Anda tetap dapat menilai "
                "layanan dengan kode QR yang terpasang di loket."
            ),
            410,
        )
    return _survey(desk, ticket=ticket, action=url_for("survei_qr.ticket_survey", token=token))


def _survey(desk: Desk, ticket: SurveiTicket | None, action: str):
    kind = desk_kind(desk.id)
    questions = active_questions(desk.unit_id)
    if ticket is not None:
        offered, fixed = [], ticket.officer
    else:
        offered, fixed = officer_choices(desk)
        if recently_answered(request.cookies, desk.id):
            minutes = int(device_window().total_seconds() // 60)
            return notice(
                _l("Penilaian Anda sudah kami terima"),
                _l(
                    "Perangkat ini sudah mengirim penilaian untuk loket ini dalam %(m)d "
                    "menit terakhir. Terima kasih atas masukan Anda.",
                    m=minutes,
                ),
                200 if request.method == "GET" else 429,
            )
    form = {}
    errors = {}
    status = 200
    signed = issue_nonce(desk.id)
    if request.method == "POST":
        form = request.form
        if not same_origin():
            return notice(
                _l("Formulir tidak berlaku"),
                _l(
                    "Formulir ini dikirim dari situs lain. Silakan pindai kode QR di loket "
                    "dan isi penilaian di sini."
                ),
                400,
            )
        if form.get("website"):  # honeypot: people never see this field
            return redirect(url_for("survei_qr.thanks", token=desk.qr_token))
        nonce = open_nonce(form.get("nonce", ""), desk.id)
        if nonce is None:
            return notice(
                _l("Formulir tidak berlaku"),
                _l(
                    "Formulir ini tidak sah atau sudah terlalu lama dibuka. Silakan pindai "
                    "kode QR sekali lagi."
                ),
                400,
            )
        submission = validate(form, kind, questions, offered, fixed)
        if submission.ok:
            desk_id, token = desk.id, desk.qr_token  # read before the commit expires them
            origin = origin_hash()
            response = store(
                desk,
                submission,
                nonce=nonce,
                ticket=ticket,
                origin=origin,
                hold=_issuer_device(ticket, origin),
            )
            if response is None:
                return notice(
                    _l("Penilaian Anda sudah kami terima"),
                    _l("Formulir ini sudah pernah dikirim; penilaian Anda tercatat satu kali. Terima kasih."),
                    200,
                )
            return _sent(response, desk_id, token)
        errors, status, signed = submission.errors, 422, form.get("nonce", "")
    # A plain first view is kept for the next citizens at this desk
    # (see plugins.survei.fastform); only the nonce is theirs alone.
    cacheable = (
        request.method == "GET"
        and ticket is None
        and request.endpoint == "survei_qr.survey"
        and pagecache.anonymous_visit()
    )
    html = render_template(
        "survei/form.html",
        desk=desk,
        agency=desk.unit.agency,
        kind=kind,
        questions=questions,
        offered=offered,
        fixed=fixed,
        ticket=ticket,
        form=form,
        errors=errors,
        nonce=fastform.NONCE_MARK if cacheable else signed,
        action=action,
        skm=skm,
        no_officer=NO_OFFICER,
    )
    if cacheable:
        key = fastform.choices_key([o.id for o in offered], fixed.id if fixed else None)
        fastform.pages().put(fastform.page_key(desk.id, key), html)
        html = html.replace(fastform.NONCE_MARK, signed)
    return html, status


def _issuer_device(ticket: SurveiTicket | None, origin: str | None) -> str | None:
    """:attr:`SurveiHoldReason.ISSUER_DEVICE` when a one-time QR is answered from the browser
    that issued it (its device marker) or from the issuer's network address
    at any time in its life (a second browser on the officer's own computer
    is that address too); else None. Held, not refused: a citizen on the
    office's own Wi-Fi shares its address, and a supervisor accepts theirs."""
    if ticket is None:
        return None
    marker = request.cookies.get(DEVICE_MARKER)
    if ticket.device and marker and hmac.compare_digest(marker, ticket.device):
        return SurveiHoldReason.ISSUER_DEVICE
    if ticket.origin and ticket.origin == origin:
        return SurveiHoldReason.ISSUER_DEVICE
    return None


@qr.route("/<token>/terima-kasih")
def thanks(token):
    desk, problem = _desk_or_notice(token)
    if problem:
        return problem
    return render_template(
        "survei/thanks.html", desk=desk, agency=desk.unit.agency, **alerts.thanks_context(desk)
    )
