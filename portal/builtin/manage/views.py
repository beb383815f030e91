"""Staff pages under ``/kelola/``: agencies, units, desks, officers, users,
module switches and the audit log. Every query is scoped to the agency in the
URL, which the user must belong to (404 otherwise)."""

from __future__ import annotations

import math

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from wtforms.fields.choices import SelectChoice

from portal.builtin.manage.review import bp as review_bp
from portal.builtin.manage.review import held_count
from portal.builtin.manage.workdays import bp as workdays_bp
from portal.core.accounts.auth import agency_for, superadmin_required
from portal.core.models import (
    ROLE_ADMIN,
    Agency,
    AgencyPlugin,
    AuditLog,
    Desk,
    Officer,
    RatingRollup,
    Unit,
    User,
    audit,
)
from portal.core.plugin_system import plugins
from portal.core.record.ratings import recompute_scores, source_label, weights_of
from portal.core.tenancy.officers import import_officers, read_csv
from portal.core.web.forms import (
    ROLE_LABELS,
    AgencyForm,
    BaseForm,
    DeskForm,
    ImportOfficersForm,
    OfficerForm,
    UnitForm,
    UserForm,
)
from portal.extensions import db

bp = Blueprint("kelola", __name__, url_prefix="/kelola")
# The review queue of held ratings: /kelola/<slug>/tinjauan (portal.builtin.manage.review).
bp.register_blueprint(review_bp)
# The agency's days off in the working-day calendar: /kelola/<slug>/hari-kerja.
bp.register_blueprint(workdays_bp)
PAGE_SIZE = 50


@bp.before_request
@login_required
def _require_login():
    return None


@bp.url_value_preprocessor
def _agency_from_url(endpoint, values):
    # Anonymous users are sent to the login page by _require_login first.
    if values and "slug" in values and current_user.is_authenticated:
        g.agency = agency_for(values["slug"])


def _manage() -> Agency:
    if not current_user.can_manage_agency(g.agency):
        abort(403)
    return g.agency


def _save(form, message, field=None) -> bool:
    """Commit; on a uniqueness race, roll back and put ``message`` on ``field``."""
    try:
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
        (field or next(iter(form))).errors.append(str(message))
        return False


def _scoped(model, ident, agency: Agency):
    obj = db.session.get(model, ident)
    owner = getattr(obj, "agency", None) if obj is not None else None
    if obj is None or owner is None or owner.id != agency.id:
        abort(404)
    return obj


# ---------------------------------------------------------------- overview


@bp.route("/")
def index():
    if not current_user.is_superadmin:
        return redirect(url_for("kelola.dashboard", slug=current_user.agency.slug))
    agencies = db.session.scalars(db.select(Agency).order_by(Agency.name)).all()
    return render_template("kelola/index.html", agencies=agencies)


@bp.route("/instansi/baru", methods=["GET", "POST"])
@superadmin_required
def agency_new():
    form = AgencyForm()
    if form.validate_on_submit():
        if db.session.execute(db.select(Agency.id).filter_by(slug=form.slug.data)).first():
            form.slug.errors.append(_("Alamat singkat ini sudah dipakai instansi lain."))
        else:
            agency = Agency()
            _fill_agency(form, agency)
            if _take_logo(form, agency):
                db.session.add(agency)
                db.session.flush()
                audit("agency_created", agency, detail=agency.slug)
                if _save(form, _l("Alamat singkat ini sudah dipakai instansi lain."), form.slug):
                    flash(_("Instansi dibuat. Aktifkan modul yang dibutuhkan."), "success")
                    return redirect(url_for("kelola.modules", slug=agency.slug))
    return render_template("kelola/form.html", form=form, title=_("Instansi baru"), enctype=MULTIPART)


MULTIPART = "multipart/form-data"


def _fill_agency(form, agency) -> None:
    for name in (
        "name",
        "slug",
        "description",
        "timezone",
        "address",
        "phone",
        "service_hours",
        "complaint_hotline",
    ):
        if name in form:  # a field left out of the post is empty, never NULL
            setattr(agency, name, form[name].data or "")


def _take_logo(form, agency) -> bool:
    """Apply the logo part of the agency form; False (with the error on the
    field) when the upload is not an acceptable image."""
    from portal.core.util.logo import LogoError, prepare
    from portal.core.util.timeutil import utcnow

    upload = form.logo.data
    if form.remove_logo.data:
        agency.logo, agency.logo_updated_at = None, None
    elif upload is not None and getattr(upload, "filename", ""):
        try:
            agency.logo = prepare(upload.read())
        except LogoError as error:
            form.logo.errors.append(str(error))
            return False
        agency.logo_updated_at = utcnow()
    return True


@bp.route("/audit")
@superadmin_required
def audit_all():
    return _audit_page(None)


#: The agency's units, desks, officers and logins, counted in one query.
_COUNTS = db.select(
    *(
        db.select(db.func.count(column)).where(where).scalar_subquery().label(name)
        for name, column, where in (
            ("units", Unit.id, Unit.agency_id == db.bindparam("agency_id")),
            (
                "desks",
                Desk.id,
                Desk.unit_id.in_(db.select(Unit.id).where(Unit.agency_id == db.bindparam("agency_id"))),
            ),
            ("officers", Officer.id, Officer.agency_id == db.bindparam("agency_id")),
            ("users", User.id, User.agency_id == db.bindparam("agency_id")),
        )
    )
)


@bp.route("/<slug>/")
def dashboard(slug):
    widgets = plugins.collect("portal_dashboard_widgets", agency=g.agency, user=current_user)
    counts = {}
    if current_user.can_manage_agency(g.agency):
        counts = db.session.execute(_COUNTS, {"agency_id": g.agency.id}).one()._asdict()
    return render_template(
        "kelola/dashboard.html", widgets=widgets, counts=counts, held=held_count(g.agency, current_user)
    )


@bp.route("/<slug>/profil", methods=["GET", "POST"])
def agency_edit(slug):
    agency = _manage()
    form = AgencyForm(obj=agency)
    if not current_user.is_superadmin:
        del form.slug  # the public address is the installation's to change
    if form.validate_on_submit():
        if (
            "slug" in form
            and db.session.execute(
                db.select(Agency.id).where(Agency.slug == form.slug.data, Agency.id != agency.id)
            ).first()
        ):
            form.slug.errors.append(_("Alamat singkat ini sudah dipakai instansi lain."))
        elif _take_logo(form, agency):
            _fill_agency(form, agency)
            audit("agency_updated", agency)
            if _save(form, _l("Alamat singkat ini sudah dipakai instansi lain.")):
                flash(_("Profil instansi disimpan."), "success")
                return redirect(url_for("kelola.dashboard", slug=agency.slug))
    return render_template("kelola/form.html", form=form, title=_("Profil instansi"), enctype=MULTIPART)


# ---------------------------------------------------------------- modules


@bp.route("/<slug>/modul", methods=["GET", "POST"])
def modules(slug):
    agency = _manage()
    form = BaseForm()
    if form.validate_on_submit():
        name = request.form.get("plugin", "")
        if name not in plugins.installed():
            abort(404)
        on = request.form.get("enabled") == "1"
        plugins.set_enabled(agency, name, on)
        audit("plugin_enabled" if on else "plugin_disabled", agency, detail=name)
        db.session.commit()
        flash(
            _(
                "Modul %(name)s %(state)s.",
                name=plugins.label(name),
                state=_("diaktifkan") if on else _("dinonaktifkan"),
            ),
            "success",
        )
        return redirect(url_for("kelola.modules", slug=slug))
    enabled = plugins.enabled_names(agency)
    return render_template("kelola/modules.html", form=form, names=plugins.installed(), enabled=enabled)


@bp.route("/<slug>/modul/<plugin>/nonaktifkan")
def module_off(slug, plugin):
    """What switching a module off does, before it is done: its pages close
    for citizens and staff, new ratings from it are refused, and everything
    it stored is kept. Its button posts the switch to ``modules``; the
    module list leads only here."""
    agency = _manage()
    if plugin not in plugins.installed():
        abort(404)
    if not plugins.is_enabled(agency, plugin):
        flash(_("Modul %(name)s sudah nonaktif.", name=plugins.label(plugin)), "info")
        return redirect(url_for("kelola.modules", slug=slug))
    ratings = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(RatingRollup.count), 0)).where(
            RatingRollup.agency_id == agency.id, RatingRollup.source == plugin
        )
    )
    return render_template("kelola/module_off.html", form=BaseForm(), plugin=plugin, ratings=ratings)


# ---------------------------------------------------------------- weights


def _weights_form(agency: Agency):
    """A form with one weight per rating source plus verified/unverified."""
    from wtforms import FloatField
    from wtforms.validators import InputRequired, NumberRange, StopValidation

    class WeightField(FloatField):
        """A weight typed either way: 1,5 (Indonesian) or 1.5."""

        def process_formdata(self, valuelist):
            super().process_formdata([v.strip().replace(",", ".") for v in valuelist])

        def pre_validate(self, form):
            if self.data is not None and not math.isfinite(self.data):
                self.data = None
                raise StopValidation(_("Harus berupa angka."))

        def _value(self):
            if self.raw_data:
                return self.raw_data[0]
            return "" if self.data is None else f"{self.data:g}"

    def weight(label, description=None):
        return WeightField(
            label,
            description=description,
            render_kw={"inputmode": "decimal"},
            validators=[InputRequired(), NumberRange(min=0, max=10)],
        )

    class WeightsForm(BaseForm):
        pass

    for name in plugins.state().rating_kinds:
        setattr(WeightsForm, f"w_{name}", weight(source_label(name)))
    WeightsForm.verified = weight(
        _l("Penilaian terverifikasi"),
        _l("Penilaian lewat QR sekali pakai yang ditunjukkan pegawai selesai melayani."),
    )
    WeightsForm.unverified = weight(_l("Penilaian tidak terverifikasi"))
    current = weights_of(agency)
    data = {f"w_{name}": current.sources.get(name, 1.0) for name in plugins.state().rating_kinds}
    return WeightsForm(data={**data, "verified": current.verified, "unverified": current.unverified})


@bp.route("/<slug>/bobot", methods=["GET", "POST"])
def weights(slug):
    """Per-agency weights of each rating source and of verified vs unverified
    ratings. Scores are read from rollups with the weights applied, so a
    change re-scores every period at once; each change is audited."""
    agency = _manage()
    form = _weights_form(agency)
    if form.validate_on_submit():
        # Read under the agency's weights lock: ratings being recorded wait
        # for this change (and vice versa).
        before = weights_of(agency, lock=True)
        changes = []
        for name in plugins.state().rating_kinds:
            value = float(form[f"w_{name}"].data)
            row = db.session.get(AgencyPlugin, (agency.id, name))
            if row is None:
                row = AgencyPlugin(agency_id=agency.id, plugin=name, enabled=False)
                db.session.add(row)
            old = before.sources.get(name, 1.0)
            if value != old:
                changes.append(f"{name}: {old:g} → {value:g}")
            row.weight = value
        for attr, label in (("verified", "terverifikasi"), ("unverified", "tidak terverifikasi")):
            value, old = float(form[attr].data), getattr(before, attr)
            if value != old:
                changes.append(f"{label}: {old:g} → {value:g}")
            setattr(agency, f"{attr}_weight", value)
        if changes:
            audit("weights_changed", agency, detail="; ".join(changes))
            recompute_scores(agency)
        db.session.commit()
        flash(_("Bobot disimpan. Semua nilai dihitung ulang dengan bobot baru."), "success")
        return redirect(url_for("kelola.weights", slug=slug))
    return render_template("kelola/weights.html", form=form)


# ---------------------------------------------------------------- units


@bp.route("/<slug>/unit")
def units(slug):
    agency = _manage()
    rows = db.session.scalars(db.select(Unit).filter_by(agency=agency).order_by(Unit.name)).all()
    return render_template("kelola/units.html", units=rows)


def _save_named(agency, obj, form, *, clash, duplicate, action: str, done) -> bool:
    """Save a named object (unit, desk) from ``form``: refused with a form
    error when ``clash`` finds another of that name in its scope, audited,
    flashed. True once saved."""
    if not form.validate_on_submit():
        return False
    if db.session.execute(clash).first():
        form.name.errors.append(str(duplicate))
        return False
    form.populate_obj(obj)
    db.session.add(obj)
    db.session.flush()
    audit(action, obj, agency=agency, detail=obj.name)
    if not _save(form, duplicate, form.name):
        return False
    flash(str(done), "success")
    return True


@bp.route("/<slug>/unit/baru", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/<slug>/unit/<int:unit_id>", methods=["GET", "POST"])
def unit_edit(slug, unit_id):
    agency = _manage()
    unit = _scoped(Unit, unit_id, agency) if unit_id else Unit(agency_id=agency.id)
    form = UnitForm(obj=unit)
    saved = _save_named(
        agency,
        unit,
        form,
        clash=db.select(Unit.id).where(
            Unit.agency_id == agency.id, Unit.name == form.name.data, Unit.id != unit.id
        ),
        duplicate=_l("Unit dengan nama ini sudah ada."),
        action="unit_saved",
        done=_l("Unit layanan disimpan."),
    )
    if saved:
        return redirect(url_for("kelola.units", slug=slug))
    title = _("Ubah unit layanan") if unit_id else _("Unit layanan baru")
    return render_template("kelola/form.html", form=form, title=title)


# ---------------------------------------------------------------- desks


def _unit_choices(agency, blank=None):
    rows = db.session.execute(
        db.select(Unit.id, Unit.name).filter_by(agency_id=agency.id).order_by(Unit.name)
    ).all()
    choices = [SelectChoice(0, blank)] if blank else []
    return choices + [SelectChoice(i, n) for i, n in rows]


@bp.route("/<slug>/loket")
def desks(slug):
    agency = _manage()
    rows = db.session.scalars(
        db.select(Desk).join(Unit).where(Unit.agency_id == agency.id).order_by(Unit.name, Desk.name)
    ).all()
    links = {desk.id: plugins.collect("portal_desk_links", agency=agency, desk=desk) for desk in rows}
    return render_template("kelola/desks.html", desks=rows, links=links, form=BaseForm())


@bp.route("/<slug>/loket/baru", methods=["GET", "POST"], defaults={"desk_id": None})
@bp.route("/<slug>/loket/<int:desk_id>", methods=["GET", "POST"])
def desk_edit(slug, desk_id):
    agency = _manage()
    desk = _scoped(Desk, desk_id, agency) if desk_id else Desk(active=True)
    form = DeskForm(obj=desk)
    form.unit_id.choices = _unit_choices(agency)
    if not form.unit_id.choices:
        flash(_("Buat unit layanan terlebih dahulu; setiap loket berada di sebuah unit."), "info")
        return redirect(url_for("kelola.unit_edit", slug=slug))
    saved = _save_named(
        agency,
        desk,
        form,
        clash=db.select(Desk.id).where(
            Desk.unit_id == form.unit_id.data, Desk.name == form.name.data, Desk.id != desk.id
        ),
        duplicate=_l("Unit ini sudah punya loket dengan nama tersebut."),
        action="desk_saved",
        done=_l("Loket disimpan."),
    )
    if saved:
        return redirect(url_for("kelola.desks", slug=slug))
    title = _("Ubah loket") if desk_id else _("Loket baru")
    return render_template("kelola/form.html", form=form, title=title)


# ---------------------------------------------------------------- officers


@bp.route("/<slug>/pegawai")
def officers(slug):
    agency = _manage()
    q = request.args.get("q", "").strip()
    query = db.select(Officer).filter_by(agency=agency).order_by(Officer.name)
    if q:
        like = f"%{q}%"
        query = query.where(Officer.name.ilike(like) | Officer.nip.like(like))
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template("kelola/officers.html", page=page, q=q)


def _officer_choices(agency, exclude=None, blank=None):
    rows = db.session.execute(
        db.select(Officer.id, Officer.name, Officer.nip).filter_by(agency_id=agency.id).order_by(Officer.name)
    ).all()
    return [SelectChoice(0, blank)] + [SelectChoice(i, f"{n} ({nip})") for i, n, nip in rows if i != exclude]


@bp.route("/<slug>/pegawai/baru", methods=["GET", "POST"], defaults={"officer_id": None})
@bp.route("/<slug>/pegawai/<int:officer_id>", methods=["GET", "POST"])
def officer_edit(slug, officer_id):
    agency = _manage()
    if officer_id:
        officer = _scoped(Officer, officer_id, agency)
    else:
        officer = Officer(agency_id=agency.id, active=True)
    form = OfficerForm(obj=officer)
    form.unit_id.choices = _unit_choices(agency, blank=_("— tanpa unit —"))
    form.supervisor_id.choices = _officer_choices(agency, exclude=officer.id, blank=_("— tanpa atasan —"))
    if request.method == "GET":
        form.unit_id.data = officer.unit_id or 0
        form.supervisor_id.data = officer.supervisor_id or 0
    duplicate = _l("NIP ini sudah terdaftar.")
    if form.validate_on_submit():
        clash = db.session.execute(
            db.select(Officer.id).where(
                Officer.agency_id == agency.id, Officer.nip == form.nip.data, Officer.id != officer.id
            )
        ).first()
        if clash:
            form.nip.errors.append(str(duplicate))
        elif officer.id and form.supervisor_id.data in officer.subordinate_ids():
            form.supervisor_id.errors.append(_("Bawahan tidak dapat menjadi atasan."))
        else:
            form.populate_obj(officer)
            officer.unit_id = form.unit_id.data or None
            officer.supervisor_id = form.supervisor_id.data or None
            db.session.add(officer)
            db.session.flush()
            audit("officer_saved", officer, agency=agency, detail=officer.nip)
            if _save(form, duplicate, form.nip):
                flash(_("Data pegawai disimpan."), "success")
                return redirect(url_for("kelola.officers", slug=slug))
    title = _("Ubah pegawai") if officer_id else _("Pegawai baru")
    return render_template("kelola/form.html", form=form, title=title)


@bp.route("/<slug>/pegawai/impor", methods=["GET", "POST"])
def officers_import(slug):
    agency = _manage()
    form = ImportOfficersForm()
    result = None
    if form.validate_on_submit():
        try:
            rows = read_csv(form.file.data.read())
        except (UnicodeDecodeError, ValueError):
            form.file.errors.append(_("Berkas bukan CSV berkode UTF-8."))
            rows = None
        if rows is not None and not rows:
            form.file.errors.append(_("Berkas tidak berisi baris data."))
        elif rows:
            result = import_officers(agency, rows)
            if result.ok:
                audit(
                    "officers_imported", agency, detail=f"created={result.created} updated={result.updated}"
                )
                db.session.commit()
                flash(
                    _(
                        "Impor selesai: %(c)d pegawai baru, %(u)d diperbarui.",
                        c=result.created,
                        u=result.updated,
                    ),
                    "success",
                )
                return redirect(url_for("kelola.officers", slug=slug))
            db.session.rollback()
    return render_template("kelola/import.html", form=form, result=result)


# ---------------------------------------------------------------- users


@bp.route("/<slug>/pengguna")
def users(slug):
    agency = _manage()
    rows = db.session.scalars(db.select(User).filter_by(agency=agency).order_by(User.name)).all()
    return render_template("kelola/users.html", users=rows, role_labels=ROLE_LABELS)


@bp.route("/<slug>/pengguna/baru", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/<slug>/pengguna/<int:user_id>", methods=["GET", "POST"])
def user_edit(slug, user_id):
    agency = _manage()
    if user_id:
        user = _scoped(User, user_id, agency)
    else:
        user = User(agency_id=agency.id, role=ROLE_ADMIN, active=True)
    form = UserForm(obj=user)
    form.officer_id.choices = _officer_choices(agency, blank=_("— tidak dikaitkan —"))
    if request.method == "GET":
        form.officer_id.data = user.officer_id or 0
    if not user_id:
        form.password.validators = [v for v in form.password.validators if type(v).__name__ != "Optional"]
        form.password.description = _("Minimal 10 karakter.")
    duplicate = _l("E-mail ini sudah dipakai akun lain.")
    if form.validate_on_submit():
        if not user_id and not form.password.data:
            form.password.errors.append(_("Kata sandi wajib diisi untuk akun baru."))
        elif db.session.execute(
            db.select(User.id).where(User.email == form.email.data, User.id != user.id)
        ).first():
            form.email.errors.append(str(duplicate))
        elif (
            form.officer_id.data
            and db.session.execute(
                db.select(User.id).where(User.officer_id == form.officer_id.data, User.id != user.id)
            ).first()
        ):
            form.officer_id.errors.append(_("Pegawai ini sudah punya akun."))
        elif user.id == current_user.id and (form.role.data != user.role or not form.active.data):
            form.role.errors.append(
                _("Anda tidak dapat mengubah peran atau menonaktifkan akun Anda sendiri.")
            )
        else:
            user.email, user.name = form.email.data, form.name.data
            user.role, user.active = form.role.data, form.active.data
            user.officer_id = form.officer_id.data or None
            if form.password.data:
                user.set_password(form.password.data)
            db.session.add(user)
            db.session.flush()
            audit("user_saved", user, agency=agency, detail=f"{user.email} {user.role}")
            if _save(form, duplicate, form.email):
                flash(_("Akun disimpan."), "success")
                return redirect(url_for("kelola.users", slug=slug))
    title = _("Ubah akun") if user_id else _("Akun baru")
    return render_template("kelola/form.html", form=form, title=title)


# ---------------------------------------------------------------- API keys


@bp.route("/<slug>/kunci-api", methods=["GET", "POST"])
def api_keys(slug):
    from portal.core.models import ApiKey
    from portal.core.util.timeutil import utcnow
    from portal.core.web.api import create_key
    from portal.core.web.forms import ApiKeyForm

    agency = _manage()
    form = ApiKeyForm()
    new_key = None
    if request.form.get("revoke"):
        if not BaseForm().validate_on_submit():
            abort(400)
        row = db.session.execute(
            db.select(ApiKey).filter_by(prefix=request.form["revoke"], agency_id=agency.id)
        ).scalar_one_or_none()
        if row is None:
            abort(404)
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            audit("api_key_revoked", agency, detail=row.prefix)
            db.session.commit()
        flash(_("Kunci %(p)s dicabut.", p=row.prefix), "success")
        return redirect(url_for("kelola.api_keys", slug=slug))
    if form.validate_on_submit():
        row, new_key = create_key(agency, form.name.data, form.scope.data)
        db.session.flush()
        audit("api_key_created", agency, detail=f"{row.prefix} {row.scope} {row.name}")
        db.session.commit()
        form = ApiKeyForm(formdata=None)
    keys = db.session.scalars(
        db.select(ApiKey).filter_by(agency_id=agency.id).order_by(ApiKey.created_at.desc())
    ).all()
    return render_template("kelola/api_keys.html", form=form, keys=keys, new_key=new_key, revoke=BaseForm())


# ---------------------------------------------------------------- audit


@bp.route("/<slug>/audit")
def audit_log(slug):
    return _audit_page(_manage())


def _audit_page(agency):
    query = db.select(AuditLog).order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    if agency is not None:
        query = query.where(AuditLog.agency_id == agency.id)
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    return render_template("kelola/audit.html", page=page)
