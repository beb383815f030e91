"""Staff pages under ``/kelola/<agency>/kinerja-harian/``: an officer's
month and days (with the portal's proposed entries), the supervisor's
evaluation of days and months, the team's compliance, targets, the
printable recap and the exports.

Who sees what: an officer their own; a supervisor also everyone below them;
an agency admin the whole agency. Only the officer writes their days; only
the admins and the supervisors above an officer evaluate them.

The URL rules are in :mod:`plugins.kinerja_harian.urls`; this module is
imported when a request first reaches one of its pages."""

from __future__ import annotations

import datetime as dt
import io
import os

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from plugins.kinerja_harian import files, service
from plugins.kinerja_harian.forms import (
    ActionForm,
    ActivityForm,
    EvaluationForm,
    ProposalForm,
    ReviewForm,
    TargetForm,
)
from plugins.kinerja_harian.labels import CONCLUSION_LABELS, DAY_LABELS, STATE_LABELS
from plugins.kinerja_harian.models import (
    DayStatus,
    KinerjaHarianActivity,
    KinerjaHarianAttachment,
    KinerjaHarianDay,
    KinerjaHarianEvaluation,
    KinerjaHarianTarget,
    TargetKind,
    TargetStatus,
)
from plugins.kinerja_harian.service import ReportError
from portal.plugin import (
    ROLE_ADMIN,
    Officer,
    ParamError,
    Unit,
    audit,
    can_view,
    db,
    indicators,
    parse_date,
    period_bounds,
    table_response,
    utcnow,
    workdays,
)

# ---------------------------------------------------------------- lookups


def _officer(officer_id: int) -> Officer:
    officer = db.session.get(Officer, officer_id)
    if officer is None or officer.agency_id != g.agency.id or not can_view(current_user, officer):
        abort(404)
    return officer


def _day(raw: str) -> dt.date:
    try:
        return parse_date(raw, "tanggal")
    except ParamError:
        abort(404)


def _month() -> dt.date:
    raw = request.args.get("bulan", "")
    if not raw:
        return service.today_for(g.agency).replace(day=1)
    try:
        return parse_date(f"{raw}-01", "bulan")
    except ParamError:
        raise ParamError(_l("Parameter bulan harus ditulis YYYY-MM, misalnya 2026-12.")) from None


def _own(officer: Officer) -> None:
    if current_user.officer_id != officer.id:
        abort(403)


def _refuse(error, status=400):
    flash(str(error), "error")
    return status


def _back_to_day(officer, day):
    return redirect(url_for(".day", officer_id=officer.id, day=day.isoformat()))


def _version_ok(report, form) -> bool:
    return str(report.version) == (form.version.data or "")


def _stale():
    return ReportError(_l("Laporan ini baru saja diubah di tempat lain. Muat ulang halaman lalu coba lagi."))


# ---------------------------------------------------------------- index


def index():
    if (
        current_user.officer_id
        and not service.team_ids(current_user, g.agency)
        and current_user.role != ROLE_ADMIN
    ):
        return redirect(url_for(".officer", officer_id=current_user.officer_id))
    return redirect(url_for(".team"))


# ---------------------------------------------------------------- an officer's month


def officer(officer_id):
    person = _officer(officer_id)
    month = _month()
    today = service.today_for(g.agency)
    first, last = service.month_bounds(month)
    reports = service.reports_between([person.id], first, last)
    states = service.day_states(g.agency, person.id, first, last, today, reports)
    summary = service.compliance(g.agency, [person.id], month, today)[person.id]
    targets = _targets_for(person, today)
    return render_template(
        "kinerja_harian/officer.html",
        person=person,
        month=month,
        previous=(first - dt.timedelta(days=1)).replace(day=1),
        following=last + dt.timedelta(days=1),
        states=states,
        summary=summary,
        targets=targets,
        today=today,
        own=current_user.officer_id == person.id,
        today_working=workdays.is_working_day(g.agency, today),
        evaluator=service.can_evaluate(current_user, person),
        evaluation=_evaluation(person, month),
        deadline=service.deadline,
    )


def _targets_for(person: Officer, today: dt.date):
    owner = KinerjaHarianTarget.officer_id == person.id
    if person.unit_id:
        owner = owner | (KinerjaHarianTarget.unit_id == person.unit_id)
    rows = db.session.scalars(
        db.select(KinerjaHarianTarget)
        .where(
            KinerjaHarianTarget.agency_id == person.agency_id,
            owner,
            KinerjaHarianTarget.end >= today - dt.timedelta(days=366),
        )
        .order_by(KinerjaHarianTarget.start.desc(), KinerjaHarianTarget.title)
    ).all()
    return [(t, service.progress(t, today)) for t in rows]


def _evaluation(person: Officer, month: dt.date):
    return db.session.execute(
        db.select(KinerjaHarianEvaluation).filter_by(officer_id=person.id, month=month.replace(day=1))
    ).scalar_one_or_none()


# ---------------------------------------------------------------- a day


def _day_page(person, day, form=None, review=None, status=200, editing=None):
    today = service.today_for(g.agency)
    problem = None
    try:
        service.check_reportable(g.agency, day, today)
    except ReportError as error:
        problem = str(error)
    report = service.find_day(person, day)
    own = current_user.officer_id == person.id
    editable = own and problem is None and (report is None or report.status in DayStatus.editable())
    if form is None:
        form = ActivityForm(formdata=None)
        if editing is not None:
            form = ActivityForm(formdata=None, obj=editing)
    form.target_id.choices = _target_choices(person, day)
    if report is not None:
        form.version.data = str(report.version)
    proposed = service.proposals(person, day, report) if editable else []
    return (
        render_template(
            "kinerja_harian/day.html",
            person=person,
            day=day,
            report=report,
            problem=problem,
            own=own,
            editable=editable,
            editing=editing,
            form=form,
            proposed=proposed,
            proposal_form=ProposalForm(formdata=None, version=str(report.version) if report else ""),
            action_form=ActionForm(formdata=None, version=str(report.version) if report else ""),
            review=review or ReviewForm(formdata=None, version=str(report.version) if report else ""),
            evaluator=service.can_evaluate(current_user, person),
            deadline=service.deadline(g.agency, day),
            today=today,
        ),
        status,
    )


def _target_choices(person, day):
    return [SelectChoice(0, _("— tidak terkait target —"))] + [
        SelectChoice(t.id, t.title) for t in service.usable_targets(person, day)
    ]


def day(officer_id, day):
    return _day_page(_officer(officer_id), _day(day))


def _writable(person, day, form_version):
    """The report to change, after every check; raises ReportError."""
    service.check_reportable(g.agency, day)
    report = service.get_or_create_day(person, day)
    service.check_editable(report)
    if form_version and str(report.version) != form_version:
        raise _stale()
    return report


def add_activity(officer_id, day):
    person, day = _officer(officer_id), _day(day)
    _own(person)
    form = ActivityForm()
    form.target_id.choices = _target_choices(person, day)
    if not form.validate():
        return _day_page(person, day, form=form, status=400)
    written: list[str] = []
    try:
        report = _writable(person, day, form.version.data or None)
        target = service.check_target(person, day, form.target_id.data)
        service.check_minutes(report, form.minutes.data)
        accepted, errors = files.check_files(request.files.getlist(form.attachments.name))
        if errors:
            raise ReportError(" ".join(errors))
        activity = KinerjaHarianActivity(
            description=form.description.data,
            output=form.output.data,
            quantity=form.quantity.data,
            minutes=form.minutes.data,
            target_id=target.id if target else None,
        )
        report.activities.append(activity)
        written = files.store(activity, accepted)
        service.bump(report, report.version)
    except ReportError as error:
        db.session.rollback()
        files.discard(written)
        flash(str(error), "error")
        return _day_page(person, day, form=form, status=400)
    audit("kinerja_harian.activity_added", report, agency=g.agency, detail=f"{person.nip} {day.isoformat()}")
    db.session.commit()
    flash(_("Kegiatan dicatat."), "success")
    return _back_to_day(person, day)


def _activity(report, activity_id) -> KinerjaHarianActivity:
    activity = next((a for a in (report.activities if report else []) if a.id == activity_id), None)
    if activity is None:
        abort(404)
    return activity


def edit_activity(officer_id, day, activity_id):
    person, day = _officer(officer_id), _day(day)
    report = service.find_day(person, day)
    activity = _activity(report, activity_id)
    if request.method == "GET":
        return _day_page(person, day, editing=activity)
    _own(person)
    form = ActivityForm()
    form.target_id.choices = _target_choices(person, day)
    if not form.validate():
        return _day_page(person, day, form=form, editing=activity, status=400)
    written: list[str] = []
    try:
        service.check_reportable(g.agency, day)
        service.check_editable(report)
        if str(report.version) != (form.version.data or ""):
            raise _stale()
        target = service.check_target(person, day, form.target_id.data)
        service.check_minutes(report, form.minutes.data, replacing=activity)
        accepted, errors = files.check_files(request.files.getlist(form.attachments.name))
        if errors:
            raise ReportError(" ".join(errors))
        if len(activity.attachments) + len(accepted) > files.MAX_FILES:
            raise ReportError(_l("Paling banyak %(n)d lampiran untuk satu kegiatan.", n=files.MAX_FILES))
        activity.description = form.description.data
        activity.output = form.output.data
        activity.quantity = form.quantity.data
        activity.minutes = form.minutes.data
        activity.target_id = target.id if target else None
        written = files.store(activity, accepted)
        service.bump(report, report.version)
    except ReportError as error:
        db.session.rollback()
        files.discard(written)
        flash(str(error), "error")
        return _day_page(person, day, form=form, editing=activity, status=400)
    audit(
        "kinerja_harian.activity_changed", report, agency=g.agency, detail=f"{person.nip} {day.isoformat()}"
    )
    db.session.commit()
    flash(_("Kegiatan diperbarui."), "success")
    return _back_to_day(person, day)


def delete_activity(officer_id, day, activity_id):
    person, day = _officer(officer_id), _day(day)
    _own(person)
    report = service.find_day(person, day)
    activity = _activity(report, activity_id)
    form = ActionForm()
    try:
        if not form.validate():
            raise ReportError(_l("Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."))
        service.check_editable(report)
        if not _version_ok(report, form):
            raise _stale()
        for item in activity.attachments:
            files.remove(item)
        report.activities.remove(activity)
        db.session.flush()
        service.bump(report, report.version)
    except ReportError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _day_page(person, day, status=400)
    audit(
        "kinerja_harian.activity_deleted", report, agency=g.agency, detail=f"{person.nip} {day.isoformat()}"
    )
    db.session.commit()
    flash(_("Kegiatan dihapus."), "success")
    return _back_to_day(person, day)


def accept_proposals(officer_id, day):
    person, day = _officer(officer_id), _day(day)
    _own(person)
    form = ProposalForm()
    keys = [k for k in request.form.getlist("bukti") if k][:100]
    try:
        if not form.validate():
            raise ReportError(_l("Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."))
        if not keys:
            raise ReportError(_l("Pilih setidaknya satu usulan kegiatan."))
        chosen = service.evidence_by_key(person, day, list(dict.fromkeys(keys)))
        report = _writable(person, day, form.version.data or None)
        used = {a.evidence_key for a in report.activities}
        added = 0
        for evidence in chosen:
            if evidence.key in used:
                continue
            minutes = int(evidence.minutes or 15)
            service.check_minutes(report, minutes)
            report.activities.append(
                KinerjaHarianActivity(
                    description=str(evidence.title)[:1000],
                    output=str(evidence.output)[:60],
                    quantity=max(1, int(evidence.quantity or 1)),
                    minutes=minutes,
                    evidence_key=evidence.key,
                    evidence_source=evidence.source,
                    evidence_url=(evidence.url or "")[:300],
                )
            )
            added += 1
        if not added:
            raise ReportError(_l("Usulan itu sudah ada di laporan hari ini."))
        try:
            db.session.flush()
        except IntegrityError:  # the same evidence added at the same moment elsewhere
            raise _stale() from None
        service.bump(report, report.version)
    except ReportError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _day_page(person, day, status=400)
    audit("kinerja_harian.proposals_accepted", report, agency=g.agency, detail=", ".join(keys)[:500])
    db.session.commit()
    flash(_("Usulan ditambahkan ke laporan; periksa durasinya lalu kirim."), "success")
    return _back_to_day(person, day)


def submit(officer_id, day):
    person, day = _officer(officer_id), _day(day)
    _own(person)
    form = ActionForm()
    report = service.find_day(person, day)
    try:
        if not form.validate():
            raise ReportError(_l("Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."))
        service.check_reportable(g.agency, day)
        if report is None or not report.activities:
            raise ReportError(_l("Catat setidaknya satu kegiatan sebelum mengirim laporan."))
        service.check_editable(report)
        if not _version_ok(report, form):
            raise _stale()
        now = utcnow()
        values = {"status": DayStatus.DIAJUKAN}
        if report.submitted_at is None:
            values.update(submitted_at=now, late=service.is_late(g.agency, day, now))
        service.bump(report, report.version, **values)
    except ReportError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _day_page(person, day, status=400)
    audit("kinerja_harian.submitted", report, agency=g.agency, detail=f"{person.nip} {day.isoformat()}")
    db.session.commit()
    if report.late:
        flash(
            _(
                "Laporan terkirim, tercatat terlambat (batas %(d)s).",
                d=service.deadline(g.agency, day).isoformat(),
            ),
            "success",
        )
    else:
        flash(_("Laporan terkirim ke atasan."), "success")
    return _back_to_day(person, day)


def review(officer_id, day):
    person, day = _officer(officer_id), _day(day)
    if not service.can_evaluate(current_user, person):
        abort(403)
    report = service.find_day(person, day)
    if report is None:
        abort(404)
    form = ReviewForm()
    if not form.validate():
        return _day_page(person, day, review=form, status=400)
    try:
        if report.status != DayStatus.DIAJUKAN:
            raise ReportError(
                _l(
                    "Hanya laporan yang sudah dikirim dan belum dinilai "
                    "yang dapat disetujui atau dikembalikan."
                )
            )
        if not _version_ok(report, form):
            raise _stale()
        returning = form.decision.data == "kembalikan"
        if returning and not form.note.data:
            form.note.errors = [_("Tulis apa yang perlu diperbaiki sebelum mengembalikan laporan.")]
            return _day_page(person, day, review=form, status=400)
        service.bump(
            report,
            report.version,
            status=DayStatus.DIKEMBALIKAN if returning else DayStatus.DISETUJUI,
            reviewed_by_id=current_user.id,
            reviewed_at=utcnow(),
            review_note=form.note.data or "",
        )
    except ReportError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _day_page(person, day, status=400)
    audit(
        "kinerja_harian.returned" if returning else "kinerja_harian.approved",
        report,
        agency=g.agency,
        detail=f"{person.nip} {day.isoformat()}",
    )
    _tell_officer(report, returning, form.note.data or "")
    db.session.commit()
    flash(_("Laporan dikembalikan ke pegawai.") if returning else _("Laporan disetujui."), "success")
    return _back_to_day(person, day)


def _tell_officer(report: KinerjaHarianDay, returning: bool, note: str) -> None:
    from plugins.kinerja_harian.reminders import notify_officer_review

    notify_officer_review(report, returning, note)


def attachment(attachment_id):
    item = db.session.get(KinerjaHarianAttachment, attachment_id)
    if item is None:
        abort(404)
    report = item.activity.report
    if report.agency_id != g.agency.id or not can_view(current_user, report.officer):
        abort(404)
    path = os.path.join(files.upload_dir(), item.stored_name)
    if not os.path.exists(path):
        abort(404)
    with open(path, "rb") as stored:
        data = stored.read()
    response = send_file(
        io.BytesIO(data),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=files.download_name(item),
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- monthly evaluation and recap


def evaluation(officer_id):
    person = _officer(officer_id)
    if not service.can_evaluate(current_user, person):
        abort(403)
    month = _month()
    existing = _evaluation(person, month)
    form = EvaluationForm(obj=existing) if request.method == "GET" else EvaluationForm()
    if request.method == "POST" and form.validate():
        today = service.today_for(g.agency)
        if month > today:
            flash(
                _("Bulan itu belum berjalan; evaluasi bulanan hanya untuk bulan yang sudah dimulai."), "error"
            )
            return render_template(
                "kinerja_harian/evaluation.html", person=person, month=month, form=form
            ), 400
        if existing is None:
            existing = KinerjaHarianEvaluation(agency_id=g.agency.id, officer_id=person.id, month=month)
            db.session.add(existing)
        existing.conclusion = form.conclusion.data
        existing.note = form.note.data
        existing.evaluator_id = current_user.id
        existing.updated_at = utcnow()
        db.session.flush()
        audit(
            "kinerja_harian.evaluated",
            existing,
            agency=g.agency,
            detail=f"{person.nip} {month:%Y-%m} {form.conclusion.data}",
        )
        db.session.commit()
        flash(_("Evaluasi bulanan disimpan."), "success")
        return redirect(url_for(".officer", officer_id=person.id, bulan=f"{month:%Y-%m}"))
    status = 400 if request.method == "POST" else 200
    return render_template("kinerja_harian/evaluation.html", person=person, month=month, form=form), status


def recap(officer_id):
    person = _officer(officer_id)
    month = _month()
    today = service.today_for(g.agency)
    first, last = service.month_bounds(month)
    reports = db.session.scalars(
        db.select(KinerjaHarianDay)
        .where(
            KinerjaHarianDay.officer_id == person.id,
            KinerjaHarianDay.day >= first,
            KinerjaHarianDay.day <= last,
        )
        .options(selectinload(KinerjaHarianDay.activities))
    ).all()
    by_day = {(person.id, r.day): r for r in reports}
    states = service.day_states(g.agency, person.id, first, last, today, by_day)
    return render_template(
        "kinerja_harian/recap.html",
        person=person,
        month=month,
        states=states,
        summary=service.compliance(g.agency, [person.id], month, today)[person.id],
        targets=_targets_for(person, today),
        evaluation=_evaluation(person, month),
        supervisor=person.supervisor,
        printed=today,
    )


# ---------------------------------------------------------------- team


def _team(unit_id=None) -> list[Officer]:
    ids = service.team_ids(current_user, g.agency)
    query = (
        db.select(Officer)
        .where(Officer.agency_id == g.agency.id, Officer.active.is_(True))
        .order_by(Officer.name)
    )
    if ids is not None:
        query = query.where(Officer.id.in_(list(ids) or [-1]))
    if unit_id:
        query = query.where(Officer.unit_id == unit_id)
    return list(db.session.scalars(query))


def team():
    if service.team_ids(current_user, g.agency) == set():
        if current_user.officer_id:
            return redirect(url_for(".officer", officer_id=current_user.officer_id))
        abort(404)
    month = _month()
    unit_id = request.args.get("unit", type=int)
    today = service.today_for(g.agency)
    officers = _team(unit_id)
    summary = service.compliance(g.agency, [o.id for o in officers], month, today)
    waiting = db.session.scalars(
        db.select(KinerjaHarianDay)
        .where(
            KinerjaHarianDay.officer_id.in_([o.id for o in officers] or [-1]),
            KinerjaHarianDay.status == DayStatus.DIAJUKAN,
        )
        .order_by(KinerjaHarianDay.day, KinerjaHarianDay.officer_id)
        .limit(100)
    ).all()
    first, _last = service.month_bounds(month)
    unit_targets = []
    if current_user.role == ROLE_ADMIN or current_user.is_superadmin:
        rows = db.session.scalars(
            db.select(KinerjaHarianTarget)
            .where(
                KinerjaHarianTarget.agency_id == g.agency.id,
                KinerjaHarianTarget.unit_id.is_not(None),
                KinerjaHarianTarget.end >= first,
            )
            .order_by(KinerjaHarianTarget.start.desc())
        ).all()
        unit_targets = [(t, service.progress(t, today)) for t in rows]
    officer_targets = {}
    for target in db.session.scalars(
        db.select(KinerjaHarianTarget).where(
            KinerjaHarianTarget.officer_id.in_([o.id for o in officers] or [-1]),
            KinerjaHarianTarget.start <= today,
            KinerjaHarianTarget.end >= today,
        )
    ):
        officer_targets.setdefault(target.officer_id, []).append((target, service.progress(target, today)))
    units = db.session.scalars(db.select(Unit).filter_by(agency_id=g.agency.id).order_by(Unit.name)).all()
    return render_template(
        "kinerja_harian/team.html",
        officers=officers,
        summary=summary,
        waiting=waiting,
        month=month,
        previous=(first - dt.timedelta(days=1)).replace(day=1),
        units=units,
        unit_id=unit_id,
        unit_targets=unit_targets,
        officer_targets=officer_targets,
        today=today,
    )


# ---------------------------------------------------------------- targets


def _target(target_id: int) -> KinerjaHarianTarget:
    target = db.session.get(KinerjaHarianTarget, target_id)
    if target is None or target.agency_id != g.agency.id:
        abort(404)
    if target.officer_id:
        if not can_view(current_user, target.officer):
            abort(404)
    elif not _may_manage_unit(target.unit_id):
        abort(404)
    return target


def _may_manage_unit(unit_id) -> bool:
    if current_user.can_manage_agency(g.agency):
        return True
    me = current_user.officer
    return bool(me and service.team_ids(current_user, g.agency) and me.unit_id == unit_id)


def _may_agree(target: KinerjaHarianTarget) -> bool:
    if target.officer_id:
        return service.can_evaluate(current_user, target.officer)
    return current_user.can_manage_agency(g.agency)


def _may_edit(target: KinerjaHarianTarget) -> bool:
    """Drafts are changed by their officer, their evaluators, or (unit targets) the unit's managers."""
    if target.officer_id:
        return current_user.officer_id == target.officer_id or service.can_evaluate(
            current_user, target.officer
        )
    return _may_manage_unit(target.unit_id)


def _owner_choices():
    choices = []
    if current_user.officer_id:
        choices.append(SelectChoice(f"o{current_user.officer_id}", _("Saya sendiri")))
    for person in _team():
        if person.id != current_user.officer_id:
            choices.append(SelectChoice(f"o{person.id}", person.name))
    units = db.session.scalars(db.select(Unit).filter_by(agency_id=g.agency.id).order_by(Unit.name)).all()
    for unit in units:
        if _may_manage_unit(unit.id):
            choices.append(SelectChoice(f"u{unit.id}", _("Unit: %(name)s", name=unit.name)))
    return choices


def _indicator_choices():
    found = indicators(g.agency)
    return [SelectChoice("", "—")] + [
        SelectChoice(key, f"{ind.label} ({_('pegawai') if ind.scope == 'officer' else _('unit')})")
        for key, ind in sorted(found.items(), key=lambda item: str(item[1].label))
    ]


def targets():
    today = service.today_for(g.agency)
    ids = service.visible_ids(current_user, g.agency)
    query = db.select(KinerjaHarianTarget).where(KinerjaHarianTarget.agency_id == g.agency.id)
    if ids is not None:
        unit = current_user.officer.unit_id if current_user.officer else None
        query = query.where(
            KinerjaHarianTarget.officer_id.in_(list(ids) or [-1]) | (KinerjaHarianTarget.unit_id == unit)
            if unit
            else KinerjaHarianTarget.officer_id.in_(list(ids) or [-1])
        )
    rows = db.session.scalars(query.order_by(KinerjaHarianTarget.start.desc(), KinerjaHarianTarget.id)).all()
    return render_template(
        "kinerja_harian/targets.html",
        rows=[(t, service.progress(t, today), service.is_closed(t, today)) for t in rows],
        may_agree=_may_agree,
        may_edit=_may_edit,
        action_form=ActionForm(formdata=None),
        can_create=bool(_owner_choices()),
    )


def _fill_target(form: TargetForm, target: KinerjaHarianTarget | None):
    """Check the form beyond its fields; returns the values or raises ReportError."""
    owner = form.owner.data or ""
    allowed = {c.value for c in form.owner.choices}
    if owner not in allowed:
        raise ReportError(
            _l(
                "Pilih pegawai atau unit dari daftar: Anda hanya dapat membuat target untuk diri sendiri, "
                "tim Anda, atau unit yang Anda kelola."
            )
        )
    officer_id = int(owner[1:]) if owner.startswith("o") else None
    unit_id = int(owner[1:]) if owner.startswith("u") else None
    try:
        day = parse_date(form.period_day.data, _("tanggal dalam periode"))
    except ParamError as error:
        raise ReportError(error.description) from None
    start, end = period_bounds(form.period_kind.data, day)
    last = end - dt.timedelta(days=1)
    if last < service.today_for(g.agency):
        raise ReportError(
            _l(
                "Periode itu sudah berakhir; target hanya dibuat "
                "untuk periode yang masih berjalan atau akan datang."
            )
        )
    values = {
        "officer_id": officer_id,
        "unit_id": unit_id,
        "period_kind": form.period_kind.data,
        "start": start,
        "end": last,
        "kind": form.kind.data,
        "target_value": form.target_value.data,
    }
    if form.kind.data == TargetKind.TERUKUR:
        found = indicators(g.agency, scope="officer" if officer_id else "unit")
        indicator = found.get(form.indicator_key.data or "")
        if indicator is None:
            raise ReportError(
                _l(
                    "Pilih indikator yang dapat diukur portal untuk %(who)s.",
                    who=_("pegawai") if officer_id else _("unit"),
                )
            )
        values.update(
            indicator_key=indicator.key,
            title=form.title.data or str(indicator.label),
            unit_label=indicator.unit,
            higher_is_better=indicator.higher_is_better,
        )
    elif form.kind.data == TargetKind.DILAPORKAN:
        if not form.title.data:
            raise ReportError(_l("Tulis uraian target yang dilaporkan."))
        if not form.unit_label.data:
            raise ReportError(_l("Tulis satuan target yang dilaporkan (misalnya: dokumen)."))
        values.update(
            indicator_key="", title=form.title.data, unit_label=form.unit_label.data, higher_is_better=True
        )
    else:
        raise ReportError(_l("Pilih jenis target."))
    return values


def _target_form_page(form, target, status=200):
    return render_template("kinerja_harian/target_form.html", form=form, target=target), status


def new_target():
    form = TargetForm()
    form.owner.choices = _owner_choices()
    form.indicator_key.choices = _indicator_choices()
    if not form.owner.choices:
        abort(403)
    if request.method == "GET":
        form.period_day.data = service.today_for(g.agency).isoformat()
        return _target_form_page(form, None)
    if not form.validate():
        return _target_form_page(form, None, 400)
    try:
        values = _fill_target(form, None)
    except ReportError as error:
        flash(str(error), "error")
        return _target_form_page(form, None, 400)
    target = KinerjaHarianTarget(
        agency_id=g.agency.id, status=TargetStatus.DRAF, created_by_id=current_user.id, **values
    )
    db.session.add(target)
    db.session.flush()
    audit("kinerja_harian.target_created", target, agency=g.agency, detail=target.title[:200])
    db.session.commit()
    flash(_("Target disimpan sebagai draf; atasan menyepakatinya."), "success")
    return redirect(url_for(".targets"))


def _check_target_open(target):
    if service.is_closed(target):
        raise ReportError(_l("Periode target ini sudah ditutup; target tidak dapat diubah lagi."))


def edit_target(target_id):
    target = _target(target_id)
    form = TargetForm(obj=target) if request.method == "GET" else TargetForm()
    form.owner.choices = _owner_choices()
    form.indicator_key.choices = _indicator_choices()
    try:
        _check_target_open(target)
        if target.status != TargetStatus.DRAF:
            raise ReportError(_l("Target yang sudah disepakati tidak dapat diubah."))
        if not _may_edit(target):
            abort(403)
    except ReportError as error:
        flash(str(error), "error")
        return redirect(url_for(".targets"))
    if request.method == "GET":
        form.owner.data = f"o{target.officer_id}" if target.officer_id else f"u{target.unit_id}"
        form.period_day.data = target.start.isoformat()
        return _target_form_page(form, target)
    if not form.validate():
        return _target_form_page(form, target, 400)
    try:
        values = _fill_target(form, target)
    except ReportError as error:
        flash(str(error), "error")
        return _target_form_page(form, target, 400)
    for key, value in values.items():
        setattr(target, key, value)
    audit("kinerja_harian.target_changed", target, agency=g.agency, detail=target.title[:200])
    db.session.commit()
    flash(_("Target diperbarui."), "success")
    return redirect(url_for(".targets"))


def agree_target(target_id):
    target = _target(target_id)
    form = ActionForm()
    if not _may_agree(target):
        abort(403)
    try:
        if not form.validate():
            raise ReportError(_l("Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."))
        _check_target_open(target)
        if target.status != TargetStatus.DRAF:
            raise ReportError(_l("Target ini sudah disepakati."))
        result = db.session.execute(
            db.update(KinerjaHarianTarget)
            .where(KinerjaHarianTarget.id == target.id, KinerjaHarianTarget.status == TargetStatus.DRAF)
            .values(status=TargetStatus.DISEPAKATI, agreed_by_id=current_user.id, agreed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise ReportError(_l("Target ini sudah disepakati."))
    except ReportError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".targets")), 303
    audit("kinerja_harian.target_agreed", target, agency=g.agency, detail=target.title[:200])
    db.session.commit()
    flash(_("Target disepakati."), "success")
    return redirect(url_for(".targets"))


def delete_target(target_id):
    target = _target(target_id)
    form = ActionForm()
    if not _may_edit(target):
        abort(403)
    try:
        if not form.validate():
            raise ReportError(_l("Formulir kedaluwarsa. Muat ulang halaman lalu coba lagi."))
        _check_target_open(target)
        if target.status != TargetStatus.DRAF:
            raise ReportError(_l("Target yang sudah disepakati tidak dapat dihapus."))
    except ReportError as error:
        flash(str(error), "error")
        return redirect(url_for(".targets"))
    audit("kinerja_harian.target_deleted", target, agency=g.agency, detail=target.title[:200])
    db.session.delete(target)
    db.session.commit()
    flash(_("Draf target dihapus."), "success")
    return redirect(url_for(".targets"))


# ---------------------------------------------------------------- exports


def export(fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    if service.team_ids(current_user, g.agency) == set():
        abort(403)
    month = _month()
    unit_id = request.args.get("unit", type=int)
    content = request.args.get("isi", "harian")
    today = service.today_for(g.agency)
    officers = _team(unit_id)
    first, last = service.month_bounds(month)
    if content == "ringkasan":
        summary = service.compliance(g.agency, [o.id for o in officers], month, today)
        evaluations = {
            e.officer_id: e
            for e in db.session.scalars(
                db.select(KinerjaHarianEvaluation).where(
                    KinerjaHarianEvaluation.officer_id.in_([o.id for o in officers] or [-1]),
                    KinerjaHarianEvaluation.month == first,
                )
            )
        }
        rows = [
            [
                _("NIP"),
                _("Nama"),
                _("Unit"),
                _("Bulan"),
                _("Hari kerja"),
                _("Tepat waktu"),
                _("Terlambat"),
                _("Tidak dilaporkan"),
                _("Belum lewat batas"),
                _("Dikembalikan"),
                _("Persen tepat waktu"),
                _("Kesimpulan atasan"),
            ]
        ]
        for o in officers:
            c = summary[o.id]
            e = evaluations.get(o.id)
            rows.append(
                [
                    o.nip,
                    o.name,
                    o.unit.name if o.unit else "",
                    f"{month:%Y-%m}",
                    c.working,
                    c.on_time,
                    c.late,
                    c.missing,
                    c.open,
                    c.returned,
                    round(c.percent, 1) if c.percent is not None else "",
                    str(CONCLUSION_LABELS.get(e.conclusion, "")) if e else "",
                ]
            )
        name = f"kinerja-harian-ringkasan-{g.agency.slug}-{month:%Y-%m}"
    else:
        reports = service.reports_between([o.id for o in officers], first, last)
        minutes = _minutes_by_day([r.id for r in reports.values()])
        rows = [
            [
                _("NIP"),
                _("Nama"),
                _("Unit"),
                _("Tanggal"),
                _("Keadaan"),
                _("Status laporan"),
                _("Dikirim"),
                _("Jumlah kegiatan"),
                _("Durasi (menit)"),
                _("Catatan atasan"),
            ]
        ]
        for o in officers:
            for day, state, report in service.day_states(g.agency, o.id, first, last, today, reports):
                rows.append(
                    [
                        o.nip,
                        o.name,
                        o.unit.name if o.unit else "",
                        day.isoformat(),
                        str(STATE_LABELS[state]),
                        str(DAY_LABELS[report.status]) if report else "",
                        report.submitted_at.isoformat(timespec="minutes")
                        if report and report.submitted_at
                        else "",
                        minutes.get(report.id, (0, 0))[0] if report else 0,
                        minutes.get(report.id, (0, 0))[1] if report else 0,
                        report.review_note if report else "",
                    ]
                )
        name = f"kinerja-harian-{g.agency.slug}-{month:%Y-%m}"
    audit("kinerja_harian.exported", g.agency, agency=g.agency, detail=f"{content} {month:%Y-%m} {fmt}")
    db.session.commit()
    return table_response(fmt, name, rows, sheet=_("Kinerja harian"), bold_first_row=True)


def _minutes_by_day(day_ids) -> dict[int, tuple[int, int]]:
    from sqlalchemy import func

    rows = db.session.execute(
        db.select(
            KinerjaHarianActivity.day_id,
            func.count(KinerjaHarianActivity.id),
            func.sum(KinerjaHarianActivity.minutes),
        )
        .where(KinerjaHarianActivity.day_id.in_(list(day_ids) or [-1]))
        .group_by(KinerjaHarianActivity.day_id)
    ).all()
    return {day_id: (count, int(total or 0)) for day_id, count, total in rows}
