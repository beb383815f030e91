"""The plugin's forms (``BaseForm``: WTForms' own messages in Indonesian).

The choices (the agency's desks and officers) are set by the view; a value
that is not one of them gets a message saying what to do instead of
WTForms' generic "not a valid choice".
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from portal.plugin import BaseForm, strip


def _one_of_the_choices(message):
    def check(form, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(message)

    return check


class TakeForm(BaseForm):
    desk_id = SelectField(
        _l("Loket"),
        coerce=int,
        validate_choice=False,
        validators=[
            InputRequired(_l("Pilih loket tempat Anda akan dilayani.")),
            _one_of_the_choices(_l("Loket itu tidak ada atau sedang tutup. Pilih loket dari daftar.")),
        ],
    )


class RateForm(BaseForm):
    officer_id = SelectField(
        _l("Petugas yang melayani Anda"),
        coerce=int,
        validate_choice=False,
        validators=[
            InputRequired(_l("Pilih petugas yang melayani Anda.")),
            _one_of_the_choices(_l("Petugas itu tidak terdaftar di instansi ini. Pilih dari daftar.")),
        ],
    )
    value = RadioField(
        _l("Nilai pelayanan (1 = sangat buruk, 5 = sangat baik)"),
        coerce=int,
        choices=[SelectChoice(i, str(i)) for i in range(1, 6)],
        validate_choice=False,
        validators=[
            InputRequired(_l("Pilih nilai 1 sampai 5.")),
            _one_of_the_choices(_l("Pilih nilai 1 sampai 5.")),
        ],
    )
    comment = TextAreaField(
        _l("Komentar untuk petugas (boleh dikosongkan)"),
        description=_l("Tentang pelayanannya, tanpa nama atau kontak Anda. Paling banyak 1000 karakter."),
        validators=[Optional(), Length(max=1000)],
        filters=[strip],
    )
