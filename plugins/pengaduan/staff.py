"""Staff pages of the pengaduan plugin under ``/kelola/<agency>/pengaduan/``.

Staff know a complaint by its public reference: their pages, links, exports
and e-mails show it and never the citizen's private tracking code (staff
holding it could rate the complaint from another browser). A citizen who
reads their code out on the phone is still found by it."""

from __future__ import annotations

import itertools

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from plugins.pengaduan import codes
from plugins.pengaduan.forms import ActionForm, CategoryForm, SettingsForm, TemplateForm
from plugins.pengaduan.models import (
    PengaduanCategory,
    PengaduanSettings,
    PengaduanTemplate,
    PengaduanTicket,
    TicketAction,
    TicketStatus,
)
from plugins.pengaduan.service import (
    ACTOR_LABELS,
    REASON_LABELS,
    STATUS_LABELS,
    WorkflowError,
    can,
    can_see,
    overdue_clause,
    overdue_stage,
    settings_for,
    today_for,
    transition,
)
from plugins.pengaduan.views import send_attachment
from portal.plugin import (
    ROLE_OFFICER,
    AgencyBlueprint,
    BaseForm,
    Officer,
    Unit,
    audit,
    db,
    table_response,
    workdays,
)

staff = AgencyBlueprint("pengaduan_staff", __name__, path="pengaduan", plugin="pengaduan", staff=True)
PAGE_SIZE = 25


def _manage():
    if not current_user.can_manage_agency(g.agency):
        abort(403)


def _identified(value: str):
    """Where the ticket is the one ``value`` names: its public reference, or
    the tracking code a citizen read out."""
    return or_(
        PengaduanTicket.reference == codes.normalise_reference(value),
        PengaduanTicket.code == codes.normalise(value),
    )


def _find_ticket(reference: str) -> PengaduanTicket | None:
    """The agency's ticket that ``reference`` names, whoever may see it."""
    return db.session.execute(
        db.select(PengaduanTicket).where(_identified(reference), PengaduanTicket.agency_id == g.agency.id)
    ).scalar_one_or_none()


def _ticket(reference: str) -> PengaduanTicket:
    ticket = _find_ticket(reference)
    if ticket is None or not can_see(current_user, ticket):
        abort(404)
    return ticket


def _officers():
    return db.session.scalars(
        db.select(Officer).filter_by(agency_id=g.agency.id, active=True).order_by(Officer.name)
    ).all()


def _int(args, name: str) -> int | None:
    try:
        return int(args.get(name) or 0) or None
    except ValueError:
        return None


def queue_query(args):
    """The queue's query for the filters in ``args`` (a mapping)."""
    query = db.select(PengaduanTicket).where(PengaduanTicket.agency_id == g.agency.id)
    if current_user.role == ROLE_OFFICER:
        query = query.where(PengaduanTicket.assigned_officer_id == current_user.officer_id)
    status = args.get("status", "terbuka")
    if status == "terbuka":
        query = query.where(PengaduanTicket.status.in_(TicketStatus.open_statuses()))
    elif status in tuple(TicketStatus):
        query = query.where(PengaduanTicket.status == status)
    unit, officer, category = _int(args, "unit"), _int(args, "petugas"), _int(args, "jenis")
    if unit:
        query = query.where(or_(PengaduanTicket.unit_id == unit, PengaduanTicket.assigned_unit_id == unit))
    if officer:
        query = query.where(PengaduanTicket.assigned_officer_id == officer)
    if category:
        query = query.where(PengaduanTicket.category_id == category)
    search = (args.get("q") or "").strip()
    if search:
        like = f"%{search}%"
        query = query.where(
            or_(
                _identified(search),
                PengaduanTicket.title.ilike(like),
                PengaduanTicket.description.ilike(like),
            )
        )
    if args.get("terlambat"):
        query = query.where(overdue_clause(today_for(g.agency)))
    return query.order_by(PengaduanTicket.created_at.desc(), PengaduanTicket.id.desc())


@staff.route("/")
def queue():
    page = db.paginate(
        queue_query(request.args).options(joinedload(PengaduanTicket.category)),
        per_page=PAGE_SIZE,
        error_out=False,
    )
    units = db.session.scalars(db.select(Unit).filter_by(agency_id=g.agency.id).order_by(Unit.name)).all()
    categories = db.session.scalars(db.select(PengaduanCategory).filter_by(agency_id=g.agency.id)).all()
    return render_template(
        "pengaduan/staff/queue.html",
        page=page,
        units=units,
        categories=categories,
        officers=_officers(),
        labels=STATUS_LABELS,
        today=today_for(g.agency),
        overdue=overdue_stage,
        bulk=BaseForm(),
        filters={k: v for k, v in request.args.items() if k != "page"},
        can_bulk=current_user.role != ROLE_OFFICER,
    )


@staff.route("/massal", methods=["POST"])
def bulk():
    if current_user.role == ROLE_OFFICER or not BaseForm().validate_on_submit():
        abort(403 if current_user.role == ROLE_OFFICER else 400)
    action = request.form.get("action")
    if action not in (TicketAction.VERIFY, TicketAction.ASSIGN):
        abort(400)
    officer = None
    if action == TicketAction.ASSIGN:
        officer = db.session.get(Officer, request.form.get("officer_id", type=int) or 0)
        if officer is None or officer.agency_id != g.agency.id:  # nobody is assigned by default
            flash(_("Pilih petugas yang akan menangani pengaduan yang dipilih."), "error")
            return redirect(request.referrer or url_for(".queue"))
    done, failed = 0, 0
    for reference in request.form.getlist("codes")[:200]:
        ticket = _find_ticket(reference)
        if ticket is None:
            continue
        try:
            transition(ticket, action, current_user, officer=officer)
            done += 1
        except WorkflowError:
            failed += 1
    db.session.commit()
    flash(
        _("%(n)d pengaduan diproses; %(f)d dilewati karena statusnya tidak sesuai.", n=done, f=failed),
        "success",
    )
    return redirect(request.referrer or url_for(".queue"))


# ``code`` in these addresses is the public reference (what every link
# holds); a tracking code a citizen read out finds the ticket too.
@staff.route("/tiket/<code>", methods=["GET", "POST"])
def detail(code):
    ticket = _ticket(code)
    form = ActionForm()
    officers = _officers()
    form.reason.choices = [SelectChoice(k, v) for k, v in REASON_LABELS.items()]
    form.officer_id.choices = [SelectChoice(o.id, o.name) for o in officers]
    if form.validate_on_submit():
        officer = (
            db.session.get(Officer, form.officer_id.data) if form.action.data == TicketAction.ASSIGN else None
        )
        try:
            transition(
                ticket,
                form.action.data,
                current_user,
                text=form.text.data or "",
                reason=form.reason.data or "",
                officer=officer,
            )
        except WorkflowError as error:
            db.session.rollback()
            flash(str(error), "error")
            return render_template(
                "pengaduan/staff/detail.html", **_detail_context(ticket, form, officers)
            ), 422
        db.session.commit()
        flash(_("Pengaduan diperbarui."), "success")
        return redirect(url_for(".detail", code=ticket.reference))
    return render_template("pengaduan/staff/detail.html", **_detail_context(ticket, form, officers))


def _detail_context(ticket, form, officers):
    templates = db.session.scalars(db.select(PengaduanTemplate).filter_by(agency_id=g.agency.id)).all()
    show_identity = not ticket.confidential or current_user.can_manage_agency(g.agency)
    return {
        "ticket": ticket,
        "form": form,
        "officers": officers,
        "labels": STATUS_LABELS,
        "reasons": REASON_LABELS,
        "actor_labels": ACTOR_LABELS,
        "can": lambda action: can(current_user, ticket, action),
        "templates": templates,
        "show_identity": show_identity,
        "stage": overdue_stage(ticket, today_for(g.agency)),
    }


@staff.route("/tiket/<code>/lampiran/<int:attachment_id>")
def attachment(code, attachment_id):
    return send_attachment(_ticket(code), attachment_id)


@staff.route("/notifikasi")
def notifications():
    """Escalations are in the portal's notification centre now (old links land there)."""
    return redirect(url_for("notifications.index"))


# ---------------------------------------------------------------- statistics and export


def unit_statistics(agency):
    """Per unit (assigned, else the unit complained about): volume, median
    working days to resolve, share resolved within the SLA, mean rating."""
    import statistics  # this page only

    days_between = workdays.calendar(agency).working_days_between
    rows = db.session.execute(
        db.select(
            PengaduanTicket.unit_id,
            PengaduanTicket.assigned_unit_id,
            PengaduanTicket.status,
            PengaduanTicket.created_at,
            PengaduanTicket.resolved_at,
            PengaduanTicket.resolve_due,
            PengaduanTicket.rating,
        ).where(PengaduanTicket.agency_id == agency.id)
    ).all()
    names = dict(db.session.execute(db.select(Unit.id, Unit.name).filter_by(agency_id=agency.id)).all())
    stats: dict = {}
    for unit_id, assigned, status, created, resolved, due, rating in rows:
        key = names.get(assigned or unit_id, _("Tanpa unit"))
        unit_stats = stats.setdefault(
            key, {"count": 0, "open": 0, "days": [], "in_sla": 0, "done": 0, "ratings": []}
        )
        unit_stats["count"] += 1
        unit_stats["open"] += status in TicketStatus.open_statuses()
        if resolved is not None:
            unit_stats["done"] += 1
            unit_stats["days"].append(days_between(created.date(), resolved.date()))
            if due is None or resolved.date() <= due:
                unit_stats["in_sla"] += 1
        if rating:
            unit_stats["ratings"].append(rating)
    out = []
    for name, unit_stats in sorted(stats.items()):
        out.append(
            {
                "unit": name,
                "count": unit_stats["count"],
                "open": unit_stats["open"],
                "median_days": statistics.median(unit_stats["days"]) if unit_stats["days"] else None,
                "sla": unit_stats["in_sla"] / unit_stats["done"] if unit_stats["done"] else None,
                "rating": statistics.mean(unit_stats["ratings"]) if unit_stats["ratings"] else None,
            }
        )
    return out


@staff.route("/statistik")
def stats():
    if current_user.role == ROLE_OFFICER:
        abort(403)
    rows = unit_statistics(g.agency)
    biggest = max((r["count"] for r in rows), default=0)
    return render_template("pengaduan/staff/stats.html", rows=rows, biggest=biggest)


EXPORT_COLUMNS = [
    "nomor_referensi",
    "dibuat",
    "jenis",
    "judul",
    "status",
    "unit",
    "petugas",
    "batas_verifikasi",
    "batas_tindak_lanjut",
    "diselesaikan",
    "dibuka_kembali",
    "nilai",
]


def _export_rows():
    query = queue_query(request.args).options(
        joinedload(PengaduanTicket.category),
        joinedload(PengaduanTicket.assigned_officer),
        joinedload(PengaduanTicket.assigned_unit),
    )
    for ticket in db.session.scalars(query.limit(50_000)):
        yield [
            ticket.reference,
            ticket.created_at.isoformat(sep=" ", timespec="minutes"),
            ticket.category.name,
            ticket.title,
            ticket.status,
            ticket.assigned_unit.name if ticket.assigned_unit else "",
            ticket.assigned_officer.name if ticket.assigned_officer else "",
            ticket.verify_due.isoformat(),
            ticket.resolve_due.isoformat() if ticket.resolve_due else "",
            ticket.resolved_at.isoformat(sep=" ", timespec="minutes") if ticket.resolved_at else "",
            ticket.reopen_count,
            ticket.rating or "",
        ]


@staff.route("/ekspor.<fmt>")
def export(fmt):
    if current_user.role == ROLE_OFFICER:
        abort(403)
    name = f"pengaduan-{g.agency.slug}-{today_for(g.agency).isoformat()}"
    response = table_response(fmt, name, itertools.chain([EXPORT_COLUMNS], _export_rows()), sheet="Pengaduan")
    if response is None:
        abort(404)
    return response


# ---------------------------------------------------------------- settings


@staff.route("/pengaturan", methods=["GET", "POST"])
def settings():
    _manage()
    current = settings_for(g.agency.id)
    forms = {
        "sla": SettingsForm(prefix="sla", obj=current),
        "category": CategoryForm(prefix="cat"),
        "template": TemplateForm(prefix="tpl"),
    }
    which = request.form.get("form")
    if request.method == "POST" and which in forms and forms[which].validate_on_submit():
        form = forms[which]
        if which == "sla":
            row = db.session.get(PengaduanSettings, g.agency.id) or PengaduanSettings(agency_id=g.agency.id)
            form.populate_obj(row)
            db.session.add(row)
        elif which == "category":
            if _already_saved(
                PengaduanCategory,
                form.code,
                _("Kode ini sudah dipakai jenis pengaduan lain."),
                code=form.code.data,
            ):
                return _settings_page(forms), 422
            row = PengaduanCategory(agency_id=g.agency.id, active=True, fields_json="[]")
            form.populate_obj(row)
            db.session.add(row)
        else:
            row = PengaduanTemplate(agency_id=g.agency.id)
            form.populate_obj(row)
            db.session.add(row)
        audit(f"pengaduan_{which}_saved", g.agency, detail=which)
        db.session.commit()
        flash(_("Pengaturan disimpan."), "success")
        return redirect(url_for(".settings"))
    return _settings_page(forms), (422 if request.method == "POST" else 200)


def _already_saved(model, field, message: str, **values) -> bool:
    """Whether the agency already has a ``model`` row with ``values``; if
    so, ``message`` is shown on the form's ``field``."""
    if db.session.execute(db.select(model.id).filter_by(agency_id=g.agency.id, **values)).first() is None:
        return False
    field.errors.append(message)
    return True


def _settings_page(forms):
    return render_template(
        "pengaduan/staff/settings.html",
        forms=forms,
        categories=db.session.scalars(db.select(PengaduanCategory).filter_by(agency_id=g.agency.id)).all(),
        templates=db.session.scalars(db.select(PengaduanTemplate).filter_by(agency_id=g.agency.id)).all(),
    )
