"""``/kelola/<slug>/hari-kerja``: the agency's own days off (cuti bersama,
regional holidays) in the portal's one working-day calendar
(:mod:`portal.core.tenancy.workdays`). Complaint deadlines, daily reports
and reminders all count with it. Only the agency's admins change it."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from wtforms import DateField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.core.accounts.auth import agency_for
from portal.core.models import LeaveDay, audit
from portal.core.tenancy import workdays
from portal.core.web.forms import BaseForm, strip
from portal.extensions import db

bp = Blueprint("hari_kerja", __name__)
#: How far from today a leave day may be declared (years), either way.
SPAN_YEARS = 5


class LeaveDayForm(BaseForm):
    day = DateField(_l("Tanggal"), validators=[InputRequired(_l("Isi tanggal."))])
    name = StringField(
        _l("Keterangan"), validators=[Optional(), Length(max=120)], filters=[strip], default="Cuti bersama"
    )

    def validate_day(self, field):
        if field.data is None:  # not a date: the field already says so
            return
        today = dt.date.today()
        if abs(field.data.year - today.year) > SPAN_YEARS:
            raise ValidationError(_l("Tanggal harus dalam %(n)d tahun dari sekarang.", n=SPAN_YEARS))
        if field.data.weekday() >= 5:
            raise ValidationError(_l("Tanggal itu hari Sabtu atau Minggu: sudah bukan hari kerja."))
        holiday = workdays.national_name(field.data)
        if holiday:
            raise ValidationError(_l("Tanggal itu sudah libur nasional (%(name)s).", name=holiday))


class DeleteForm(BaseForm):
    pass


@bp.before_request
@login_required
def _require_login():
    return None


def _manage(slug):
    agency = agency_for(slug)
    g.agency = agency
    if not current_user.can_manage_agency(agency):
        abort(403)
    return agency


def _page(agency, form, status=200):
    year = dt.date.today().year
    leave = db.session.scalars(
        db.select(LeaveDay).filter_by(agency_id=agency.id).order_by(LeaveDay.day.desc())
    ).all()
    national = sorted(
        (day, workdays.national_name(day)) for y in (year, year + 1) for day in workdays.national(y)
    )
    return render_template(
        "kelola/workdays.html", agency=agency, form=form, delete=DeleteForm(), leave=leave, national=national
    ), status


@bp.route("/<slug>/hari-kerja", methods=["GET", "POST"])
def index(slug):
    agency = _manage(slug)
    form = LeaveDayForm()
    if not form.validate_on_submit():
        return _page(agency, form, 422 if form.is_submitted() else 200)
    row = LeaveDay(agency_id=agency.id, day=form.day.data, name=form.name.data or "Cuti bersama")
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        form.day.errors.append(_("Tanggal ini sudah terdaftar."))
        return _page(agency, form, 422)
    audit("leave_day_added", agency, detail=f"{row.day.isoformat()} {row.name}")
    db.session.commit()
    flash(_("Hari libur instansi ditambahkan."), "success")
    return redirect(url_for(".index", slug=agency.slug))


@bp.post("/<slug>/hari-kerja/<int:leave_id>/hapus")
def remove(slug, leave_id):
    agency = _manage(slug)
    row = db.session.get(LeaveDay, leave_id)
    if row is None or row.agency_id != agency.id:
        abort(404)
    if not DeleteForm().validate_on_submit():
        abort(400)
    audit("leave_day_removed", agency, detail=f"{row.day.isoformat()} {row.name}")
    db.session.delete(row)
    db.session.commit()
    flash(_("Hari libur instansi dihapus."), "success")
    return redirect(url_for(".index", slug=agency.slug))
