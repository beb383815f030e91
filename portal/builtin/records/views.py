"""Performance record pages (``/kinerja/``): an officer's own record, the
team and agency views, supervisors' feedback notes, moderation of citizens'
comments, and exports. Every figure is read from rollups.

Who sees what: an officer their own record; a supervisor also every officer
below them (at any depth); an agency admin the whole agency; a superadmin
everything. Another agency's records do not exist for anyone else (404).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from wtforms import DateField, FieldList, FormField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.builtin.records.models import FeedbackAction, FeedbackNote, FeedbackReply
from portal.core.accounts.access import can_coach, can_view, coached_events, visible_officer_ids
from portal.core.models import (
    ROLE_ADMIN,
    ROLE_SUPERVISOR,
    Agency,
    CommentState,
    Officer,
    RatingEvent,
    Unit,
    audit,
)
from portal.core.plugin_system import plugins
from portal.core.record.ratings import (
    PERIOD_KINDS,
    REVIEW_COUNTED,
    Stat,
    add_months,
    agency_ranking,
    band,
    held_counts,
    hold_label,
    officer_record_and_trend,
    officer_source_stats,
    officer_stats_by_period,
    period_bounds,
    rating_sources,
    source_label,
)
from portal.core.util import charts
from portal.core.util.exports import FORMATS, table_response
from portal.core.util.timeutil import local, utcnow
from portal.core.web.forms import BaseForm, strip
from portal.core.web.params import arg_date
from portal.extensions import db

bp = Blueprint("kinerja", __name__, url_prefix="/kinerja")

PAGE_SIZE = 50
SORTS = ("skor", "rata", "jumlah", "nama")
NOTE_MAX = 4000
COMMENT_PAGE = 30


@bp.before_request
@login_required
def _require_login():
    return None


# ---------------------------------------------------------------- access


def _agency(slug) -> Agency:
    agency = db.session.execute(db.select(Agency).filter_by(slug=slug)).scalar_one_or_none()
    if agency is None or not current_user.can_access_agency(agency):
        abort(404)
    g.agency = agency
    return agency


def _officer(officer_id) -> Officer:
    person = db.session.get(
        Officer, officer_id, options=[joinedload(Officer.agency), joinedload(Officer.unit)]
    )
    if person is None or not can_view(current_user, person):
        abort(404)
    g.agency = person.agency
    return person


# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    kind: str
    day: dt.date
    start: dt.date
    end: dt.date

    @property
    def last(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def previous(self) -> Period:
        start, end = period_bounds(self.kind, add_months(self.start, -1))
        return Period(self.kind, start, start, end)

    @property
    def args(self) -> dict:
        return {"periode": self.kind, "tanggal": self.day.isoformat()}


def _period(agency: Agency) -> Period:
    kind = request.args.get("periode", "bulan")
    if kind not in PERIOD_KINDS:
        kind = "bulan"
    day = arg_date("tanggal", lenient=True) or local(utcnow(), agency.timezone).date()
    start, end = period_bounds(kind, day)
    return Period(kind, day, start, end)


# ---------------------------------------------------------------- index


@bp.route("/")
def index():
    if current_user.is_superadmin:
        return redirect(url_for("kelola.index"))
    if current_user.role not in (ROLE_ADMIN, ROLE_SUPERVISOR):
        if current_user.officer is None:
            abort(404)
        return redirect(url_for("kinerja.officer", officer_id=current_user.officer.id))
    return redirect(url_for("kinerja.team", slug=current_user.agency.slug))


# ---------------------------------------------------------------- team


@dataclass(frozen=True)
class Person:
    """What the team pages show of an officer (read as plain rows: a ranking
    of a thousand officers does not load a thousand ORM objects)."""

    id: int
    nip: str
    name: str
    unit: Unit | None


@dataclass
class TeamView:
    agency: Agency
    period: Period
    rows: list  # (Person, Ranked), best shrunk score first
    unrated: list[Person]
    agency_stat: Stat
    units: list  # (Unit | None, Stat)
    movers_up: list  # (Person, before, now, delta)
    movers_down: list
    unit: Unit | None
    source: str | None


def team_view(agency: Agency, period: Period, unit_id=None, source=None) -> TeamView:
    """The officers the current user may see, ranked for ``period`` (one
    source, or all), with per-unit figures and who moved most since the
    previous period."""
    sources = [source] if source else None
    unit_by_id = {u.id: u for u in agency.units}
    people = _visible_people(agency, unit_by_id)
    unit = unit_by_id.get(unit_id) if unit_id else None
    now, before = officer_stats_by_period(
        agency, [(period.start, period.end), (period.previous.start, period.previous.end)], sources
    )
    agency_stat, ranked = agency_ranking(
        agency, period.start, period.end, officer_ids=set(people), sources=sources, stats=now
    )
    in_scope = {
        oid for oid, p in people.items() if unit is None or (p.unit is not None and p.unit.id == unit.id)
    }
    rows = [(people[r.officer_id], r) for r in ranked if r.officer_id in in_scope]
    rated = {r.officer_id for r in ranked}
    unrated = [p for oid, p in people.items() if oid in in_scope and oid not in rated]
    up, down = _movers(rows, before, in_scope)
    units = _per_unit(ranked, people, unit_by_id)
    return TeamView(agency, period, rows, unrated, agency_stat, units, up, down, unit, source)


def _visible_people(agency: Agency, unit_by_id: dict) -> dict[int, Person]:
    """Active officers of ``agency`` the current user may see, by id."""
    visible = visible_officer_ids(current_user, agency)
    query = (
        db.select(Officer.id, Officer.nip, Officer.name, Officer.unit_id)
        .filter_by(agency_id=agency.id, active=True)
        .order_by(Officer.name)
    )
    if visible is not None:
        query = query.where(Officer.id.in_(visible))
    return {
        oid: Person(oid, nip, name, unit_by_id.get(uid)) for oid, nip, name, uid in db.session.execute(query)
    }


def _per_unit(ranked, people: dict[int, Person], unit_by_id: dict) -> list:
    """(Unit | None, Stat) of every unit with ratings, by name, no unit last."""
    per_unit: dict[int | None, Stat] = {}
    for r in ranked:
        u = people[r.officer_id].unit
        per_unit.setdefault(u.id if u else None, Stat()).merge(r.stat)
    return sorted(
        ((unit_by_id.get(uid), stat) for uid, stat in per_unit.items()),
        key=lambda us: (us[0] is None, us[0].name if us[0] else ""),
    )


def _movers(rows, before: dict, in_scope: set[int]) -> tuple[list, list]:
    """The five who rose most and the five who fell most since the previous
    period: (Person, before, now, change)."""
    earlier = {oid: stat.mean for oid, stat in before.items() if oid in in_scope and stat.mean is not None}
    changes = [
        (p, earlier[p.id], r.stat.mean, r.stat.mean - earlier[p.id]) for p, r in rows if p.id in earlier
    ]
    up = sorted((c for c in changes if c[3] > 0), key=lambda c: -c[3])[:5]
    down = sorted((c for c in changes if c[3] < 0), key=lambda c: c[3])[:5]
    return up, down


def _sorted_rows(rows, sort: str):
    if sort == "rata":
        return sorted(rows, key=lambda orr: -(orr[1].stat.mean or 0))
    if sort == "jumlah":
        return sorted(rows, key=lambda orr: -orr[1].stat.count)
    if sort == "nama":
        return sorted(rows, key=lambda orr: orr[0].name.lower())
    return rows  # already by shrunk score


def _may_export(agency: Agency) -> bool:
    """Admins (the whole agency) and supervisors (their team) export."""
    return visible_officer_ids(current_user, agency) is None or current_user.role == ROLE_SUPERVISOR


def _team_args(agency: Agency):
    unit_id = request.args.get("unit", type=int)
    source = request.args.get("sumber") or None
    if source not in rating_sources():
        source = None
    return unit_id, source


@bp.route("/<slug>/tim")
def team(slug):
    agency = _agency(slug)
    period = _period(agency)
    unit_id, source = _team_args(agency)
    view = team_view(agency, period, unit_id, source)
    sort = request.args.get("urut", "skor")
    sort = sort if sort in SORTS else "skor"
    rows = _sorted_rows(view.rows, sort)
    pages = max((len(rows) + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(request.args.get("hal", 1, type=int) or 1, 1), pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    chart = (
        charts.bars(
            [
                (u.name if u else _("Tanpa unit"), round(s.mean, 2))
                for u, s in view.units
                if s.mean is not None
            ],
            label=_("Nilai rata-rata per unit"),
            maximum=100,
        )
        if len(view.units) > 1
        else None
    )
    args = {**period.args, "unit": view.unit.id if view.unit else None, "sumber": source}
    return render_template(
        "kinerja/team.html",
        view=view,
        agency=agency,
        period=period,
        rows=shown,
        sort=sort,
        page=page,
        pages=pages,
        offset=(page - 1) * PAGE_SIZE,
        args=args,
        chart=chart,
        band=band,
        kinds=PERIOD_KINDS,
        sources=rating_sources(),
        pending=_pending_comment_count(agency),
        may_export=_may_export(agency),
    )


@bp.route("/<slug>/ekspor.<fmt>")
def export(slug, fmt):
    """One row per officer of the chosen unit and period: NIP, name, unit,
    per-source counts and scores, overall, shrunk score and grade band."""
    agency = _agency(slug)
    if fmt not in FORMATS:
        abort(404)
    if not _may_export(agency):
        abort(403)
    period = _period(agency)
    unit_id, source = _team_args(agency)
    view = team_view(agency, period, unit_id, source)
    sources = [source] if source else rating_sources()
    by_source = officer_source_stats(
        agency, period.start, period.end, {o.id for o, _r in view.rows}, sources=[source] if source else None
    )
    header = [_("NIP"), _("Nama"), _("Unit")]
    for s in sources:
        header += [
            _("%(source)s: jumlah", source=source_label(s)),
            _("%(source)s: nilai", source=source_label(s)),
        ]
    header += [_("Jumlah penilaian"), _("Nilai"), _("Nilai terkoreksi"), _("Predikat")]
    title = _(
        "Rekam kinerja %(agency)s, %(start)s – %(end)s",
        agency=agency.name,
        start=format_date(period.start, "d MMMM yyyy"),
        end=format_date(period.last, "d MMMM yyyy"),
    )
    table = [[title], header]

    def num(x):
        return None if x is None else round(x, 2)

    everyone = [(o, r) for o, r in view.rows] + [(o, None) for o in view.unrated]
    for o, r in everyone:
        row = [o.nip, o.name, o.unit.name if o.unit else ""]
        stats = by_source.get(o.id, {})
        for s in sources:
            stat = stats.get(s)
            row += [stat.count if stat else 0, num(stat.mean) if stat else None]
        mean = r.stat.mean if r else None
        b = band(mean)
        row += [
            r.stat.count if r else 0,
            num(mean),
            num(r.shrunk) if r else None,
            f"{b[0]} ({b[1]})" if b else "",
        ]
        table.append(row)
    name = f"rekam-kinerja-{agency.slug}-{period.start.isoformat()}"
    if view.unit is not None:
        name += f"-unit{view.unit.id}"
    return table_response(
        fmt, name, table, sheet=_("Rekam kinerja"), bold_first_row=True, widths={"A": 22, "B": 30, "C": 24}
    )


# ---------------------------------------------------------------- officer


def _officer_page_data(person: Officer, period: Period):
    record, trend = officer_record_and_trend(person, period.start, period.end)
    comments = db.session.scalars(
        db.select(RatingEvent)
        .where(
            RatingEvent.officer_id == person.id,
            RatingEvent.comment_state == CommentState.SHOWN,
            RatingEvent.review.in_(REVIEW_COUNTED),
        )
        .order_by(RatingEvent.created_at.desc())
        .limit(10)
    ).all()
    return record, trend, comments


def _trend_chart(trend):
    points = [(format_date(month, "MMM"), stat.mean, stat.ci) for month, stat in trend]
    return charts.trend(points, label=_("Nilai per bulan, 12 bulan terakhir"))


def _officer_page(person: Officer, note_form=None):
    period = _period(person.agency)
    record, trend, comments = _officer_page_data(person, period)
    panels = plugins.collect(
        "portal_officer_panels", agency=person.agency, officer=person, viewer=current_user
    )
    notes = db.session.scalars(
        db.select(FeedbackNote).filter_by(officer_id=person.id).order_by(FeedbackNote.created_at.desc())
    ).all()
    coach = can_coach(current_user, person)
    if coach and note_form is None:
        note_form = FeedbackForm()
    return render_template(
        "kinerja/officer.html",
        officer=person,
        record=record,
        panels=panels,
        period=period,
        trend=trend,
        trend_chart=_trend_chart(trend),
        comments=comments,
        notes=notes,
        note_form=note_form if coach else None,
        held=held_counts(person),
        hold_label=hold_label,
        may_coach=coach,
        is_self=current_user.officer_id == person.id,
        band=band,
        kinds=PERIOD_KINDS,
    )


@bp.route("/pegawai/<int:officer_id>")
def officer(officer_id):
    return _officer_page(_officer(officer_id))


@bp.route("/pegawai/<int:officer_id>/ringkasan")
def summary(officer_id):
    """A one-page printable summary of an officer's record for a period."""
    person = _officer(officer_id)
    period = _period(person.agency)
    record, trend, comments = _officer_page_data(person, period)
    notes = db.session.scalars(
        db.select(FeedbackNote)
        .where(
            FeedbackNote.officer_id == person.id,
            FeedbackNote.created_at >= dt.datetime.combine(period.start, dt.time()),
            FeedbackNote.created_at < dt.datetime.combine(period.end, dt.time()),
        )
        .order_by(FeedbackNote.created_at)
    ).all()
    return render_template(
        "kinerja/summary.html",
        officer=person,
        record=record,
        period=period,
        trend=trend,
        trend_chart=_trend_chart(trend),
        comments=comments,
        notes=notes,
        band=band,
        printed=utcnow(),
    )


# ---------------------------------------------------------------- feedback


class ActionForm(BaseForm):
    class Meta:
        csrf = False

    text = TextAreaField(_l("Tindak lanjut"), filters=[strip], validators=[Optional(), Length(max=1000)])
    due_date = DateField(_l("Tenggat"), validators=[Optional()])


class FeedbackForm(BaseForm):
    strengths = TextAreaField(_l("Kekuatan"), filters=[strip], validators=[Length(max=NOTE_MAX)])
    improvements = TextAreaField(
        _l("Yang perlu ditingkatkan"), filters=[strip], validators=[Length(max=NOTE_MAX)]
    )
    actions = FieldList(FormField(ActionForm), min_entries=3, max_entries=10)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and not (
            self.strengths.data or self.improvements.data or any(a.form.text.data for a in self.actions)
        ):
            self.strengths.errors.append(
                _("Tulis sedikitnya kekuatan, hal yang perlu ditingkatkan, atau satu tindak lanjut.")
            )
            ok = False
        for entry in self.actions:
            if entry.form.due_date.data and not entry.form.text.data:
                entry.form.text.errors.append(_("Tulis tindak lanjut untuk tenggat ini."))
                ok = False
        return ok


class ReplyForm(BaseForm):
    note_id = HiddenField()
    body = TextAreaField(_l("Tanggapan"), filters=[strip], validators=[DataRequired(), Length(max=NOTE_MAX)])


@bp.route("/pegawai/<int:officer_id>/umpan-balik", methods=["POST"])
def feedback_new(officer_id):
    person = _officer(officer_id)
    if not can_coach(current_user, person):
        abort(403)
    form = FeedbackForm()
    if not form.validate_on_submit():
        return _officer_page(person, note_form=form), 400
    note = FeedbackNote(
        agency_id=person.agency_id,
        officer_id=person.id,
        author_id=current_user.id,
        strengths=form.strengths.data or "",
        improvements=form.improvements.data or "",
    )
    for entry in form.actions:
        if entry.form.text.data:
            note.actions.append(FeedbackAction(text=entry.form.text.data, due_date=entry.form.due_date.data))
    db.session.add(note)
    db.session.flush()
    audit("feedback_written", person, detail=f"note {note.id}")
    db.session.commit()
    flash(_("Umpan balik disimpan. Pegawai akan melihatnya di rekam kinerjanya."), "success")
    return redirect(url_for("kinerja.officer", officer_id=person.id, _anchor=f"catatan-{note.id}"))


def _note(officer_id, note_id) -> tuple[Officer, FeedbackNote]:
    person = _officer(officer_id)
    note = db.session.get(FeedbackNote, note_id)
    if note is None or note.officer_id != person.id:
        abort(404)
    return person, note


@bp.route("/pegawai/<int:officer_id>/umpan-balik/<int:note_id>/terima", methods=["POST"])
def feedback_ack(officer_id, note_id):
    person, note = _note(officer_id, note_id)
    if current_user.officer_id != person.id:
        abort(403)
    if note.acknowledged_at is None:
        note.acknowledged_at = utcnow()
        audit("feedback_acknowledged", person, detail=f"note {note.id}")
        db.session.commit()
    flash(_("Umpan balik ditandai sudah dibaca."), "success")
    return redirect(url_for("kinerja.officer", officer_id=person.id, _anchor=f"catatan-{note.id}"))


@bp.route("/pegawai/<int:officer_id>/umpan-balik/<int:note_id>/tanggapan", methods=["POST"])
def feedback_reply(officer_id, note_id):
    person, note = _note(officer_id, note_id)
    if current_user.officer_id != person.id and not can_coach(current_user, person):
        abort(403)
    form = ReplyForm()
    if not form.validate_on_submit():
        for message in form.body.errors:
            flash(_("Tanggapan: %(error)s", error=message), "error")
        return redirect(url_for("kinerja.officer", officer_id=person.id, _anchor=f"catatan-{note.id}"))
    note.replies.append(FeedbackReply(user_id=current_user.id, body=form.body.data))
    if current_user.officer_id == person.id and note.acknowledged_at is None:
        note.acknowledged_at = utcnow()
    audit("feedback_replied", person, detail=f"note {note.id}")
    db.session.commit()
    flash(_("Tanggapan disimpan."), "success")
    return redirect(url_for("kinerja.officer", officer_id=person.id, _anchor=f"catatan-{note.id}"))


# ---------------------------------------------------------------- comments


def _moderatable_query(agency: Agency):
    return coached_events(
        agency,
        current_user,
        RatingEvent.comment_state == CommentState.NEW,
        RatingEvent.review.in_(REVIEW_COUNTED),
    )


def _pending_comment_count(agency: Agency) -> int:
    query = _moderatable_query(agency)
    if query is None:
        return 0
    return db.session.scalar(db.select(db.func.count()).select_from(query.subquery())) or 0


@bp.route("/<slug>/komentar", methods=["GET", "POST"])
def comments(slug):
    """Citizens' comments wait here until an admin or the officer's
    supervisor shows them on the officer's record or hides them."""
    agency = _agency(slug)
    query = _moderatable_query(agency)
    if query is None:
        abort(403)
    form = BaseForm()
    if form.validate_on_submit():
        decision = request.form.get("decision")
        event = db.session.get(RatingEvent, request.form.get("event", type=int) or 0)
        if (
            decision not in ("tampil", "tolak")
            or event is None
            or event.agency_id != agency.id
            or event.comment_state != CommentState.NEW
            or not can_coach(current_user, event.officer)
        ):
            abort(404)
        event.comment_state = decision
        audit(
            "comment_shown" if decision == "tampil" else "comment_hidden",
            event.officer,
            detail=f"rating {event.id}",
        )
        db.session.commit()
        flash(
            _("Komentar ditampilkan pada rekam kinerja.")
            if decision == "tampil"
            else _("Komentar disembunyikan."),
            "success",
        )
        return redirect(url_for("kinerja.comments", slug=slug))
    pending = db.session.scalars(query.order_by(RatingEvent.created_at).limit(COMMENT_PAGE)).all()
    return render_template("kinerja/comments.html", agency=agency, pending=pending, form=form)
