"""Staff pages of the survei plugin under ``/kelola/<agency>/survei/``."""

from __future__ import annotations

import datetime as dt
import secrets

from flask import Response as HttpResponse
from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func
from wtforms.fields.choices import SelectChoice

from plugins.survei import poster, report, skm
from plugins.survei.forms import (
    WEEKDAYS,
    DeskSettingsForm,
    PopulationForm,
    QuestionForm,
    RosterForm,
    TicketForm,
)
from plugins.survei.models import (
    SurveiCommentStatus,
    SurveiDeskSurvey,
    SurveiPopulation,
    SurveiQuestion,
    SurveiResponse,
    SurveiReview,
    SurveiRoster,
    SurveiTicket,
    counted,
    desk_kind,
)
from plugins.survei.service import DEVICE_MARKER, origin_hash, set_private_cookie
from portal.plugin import (
    ROLE_SUPERVISOR,
    AgencyBlueprint,
    BaseForm,
    Desk,
    Officer,
    Unit,
    arg_date,
    audit,
    day_bounds,
    db,
    hold_label,
    local,
    local_target,
    period_bounds,
    qr_svg,
    table_response,
    utcnow,
)

staff = AgencyBlueprint(
    "survei_staff",
    __name__,
    path="survei",
    plugin="survei",
    staff=True,
    static_folder="static",
    static_url_path="/static",
)


def _admin():
    if not current_user.can_manage_agency(g.agency):
        abort(403)


def _desk(desk_id) -> Desk:
    desk = db.session.get(Desk, desk_id)
    if desk is None or desk.unit.agency_id != g.agency.id:
        abort(404)
    return desk


def survey_url(desk: Desk) -> str:
    return url_for("survei_qr.survey", token=desk.qr_token, _external=True)


def today_bounds(agency):
    today = local(utcnow(), agency.timezone).date()
    return day_bounds(today, today, agency.timezone)


def _comments_pending() -> tuple:
    """The conditions on the agency's responses whose comment awaits moderation."""
    return (
        SurveiResponse.agency_id == g.agency.id,
        SurveiResponse.comment_status == SurveiCommentStatus.PENDING,
    )


def _held_unassigned() -> tuple:
    """The conditions on the agency's held responses that credit no officer:
    they never reach core's review queue, so they are decided on this plugin's page."""
    return (
        SurveiResponse.agency_id == g.agency.id,
        SurveiResponse.review == SurveiReview.HELD,
        SurveiResponse.officer_id.is_(None),
    )


# ---------------------------------------------------------------- desks


@staff.route("/")
def index():
    _admin()
    desks = db.session.scalars(
        db.select(Desk).join(Unit).where(Unit.agency_id == g.agency.id).order_by(Unit.name, Desk.name)
    ).all()
    today_start, today_end = today_bounds(g.agency)
    start, end = period_bounds("semester", local(utcnow(), g.agency.timezone).date())
    period_start, period_end = day_bounds(start, end - dt.timedelta(days=1), g.agency.timezone)

    def counts(since, until):
        return dict(
            db.session.execute(
                db.select(SurveiResponse.desk_id, func.count(SurveiResponse.id))
                .where(
                    SurveiResponse.agency_id == g.agency.id,
                    SurveiResponse.created_at >= since,
                    SurveiResponse.created_at < until,
                )
                .where(counted())
                .group_by(SurveiResponse.desk_id)
            ).all()
        )

    kinds = dict(db.session.execute(db.select(SurveiDeskSurvey.desk_id, SurveiDeskSurvey.kind)).all())
    pending = db.session.scalar(db.select(func.count(SurveiResponse.id)).where(*_comments_pending()))
    held_count = db.session.scalar(db.select(func.count(SurveiResponse.id)).where(*_held_unassigned()))
    return render_template(
        "survei/staff/index.html",
        held=held_count,
        desks=desks,
        today=counts(today_start, today_end),
        period=counts(period_start, period_end),
        kinds=kinds,
        pending=pending,
    )


@staff.route("/loket/<int:desk_id>/ganti-token", methods=["GET", "POST"])
def desk_rotate(desk_id):
    """A new QR token for the desk: every printed poster of it stops working
    (for a poster that was stolen, copied or put up elsewhere). GET asks first."""
    _admin()
    desk = _desk(desk_id)
    if request.method == "GET":
        return render_template("survei/staff/rotate.html", desk=desk, form=BaseForm())
    if not BaseForm().validate_on_submit():
        abort(400)
    desk.rotate_token()
    audit("desk_token_rotated", desk, agency=g.agency, detail=desk.name)
    db.session.commit()
    flash(_("Kode QR loket %(name)s diganti; poster lama tidak berlaku lagi.", name=desk.name), "success")
    return redirect(url_for(".desk_settings", desk_id=desk.id))


@staff.route("/loket/<int:desk_id>", methods=["GET", "POST"])
def desk_settings(desk_id):
    _admin()
    desk = _desk(desk_id)
    form = DeskSettingsForm(prefix="s", kind=desk_kind(desk.id))
    roster = RosterForm(prefix="r")
    roster.officer_id.choices = [
        SelectChoice(o.id, f"{o.name} ({o.nip})")
        for o in db.session.scalars(
            db.select(Officer).filter_by(agency_id=g.agency.id, active=True).order_by(Officer.name)
        )
    ]
    if "s-kind" in request.form and form.validate_on_submit():
        row = db.session.get(SurveiDeskSurvey, desk.id) or SurveiDeskSurvey(desk_id=desk.id)
        row.kind = form.kind.data
        db.session.add(row)
        audit("survei_desk_kind", desk, agency=g.agency, detail=f"{desk.name}: {row.kind}")
        db.session.commit()
        flash(_("Jenis survei loket disimpan."), "success")
        return redirect(url_for(".desk_settings", desk_id=desk.id))
    if "r-officer_id" in request.form and roster.validate_on_submit():
        shift = SurveiRoster(
            desk_id=desk.id,
            officer_id=roster.officer_id.data,
            weekday=roster.weekday.data,
            start=roster.start.data,
            end=roster.end.data,
        )
        db.session.add(shift)
        audit(
            "survei_roster_added",
            desk,
            agency=g.agency,
            detail=f"{desk.name}: officer {shift.officer_id} {shift.weekday} {shift.start}-{shift.end}",
        )
        db.session.commit()
        flash(_("Jadwal jaga ditambahkan."), "success")
        return redirect(url_for(".desk_settings", desk_id=desk.id))
    shifts = db.session.scalars(
        db.select(SurveiRoster).filter_by(desk_id=desk.id).order_by(SurveiRoster.weekday, SurveiRoster.start)
    ).all()
    return render_template(
        "survei/staff/desk.html",
        desk=desk,
        form=form,
        roster=roster,
        shifts=shifts,
        weekdays=WEEKDAYS,
        url=survey_url(desk),
        rotate_form=BaseForm(),
    )


@staff.route("/loket/<int:desk_id>/jadwal/<int:shift_id>/hapus", methods=["POST"])
def roster_delete(desk_id, shift_id):
    _admin()
    desk = _desk(desk_id)
    shift = db.session.get(SurveiRoster, shift_id)
    if shift is None or shift.desk_id != desk.id or not BaseForm().validate_on_submit():
        abort(404)
    db.session.delete(shift)
    audit("survei_roster_removed", desk, agency=g.agency, detail=f"{desk.name}: shift {shift_id}")
    db.session.commit()
    flash(_("Jadwal jaga dihapus."), "success")
    return redirect(url_for(".desk_settings", desk_id=desk.id))


# ---------------------------------------------------------------- posters


@staff.route("/loket/<int:desk_id>/poster")
def poster_page(desk_id):
    _admin()
    desk = _desk(desk_id)
    size = request.args.get("ukuran", "a4")
    if size not in poster.SIZES:
        size = "a4"
    svg = poster.poster_svg(
        survey_url(desk), g.agency.name, f"{desk.unit.name} — {desk.name}", size, logo=g.agency.logo
    )
    # poster_svg escapes every text it places.
    return render_template("survei/staff/poster.html", desk=desk, svg=Markup(svg), size=size)  # noqa: S704  # nosec B704


@staff.route("/loket/<int:desk_id>/poster-<size>.<fmt>")
def poster_file(desk_id, size, fmt):
    _admin()
    desk = _desk(desk_id)
    if size not in poster.SIZES or fmt not in ("svg", "png"):
        abort(404)
    args = (survey_url(desk), g.agency.name, f"{desk.unit.name} — {desk.name}", size, g.agency.logo)
    name = f"poster-{g.agency.slug}-{desk.id}-{size}.{fmt}"
    if fmt == "svg":
        body, mimetype = poster.poster_svg(*args), "image/svg+xml"
    else:
        body, mimetype = poster.poster_png(*args), "image/png"
    return HttpResponse(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# ---------------------------------------------------------------- questions


@staff.route("/pertanyaan", methods=["GET", "POST"], defaults={"question_id": None})
@staff.route("/pertanyaan/<int:question_id>", methods=["GET", "POST"])
def questions(question_id):
    _admin()
    question = None
    if question_id is not None:
        question = db.session.get(SurveiQuestion, question_id)
        if question is None or question.unit.agency_id != g.agency.id:
            abort(404)
    form = QuestionForm(obj=question)
    form.unit_id.choices = [
        SelectChoice(u.id, u.name)
        for u in db.session.scalars(db.select(Unit).filter_by(agency_id=g.agency.id).order_by(Unit.name))
    ]
    if form.validate_on_submit():
        question = question or SurveiQuestion()
        form.populate_obj(question)
        question.position = form.position.data or 0
        db.session.add(question)
        db.session.flush()
        audit("survei_question_saved", question, agency=g.agency, detail=question.text[:60])
        db.session.commit()
        flash(_("Pertanyaan disimpan."), "success")
        return redirect(url_for(".questions"))
    rows = db.session.scalars(
        db.select(SurveiQuestion)
        .join(Unit)
        .where(Unit.agency_id == g.agency.id)
        .order_by(Unit.name, SurveiQuestion.position, SurveiQuestion.id)
    ).all()
    return render_template("survei/staff/questions.html", form=form, questions=rows, editing=question)


# ---------------------------------------------------------------- moderation


def _posted_decision(form: BaseForm, choices: dict):
    """The stored value of the posted ``keputusan`` (one of ``choices``):
    400 when the form's CSRF token is wrong, 404 for an unknown decision."""
    if not form.validate_on_submit():
        abort(400)
    decision = choices.get(request.form.get("keputusan"))
    if decision is None:
        abort(404)
    return decision


@staff.route("/moderasi", methods=["GET", "POST"])
def moderation():
    _admin()
    form = BaseForm()
    if request.method == "POST":
        decision = _posted_decision(
            form, {"setujui": SurveiCommentStatus.APPROVED, "tolak": SurveiCommentStatus.REJECTED}
        )
        response = db.session.get(SurveiResponse, request.form.get("response_id", type=int) or 0)
        if response is None or response.agency_id != g.agency.id:
            abort(404)
        response.comment_status = decision
        audit("survei_comment_" + decision, agency=g.agency, detail=f"response {response.id}")
        db.session.commit()
        return redirect(url_for(".moderation"))
    pending = db.session.scalars(
        db.select(SurveiResponse).where(*_comments_pending()).order_by(SurveiResponse.created_at).limit(100)
    ).all()
    return render_template("survei/staff/moderation.html", pending=pending, form=form)


@staff.route("/ditahan", methods=["GET", "POST"])
def held():
    """Held responses that credit no officer (nobody on duty, or the citizen
    did not say who served): they never reach the core review queue, so the
    agency's admin accepts (into the SKM report and IKM) or rejects them here."""
    _admin()
    form = BaseForm()
    if request.method == "POST":
        decision = _posted_decision(form, {"terima": SurveiReview.ACCEPTED, "tolak": SurveiReview.REJECTED})
        response_id = request.form.get("response_id", type=int) or 0
        # One conditional UPDATE: two admins deciding at once decide once.
        changed = db.session.execute(
            db.update(SurveiResponse)
            .where(SurveiResponse.id == response_id, *_held_unassigned())
            .values(review=decision)
        ).rowcount
        if not changed:
            abort(404)
        audit("survei_response_" + decision, agency=g.agency, detail=f"response {response_id}")
        db.session.commit()
        flash(
            _("Tanggapan diterima dan kini dihitung.")
            if decision == SurveiReview.ACCEPTED
            else _("Tanggapan ditolak.")
        )
        return redirect(url_for(".held"))
    rows = db.session.scalars(
        db.select(SurveiResponse).where(*_held_unassigned()).order_by(SurveiResponse.created_at).limit(200)
    ).all()
    return render_template("survei/staff/held.html", rows=rows, form=form, label=hold_label)


# ---------------------------------------------------------------- report


def _report_args():
    kind = request.args.get("periode", "semester")
    if kind not in ("bulan", "triwulan", "semester", "tahun"):
        kind = "semester"
    day = arg_date("tanggal", lenient=True) or local(utcnow(), g.agency.timezone).date()
    unit = None
    unit_id = request.args.get("unit", type=int)
    if unit_id:
        unit = db.session.get(Unit, unit_id)
        if unit is None or unit.agency_id != g.agency.id:
            abort(404)
    start, end = period_bounds(kind, day)
    return kind, day, unit, start, end


def _may_see_report():
    if not (current_user.can_manage_agency(g.agency) or current_user.role == ROLE_SUPERVISOR):
        abort(403)


@staff.route("/laporan", methods=["GET", "POST"])
def report_page():
    _may_see_report()
    kind, day, unit, start, end = _report_args()
    form = PopulationForm()
    if request.method == "POST":
        _admin()
        if unit is None:
            abort(400)
        if form.validate_on_submit():
            row = db.session.get(SurveiPopulation, (unit.id, start, end)) or SurveiPopulation(
                unit_id=unit.id, period_start=start, period_end=end
            )
            row.users = form.users.data
            db.session.add(row)
            audit("survei_population", unit, agency=g.agency, detail=f"{start}..{end}: {row.users}")
            db.session.commit()
            flash(_("Jumlah pengguna layanan disimpan."), "success")
            return redirect(local_target(request.full_path, url_for(request.endpoint)))
    from plugins.survei import publish

    signed = publish.build(g.agency, unit, kind, start, end)
    data = signed.data
    if data.population and not form.users.data:
        form.users.data = data.population
    units = db.session.scalars(db.select(Unit).filter_by(agency_id=g.agency.id).order_by(Unit.name)).all()
    return render_template(
        "survei/staff/report.html",
        report=data,
        form=form,
        kind=kind,
        day=day,
        unit=unit,
        units=units,
        unsur=skm.UNSUR,
        signed=signed,
        status=publish.status_label,
    )


@staff.route("/laporan.<fmt>")
def report_file(fmt):
    _may_see_report()
    if fmt in ("pdf", "xlsx"):  # the signed report, numbers as numbers
        from plugins.survei import rtl

        return rtl.report_pdf() if fmt == "pdf" else rtl.report_xlsx()
    _kind, _day, unit, start, end = _report_args()
    data = report.build(g.agency, unit, start, end)
    name = f"skm-{g.agency.slug}-{unit.id if unit else 'semua'}-{start}-{end}"
    response = table_response(
        fmt, name, report.rows(data), sheet="SKM", widths={"A": 40, "B": 45}, bold_first_row=True
    )
    if response is None:
        abort(404)
    return response


# ---------------------------------------------------------------- one-time QR


@staff.route("/selesai-melayani", methods=["GET", "POST"])
def finish_service():
    officer = current_user.officer
    if officer is None or officer.agency_id != g.agency.id or not officer.active:
        abort(403)
    form = TicketForm()
    mine = db.session.scalars(
        db.select(Desk)
        .join(SurveiRoster, SurveiRoster.desk_id == Desk.id)
        .where(SurveiRoster.officer_id == officer.id)
        .distinct()
    ).all()
    desks = (
        mine
        or db.session.scalars(
            db.select(Desk)
            .join(Unit)
            .where(Unit.agency_id == g.agency.id, Desk.active.is_(True))
            .order_by(Unit.name, Desk.name)
        ).all()
    )
    form.desk_id.choices = [SelectChoice(d.id, f"{d.unit.name} — {d.name}") for d in desks]
    status = 200
    if form.validate_on_submit():
        minutes = int(current_app.config.get("SURVEI_TICKET_MINUTES", 30))
        pace = int(current_app.config.get("SURVEI_TICKET_MIN_SECONDS", 60))
        now = utcnow()
        last = db.session.scalar(
            db.select(func.max(SurveiTicket.created_at)).where(SurveiTicket.officer_id == officer.id)
        )
        if last is not None and now - last < dt.timedelta(seconds=pace):
            wait = pace - int((now - last).total_seconds())
            form.desk_id.errors.append(
                _(
                    "Kode QR sekali pakai baru dapat dibuat %(s)d detik setelah kode sebelumnya (satu "
                    "kode untuk setiap warga yang selesai dilayani). Coba lagi dalam %(w)d detik.",
                    s=pace,
                    w=max(wait, 1),
                )
            )
            status = 429
        else:
            # One open one-time QR per officer: a new one voids the unanswered one.
            db.session.execute(
                db.update(SurveiTicket)
                .where(
                    SurveiTicket.officer_id == officer.id,
                    SurveiTicket.used_at.is_(None),
                    SurveiTicket.expires_at > now,
                )
                .values(expires_at=now)
                .execution_options(synchronize_session=False)
            )
            marker = request.cookies.get(DEVICE_MARKER) or ""
            if not (16 <= len(marker) <= 32 and marker.replace("-", "").replace("_", "").isalnum()):
                marker = secrets.token_urlsafe(16)
            ticket = SurveiTicket(
                desk_id=form.desk_id.data,
                officer_id=officer.id,
                created_at=now,
                expires_at=now + dt.timedelta(minutes=minutes),
                device=marker,
                origin=origin_hash(),
            )
            db.session.add(ticket)
            db.session.commit()
            reply = make_response(redirect(url_for(".ticket_page", ticket_id=ticket.id)))
            # Marks this browser as the officer's: a one-time QR answered from it is held.
            set_private_cookie(reply, DEVICE_MARKER, marker, max_age=400 * 24 * 3600)
            return reply
    return render_template("survei/staff/finish.html", form=form), status


@staff.route("/tiket/<int:ticket_id>")
def ticket_page(ticket_id):
    ticket = db.session.get(SurveiTicket, ticket_id)
    if (
        ticket is None
        or current_user.officer_id != ticket.officer_id
        or ticket.desk.unit.agency_id != g.agency.id
    ):
        abort(404)
    url = url_for("survei_qr.ticket_survey", token=ticket.token, _external=True)
    return render_template(
        "survei/staff/ticket.html",
        ticket=ticket,
        url=url,
        svg=Markup(qr_svg(url, _("Kode QR sekali pakai"))),  # noqa: S704 - path data only  # nosec B704
        minutes=int((ticket.expires_at - ticket.created_at).total_seconds() // 60),
    )
