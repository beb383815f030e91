"""NIP (Nomor Induk Pegawai) validation.

A NIP has 18 digits: birth date ``YYYYMMDD``, appointment ``YYYYMM`` (TMT
CPNS), sex (1 = male, 2 = female) and a 3-digit sequence number. Each check
says which part is wrong, so that a clerk typing a NIP from a paper form can
correct it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

_SEPARATORS = re.compile(r"[\s.\-]")


class NipError(ValueError):
    """The NIP is invalid; ``str(error)`` explains which part and why."""


@dataclass(frozen=True)
class Nip:
    value: str
    birth_date: dt.date
    appointment_year: int
    appointment_month: int
    sex: int  # 1 = laki-laki, 2 = perempuan
    sequence: int


def parse_nip(raw: str, today: dt.date | None = None) -> Nip:
    """Return the parsed NIP or raise :class:`NipError` naming the wrong part.

    Spaces, dots and dashes (as printed on ID cards) are ignored.
    """
    today = today or dt.date.today()
    value = _SEPARATORS.sub("", raw or "")
    if not value:
        raise NipError(_l("NIP wajib diisi."))
    if not value.isdigit():
        raise NipError(_l("NIP hanya boleh berisi angka."))
    if len(value) != 18:
        raise NipError(_l("NIP harus 18 digit; yang diisi %(n)d digit.", n=len(value)))
    try:
        birth = dt.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        raise NipError(
            _l("Digit 1–8 NIP (tanggal lahir %(part)s) bukan tanggal yang valid.", part=value[0:8])
        ) from None
    if birth.year < 1940 or birth > today:
        raise NipError(
            _l("Digit 1–8 NIP (tanggal lahir %(part)s) di luar rentang yang mungkin.", part=value[0:8])
        )
    year, month = int(value[8:12]), int(value[12:14])
    if not 1 <= month <= 12:
        raise NipError(
            _l("Digit 13–14 NIP (bulan pengangkatan) harus 01–12, bukan %(part)s.", part=value[12:14])
        )
    if (year, month) > (today.year, today.month):
        raise NipError(
            _l("Digit 9–14 NIP (TMT pengangkatan %(part)s) berada di masa depan.", part=value[8:14])
        )
    if year < birth.year + 17:
        raise NipError(
            _l(
                "Digit 9–14 NIP (TMT pengangkatan %(part)s) terlalu dekat dengan tanggal lahir; "
                "pegawai diangkat paling muda pada usia 17 tahun.",
                part=value[8:14],
            )
        )
    sex = int(value[14])
    if sex not in (1, 2):
        raise NipError(
            _l(
                "Digit 15 NIP (jenis kelamin) harus 1 (laki-laki) atau 2 (perempuan), bukan %(d)s.",
                d=value[14],
            )
        )
    sequence = int(value[15:18])
    if sequence == 0:
        raise NipError(_l("Digit 16–18 NIP (nomor urut) tidak boleh 000."))
    return Nip(value, birth, year, month, sex, sequence)


def normalise_nip(raw: str) -> str:
    """The NIP as 18 bare digits (validated)."""
    return parse_nip(raw).value
