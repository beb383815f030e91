"""Forms of the pengembangan plugin."""

from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from plugins.pengembangan.models import KINDS
from portal.plugin import BaseForm, strip

KIND_LABELS = {
    "kursus": _l("Kursus / pelatihan"),
    "seminar": _l("Seminar"),
    "lokakarya": _l("Lokakarya"),
    "coaching": _l("Coaching"),
    "mentoring": _l("Mentoring"),
    "elearning": _l("E-learning"),
    "rotasi": _l("Rotasi jabatan / magang"),
    "proyek": _l("Pembelajaran berbasis proyek"),
}
LEVEL_LABELS = {
    0: _l("Tidak perlu"),
    1: _l("Rendah"),
    2: _l("Sedang"),
    3: _l("Tinggi"),
}
#: The largest JP one day of an activity may carry (1 JP = 45 minutes).
JP_PER_DAY = 12
JP_MAX = 1000


def _finite(form, field):
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError(_l("Nilai tes harus 0–100."))


class _OneOf:
    """The value is one of the field's choices, with a message that says what to pick."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        allowed = {c.value if isinstance(c, SelectChoice) else c[0] for c in field.choices}
        if field.data not in allowed:
            raise ValidationError(self.message)


def _unsur(form, field):
    parts = [p.strip() for p in (field.data or "").split(",") if p.strip()]
    if any(not p.isdigit() or not 1 <= int(p) <= 9 for p in parts):
        raise ValidationError(_l("Tulis nomor unsur SKM 1–9 dipisah koma, misalnya 6,7."))
    field.data = ",".join(str(n) for n in sorted({int(p) for p in parts}))


class ThemeForm(BaseForm):
    name = StringField(_l("Nama tema"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    description = TextAreaField(_l("Uraian"), validators=[Optional(), Length(max=2000)], filters=[strip])
    unsur = StringField(
        _l("Unsur SKM yang dituju"),
        validators=[Optional(), Length(max=40), _unsur],
        filters=[strip],
        description=_l("Nomor unsur 1–9 dipisah koma, misalnya 6,7. Kosongkan bila tidak ada."),
    )
    sources = SelectMultipleField(
        _l("Sumber penilaian yang dituju"),
        validate_choice=False,
        description=_l("Skor warga dari sumber ini dipakai untuk analisis kebutuhan dan evaluasi hasil."),
    )
    active = BooleanField(_l("Aktif"), default=True)

    def validate_sources(self, field):
        allowed = {c.value if isinstance(c, SelectChoice) else c[0] for c in field.choices or []}
        if any(value not in allowed for value in field.data or []):
            raise ValidationError(_l("Pilih sumber penilaian dari daftar."))


class ActivityForm(BaseForm):
    title = StringField(_l("Judul kegiatan"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    kind = RadioField(
        _l("Jenis kegiatan"),
        choices=[SelectChoice(k, KIND_LABELS[k]) for k in KINDS],
        validate_choice=False,
        validators=[InputRequired(message=_l("Pilih jenis kegiatan.")), _OneOf(_l("Pilih jenis kegiatan."))],
    )
    themes = SelectMultipleField(_l("Tema kompetensi"), coerce=int, validate_choice=False)
    starts_on = DateField(_l("Tanggal mulai"), validators=[InputRequired(message=_l("Isi tanggal mulai."))])
    ends_on = DateField(_l("Tanggal selesai"), validators=[InputRequired(message=_l("Isi tanggal selesai."))])
    jp = IntegerField(
        _l("Jam pelajaran (JP)"),
        validators=[InputRequired(message=_l("Isi jumlah JP."))],
        description=_l("1 JP = 45 menit."),
    )
    provider = StringField(_l("Penyelenggara"), validators=[Optional(), Length(max=200)], filters=[strip])
    place = StringField(_l("Tempat"), validators=[Optional(), Length(max=300)], filters=[strip])
    link = StringField(
        _l("Tautan (daring)"),
        validators=[
            Optional(),
            Length(max=300),
            URL(message=_l("Tulis alamat lengkap, mulai dengan https://.")),
        ],
        filters=[strip],
    )
    description = TextAreaField(_l("Uraian"), validators=[Optional(), Length(max=4000)], filters=[strip])
    open_registration = BooleanField(_l("Pegawai boleh mendaftar sendiri"))
    behaviour_weeks = IntegerField(
        _l("Kuesioner perilaku untuk atasan (minggu setelah selesai)"),
        default=12,
        validators=[InputRequired(), NumberRange(1, 104, message=_l("Isi 1–104 minggu."))],
    )
    window_days = IntegerField(
        _l("Jendela evaluasi hasil (hari sebelum dan sesudah)"),
        default=90,
        validators=[InputRequired(), NumberRange(14, 365, message=_l("Isi 14–365 hari."))],
    )

    def validate_themes(self, field):
        allowed = {c.value if isinstance(c, SelectChoice) else c[0] for c in field.choices or []}
        if any(value not in allowed for value in field.data or []):
            raise ValidationError(_l("Pilih tema dari katalog instansi ini."))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("Tanggal selesai tidak boleh sebelum tanggal mulai."))

    def validate_jp(self, field):
        if field.data is None:
            return
        if field.data < 1:
            raise ValidationError(_l("JP harus paling sedikit 1."))
        if self.starts_on.data and self.ends_on.data and self.ends_on.data >= self.starts_on.data:
            days = (self.ends_on.data - self.starts_on.data).days + 1
            most = min(JP_MAX, days * JP_PER_DAY)
            if field.data > most:
                raise ValidationError(
                    ngettext(
                        "%(jp)d JP tidak masuk akal untuk %(num)d hari: paling banyak %(most)d JP "
                        "(%(per)d JP sehari).",
                        "%(jp)d JP tidak masuk akal untuk %(num)d hari: paling banyak %(most)d JP "
                        "(%(per)d JP sehari).",
                        days,
                        jp=field.data,
                        most=most,
                        per=JP_PER_DAY,
                    )
                )


def _scale(label, top=5):
    message = _l("Pilih nilai %(lo)d–%(hi)d.", lo=1, hi=top)
    return RadioField(
        label,
        coerce=int,
        choices=[SelectChoice(i, str(i)) for i in range(1, top + 1)],
        validate_choice=False,
        validators=[InputRequired(message=message), _OneOf(message)],
    )


class ReactionForm(BaseForm):
    overall = _scale(_l("Secara keseluruhan, seberapa bermanfaat kegiatan ini? (1 rendah – 5 tinggi)"))
    material = _scale(_l("Materi (1 rendah – 5 tinggi)"))
    trainer = _scale(_l("Pengajar / fasilitator (1 rendah – 5 tinggi)"))
    application = TextAreaField(
        _l("Bagaimana Anda akan menerapkannya dalam pekerjaan?"),
        validators=[Optional(), Length(max=2000)],
        filters=[strip],
        description=_l(
            "Jawaban Anda tidak disertai nama. Penyelenggara melihat hasil setelah ada 5 jawaban."
        ),
    )


BEHAVIOUR_CHOICES = {
    1: _l("Tidak"),
    2: _l("Sedikit"),
    3: _l("Sebagian besar"),
    4: _l("Sepenuhnya"),
}


def _behaviour(label):
    return RadioField(
        label,
        coerce=int,
        choices=[SelectChoice(k, v) for k, v in BEHAVIOUR_CHOICES.items()],
        validate_choice=False,
        validators=[InputRequired(message=_l("Pilih salah satu.")), _OneOf(_l("Pilih salah satu."))],
    )


class BehaviourForm(BaseForm):
    applies = _behaviour(_l("Apakah pegawai menerapkan yang dipelajari dalam pekerjaannya?"))
    improved = _behaviour(_l("Apakah layanannya kepada warga membaik dalam hal yang dilatih?"))
    shares = _behaviour(_l("Apakah pegawai membagikan yang dipelajari kepada rekan kerja?"))
    example = TextAreaField(
        _l("Contoh penerapan atau hambatannya"),
        validators=[Optional(), Length(max=2000)],
        filters=[strip],
    )


class UpwardForm(BaseForm):
    work_process = _scale(_l("Proses kerja di unit saya jelas dan lancar (1 tidak setuju – 5 sangat setuju)"))
    environment = _scale(_l("Lingkungan kerja mendukung saya melayani warga (1–5)"))
    leadership = _scale(_l("Pimpinan unit memberi arahan dan umpan balik yang membantu (1–5)"))
    suggestion = TextAreaField(
        _l("Saran perbaikan"),
        validators=[Optional(), Length(max=2000)],
        filters=[strip],
        description=_l(
            "Tidak disertai nama. Pimpinan unit hanya melihat rangkuman, dan baru setelah ada 5 jawaban."
        ),
    )


class ParticipantScoresForm(BaseForm):
    attended = BooleanField(_l("Hadir / menyelesaikan"))
    certificate = StringField(
        _l("Nomor sertifikat"), validators=[Optional(), Length(max=100)], filters=[strip]
    )
    pre_score = FloatField(
        _l("Nilai pre-test (0–100)"),
        validators=[Optional(), _finite, NumberRange(0, 100, message=_l("Nilai tes harus 0–100."))],
    )
    post_score = FloatField(
        _l("Nilai post-test (0–100)"),
        validators=[Optional(), _finite, NumberRange(0, 100, message=_l("Nilai tes harus 0–100."))],
    )
