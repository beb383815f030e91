"""Forms of the pengaduan plugin."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
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

from plugins.pengaduan.models import TicketAction
from portal.plugin import BaseForm, strip


class FilingForm(BaseForm):
    category_id = SelectField(_l("Jenis pengaduan"), coerce=int)
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
    lat = FloatField(_l("Lintang"), validators=[Optional(), NumberRange(-90, 90)])
    lon = FloatField(_l("Bujur"), validators=[Optional(), NumberRange(-180, 180)])
    files = MultipleFileField(_l("Lampiran (foto atau PDF, paling banyak 3 berkas, masing-masing 5 MB)"))
    anonymous = BooleanField(_l("Kirim tanpa identitas (anonim)"))
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

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        # Optional() stops a field's own checks when it is empty, so the
        # "who are you" rules are checked here.
        if not self.anonymous.data:
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
        coerce=int,
        validators=[InputRequired(_l("Pilih nilai 1 sampai 5."))],
        choices=[SelectChoice(i, str(i)) for i in range(1, 6)],
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
    reason = SelectField(_l("Alasan penolakan"), validate_choice=False)
    officer_id = SelectField(_l("Petugas"), coerce=int, validate_choice=False)


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
