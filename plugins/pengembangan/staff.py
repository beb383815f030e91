"""Staff pages of the pengembangan plugin under ``/kelola/<agency>/pengembangan/``.

The organiser is the agency's admin (catalogue, activities, participants,
results, exports); a supervisor sees and assesses the officers below them
and answers behaviour questionnaires; an officer sees their own needs and
activities, registers, reacts and gives upward feedback.

The URL rules are in :mod:`plugins.pengembangan.urls`; this module is
imported when a request first reaches one of its pages."""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from plugins.pengembangan import service
from plugins.pengembangan.forms import (
    BEHAVIOUR_CHOICES,
    KIND_LABELS,
    LEVEL_LABELS,
    ActivityForm,
    BehaviourForm,
    ParticipantScoresForm,
    ReactionForm,
    ThemeForm,
    UpwardForm,
)
from plugins.pengembangan.models import (
    BY_SELF,
    BY_SUPERVISOR,
    PengembanganActivity,
    PengembanganAssessment,
    PengembanganBehaviour,
    PengembanganParticipant,
    PengembanganReaction,
    PengembanganTheme,
    PengembanganUpward,
    PengembanganUpwardVoter,
)
from portal.plugin import (
    BaseForm,
    Officer,
    Unit,
    audit,
    db,
    parse_int,
    table_response,
    utcnow,
)


def _organiser():
    if not service.is_organiser(current_user, g.agency):
        abort(403)


def _year() -> int:
    default = service.today(g.agency).year
    raw = request.args.get("tahun", "").strip()
    return parse_int(raw, "tahun", 2000, 2100) if raw else default


def _officer(officer_id: int) -> Officer:
    officer = db.session.get(Officer, officer_id)
    if officer is None or officer.agency_id != g.agency.id or not service.can_see(current_user, officer):
        abort(404)
    return officer


def _activity(activity_id: int) -> PengembanganActivity:
    activity = db.session.get(PengembanganActivity, activity_id)
    if activity is None or activity.agency_id != g.agency.id:
        abort(404)
    return activity


def _units():
    return db.session.scalars(db.select(Unit).filter_by(agency_id=g.agency.id).order_by(Unit.name)).all()


def _themes(active_only=True):
    query = db.select(PengembanganTheme).filter_by(agency_id=g.agency.id)
    if active_only:
        query = query.filter_by(active=True)
    return db.session.scalars(query.order_by(PengembanganTheme.name)).all()


def _source_choices() -> list[str]:
    """Rating sources of the agency: those the core scores per source."""
    from plugins.pengembangan import available_sources

    return available_sources(g.agency)


def _analysis(year):
    from plugins.pengembangan.needs import Analysis

    cache = g.setdefault("pengembangan_analysis", {})
    if year not in cache:
        cache[year] = Analysis(g.agency, year)
    return cache[year]


def _period(day: dt.date) -> str:
    return f"{day.year}-S{1 if day.month <= 6 else 2}"


# --- overview and team ----------------------------------------------------


def index():
    day = service.today(g.agency)
    mine = None
    if current_user.officer_id:
        officer = db.session.get(Officer, current_user.officer_id)
        if officer is not None and officer.agency_id == g.agency.id:
            mine = officer
    own_jp = service.jp_by_officer([mine.id], day.year)[mine.id] if mine else None
    activities = db.session.scalars(
        db.select(PengembanganActivity)
        .filter_by(agency_id=g.agency.id)
        .order_by(PengembanganActivity.starts_on.desc())
        .limit(50)
    ).all()
    own_parts = {}
    if mine:
        own_parts = {
            p.activity_id: p
            for p in db.session.scalars(db.select(PengembanganParticipant).filter_by(officer_id=mine.id))
        }
    if not service.is_organiser(current_user, g.agency):
        activities = [
            a for a in activities if a.id in own_parts or (a.open_registration and a.ends_on >= day)
        ]
    due = _due_behaviour(day)
    return render_template(
        "pengembangan/index.html",
        mine=mine,
        own_jp=own_jp,
        min_jp=service.MIN_JP,
        activities=activities,
        own_parts=own_parts,
        due=due,
        day=day,
        kinds=KIND_LABELS,
        organiser=service.is_organiser(current_user, g.agency),
        form=BaseForm(),
    )


def _team_rows(year, unit_id=None):
    officers = service.visible_officers(current_user, g.agency, unit_id)
    jp = service.jp_by_officer([o.id for o in officers], year)
    analysis = _analysis(year)
    rows = []
    for officer in officers:
        needs = analysis.officer_needs(officer)
        rows.append(
            {
                "officer": officer,
                "jp": jp[officer.id],
                "below": jp[officer.id] < service.MIN_JP,
                "needs": needs,
                "open": [n for n in needs if not n.covered],
            }
        )
    return rows


def team():
    year = _year()
    unit_id = request.args.get("unit", type=int)
    rows = _team_rows(year, unit_id)
    return render_template(
        "pengembangan/team.html",
        rows=rows,
        year=year,
        unit_id=unit_id,
        units=_units(),
        min_jp=service.MIN_JP,
        below=sum(1 for r in rows if r["below"]),
        unaddressed=sum(1 for r in rows if r["open"]),
    )


def export(fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    year = _year()
    unit_id = request.args.get("unit", type=int)
    rows = _team_rows(year, unit_id)
    table = [
        [
            _("NIP"),
            _("Nama"),
            _("Jabatan"),
            _("Unit"),
            _("JP %(year)d", year=year),
            _("Di bawah 20 JP"),
            _("Kebutuhan pengembangan (urut)"),
            _("Kebutuhan belum ditangani"),
        ]
    ]
    for r in rows:
        officer = r["officer"]
        table.append(
            [
                officer.nip,
                officer.name,
                officer.position,
                officer.unit.name if officer.unit else "",
                r["jp"],
                _("ya") if r["below"] else _("tidak"),
                "; ".join(n.theme.name for n in r["needs"]),
                "; ".join(n.theme.name for n in r["open"]),
            ]
        )
    response = table_response(fmt, f"pengembangan-{g.agency.slug}-{year}", table, bold_first_row=True)
    if response is None:
        abort(404)
    return response


# --- catalogue --------------------------------------------------------------


def catalogue(theme_id=None):
    _organiser()
    theme = None
    if theme_id is not None:
        theme = db.session.get(PengembanganTheme, theme_id)
        if theme is None or theme.agency_id != g.agency.id:
            abort(404)
    form = ThemeForm(obj=theme) if theme else ThemeForm()
    sources = _source_choices()
    form.sources.choices = [SelectChoice(k, _source_label(k)) for k in sources]
    if request.method == "GET" and theme is not None:
        form.sources.data = theme.source_list
    if form.validate_on_submit():
        clash = db.session.scalar(
            db.select(PengembanganTheme.id).where(
                PengembanganTheme.agency_id == g.agency.id,
                db.func.lower(PengembanganTheme.name) == form.name.data.lower(),
                PengembanganTheme.id != (theme.id if theme else 0),
            )
        )
        if clash:
            form.name.errors.append(_("Tema dengan nama ini sudah ada."))
        else:
            created = theme is None
            theme = theme or PengembanganTheme(agency_id=g.agency.id)
            theme.name = form.name.data
            theme.description = form.description.data or ""
            theme.unsur = form.unsur.data or ""
            theme.sources = ",".join(form.sources.data or [])
            theme.active = bool(form.active.data)
            db.session.add(theme)
            db.session.flush()
            audit(
                "pengembangan.tema." + ("baru" if created else "ubah"),
                theme,
                agency=g.agency,
                detail=theme.name,
            )
            db.session.commit()
            flash(_("Tema disimpan."), "success")
            return redirect(url_for(".catalogue"))
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "pengembangan/catalogue.html", form=form, theme=theme, themes=_themes(active_only=False)
        ),
        status,
    )


def _source_label(name: str) -> str:
    from plugins.pengembangan import source_label

    return source_label(name)


# --- needs -------------------------------------------------------------------


def needs():
    year = _year()
    unit_id = request.args.get("unit", type=int)
    visible = service.visible_officers(current_user, g.agency, unit_id)
    analysis = _analysis(year)
    groups = []
    for unit in _units():
        if unit_id and unit.id != unit_id:
            continue
        members = [o for o in visible if o.unit_id == unit.id]
        if not members:
            continue
        groups.append(
            {
                "unit": unit,
                "needs": analysis.unit_needs(members),
                "evidence": analysis.unit_evidence(unit.id),
                "members": len(members),
            }
        )
    return render_template(
        "pengembangan/needs.html",
        groups=groups,
        year=year,
        units=_units(),
        unit_id=unit_id,
        officers=visible,
        themes=analysis.themes,
    )


def officer_needs(officer_id):
    officer = _officer(officer_id)
    year = _year()
    own = current_user.officer_id == officer.id
    side = BY_SELF if own else (BY_SUPERVISOR if service.is_supervisor_of(current_user, officer) else None)
    themes = _themes()
    existing = {
        (a.theme_id, a.by): a
        for a in db.session.scalars(
            db.select(PengembanganAssessment).filter_by(officer_id=officer.id, year=year)
        )
    }
    form = BaseForm()
    errors = {}
    if request.method == "POST":
        if side is None:
            abort(403)
        if not form.validate_on_submit():
            abort(400)
        levels = {}
        for theme in themes:
            raw = request.form.get(f"tema-{theme.id}", "")
            if raw == "":
                continue
            if raw not in ("0", "1", "2", "3"):
                errors[theme.id] = _("Pilih tingkat kebutuhan dari daftar.")
                continue
            levels[theme.id] = (int(raw), (request.form.get(f"catatan-{theme.id}") or "").strip())
            if len(levels[theme.id][1]) > 500:
                errors[theme.id] = _("Catatan paling banyak 500 karakter.")
        known = {f"tema-{t.id}" for t in themes}
        if any(k.startswith("tema-") and k not in known for k in request.form):
            errors[0] = _("Pilih tema dari katalog instansi ini.")
        if not levels and not errors:
            errors[0] = _("Pilih tingkat kebutuhan untuk paling sedikit satu tema.")
        if not errors:
            for theme_id, (level, note) in levels.items():
                row = existing.get((theme_id, side))
                if row is None:
                    row = PengembanganAssessment(
                        agency_id=g.agency.id, officer_id=officer.id, theme_id=theme_id, year=year, by=side
                    )
                    db.session.add(row)
                row.level, row.note, row.user_id, row.updated_at = level, note, current_user.id, utcnow()
            audit("pengembangan.asesmen", officer, agency=g.agency, detail=f"{side} {year}")
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                flash(_("Penilaian ini baru saja disimpan orang lain; periksa lalu simpan lagi."), "error")
                return redirect(url_for(".officer_needs", officer_id=officer.id, tahun=year))
            flash(_("Penilaian kebutuhan disimpan."), "success")
            return redirect(url_for(".officer_needs", officer_id=officer.id, tahun=year))
    analysis = _analysis(year)
    return (
        render_template(
            "pengembangan/officer_needs.html",
            officer=officer,
            year=year,
            needs=analysis.officer_needs(officer),
            feedback=analysis.feedback(officer),
            themes=themes,
            side=side,
            existing=existing,
            levels=LEVEL_LABELS,
            form=form,
            errors=errors,
            BY_SELF=BY_SELF,
            BY_SUPERVISOR=BY_SUPERVISOR,
        ),
        400 if errors else 200,
    )


# --- activities ----------------------------------------------------------


def _activity_form(activity=None):
    form = ActivityForm(obj=activity) if activity else ActivityForm()
    form.themes.choices = [SelectChoice(t.id, t.name) for t in _themes()]
    if request.method == "GET" and activity is not None:
        form.themes.data = [t.id for t in activity.themes]
    return form


def edit_activity(activity_id=None):
    _organiser()
    activity = _activity(activity_id) if activity_id else None
    form = _activity_form(activity)
    if form.validate_on_submit():
        created = activity is None
        activity = activity or PengembanganActivity(agency_id=g.agency.id)
        for name in ("title", "kind", "starts_on", "ends_on", "jp"):
            setattr(activity, name, getattr(form, name).data)
        for name in ("provider", "place", "link", "description"):  # optional: stored as ""
            setattr(activity, name, getattr(form, name).data or "")
        activity.open_registration = bool(form.open_registration.data)
        activity.behaviour_weeks = form.behaviour_weeks.data
        activity.window_days = form.window_days.data
        chosen = set(form.themes.data or [])
        activity.themes = [t for t in _themes() if t.id in chosen]
        db.session.add(activity)
        db.session.flush()
        audit(
            "pengembangan.kegiatan." + ("baru" if created else "ubah"),
            activity,
            agency=g.agency,
            detail=activity.title,
        )
        db.session.commit()
        flash(_("Kegiatan disimpan."), "success")
        return redirect(url_for(".activity", activity_id=activity.id))
    return (
        render_template("pengembangan/activity_form.html", form=form, activity=activity),
        400 if request.method == "POST" else 200,
    )


def activity(activity_id):
    activity = _activity(activity_id)
    organiser = service.is_organiser(current_user, g.agency)
    day = service.today(g.agency)
    visible = service.visible_officer_ids(current_user, g.agency)
    participants = [p for p in activity.participants if visible is None or p.officer_id in visible]
    mine = next((p for p in activity.participants if p.officer_id == current_user.officer_id), None)
    if not organiser and not participants and not (activity.open_registration and activity.ends_on >= day):
        abort(404)
    reactions = _reaction_summary(activity) if organiser else None
    candidates = []
    if organiser:
        candidates = _candidates(activity)
    return render_template(
        "pengembangan/activity.html",
        activity=activity,
        organiser=organiser,
        participants=participants,
        mine=mine,
        day=day,
        ended=service.ended(activity, day),
        due=service.behaviour_due(activity),
        reactions=reactions,
        candidates=candidates,
        kinds=KIND_LABELS,
        form=BaseForm(),
        score_forms={p.id: ParticipantScoresForm(obj=p, prefix=f"p{p.id}") for p in participants}
        if organiser
        else {},
        anonymity=service.ANONYMITY,
    )


def _candidates(activity):
    """Officers with an unaddressed need for one of the activity's themes
    (first), then everyone else of the agency not yet taking part."""
    taking = {p.officer_id for p in activity.participants}
    officers = db.session.scalars(
        db.select(Officer).filter_by(agency_id=g.agency.id, active=True).order_by(Officer.name)
    ).all()
    theme_ids = {t.id for t in activity.themes}
    analysis = _analysis(min(activity.ends_on.year, service.today(g.agency).year))
    rows = []
    for officer in officers:
        if officer.id in taking:
            continue
        needs = [n for n in analysis.officer_needs(officer) if n.theme.id in theme_ids] if theme_ids else []
        rows.append((officer, needs))
    rows.sort(key=lambda r: (-sum(n.score for n in r[1]), r[0].name))
    return rows


def _reaction_summary(activity):
    rows = db.session.scalars(db.select(PengembanganReaction).filter_by(activity_id=activity.id)).all()
    summary = {"count": len(rows), "shown": len(rows) >= service.ANONYMITY}
    if summary["shown"]:
        for name in ("overall", "material", "trainer"):
            summary[name] = sum(getattr(r, name) for r in rows) / len(rows)
        # alphabetical: no order that hints at who wrote what
        summary["texts"] = sorted(r.application for r in rows if r.application)
    return summary


def add_participants(activity_id):
    _organiser()
    activity = _activity(activity_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    ids = []
    for raw in request.form.getlist("officer_id")[:500]:
        if not raw.strip().isdigit():
            flash(_("Pilihan pegawai tidak dikenal."), "error")
            return redirect(url_for(".activity", activity_id=activity.id))
        ids.append(int(raw))
    if not ids:
        flash(_("Pilih paling sedikit satu pegawai."), "error")
        return redirect(url_for(".activity", activity_id=activity.id))
    officers = db.session.scalars(db.select(Officer).where(Officer.id.in_(ids))).all()
    if len(officers) != len(set(ids)) or any(o.agency_id != g.agency.id or not o.active for o in officers):
        flash(_("Peserta harus pegawai aktif instansi ini. Tidak ada yang ditambahkan."), "error")
        return redirect(url_for(".activity", activity_id=activity.id))
    taking = {p.officer_id for p in activity.participants}
    added = 0
    for officer in officers:
        if officer.id not in taking:
            db.session.add(
                PengembanganParticipant(activity_id=activity.id, officer_id=officer.id, origin="nominasi")
            )
            added += 1
    audit("pengembangan.peserta", activity, agency=g.agency, detail=f"+{added}")
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("Sebagian pegawai baru saja ditambahkan orang lain; periksa daftar lalu coba lagi."), "error")
        return redirect(url_for(".activity", activity_id=activity.id))
    flash(ngettext("%(num)d peserta ditambahkan.", "%(num)d peserta ditambahkan.", added), "success")
    return redirect(url_for(".activity", activity_id=activity.id))


def update_participant(activity_id, participant_id):
    _organiser()
    activity = _activity(activity_id)
    participant = db.session.get(PengembanganParticipant, participant_id)
    if participant is None or participant.activity_id != activity.id:
        abort(404)
    if request.form.get("hapus"):
        if not BaseForm().validate_on_submit():
            abort(400)
        if participant.reacted or participant.behaviour is not None:
            flash(_("Peserta yang sudah dievaluasi tidak dapat dihapus."), "error")
        else:
            audit("pengembangan.peserta.hapus", activity, agency=g.agency, detail=participant.officer.nip)
            db.session.delete(participant)
            db.session.commit()
            flash(_("Peserta dihapus."), "success")
        return redirect(url_for(".activity", activity_id=activity.id))
    form = ParticipantScoresForm(prefix=f"p{participant.id}")
    if not form.validate_on_submit():
        messages = [str(m) for errors in form.errors.values() for m in errors]
        flash(_("Tidak disimpan: %(why)s", why=" ".join(messages)), "error")
        return redirect(url_for(".activity", activity_id=activity.id))
    day = service.today(g.agency)
    if (form.attended.data or form.post_score.data is not None) and activity.starts_on > day:
        flash(_("Kehadiran dan post-test baru dapat dicatat setelah kegiatan dimulai."), "error")
        return redirect(url_for(".activity", activity_id=activity.id))
    participant.attended = bool(form.attended.data)
    participant.certificate = form.certificate.data or ""
    participant.pre_score = form.pre_score.data
    participant.post_score = form.post_score.data
    audit("pengembangan.peserta.ubah", activity, agency=g.agency, detail=participant.officer.nip)
    db.session.commit()
    flash(_("Data peserta %(name)s disimpan.", name=participant.officer.name), "success")
    return redirect(url_for(".activity", activity_id=activity.id))


def register(activity_id):
    activity = _activity(activity_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    officer = db.session.get(Officer, current_user.officer_id or 0)
    if officer is None or officer.agency_id != g.agency.id:
        flash(_("Hanya pegawai instansi ini yang dapat mendaftar."), "error")
        return redirect(url_for(".index"))
    day = service.today(g.agency)
    if not activity.open_registration or activity.ends_on < day:
        flash(_("Pendaftaran kegiatan ini tidak dibuka."), "error")
        return redirect(url_for(".index"))
    db.session.add(PengembanganParticipant(activity_id=activity.id, officer_id=officer.id, origin="daftar"))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        flash(_("Anda sudah terdaftar di kegiatan ini."), "error")
        return redirect(url_for(".activity", activity_id=activity.id))
    flash(_("Anda terdaftar di %(title)s.", title=activity.title), "success")
    return redirect(url_for(".activity", activity_id=activity.id))


def reaction(activity_id):
    activity = _activity(activity_id)
    participant = next((p for p in activity.participants if p.officer_id == current_user.officer_id), None)
    if participant is None or not current_user.officer_id:
        abort(404)
    form = ReactionForm()
    day = service.today(g.agency)
    problem = None
    if not service.ended(activity, day):
        problem = _("Evaluasi reaksi dibuka setelah kegiatan selesai (%(day)s).", day=_date(activity.ends_on))
    elif not participant.attended:
        problem = _("Evaluasi reaksi hanya untuk peserta yang tercatat hadir.")
    elif participant.reacted:
        problem = _("Anda sudah memberi penilaian untuk kegiatan ini. Terima kasih.")
    if request.method == "POST" and problem is None and form.validate_on_submit():
        # Mark the participant first: a second, parallel answer finds the flag set and stores nothing.
        marked = db.session.execute(
            db.update(PengembanganParticipant)
            .where(PengembanganParticipant.id == participant.id, PengembanganParticipant.reacted.is_(False))
            .values(reacted=True)
        ).rowcount
        if marked != 1:
            db.session.rollback()
            problem = _("Anda sudah memberi penilaian untuk kegiatan ini. Terima kasih.")
        else:
            db.session.add(
                PengembanganReaction(
                    activity_id=activity.id,
                    overall=form.overall.data,
                    material=form.material.data,
                    trainer=form.trainer.data,
                    application=form.application.data or "",
                )
            )
            db.session.commit()
            flash(_("Terima kasih. Penilaian Anda tersimpan tanpa nama."), "success")
            return redirect(url_for(".activity", activity_id=activity.id))
    status = 200
    if request.method == "POST":
        status = 409 if problem else 400
    return render_template(
        "pengembangan/reaction.html", activity=activity, form=form, problem=problem
    ), status


def _date(day):
    from flask_babel import format_date

    return format_date(day, "d MMMM yyyy")


# --- results -------------------------------------------------------------------


def results(activity_id):
    activity = _activity(activity_id)
    organiser = service.is_organiser(current_user, g.agency)
    visible = service.visible_officer_ids(current_user, g.agency)
    if not organiser and not any(p.officer_id in visible for p in activity.participants):
        abort(404)
    result = service.evaluate(activity)
    if not organiser:
        result.rows = [r for r in result.rows if r.participant.officer_id in visible]
    return render_template(
        "pengembangan/results.html",
        activity=activity,
        result=result,
        organiser=organiser,
        labels=service.STATUS_LABELS,
        sources=[_source_label(s) for s in result.sources] if result.sources else None,
        behaviour=BEHAVIOUR_CHOICES,
    )


def export_activity(activity_id, fmt):
    _organiser()
    activity = _activity(activity_id)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    result = service.evaluate(activity)
    by_participant = {r.participant.id: r for r in result.rows}

    def number(value):
        return "" if value is None else round(value, 2)

    table = [
        [
            _("NIP"),
            _("Nama"),
            _("Unit"),
            _("Asal"),
            _("Hadir"),
            _("Sertifikat"),
            _("Pre-test"),
            _("Post-test"),
            _("Skor sebelum"),
            _("Jumlah sebelum"),
            _("Skor sesudah"),
            _("Jumlah sesudah"),
            _("Perubahan pembanding"),
            _("Selisih perubahan"),
            _("Keterangan"),
        ]
    ]
    for p in activity.participants:
        r = by_participant.get(p.id)
        table.append(
            [
                p.officer.nip,
                p.officer.name,
                p.officer.unit.name if p.officer.unit else "",
                p.origin,
                _("ya") if p.attended else _("tidak"),
                p.certificate,
                number(p.pre_score),
                number(p.post_score),
                number(r.own.before.mean) if r and r.own.before.enough(result.minimum) else "",
                r.own.before.count if r else "",
                number(r.own.after.mean) if r and r.own.after.enough(result.minimum) else "",
                r.own.after.count if r else "",
                number(r.control.value) if r and r.control else "",
                number(r.effect) if r else "",
                str(service.STATUS_LABELS[r.status]) if r else _("Tidak hadir"),
            ]
        )
    response = table_response(fmt, f"kegiatan-{activity.id}", table, bold_first_row=True)
    return response


# --- behaviour -----------------------------------------------------------------


def _due_behaviour(day):
    """Participants (attended) whose behaviour questionnaire the user may answer and is due."""
    query = (
        db.select(PengembanganParticipant)
        .join(PengembanganActivity, PengembanganActivity.id == PengembanganParticipant.activity_id)
        .where(
            PengembanganActivity.agency_id == g.agency.id,
            PengembanganParticipant.attended.is_(True),
            PengembanganActivity.ends_on <= day,
        )
        .order_by(PengembanganActivity.ends_on.desc())
    )
    rows = []
    for participant in db.session.scalars(query):
        if participant.officer_id == current_user.officer_id:
            continue
        if not service.is_supervisor_of(current_user, participant.officer):
            continue
        rows.append((participant, service.behaviour_due(participant.activity)))
    return rows


def behaviour_list():
    day = service.today(g.agency)
    return render_template("pengembangan/behaviour_list.html", rows=_due_behaviour(day), day=day)


def behaviour(participant_id):
    participant = db.session.get(PengembanganParticipant, participant_id)
    if participant is None or participant.activity.agency_id != g.agency.id:
        abort(404)
    officer = participant.officer
    if not service.can_see(current_user, officer):
        abort(404)
    if officer.id == current_user.officer_id or not service.is_supervisor_of(current_user, officer):
        abort(403)
    activity = participant.activity
    day = service.today(g.agency)
    due = service.behaviour_due(activity)
    form = BehaviourForm()
    problem = None
    if not service.ended(activity, day):
        problem = _("Kegiatan belum selesai: kuesioner perilaku dibuka mulai %(day)s.", day=_date(due))
    elif day < due:
        problem = ngettext(
            "Kuesioner perilaku dibuka mulai %(day)s, %(num)d minggu setelah kegiatan selesai.",
            "Kuesioner perilaku dibuka mulai %(day)s, %(num)d minggu setelah kegiatan selesai.",
            activity.behaviour_weeks,
            day=_date(due),
        )
    elif not participant.attended:
        problem = _("Pegawai ini tidak tercatat hadir.")
    elif participant.behaviour is not None:
        problem = _("Kuesioner untuk pegawai ini sudah dijawab.")
    if request.method == "POST" and problem is None and form.validate_on_submit():
        db.session.add(
            PengembanganBehaviour(
                participant_id=participant.id,
                applies=form.applies.data,
                improved=form.improved.data,
                shares=form.shares.data,
                example=form.example.data or "",
                user_id=current_user.id,
            )
        )
        audit("pengembangan.perilaku", activity, agency=g.agency, detail=officer.nip)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            problem = _("Kuesioner untuk pegawai ini sudah dijawab.")
        else:
            flash(_("Jawaban kuesioner perilaku disimpan."), "success")
            return redirect(url_for(".behaviour_list"))
    status = 200
    if request.method == "POST":
        status = 409 if problem else 400
    return (
        render_template(
            "pengembangan/behaviour.html",
            participant=participant,
            activity=activity,
            form=form,
            problem=problem,
            answer=participant.behaviour,
            answer_labels=BEHAVIOUR_CHOICES,
        ),
        status,
    )


# --- upward feedback ---------------------------------------------------------


def upward():
    officer = db.session.get(Officer, current_user.officer_id or 0)
    if officer is not None and officer.agency_id != g.agency.id:
        officer = None
    day = service.today(g.agency)
    period = _period(day)
    form = UpwardForm()
    problem = None
    if officer is None or officer.unit_id is None:
        problem = _("Umpan balik ke atas diberikan oleh pegawai yang tercatat di sebuah unit.")
    elif db.session.scalar(
        db.select(PengembanganUpwardVoter.id).filter_by(officer_id=officer.id, period=period)
    ):
        problem = _("Anda sudah memberi umpan balik untuk semester ini. Terima kasih.")
    if request.method == "POST" and problem is None and form.validate_on_submit():
        db.session.add(PengembanganUpwardVoter(officer_id=officer.id, unit_id=officer.unit_id, period=period))
        db.session.add(
            PengembanganUpward(
                agency_id=g.agency.id,
                unit_id=officer.unit_id,
                period=period,
                process=form.work_process.data,
                environment=form.environment.data,
                leadership=form.leadership.data,
                suggestion=form.suggestion.data or "",
            )
        )
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            problem = _("Anda sudah memberi umpan balik untuk semester ini. Terima kasih.")
        else:
            flash(_("Terima kasih. Umpan balik Anda tersimpan tanpa nama."), "success")
            return redirect(url_for(".index"))
    status = 200
    if request.method == "POST":
        status = 409 if problem else 400
    return (
        render_template(
            "pengembangan/upward.html", form=form, problem=problem, officer=officer, period=period
        ),
        status,
    )


def upward_results():
    day = service.today(g.agency)
    period = request.args.get("periode", _period(day))
    if len(period) != 7 or period[4:6] != "-S" or period[6] not in "12" or not period[:4].isdigit():
        abort(400)
    units = [u for u in _units() if service.unit_heads(u.id, current_user)]
    if not units:
        abort(403)
    rows = []
    for unit in units:
        answers = db.session.scalars(
            db.select(PengembanganUpward).filter_by(agency_id=g.agency.id, unit_id=unit.id, period=period)
        ).all()
        row = {"unit": unit, "count": len(answers), "shown": len(answers) >= service.ANONYMITY}
        if row["shown"]:
            for name in ("process", "environment", "leadership"):
                row[name] = sum(getattr(a, name) for a in answers) / len(answers)
            row["texts"] = sorted(a.suggestion for a in answers if a.suggestion)
        rows.append(row)
    return render_template(
        "pengembangan/upward_results.html", rows=rows, period=period, anonymity=service.ANONYMITY
    )


# --- profile -----------------------------------------------------------------


def profile(officer_id):
    from portal.plugin import score_stat

    officer = _officer(officer_id)
    year = _year()
    day = service.today(g.agency)
    start, end = day - dt.timedelta(days=365), day
    record = score_stat([officer], start, end)
    parts = db.session.scalars(
        db.select(PengembanganParticipant)
        .join(PengembanganActivity, PengembanganActivity.id == PengembanganParticipant.activity_id)
        .where(PengembanganParticipant.officer_id == officer.id)
        .order_by(PengembanganActivity.starts_on.desc())
    ).all()
    results = {}
    for p in parts:
        if p.attended and service.ended(p.activity, day):
            evaluation = service.evaluate(p.activity, day)
            results[p.id] = next((r for r in evaluation.rows if r.participant.id == p.id), None)
    jp = {y: service.jp_by_officer([officer.id], y)[officer.id] for y in (year - 1, year)}
    return render_template(
        "pengembangan/profile.html",
        officer=officer,
        year=year,
        record=record,
        record_start=start,
        record_end=end,
        minimum=service.min_ratings(),
        needs=_analysis(year).officer_needs(officer),
        parts=parts,
        results=results,
        jp=jp,
        min_jp=service.MIN_JP,
        kinds=KIND_LABELS,
        labels=service.STATUS_LABELS,
        behaviour=BEHAVIOUR_CHOICES,
        day=day,
    )
