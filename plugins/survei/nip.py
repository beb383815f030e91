"""NIP check for the report's signing official.

The plugin API exports no NIP helper, so this applies the portal's NIP rules
(18 digits: birth date YYYYMMDD, appointment YYYYMM, sex 1 or 2, a 3-digit
sequence that is not 000) with the same messages, naming the wrong part.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l

_SEPARATORS = re.compile(r"[\s.\-]")


def nip_problem(raw: str, today: dt.date | None = None) -> tuple[str, object | None]:
    """(the NIP as 18 bare digits, None) or (what was typed, the message naming the wrong part)."""
    today = today or dt.date.today()
    value = _SEPARATORS.sub("", raw or "")
    if not value:
        return value, _l("NIP wajib diisi.")
    if not value.isdigit():
        return value, _l("NIP hanya boleh berisi angka.")
    if len(value) != 18:
        return value, _l("NIP harus 18 digit; yang diisi %(n)d digit.", n=len(value))
    try:
        birth = dt.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return value, _l("Digit 1–8 NIP (tanggal lahir %(part)s) bukan tanggal yang valid.", part=value[0:8])
    if birth.year < 1940 or birth > today:
        return value, _l(
            "Digit 1–8 NIP (tanggal lahir %(part)s) di luar rentang yang mungkin.", part=value[0:8]
        )
    year, month = int(value[8:12]), int(value[12:14])
    if not 1 <= month <= 12:
        return value, _l(
            "Digit 13–14 NIP (bulan pengangkatan) harus 01–12, bukan %(part)s.", part=value[12:14]
        )
    if (year, month) > (today.year, today.month):
        return value, _l("Digit 9–14 NIP (TMT pengangkatan %(part)s) berada di masa depan.", part=value[8:14])
    if year < birth.year + 17:
        return value, _l(
            "Digit 9–14 NIP (TMT pengangkatan %(part)s) terlalu dekat dengan tanggal lahir; "
            "pegawai diangkat paling muda pada usia 17 tahun.",
            part=value[8:14],
        )
    if value[14] not in "12":
        return value, _l(
            "Digit 15 NIP (jenis kelamin) harus 1 (laki-laki) atau 2 (perempuan), bukan %(d)s.",
            d=value[14],
        )
    if value[15:18] == "000":
        return value, _l("Digit 16–18 NIP (nomor urut) tidak boleh 000.")
    return value, None
