"""Forms of the pengaduan plugin."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from plugins.pengaduan.location import LocationError, parse_point
from plugins.pengaduan.models import TicketAction
from portal.plugin import BaseForm, strip


def optional_int(value) -> int | None:
    """A chosen id, or None for the "choose…" option (value ``""``) and for
    anything that is not a number (then refused as "not chosen")."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _chosen(field) -> bool:
    """Whether ``field`` holds one of the choices the view offered (not the
    "choose…" option, not a value made up by the client)."""
    return field.data is not None and any(choice.value == field.data for choice in field.choices or ())


#: What each value of the 1–5 satisfaction scale means: 5 is the good end.
RATING_LABELS = {
    1: _l("Sangat tidak puas"),
    2: _l("Tidak puas"),
    3: _l("Cukup"),
    4: _l("Puas"),
    5: _l("Sangat puas"),
}


class FilingForm(BaseForm):
    # No category is preselected: the view offers "choose…" first, and
    # sending it back is refused with a message (people sent the wrong one).
    category_id = SelectField(_l("Jenis pengaduan"), coerce=optional_int, validate_choice=False)
    unit_id = SelectField(_l("Unit layanan yang diadukan"), coerce=int)
    title = StringField(
        _l("Judul singkat"), validators=[DataRequired(), Length(min=5, max=150)], filters=[strip]
    )
    description = TextAreaField(
        _l("Uraian pengaduan"),
        validators=[DataRequired(), Length(min=20, max=4000)],
        description=_l("Apa yang terjadi, kapan, dan di mana. 20–4000 karakter."),
    )
    address = StringField(_l("Lokasi (alamat)"), validators=[Optional(), Length(max=300)], filters=[strip])
    # Typed as text and checked as a pair by plugins.pengaduan.location (the
    # rule Open311 uses too); a decimal comma is accepted.
    lat = StringField(
        _l("Lintang"),
        validators=[Length(max=40)],
        filters=[strip],
        description=_l("Contoh: -6,2. Di selatan khatulistiwa lintangnya negatif."),
    )
    lon = StringField(
        _l("Bujur"), validators=[Length(max=40)], filters=[strip], description=_l("Contoh: 106,8.")
    )
    files = MultipleFileField(_l("Lampiran (foto atau PDF, paling banyak 3 berkas, masing-masing 5 MB)"))
    anonymous = BooleanField(
        _l("Kirim tanpa identitas (anonim)"),
        description=_l("Bila dipilih, nama, nomor telepon, dan e-mail diabaikan dan tidak disimpan."),
    )
    confidential = BooleanField(
        _l("Pengaduan rahasia"),
        description=_l(
            "Identitas Anda hanya dilihat admin instansi, dan judul, isi, lokasi, serta lampirannya tidak "
            "tampil di daftar atau layanan data publik mana pun. Tanpa pilihan ini, uraian dan lokasi "
            "pengaduan dapat dilihat publik (tanpa identitas Anda)."
        ),
    )
    name = StringField(_l("Nama"), validators=[Optional(), Length(max=150)], filters=[strip])
    phone = StringField(_l("Nomor telepon"), validators=[Optional(), Length(max=30)], filters=[strip])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(), Length(max=254)], filters=[strip])
    website = StringField("Website")  # honeypot, hidden from people

    def validate_category_id(self, field):
        if not _chosen(field):
            raise ValidationError(_l("Pilih jenis pengaduan yang paling sesuai."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        self.point = (None, None)
        if not (self.lat.errors or self.lon.errors):
            try:
                self.point = parse_point(self.lat.data, self.lon.data)
            except LocationError as error:
                target = self.lat if error.field == "lat" else self.lon
                target.errors = [*target.errors, error.message]
                ok = False
        if self.anonymous.data:
            # Sent anonymously: whatever is in the identity fields is ignored
            # (and never stored), so it cannot stop the complaint either.
            for identity in (self.name, self.phone, self.email):
                identity.data, identity.errors = "", []
            return ok and not self.errors
        # Optional() stops a field's own checks when it is empty, so the
        # "who are you" rules are checked here.
        if not self.name.data:
            self.name.errors = [*self.name.errors, _l("Isi nama Anda, atau pilih kirim tanpa identitas.")]
            ok = False
        if not (self.phone.data or self.email.data):
            self.phone.errors = [
                *self.phone.errors,
                _l("Isi nomor telepon atau e-mail agar kami dapat menghubungi Anda."),
            ]
            ok = False
        digits = "".join(ch for ch in self.phone.data or "" if ch.isdigit())
        allowed = set("0123456789 +-()")
        if self.phone.data and (not 8 <= len(digits) <= 15 or not set(self.phone.data) <= allowed):
            self.phone.errors = [*self.phone.errors, _l("Nomor telepon harus 8–15 angka.")]
            ok = False
        return ok


class RatingForm(BaseForm):
    rating = RadioField(
        _l("Nilai penanganan pengaduan Anda"),
        coerce=optional_int,
        validators=[InputRequired(_l("Pilih nilai dari 1 (sangat tidak puas) sampai 5 (sangat puas)."))],
        choices=[SelectChoice(value, label) for value, label in RATING_LABELS.items()],
    )
    resolved = RadioField(
        _l("Apakah masalah Anda benar-benar sudah tuntas?"),
        validators=[InputRequired(_l("Pilih ya atau tidak."))],
        choices=[SelectChoice("ya", _l("Ya, sudah tuntas")), SelectChoice("tidak", _l("Belum tuntas"))],
    )
    comment = TextAreaField(_l("Komentar"), validators=[Optional(), Length(max=1000)])


class ActionForm(BaseForm):
    action = SelectField(choices=[SelectChoice(action, action) for action in TicketAction])
    text = TextAreaField(_l("Teks"), validators=[Optional(), Length(max=4000)])
    # No reason is preselected either.
    reason = SelectField(_l("Alasan penolakan"), validate_choice=False)
    # No officer is preselected: the view offers "choose…" first.
    officer_id = SelectField(_l("Petugas"), coerce=optional_int, validate_choice=False)

    def validate_reason(self, field):
        if self.action.data == TicketAction.REJECT and not _chosen(field):
            raise ValidationError(_l("Pilih alasan penolakan."))

    def validate_officer_id(self, field):
        if self.action.data == TicketAction.ASSIGN and not _chosen(field):
            raise ValidationError(_l("Pilih petugas yang akan menangani pengaduan ini."))


class SettingsForm(BaseForm):
    verify_days = IntegerField(
        _l("Batas verifikasi (hari kerja)"), validators=[InputRequired(), NumberRange(1, 60)]
    )
    followup_days = IntegerField(
        _l("Batas tindak lanjut setelah verifikasi (hari kerja)"),
        validators=[InputRequired(), NumberRange(1, 120)],
    )
    reopen_days = IntegerField(
        _l("Pelapor dapat membuka kembali selama (hari)"), validators=[InputRequired(), NumberRange(0, 90)]
    )


class CategoryForm(BaseForm):
    name = StringField(
        _l("Nama jenis pengaduan"), validators=[DataRequired(), Length(max=120)], filters=[strip]
    )
    code = StringField(
        _l("Kode (untuk Open311)"), validators=[DataRequired(), Length(max=40)], filters=[strip]
    )
    description = TextAreaField(_l("Keterangan"), validators=[Optional(), Length(max=1000)])
    verify_days = IntegerField(
        _l("Batas verifikasi khusus (hari kerja)"), validators=[Optional(), NumberRange(1, 60)]
    )
    followup_days = IntegerField(
        _l("Batas tindak lanjut khusus (hari kerja)"), validators=[Optional(), NumberRange(1, 120)]
    )

    def validate_code(self, field):
        if not all(ch.isalnum() or ch in "-_" for ch in field.data):
            raise ValidationError(_l("Gunakan huruf, angka, - atau _."))


class TemplateForm(BaseForm):
    status = SelectField(
        _l("Untuk tindakan"),
        choices=[
            SelectChoice(TicketAction.RESPOND, _l("Tanggapan")),
            SelectChoice(TicketAction.REJECT, _l("Penolakan")),
            SelectChoice(TicketAction.RESOLVE, _l("Penyelesaian")),
        ],
    )
    title = StringField(_l("Judul templat"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    body = TextAreaField(_l("Isi"), validators=[DataRequired(), Length(max=4000)])
