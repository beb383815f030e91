"""SKM rules: NRR, IKM with the exact 1/9, grade boundaries, Krejcie–Morgan."""

from decimal import Decimal
from fractions import Fraction

import pytest

from plugins.survei import skm


def test_ikm_of_a_hand_computed_data_set():
    answers = [
        [4, 4, 4, 4, 4, 4, 4, 4, 4],
        [3, 3, 3, 3, 3, 3, 3, 3, 3],
        [4, 3, 4, 3, 4, 3, 4, 3, 4],
        [2, 3, 3, 4, 3, 3, 3, 2, 1],
    ]
    nrr = [skm.nrr(sum(r[i] for r in answers), len(answers)) for i in range(9)]
    assert [float(n) for n in nrr] == [3.25, 3.25, 3.5, 3.5, 3.5, 3.25, 3.5, 3.0, 3.0]
    # Σ NRR = 29.75; 29.75 × 1/9 × 25 = 82.6388… → 82.64 (with 0.111 it would be 82.56).
    assert skm.ikm(nrr) == Decimal("82.64")
    assert skm.grade(skm.ikm(nrr))[0] == "B"


def _nrr_for(target: str) -> list[Fraction]:
    """Nine NRR values whose exact IKM is ``target`` (eight of 3.5 and one adjusted)."""
    total = Fraction(target) * 9 / 25
    return [Fraction(7, 2)] * 8 + [total - 28]


@pytest.mark.parametrize(
    ("target", "ikm", "letter", "label"),
    [
        ("100", "100.00", "A", "Sangat Baik"),
        ("88.31", "88.31", "A", "Sangat Baik"),
        ("88.305", "88.31", "A", "Sangat Baik"),  # rounds half up into A
        ("88.3049", "88.30", "B", "Baik"),
        ("88.30", "88.30", "B", "Baik"),
        ("76.61", "76.61", "B", "Baik"),
        ("76.60", "76.60", "C", "Kurang Baik"),
        ("65.00", "65.00", "C", "Kurang Baik"),
        ("64.995", "65.00", "C", "Kurang Baik"),
        ("64.99", "64.99", "D", "Tidak Baik"),
        ("25.00", "25.00", "D", "Tidak Baik"),
    ],
)
def test_grade_boundaries(target, ikm, letter, label):
    nrr = _nrr_for(target) if Fraction(target) * 9 / 25 - 28 > 0 else [Fraction(target) * 9 / 25 / 9] * 9
    value = skm.ikm(nrr)
    assert value == Decimal(ikm)
    assert skm.grade(value)[0] == letter
    assert str(skm.grade(value)[1]) == label


def test_exact_ninth_matters():
    # Σ NRR = 31.79 → exact IKM 88.3055… (A); a 0.111 weight would give 88.22 (B).
    nrr = [Fraction(3179, 900)] * 9
    assert skm.ikm(nrr) == Decimal("88.31") and skm.grade(skm.ikm(nrr))[0] == "A"
    rounded_weight = Decimal(str(round(sum(float(n) for n in nrr) * 0.111 * 25, 2)))
    assert rounded_weight == Decimal("88.22") and skm.grade(rounded_weight)[0] == "B"


@pytest.mark.parametrize(
    ("population", "sample"),
    [
        (10, 10),
        (50, 44),
        (300, 169),
        (1200, 291),
        (2000, 322),
        (1_000_000, 384),
        (0, 0),
    ],
)
def test_krejcie_morgan(population, sample):
    assert skm.krejcie_morgan(population) == sample
