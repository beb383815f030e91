"""Staff forms of the survei plugin."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from plugins.survei.models import SurveiKind, SurveiQuestionType
from portal.plugin import BaseForm, strip

WEEKDAYS = (_l("Senin"), _l("Selasa"), _l("Rabu"), _l("Kamis"), _l("Jumat"), _l("Sabtu"), _l("Minggu"))


class DeskSettingsForm(BaseForm):
    kind = SelectField(
        _l("Jenis survei"),
        choices=[
            SelectChoice(SurveiKind.QUICK, _l("Survei cepat (satu pertanyaan, 2 ketukan)")),
            SelectChoice(SurveiKind.SKM, _l("SKM lengkap (9 unsur PermenPANRB 14/2017)")),
        ],
    )


class RosterForm(BaseForm):
    officer_id = SelectField(_l("Petugas"), coerce=int)
    weekday = SelectField(
        _l("Hari"), coerce=int, choices=[SelectChoice(i, d) for i, d in enumerate(WEEKDAYS)]
    )
    start = TimeField(_l("Mulai"), validators=[DataRequired()])
    end = TimeField(_l("Selesai"), validators=[DataRequired()])

    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("Jam selesai harus setelah jam mulai."))


class QuestionForm(BaseForm):
    unit_id = SelectField(_l("Unit layanan"), coerce=int)
    text = StringField(_l("Pertanyaan"), validators=[DataRequired(), Length(max=300)], filters=[strip])
    type = SelectField(
        _l("Jenis jawaban"),
        choices=[
            SelectChoice(SurveiQuestionType.SCALE4, _l("Skala 1–4")),
            SelectChoice(SurveiQuestionType.SCALE5, _l("Skala 1–5")),
            SelectChoice(SurveiQuestionType.CHOICE, _l("Pilihan tunggal")),
            SelectChoice(SurveiQuestionType.TEXT, _l("Isian teks")),
        ],
    )
    choices = TextAreaField(
        _l("Pilihan jawaban"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Satu pilihan per baris (untuk pilihan tunggal)."),
    )
    position = IntegerField(_l("Urutan"), default=0, validators=[Optional(), NumberRange(0, 999)])
    required = BooleanField(_l("Wajib dijawab"))
    active = BooleanField(_l("Ditampilkan"), default=True)

    def validate_choices(self, field):
        options = [c.strip() for c in (field.data or "").splitlines() if c.strip()]
        if self.type.data == SurveiQuestionType.CHOICE and len(options) < 2:
            raise ValidationError(_l("Isi paling sedikit dua pilihan, satu per baris."))
        if any(len(o) > 200 for o in options):
            raise ValidationError(_l("Setiap pilihan paling banyak 200 karakter."))


class PopulationForm(BaseForm):
    users = IntegerField(
        _l("Jumlah pengguna layanan pada periode ini"),
        validators=[InputRequired(), NumberRange(1, 100_000_000)],
    )


class TicketForm(BaseForm):
    desk_id = SelectField(_l("Loket"), coerce=int)
