"""Public pages under ``/<agency>/antrean/``: take a queue number at a desk,
see the ticket, rate the officer who served you (once per ticket)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from portal.plugin import (
    STAFF_SESSION_REFUSED,
    AgencyBlueprint,
    Desk,
    Officer,
    RatingError,
    Unit,
    citizen_only,
    compact,
    db,
    limiter,
    local,
    random_code,
    record_rating,
    staff_session,
    utcnow,
)
from portal_antrean import KIND, NAME
from portal_antrean.forms import RateForm, TakeForm
from portal_antrean.models import CODE_LENGTH, AntreanTicket

bp = AgencyBlueprint(NAME, __name__, path="antrean")


def _desk_choices():
    """The agency's open desks (scoped to ``g.agency``: never another's)."""
    rows = db.session.execute(
        select(Desk.id, Desk.name, Unit.name)
        .join(Unit, Desk.unit_id == Unit.id)
        .where(Unit.agency_id == g.agency.id, Desk.active.is_(True))
        .order_by(Unit.name, Desk.name)
    )
    return [SelectChoice(desk_id, f"{unit} · {desk}") for desk_id, desk, unit in rows]


def _officer_choices():
    rows = db.session.execute(
        select(Officer.id, Officer.name)
        .where(Officer.agency_id == g.agency.id, Officer.active.is_(True))
        .order_by(Officer.name)
    )
    return [SelectChoice(officer_id, name) for officer_id, name in rows]


def _take(desk_id: int) -> AntreanTicket | None:
    """The next number at the desk today (the agency's day). Two citizens
    taking one at the same moment collide on the unique constraint: the
    loser tries the next number."""
    day = local(utcnow(), g.agency.timezone).date()
    for _attempt in range(5):
        last = db.session.scalar(
            select(func.max(AntreanTicket.number)).where(
                AntreanTicket.desk_id == desk_id, AntreanTicket.day == day
            )
        )
        ticket = AntreanTicket(
            agency_id=g.agency.id,
            desk_id=desk_id,
            day=day,
            number=(last or 0) + 1,
            code=random_code(CODE_LENGTH),
        )
        db.session.add(ticket)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return ticket
    return None


@bp.route("/", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
def index():
    form = TakeForm()
    form.desk_id.choices = _desk_choices()
    if form.validate_on_submit():
        ticket = _take(form.desk_id.data)
        if ticket is None:
            flash(_("Antrean sedang ramai. Coba ambil nomor sekali lagi."), "error")
            return render_template("antrean/index.html", form=form), 503
        return redirect(url_for(".ticket", code=ticket.code))
    return render_template("antrean/index.html", form=form), 400 if form.errors else 200


def _ticket(code: str) -> AntreanTicket:
    ticket = db.session.scalar(
        select(AntreanTicket).where(
            AntreanTicket.code == compact(code), AntreanTicket.agency_id == g.agency.id
        )
    )
    if ticket is None:
        abort(404)
    return ticket


def _ticket_page(ticket, form, status=200, error=None):
    return (
        render_template(
            "antrean/ticket.html",
            ticket=ticket,
            form=form,
            error=error,
            staff=staff_session(),
            staff_refused=STAFF_SESSION_REFUSED,
        ),
        status,
    )


@bp.route("/tiket/<code>")
def ticket(code):
    ticket = _ticket(code)
    form = RateForm()
    form.officer_id.choices = _officer_choices()
    return _ticket_page(ticket, form)


@bp.route("/tiket/<code>/nilai", methods=["POST"])
@limiter.limit("20 per minute")
@citizen_only  # a browser signed in as staff cannot rate (403 with the reason)
def rate(code):
    ticket = _ticket(code)
    form = RateForm()
    form.officer_id.choices = _officer_choices()
    if ticket.rated_at is not None:
        return _ticket_page(ticket, form, 409, _("Tiket ini sudah dinilai. Satu tiket, satu penilaian."))
    if not form.validate_on_submit():
        return _ticket_page(ticket, form, 400)
    # Claim the ticket in the same transaction as the rating: of two
    # submissions at once, only one finds it unrated.
    claimed = db.session.execute(
        update(AntreanTicket)
        .where(AntreanTicket.id == ticket.id, AntreanTicket.rated_at.is_(None))
        .values(rated_at=utcnow())
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        return _ticket_page(ticket, form, 409, _("Tiket ini sudah dinilai. Satu tiket, satu penilaian."))
    try:
        record_rating(  # commits the claim and the rating together
            agency=g.agency,
            officer=db.session.get(Officer, form.officer_id.data),
            source=NAME,
            kind=KIND,
            value=form.value.data,
            ref=f"antrean_ticket:{ticket.id}",
            verified=False,
            comment=form.comment.data or None,
        )
    except RatingError as error:
        db.session.rollback()
        return _ticket_page(ticket, form, 422, str(error))
    flash(_("Terima kasih, penilaian Anda sudah tercatat."), "success")
    return redirect(url_for(".ticket", code=ticket.code))
