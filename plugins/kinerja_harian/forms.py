"""Forms of the kinerja harian pages (all with CSRF, messages in Indonesian)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    FloatField,
    HiddenField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from plugins.kinerja_harian.models import Conclusion, PeriodKind, TargetKind
from portal.plugin import BaseForm, strip


class ActivityForm(BaseForm):
    description = TextAreaField(
        _l("Kegiatan"),
        validators=[DataRequired(), Length(max=1000)],
        filters=[strip],
        description=_l("Apa yang Anda kerjakan, singkat dan jelas."),
    )
    output = StringField(
        _l("Satuan hasil"),
        validators=[DataRequired(), Length(max=60)],
        filters=[strip],
        description=_l("Misalnya: dokumen, berkas, laporan, pengaduan."),
    )
    quantity = IntegerField(
        _l("Jumlah hasil"), validators=[InputRequired(), NumberRange(1, 100000)], default=1
    )
    minutes = IntegerField(
        _l("Durasi (menit)"),
        validators=[InputRequired(), NumberRange(1, 24 * 60)],
        description=_l("Lama kegiatan dalam menit; seluruh kegiatan sehari paling lama 24 jam (1440 menit)."),
    )
    target_id = SelectField(_l("Target yang didukung"), coerce=int, validate_choice=False, default=0)
    attachments = MultipleFileField(
        _l("Lampiran (opsional)"),
        description=_l("Paling banyak 3 berkas: foto JPEG/PNG atau PDF, masing-masing paling besar 5 MB."),
    )
    version = HiddenField()


class ProposalForm(BaseForm):
    """Accepting proposed entries: the evidence keys come as ``bukti`` values."""

    version = HiddenField()


class ActionForm(BaseForm):
    """A bare POST (submit, delete, agree): CSRF and the version read."""

    version = HiddenField()


class ReviewForm(BaseForm):
    decision = RadioField(
        _l("Penilaian"),
        choices=[
            SelectChoice("setujui", _l("Setujui")),
            SelectChoice("kembalikan", _l("Kembalikan untuk diperbaiki")),
        ],
        validators=[InputRequired()],
    )
    note = TextAreaField(
        _l("Catatan untuk pegawai"),
        validators=[Optional(), Length(max=2000)],
        filters=[strip],
        description=_l("Wajib bila laporan dikembalikan: apa yang perlu diperbaiki."),
    )
    version = HiddenField()


class EvaluationForm(BaseForm):
    conclusion = RadioField(
        _l("Kesimpulan perilaku kerja bulan ini"),
        choices=[
            SelectChoice(Conclusion.DI_ATAS, _l("Di atas ekspektasi")),
            SelectChoice(Conclusion.SESUAI, _l("Sesuai ekspektasi")),
            SelectChoice(Conclusion.DI_BAWAH, _l("Di bawah ekspektasi")),
        ],
        validators=[InputRequired()],
    )
    note = TextAreaField(
        _l("Catatan evaluasi"), validators=[DataRequired(), Length(max=4000)], filters=[strip]
    )


PERIOD_CHOICES = [
    SelectChoice(PeriodKind.TRIWULAN, _l("Triwulan")),
    SelectChoice(PeriodKind.SEMESTER, _l("Semester")),
    SelectChoice(PeriodKind.TAHUN, _l("Tahun")),
]


class TargetForm(BaseForm):
    owner = SelectField(_l("Untuk"), validate_choice=False)
    period_kind = SelectField(_l("Periode"), choices=PERIOD_CHOICES)
    period_day = StringField(
        _l("Tanggal dalam periode"),
        validators=[DataRequired()],
        filters=[strip],
        description=_l("Tanggal mana pun di dalam periode, misalnya 2026-10-01 untuk triwulan IV 2026."),
    )
    kind = RadioField(
        _l("Jenis target"),
        choices=[
            SelectChoice(TargetKind.TERUKUR, _l("Diukur portal dari rekam kinerja")),
            SelectChoice(TargetKind.DILAPORKAN, _l("Dilaporkan lewat kegiatan harian yang disetujui atasan")),
        ],
        default=TargetKind.DILAPORKAN,
        validators=[InputRequired()],
    )
    indicator_key = SelectField(_l("Indikator (untuk target terukur)"), validate_choice=False)
    title = StringField(
        _l("Uraian target"),
        validators=[Optional(), Length(max=200)],
        filters=[strip],
        description=_l("Untuk target yang dilaporkan, misalnya: Dokumen kependudukan diterbitkan."),
    )
    target_value = FloatField(_l("Nilai target"), validators=[InputRequired(), NumberRange(0, 1e9)])
    unit_label = StringField(
        _l("Satuan (untuk target yang dilaporkan)"), validators=[Optional(), Length(max=40)], filters=[strip]
    )
