"""Staff pages of the published SKM report: the signature block, the
follow-up plans (rencana tindak lanjut, RTL) and their progress, the PDF and
the infographic poster. Routes on the survei staff blueprint
(``/kelola/<agency>/survei/…``)."""

from __future__ import annotations

from flask import Response as HttpResponse
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from plugins.survei import publish, skm
from plugins.survei.models import SurveiFollowUp, SurveiFollowUpStatus, SurveiReportSettings, follow_ups
from plugins.survei.staff import _admin, _may_see_report, _report_args, staff
from portal.plugin import BaseForm, NipError, Unit, audit, db, parse_nip, strip

WHOLE_AGENCY = 0


def _number(value) -> int:
    """A posted choice as a number; -1 for anything else (the validators explain)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class SignatureForm(BaseForm):
    place = StringField(
        _l("Tempat penandatanganan"),
        validators=[DataRequired(), Length(max=80)],
        filters=[strip],
        description=_l("Nama kota atau kabupaten, misalnya Bandung."),
    )
    official_name = StringField(
        _l("Nama pejabat penandatangan"), validators=[DataRequired(), Length(max=120)], filters=[strip]
    )
    official_position = StringField(
        _l("Jabatan"),
        validators=[DataRequired(), Length(max=160)],
        filters=[strip],
        description=_l("Misalnya Kepala Dinas Kependudukan dan Pencatatan Sipil."),
    )
    official_nip = StringField(
        _l("NIP"),
        validators=[Length(max=30)],
        filters=[strip],
        description=_l("18 digit; spasi dan titik boleh."),
    )

    def validate_official_nip(self, field):
        try:
            field.data = parse_nip(field.data or "").value
        except NipError as error:
            raise ValidationError(str(error)) from None


class FollowUpForm(BaseForm):
    unit_id = SelectField(_l("Unit layanan"), coerce=_number, validate_choice=False)
    unsur = SelectField(_l("Unsur yang ditindaklanjuti"), coerce=_number, validate_choice=False)
    priority = IntegerField(
        _l("Prioritas"),
        default=1,
        validators=[InputRequired(), NumberRange(1, 9)],
        description=_l("1 = paling didahulukan."),
    )
    activity = TextAreaField(
        _l("Program atau kegiatan"), validators=[DataRequired(), Length(max=1000)], filters=[strip]
    )
    timeframe = StringField(
        _l("Waktu pelaksanaan"),
        validators=[DataRequired(), Length(max=120)],
        filters=[strip],
        description=_l("Misalnya Juli–September 2027."),
    )
    responsible = StringField(
        _l("Penanggung jawab"),
        validators=[DataRequired(), Length(max=160)],
        filters=[strip],
        description=_l("Unit kerja atau jabatan yang bertanggung jawab."),
    )
    status = SelectField(_l("Kemajuan"), validate_choice=False)
    progress_note = TextAreaField(
        _l("Catatan kemajuan"), validators=[Optional(), Length(max=2000)], filters=[strip]
    )

    def validate_unit_id(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Pilih unit layanan instansi ini."))

    def validate_unsur(self, field):
        if field.data not in range(1, 10):
            raise ValidationError(_l("Pilih salah satu dari sembilan unsur SKM."))

    def validate_status(self, field):
        if field.data not in set(SurveiFollowUpStatus):
            raise ValidationError(_l("Pilih kemajuan: direncanakan, berjalan, atau selesai."))


def _follow_up_form(plan: SurveiFollowUp | None = None, **defaults) -> FollowUpForm:
    form = FollowUpForm(obj=plan, **defaults)
    units = db.session.scalars(db.select(Unit).filter_by(agency_id=g.agency.id).order_by(Unit.name)).all()
    form.unit_id.choices = [SelectChoice(WHOLE_AGENCY, _("Seluruh instansi"))] + [
        SelectChoice(u.id, u.name) for u in units
    ]
    form.unsur.choices = [SelectChoice(u.number, f"{u.number}. {u.name}") for u in skm.UNSUR]
    form.status.choices = [SelectChoice(s.value, publish.status_label(s)) for s in SurveiFollowUpStatus]
    if plan is not None and request.method == "GET":
        form.unit_id.data = plan.unit_id or WHOLE_AGENCY
    return form


def _report_url(plan: SurveiFollowUp) -> str:
    return url_for(
        ".report_page",
        unit=plan.unit_id or None,
        periode=plan.period_kind,
        tanggal=plan.period_start.isoformat(),
    )


@staff.route("/tanda-tangan", methods=["GET", "POST"])
def signature():
    """The official who signs the agency's SKM reports."""
    _admin()
    row = db.session.get(SurveiReportSettings, g.agency.id)
    form = SignatureForm(obj=row)
    if form.validate_on_submit():
        for _attempt in range(2):
            row = row or SurveiReportSettings(agency_id=g.agency.id)
            form.populate_obj(row)
            db.session.add(row)
            audit("survei_signature", agency=g.agency, detail=f"{row.official_name} ({row.official_nip})")
            try:
                db.session.commit()
                break
            except IntegrityError:  # another admin saved the first block at the same moment
                db.session.rollback()
                row = db.session.get(SurveiReportSettings, g.agency.id)
        flash(_("Blok tanda tangan laporan disimpan."), "success")
        return redirect(url_for(".report_page"))
    status = 400 if form.errors else 200
    return render_template("survei/staff/signature.html", form=form), status


@staff.route("/rtl/baru", methods=["GET", "POST"])
def follow_up_new():
    """A follow-up plan for the report period of the query (unit, periode, tanggal)."""
    _admin()
    kind, _day, unit, start, end = _report_args()
    data = publish.build(g.agency, unit, kind, start, end) if request.method == "GET" else None
    weakest = data.weakest[0].unsur.number if data and data.weakest else 1
    form = _follow_up_form(unit_id=unit.id if unit else WHOLE_AGENCY, unsur=weakest)
    if form.validate_on_submit():
        plan = SurveiFollowUp(agency_id=g.agency.id, period_kind=kind, period_start=start, period_end=end)
        form.populate_obj(plan)
        plan.unit_id = form.unit_id.data or None
        # The same plan sent twice (a double tap, a resent form) is stored once.
        same = [
            p
            for p in follow_ups(g.agency.id, plan.unit_id, start, end)
            if p.unsur == plan.unsur and p.activity == plan.activity
        ]
        if same:
            flash(_("Rencana tindak lanjut disimpan."), "success")
            return redirect(_report_url(same[0]))
        db.session.add(plan)
        db.session.flush()
        audit("survei_follow_up_added", plan, agency=g.agency, detail=f"{start}..{end} unsur {plan.unsur}")
        db.session.commit()
        flash(_("Rencana tindak lanjut disimpan."), "success")
        return redirect(_report_url(plan))
    status = 400 if form.errors else 200
    title = _("Rencana tindak lanjut baru")
    period = publish.period_label(kind, start, end)
    return render_template(
        "survei/staff/follow_up.html", form=form, title=title, period=period, plan=None, report=data
    ), status


@staff.route("/rtl/<int:plan_id>", methods=["GET", "POST"])
def follow_up_edit(plan_id):
    """Change a follow-up plan or record its progress."""
    _admin()
    plan = db.session.get(SurveiFollowUp, plan_id)
    if plan is None or plan.agency_id != g.agency.id:
        abort(404)
    form = _follow_up_form(plan)
    if form.validate_on_submit():
        form.populate_obj(plan)
        plan.unit_id = form.unit_id.data or None
        audit("survei_follow_up_saved", plan, agency=g.agency, detail=f"unsur {plan.unsur}: {plan.status}")
        db.session.commit()
        flash(_("Rencana tindak lanjut disimpan."), "success")
        return redirect(_report_url(plan))
    status = 400 if form.errors else 200
    period = publish.period_label(plan.period_kind, plan.period_start, plan.period_end)
    return render_template(
        "survei/staff/follow_up.html",
        form=form,
        title=_("Ubah rencana tindak lanjut"),
        period=period,
        plan=plan,
        report=None,
    ), status


# ---------------------------------------------------------------- PDF and infographic


def _download(body: bytes, mimetype: str, name: str) -> HttpResponse:
    return HttpResponse(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def report_pdf():
    """The signed report as a PDF (called by the ``laporan.<fmt>`` route)."""
    from plugins.survei import pdf

    kind, _day, unit, start, end = _report_args()
    data = publish.build(g.agency, unit, kind, start, end)
    name = f"skm-{g.agency.slug}-{unit.id if unit else 'semua'}-{start}-{end}.pdf"
    return _download(pdf.report_pdf(data), "application/pdf", name)


def report_xlsx():
    """The report as a workbook whose numbers are numbers."""
    from plugins.survei import xlsx

    kind, _day, unit, start, end = _report_args()
    data = publish.build(g.agency, unit, kind, start, end)
    name = f"skm-{g.agency.slug}-{unit.id if unit else 'semua'}-{start}-{end}.xlsx"
    return _download(xlsx.report_xlsx(data), xlsx.MIMETYPE, name)


@staff.route("/infografis.<fmt>")
def infographic(fmt):
    """The public infographic "Hasil Survei Kepuasan Masyarakat" as a poster
    for the service hall (A4 SVG, PNG or PDF), with the agency's logo."""
    _may_see_report()
    from plugins.survei import infographic as poster

    if fmt not in poster.FORMATS:
        abort(404)
    kind, _day, unit, start, end = _report_args()
    data = publish.build(g.agency, unit, kind, start, end)
    body, mimetype = poster.render(data, fmt, logo=g.agency.logo)
    name = f"infografis-skm-{g.agency.slug}-{unit.id if unit else 'semua'}-{start}.{fmt}"
    return _download(body, mimetype, name)


def may_manage() -> bool:
    return current_user.can_manage_agency(g.agency)
