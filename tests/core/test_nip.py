import datetime as dt

import pytest

from portal.core.tenancy.nip import NipError, parse_nip

TODAY = dt.date(2026, 11, 25)


# Messages are lazy Babel strings; render them inside an app context.
pytestmark = pytest.mark.usefixtures("babel_context")


def test_valid_nip_is_parsed_into_its_parts():
    nip = parse_nip("19850312 201001 2 004", today=TODAY)
    assert nip.value == "198503122010012004"
    assert nip.birth_date == dt.date(1985, 3, 12)
    assert (nip.appointment_year, nip.appointment_month) == (2010, 1)
    assert nip.sex == 2
    assert nip.sequence == 4


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", "wajib diisi"),
        ("19850312201001200X", "hanya boleh berisi angka"),
        ("1985031220100120", "18 digit; yang diisi 16 digit"),
        ("198502302010012004", "Digit 1–8 NIP (tanggal lahir 19850230) bukan tanggal yang valid"),
        ("193002012010012004", "di luar rentang"),
        ("198503122010132004", "Digit 13–14 NIP (bulan pengangkatan) harus 01–12, bukan 13"),
        ("198503122027012004", "berada di masa depan"),
        ("198503121999012004", "terlalu dekat dengan tanggal lahir"),
        (
            "198503122010013004",
            "Digit 15 NIP (jenis kelamin) harus 1 (laki-laki) atau 2 (perempuan), bukan 3",
        ),
        ("198503122010011000", "nomor urut) tidak boleh 000"),
    ],
)
def test_each_wrong_part_is_named(raw, expected):
    with pytest.raises(NipError) as error:
        parse_nip(raw, today=TODAY)
    assert expected in str(error.value)
