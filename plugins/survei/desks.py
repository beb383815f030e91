"""A new desk with its survey kind chosen at once (``/kelola/<agency>/survei/loket/baru``):
the portal's own desk page knows nothing of surveys, so a desk made there
starts with the quick survey until its kind is changed."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from plugins.survei.forms import DeskSettingsForm
from plugins.survei.models import SurveiDeskSurvey
from plugins.survei.rtl import _number
from plugins.survei.staff import _admin, staff
from portal.plugin import BaseForm, Desk, Unit, audit, db, strip


class NewDeskForm(BaseForm):
    unit_id = SelectField(_l("Unit layanan"), coerce=_number, validate_choice=False)
    name = StringField(
        _l("Nama loket"),
        validators=[DataRequired(), Length(max=120)],
        filters=[strip],
        description=_l("Misalnya Loket 1 atau Pelayanan Dokumen Kependudukan — Loket 1."),
    )

    def validate_unit_id(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Pilih unit layanan instansi ini."))

    def validate_name(self, field):
        if self.unit_id.data and db.session.scalar(
            db.select(Desk.id).where(Desk.unit_id == self.unit_id.data, Desk.name == field.data)
        ):
            raise ValidationError(_l("Unit ini sudah punya loket dengan nama tersebut."))

    kind = SelectField(_l("Jenis survei"), choices=DeskSettingsForm.kind.kwargs["choices"])


@staff.route("/loket/baru", methods=["GET", "POST"])
def desk_new():
    _admin()
    form = NewDeskForm()
    units = db.session.scalars(db.select(Unit).filter_by(agency_id=g.agency.id).order_by(Unit.name)).all()
    if not units:
        flash(_("Buat unit layanan terlebih dahulu; setiap loket berada di sebuah unit."), "info")
        return redirect(url_for("kelola.unit_edit", slug=g.agency.slug))
    form.unit_id.choices = [SelectChoice(u.id, u.name) for u in units]
    if form.validate_on_submit():
        desk = Desk(unit_id=form.unit_id.data, name=form.name.data, active=True)
        db.session.add(desk)
        db.session.flush()
        db.session.add(SurveiDeskSurvey(desk_id=desk.id, kind=form.kind.data))
        audit("desk_saved", desk, agency=g.agency, detail=f"{desk.name}: {form.kind.data}")
        try:
            db.session.commit()
        except IntegrityError:  # the same name saved at the same moment by someone else
            db.session.rollback()
            form.name.errors = [_("Unit ini sudah punya loket dengan nama tersebut.")]
        else:
            flash(_("Loket disimpan."), "success")
            return redirect(url_for(".desk_settings", desk_id=desk.id))
    status = 400 if form.errors else 200
    return render_template("survei/staff/desk_new.html", form=form), status
