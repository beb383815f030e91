"""SKM / IKM rules of PermenPANRB 14/2017 and the Krejcie–Morgan sample size.

Pure functions: no database, no Flask. IKM is computed from exact fractions
(the weight is exactly 1/9) and rounded half-up to two decimals only at the
end, as the regulation's worked examples do.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Unsur:
    number: int
    name: object
    question: object
    answers: tuple  # wording for 1, 2, 3, 4


UNSUR = (
    Unsur(
        1,
        _l("Persyaratan"),
        _l("Bagaimana pendapat Anda tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?"),
        (_l("Tidak sesuai"), _l("Kurang sesuai"), _l("Sesuai"), _l("Sangat sesuai")),
    ),
    Unsur(
        2,
        _l("Sistem, Mekanisme, dan Prosedur"),
        _l("Bagaimana pemahaman Anda tentang kemudahan prosedur pelayanan di unit ini?"),
        (_l("Tidak mudah"), _l("Kurang mudah"), _l("Mudah"), _l("Sangat mudah")),
    ),
    Unsur(
        3,
        _l("Waktu Penyelesaian"),
        _l("Bagaimana pendapat Anda tentang kecepatan waktu dalam memberikan pelayanan?"),
        (_l("Tidak cepat"), _l("Kurang cepat"), _l("Cepat"), _l("Sangat cepat")),
    ),
    Unsur(
        4,
        _l("Biaya/Tarif"),
        _l("Bagaimana pendapat Anda tentang kewajaran biaya/tarif dalam pelayanan?"),
        (_l("Sangat mahal"), _l("Cukup mahal"), _l("Murah"), _l("Gratis")),
    ),
    Unsur(
        5,
        _l("Produk Spesifikasi Jenis Pelayanan"),
        _l(
            "Bagaimana pendapat Anda tentang kesesuaian produk pelayanan antara yang tercantum "
            "dalam standar pelayanan dengan hasil yang diberikan?"
        ),
        (_l("Tidak sesuai"), _l("Kurang sesuai"), _l("Sesuai"), _l("Sangat sesuai")),
    ),
    Unsur(
        6,
        _l("Kompetensi Pelaksana"),
        _l("Bagaimana pendapat Anda tentang kompetensi/kemampuan petugas dalam pelayanan?"),
        (_l("Tidak kompeten"), _l("Kurang kompeten"), _l("Kompeten"), _l("Sangat kompeten")),
    ),
    Unsur(
        7,
        _l("Perilaku Pelaksana"),
        _l(
            "Bagaimana pendapat Anda tentang perilaku petugas dalam pelayanan terkait kesopanan "
            "dan keramahan?"
        ),
        (
            _l("Tidak sopan dan ramah"),
            _l("Kurang sopan dan ramah"),
            _l("Sopan dan ramah"),
            _l("Sangat sopan dan ramah"),
        ),
    ),
    Unsur(
        8,
        _l("Sarana dan Prasarana"),
        _l("Bagaimana pendapat Anda tentang kualitas sarana dan prasarana?"),
        (_l("Buruk"), _l("Cukup"), _l("Baik"), _l("Sangat baik")),
    ),
    Unsur(
        9,
        _l("Penanganan Pengaduan, Saran dan Masukan"),
        _l("Bagaimana pendapat Anda tentang penanganan pengaduan pengguna layanan?"),
        (
            _l("Tidak ada"),
            _l("Ada tetapi tidak berfungsi"),
            _l("Berfungsi kurang maksimal"),
            _l("Dikelola dengan baik"),
        ),
    ),
)

#: The faces of the quick survey, best first, with their value on the 1–4 scale.
FACES = ((4, _l("Sangat puas")), (3, _l("Puas")), (2, _l("Kurang puas")), (1, _l("Tidak puas")))

SEXES = (("L", _l("Laki-laki")), ("P", _l("Perempuan")))
AGE_GROUPS = (
    ("<=20", _l("20 tahun atau kurang")),
    ("21-30", _l("21–30 tahun")),
    ("31-40", _l("31–40 tahun")),
    ("41-50", _l("41–50 tahun")),
    ("51-60", _l("51–60 tahun")),
    (">60", _l("Lebih dari 60 tahun")),
)
EDUCATIONS = (
    ("sd", _l("SD atau lebih rendah")),
    ("smp", _l("SMP")),
    ("sma", _l("SMA/SMK")),
    ("diploma", _l("D1–D4")),
    ("s1", _l("S1")),
    ("s2", _l("S2 atau lebih tinggi")),
)
OCCUPATIONS = (
    ("pns", _l("PNS")),
    ("tni", _l("TNI")),
    ("polri", _l("POLRI")),
    ("swasta", _l("Pegawai swasta")),
    ("wirausaha", _l("Wirausaha")),
    ("pelajar", _l("Pelajar/Mahasiswa")),
    ("lainnya", _l("Lainnya")),
)
PROFILE = {"sex": SEXES, "age_group": AGE_GROUPS, "education": EDUCATIONS, "occupation": OCCUPATIONS}

GRADES = (
    (Decimal("88.31"), "A", _l("Sangat Baik")),
    (Decimal("76.61"), "B", _l("Baik")),
    (Decimal("65.00"), "C", _l("Kurang Baik")),
    (Decimal("25.00"), "D", _l("Tidak Baik")),
)


def nrr(total: int, count: int) -> Fraction | None:
    """Nilai rata-rata per unsur: sum of its answers ÷ number of answers."""
    return Fraction(total, count) if count else None


def ikm(nrrs: list[Fraction]) -> Decimal:
    """IKM on the 25–100 scale: Σ(NRR × 1/9) × 25, rounded half-up to 2 decimals."""
    if len(nrrs) != 9:
        raise ValueError("IKM needs the NRR of all nine unsur")
    exact = sum(n * Fraction(1, 9) for n in nrrs) * 25
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


def grade(value: Decimal):
    """(letter, label) of the mutu pelayanan for a converted IKM value."""
    value = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    for lower, letter, label in GRADES:
        if value >= lower:
            return letter, label
    return GRADES[-1][1], GRADES[-1][2]


def krejcie_morgan(population: int, chi2: float = 3.841, p: float = 0.5, d: float = 0.05) -> int:
    """Minimum sample for a population of ``population`` service users
    (rounded to the nearest whole respondent, as the published table is)."""
    if population <= 0:
        return 0
    s = chi2 * population * p * (1 - p) / (d * d * (population - 1) + chi2 * p * (1 - p))
    return min(population, int(Decimal(s).quantize(Decimal("1"), rounding=ROUND_HALF_UP)))
