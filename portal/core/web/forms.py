"""Core forms. Every message is Indonesian by default (through Babel)."""

from __future__ import annotations

import re
from zoneinfo import available_timezones

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from portal.core.models import ROLES
from portal.core.tenancy.nip import NipError, parse_nip

# WTForms ships no Indonesian catalogue; these are its built-in messages that
# our forms can show.
_WTFORMS_ID = {
    "This field is required.": "Kolom ini wajib diisi.",
    "Invalid email address.": "Alamat e-mail tidak valid.",
    "Not a valid choice.": "Pilihan tidak valid.",
    "Not a valid integer value.": "Harus berupa bilangan bulat.",
    "Not a valid decimal value.": "Harus berupa angka.",
    "Not a valid float value.": "Harus berupa angka.",
    "Invalid input.": "Isian tidak valid.",
    "Field must be equal to %(other_name)s.": "Isian harus sama dengan %(other_name)s.",
    "Field must be at least %(min)d character long.": "Paling sedikit %(min)d karakter.",
    "Field must be at least %(min)d characters long.": "Paling sedikit %(min)d karakter.",
    "Field cannot be longer than %(max)d character.": "Paling banyak %(max)d karakter.",
    "Field cannot be longer than %(max)d characters.": "Paling banyak %(max)d karakter.",
    "Field must be exactly %(max)d character long.": "Harus tepat %(max)d karakter.",
    "Field must be exactly %(max)d characters long.": "Harus tepat %(max)d karakter.",
    "Field must be between %(min)d and %(max)d characters long.": (
        "Panjang isian harus %(min)d–%(max)d karakter."
    ),
    "Number must be at least %(min)s.": "Angka paling kecil %(min)s.",
    "Number must be at most %(max)s.": "Angka paling besar %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Angka harus di antara %(min)s dan %(max)s.",
    "The CSRF token is missing.": "Token keamanan formulir tidak ada. Muat ulang halaman.",
    "The CSRF token is invalid.": "Token keamanan formulir tidak sah. Muat ulang halaman.",
    "The CSRF token has expired.": "Formulir sudah kedaluwarsa. Muat ulang halaman.",
    "The CSRF tokens do not match.": "Token keamanan formulir tidak cocok. Muat ulang halaman.",
    "The CSRF session token is missing.": "Sesi formulir hilang. Muat ulang halaman.",
    "This field is required and cannot be empty.": "Kolom ini wajib diisi.",
}


class _Translations:
    def gettext(self, string):
        if str(get_locale()) == "id":
            return _WTFORMS_ID.get(string, string)
        return string

    def ngettext(self, singular, plural, n):
        return self.gettext(singular if n == 1 else plural)


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _Translations()


SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Top-level paths taken by the portal itself; an agency cannot use them.
RESERVED_SLUGS = frozenset(
    {
        "kelola",
        "s",
        "api",
        "open311",
        "healthz",
        "static",
        "masuk",
        "keluar",
        "akun",
        "kinerja",
        "bahasa",
        "dialog",
        "survei",
        "pengaduan",
        "admin",
        "login",
        "logout",
    }
)


def validate_slug(form, field):
    field.data = (field.data or "").strip().lower()
    if not SLUG_RE.match(field.data):
        raise ValidationError(_l("Gunakan huruf kecil, angka dan tanda hubung, misalnya dinas-kesehatan."))
    if field.data in RESERVED_SLUGS:
        raise ValidationError(_l("Alamat '%(slug)s' dipakai oleh sistem; pilih yang lain.", slug=field.data))


def validate_nip(form, field):
    try:
        field.data = parse_nip(field.data or "").value
    except NipError as error:
        raise ValidationError(str(error)) from None


def strip(value):
    return value.strip() if isinstance(value, str) else value


#: WTForms' own message of Email() (translated by _WTFORMS_ID, not our catalogue).
_EMAIL_REFUSED = "Invalid email address."
#: The shape of an e-mail address: something, "@", something, no spaces.
ADDRESS_SHAPE_RE = re.compile(r"[^@\s]+@[^@\s]+")


def address_shape(form, field):
    """Signing in only looks the address up, and every account's address
    was checked in full (``Email()``, email_validator) when it was saved: a
    mistyped address is refused with the same message, and an address that
    merely looks right finds no account. So a web worker does not import
    email_validator and idna (about 0.3 MB) just to sign someone in."""
    value = field.data or ""
    if len(value) > 254 or not ADDRESS_SHAPE_RE.fullmatch(value):
        raise ValidationError(field.gettext(_EMAIL_REFUSED))


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), address_shape], filters=[strip])
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired()])


class PasswordChangeForm(BaseForm):
    current = PasswordField(_l("Kata sandi sekarang"), validators=[DataRequired()])
    new = PasswordField(_l("Kata sandi baru"), validators=[DataRequired(), Length(min=10, max=128)])
    confirm = PasswordField(
        _l("Ulangi kata sandi baru"),
        validators=[DataRequired(), EqualTo("new", message=_l("Kedua kata sandi baru tidak sama."))],
    )


PHONE_CHARS_RE = re.compile(r"^\+?[0-9 ()\-.]+$")


def phone_number(min_digits: int):
    """A validator of a telephone number as people write it: digits with
    spaces, dashes, dots or brackets, a leading "+" for the country code;
    ``min_digits`` to 15 digits (E.164 has at most 15)."""

    def validate(form, field):
        value = field.data = " ".join((field.data or "").split())
        if not value:
            return
        if not PHONE_CHARS_RE.match(value):
            raise ValidationError(
                _l("Tulis nomor dengan angka saja (boleh spasi, tanda hubung, kurung, dan + di depan).")
            )
        digits = sum(ch.isdigit() for ch in value)
        if digits < min_digits or digits > 15:
            raise ValidationError(_l("Nomor telepon terdiri atas %(min)d sampai 15 angka.", min=min_digits))

    return validate


class AgencyForm(BaseForm):
    name = StringField(_l("Nama instansi"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    slug = StringField(
        _l("Alamat singkat (slug)"),
        validators=[DataRequired(), Length(max=60), validate_slug],
        filters=[strip],
    )
    description = TextAreaField(_l("Keterangan"), validators=[Optional(), Length(max=2000)])
    timezone = SelectField(_l("Zona waktu"), default="Asia/Jakarta")
    address = TextAreaField(
        _l("Alamat kantor"),
        validators=[Optional(), Length(max=300)],
        filters=[strip],
        description=_l(
            "Tampil di kaki setiap halaman instansi, bersama telepon, jam layanan, dan nomor pengaduan."
        ),
    )
    phone = StringField(
        _l("Telepon"),
        validators=[Optional(), Length(max=30), phone_number(6)],
        filters=[strip],
        description=_l("Misalnya (0266) 221234 atau +62 266 221234."),
    )
    service_hours = StringField(
        _l("Jam layanan"),
        validators=[Optional(), Length(max=200)],
        filters=[strip],
        description=_l("Misalnya Senin–Kamis 08.00–15.00, Jumat 08.00–11.00."),
    )
    complaint_hotline = StringField(
        _l("Nomor pengaduan (telepon atau WhatsApp)"),
        validators=[Optional(), Length(max=30), phone_number(3)],
        filters=[strip],
        description=_l("Nomor yang dihubungi warga untuk mengadu, misalnya 0812-3456-7890."),
    )
    logo = FileField(
        _l("Logo (PNG, JPEG, atau WebP; tampil di halaman instansi)"),
        description=_l("Tanpa logo, halaman instansi memakai lambang netral."),
    )
    remove_logo = BooleanField(_l("Hapus logo"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]
        self.timezone.choices = [SelectChoice(z, z) for z in zones if z in available_timezones()]


class UnitForm(BaseForm):
    name = StringField(_l("Nama unit layanan"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    address = StringField(_l("Alamat"), validators=[Optional(), Length(max=300)], filters=[strip])


class DeskForm(BaseForm):
    unit_id = SelectField(_l("Unit layanan"), coerce=int)
    name = StringField(_l("Nama loket"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    active = BooleanField(_l("Aktif"), default=True)


class OfficerForm(BaseForm):
    nip = StringField(_l("NIP"), validators=[validate_nip], filters=[strip])
    name = StringField(_l("Nama lengkap"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    position = StringField(_l("Jabatan"), validators=[Optional(), Length(max=200)], filters=[strip])
    unit_id = SelectField(_l("Unit layanan"), coerce=int)
    supervisor_id = SelectField(_l("Atasan langsung"), coerce=int)
    active = BooleanField(_l("Aktif"), default=True)


ROLE_LABELS = {
    "superadmin": _l("Super admin"),
    "admin": _l("Admin instansi"),
    "supervisor": _l("Atasan"),
    "officer": _l("Pegawai"),
}


class UserForm(BaseForm):
    email = EmailField(
        _l("E-mail"),
        validators=[DataRequired(), Email(), Length(max=254)],
        filters=[strip, lambda v: v.lower() if isinstance(v, str) else v],
    )
    name = StringField(_l("Nama"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    role = SelectField(_l("Peran"), choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES[1:]])
    officer_id = SelectField(_l("Pegawai terkait"), coerce=int)
    password = PasswordField(
        _l("Kata sandi"),
        validators=[Optional(), Length(min=10, max=128)],
        description=_l("Minimal 10 karakter. Kosongkan untuk tidak mengubah."),
    )
    active = BooleanField(_l("Aktif"), default=True)

    def validate_officer_id(self, field):
        if self.role.data in ("supervisor", "officer") and not field.data:
            raise ValidationError(_l("Atasan dan pegawai harus dikaitkan dengan data pegawai."))


class ImportOfficersForm(BaseForm):
    file = FileField(_l("Berkas CSV"), validators=[FileRequired(_l("Pilih berkas CSV."))])


class ApiKeyForm(BaseForm):
    name = StringField(
        _l("Nama kunci"),
        validators=[DataRequired(), Length(max=100)],
        filters=[strip],
        description=_l('Untuk apa kunci ini, misalnya "kios loket 1" atau "e-Kinerja".'),
    )
    scope = SelectField(
        _l("Hak akses"),
        choices=[
            SelectChoice("read", _l("Baca saja")),
            SelectChoice("write", _l("Baca dan tulis")),
        ],
    )
