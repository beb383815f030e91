"""The SKM report an agency signs and publishes: grades per unsur, profile
percentages, follow-up plans carried to the next period, the signature
block, the PDF, the XLSX, the infographic and the public results page."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from plugins.survei import publish, skm
from plugins.survei.models import SurveiFollowUp, SurveiReportSettings, SurveiResponse
from portal.core.models import Agency, Desk, Unit
from portal.core.record.ratings import period_bounds
from portal.core.util.timeutil import local, utcnow
from portal.extensions import db
from portal.testing import login, nip, post_form

# Four respondents this period: IKM 82.64 (B); unsur 9 is the weakest (75.00, C).
NOW_ANSWERS = [
    [4, 4, 4, 4, 4, 4, 4, 4, 4],
    [3, 3, 3, 3, 3, 3, 3, 3, 3],
    [4, 3, 4, 3, 4, 3, 4, 3, 4],
    [2, 3, 3, 4, 3, 3, 3, 2, 1],
]
# Two respondents the period before: unsur 9 at 2.0 (50.00).
BEFORE_ANSWERS = [[3, 3, 3, 3, 3, 3, 3, 3, 2], [3, 3, 3, 3, 3, 3, 3, 3, 2]]
SEXES = ["L", "P", "P", None]


def _periods(app, world):
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        today = local(utcnow(), agency.timezone).date()
    current = period_bounds("semester", today)
    previous = period_bounds("semester", current[0] - dt.timedelta(days=1))
    return current, previous


def _add(app, world, answers, day: dt.date, sexes=None):
    """Responses stored as the survey stores them, on ``day`` (noon UTC)."""
    with app.app_context():
        for i, row in enumerate(answers):
            db.session.add(
                SurveiResponse(
                    agency_id=world["alpha"]["agency"],
                    unit_id=world["alpha"]["unit"],
                    desk_id=world["alpha"]["desk"],
                    kind="skm",
                    created_at=dt.datetime.combine(day, dt.time(5, 0)),
                    sex=(sexes or [None] * len(answers))[i],
                    **{f"u{n + 1}": v for n, v in enumerate(row)},
                )
            )
        db.session.commit()


@pytest.fixture
def periods(app, world):
    return _periods(app, world)


@pytest.fixture
def surveyed(app, world, periods):
    current, previous = periods
    _add(app, world, NOW_ANSWERS, current[0] + dt.timedelta(days=1), SEXES)
    _add(app, world, BEFORE_ANSWERS, previous[0] + dt.timedelta(days=1))
    return periods


@pytest.fixture
def admin(client, world):
    login(client, world["alpha"]["emails"]["admin"])
    return client


def _unit_query(world, day: dt.date) -> str:
    return f"unit={world['alpha']['unit']}&periode=semester&tanggal={day.isoformat()}"


# ---------------------------------------------------------------- pure rules


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([1, 1, 1], ["33.4", "33.3", "33.3"]),
        ([2, 1], ["66.7", "33.3"]),
        ([1, 1, 1, 1, 1, 1, 1], ["14.3", "14.3", "14.3", "14.3", "14.3", "14.3", "14.2"]),
        ([0, 5, 0], ["0.0", "100.0", "0.0"]),
        ([7, 0, 13, 1], ["33.3", "0.0", "61.9", "4.8"]),
    ],
)
def test_profile_percentages_sum_to_exactly_100(counts, expected):
    shares = publish.largest_remainder(counts)
    assert [str(s) for s in shares] == expected
    assert sum(shares) == 100


def test_percentages_of_nobody_are_none_not_a_division_by_zero():
    assert publish.largest_remainder([0, 0, 0]) == [None, None, None]


def test_percentages_always_sum_to_100_whatever_the_counts():
    import random

    chance = random.Random(17)
    for _ in range(500):
        counts = [chance.randint(0, 50) for _n in range(chance.randint(1, 8))]
        if sum(counts):
            shares = publish.largest_remainder(counts)
            assert sum(shares) == 100, counts
            # Never more than one rounding step away from the exact share.
            for count, share in zip(counts, shares, strict=True):
                exact = Fraction(count * 100, sum(counts))
                assert abs(Fraction(share) - exact) < Fraction(1, 10), counts


@pytest.mark.parametrize(
    ("nrr", "value", "letter"),
    [
        (Fraction(4), "100.00", "A"),
        (Fraction(35324, 10000), "88.31", "A"),  # lowest A
        (Fraction(35320, 10000), "88.30", "B"),  # highest B
        (Fraction(30644, 10000), "76.61", "B"),  # lowest B
        (Fraction(30640, 10000), "76.60", "C"),  # highest C
        (Fraction(26, 10), "65.00", "C"),  # lowest C
        (Fraction(25996, 10000), "64.99", "D"),  # highest D
        (Fraction(1), "25.00", "D"),
    ],
)
def test_grade_of_each_unsur_at_every_boundary(nrr, value, letter):
    converted = publish.converted(nrr)
    assert converted == Decimal(value)
    assert skm.grade(converted)[0] == letter


def test_converted_value_rounds_half_up():
    # 3.5322 × 25 = 88.305: half-up gives 88.31 (A), not 88.30 (B).
    assert publish.converted(Fraction(35322, 10000)) == Decimal("88.31")


# ---------------------------------------------------------------- the report page


def test_report_names_grades_weakest_strongest_and_compares_with_last_period(admin, world, surveyed):
    current, previous = surveyed
    page = admin.get(f"/kelola/alpha/survei/laporan?{_unit_query(world, current[0])}").get_data(as_text=True)
    assert "82,64" in page and "<strong>B</strong> (Baik)" in page
    # Unsur 9: NRR 3 → 75,00, grade C; it was 50,00 the semester before.
    row = re.search(r"<tr><td>9\. Penanganan Pengaduan, Saran dan Masukan</td>(.*?)</tr>", page, re.S).group(
        1
    )
    assert "<td>3,000</td>" in row and "<td>75,00</td><td>C</td>" in row and "+25,00" in row
    weakest = "8. Sarana dan Prasarana (75,00), 9. Penanganan Pengaduan, Saran dan Masukan (75,00)"
    assert f"Unsur terendah: <strong>{weakest}</strong>" in page
    assert "Unsur tertinggi:" in page and "4. Biaya/Tarif (87,50)" in page
    # The previous semester's IKM, and the change.
    with admin.application.app_context():
        unit = db.session.get(Unit, world["alpha"]["unit"])
        before = publish.build(unit.agency, unit, "semester", *previous)
    previous_ikm = f"{before.data.ikm:.2f}".replace(".", ",")
    assert previous_ikm == "72,22"
    assert f"IKM {previous_ikm}" in page and "+10,42" in page
    # Percentages of the profile: 1 L, 2 P, 1 not given.
    assert re.search(r"Laki-laki</td><td>1</td><td>25,0 %</td>", page)
    assert re.search(r"Perempuan</td><td>2</td><td>50,0 %</td>", page)


def test_a_follow_up_plan_is_carried_into_the_next_period(admin, world, surveyed):
    current, previous = surveyed
    # In the previous semester unsur 9 was the weakest: the admin records a plan.
    new_plan = f"/kelola/alpha/survei/rtl/baru?{_unit_query(world, previous[0])}"
    form = admin.get(new_plan).get_data(as_text=True)
    assert '<option selected value="9">' in form  # the weakest unsur proposed
    r = post_form(
        admin,
        new_plan,
        {
            "unit_id": str(world["alpha"]["unit"]),
            "unsur": "9",
            "priority": "1",
            "activity": "Membuka kanal pengaduan WhatsApp dan kotak saran",
            "timeframe": "Juli–September",
            "responsible": "Kepala Seksi Pelayanan",
            "status": "direncanakan",
            "progress_note": "",
        },
    )
    assert r.status_code == 302
    last_period = admin.get(r.headers["Location"]).get_data(as_text=True)
    assert "Membuka kanal pengaduan WhatsApp" in last_period and "Direncanakan" in last_period
    # This semester's report shows how it went and that unsur 9 moved up.
    url = f"/kelola/alpha/survei/laporan?{_unit_query(world, current[0])}"
    page = admin.get(url).get_data(as_text=True)
    carried = page.split("Tindak lanjut periode sebelumnya")[1]
    assert "Membuka kanal pengaduan WhatsApp" in carried
    assert "<td>50,00</td><td>75,00</td>" in carried and "+25,00" in carried
    # Progress recorded later: done, with a note.
    with admin.application.app_context():
        plan_id = db.session.scalars(db.select(SurveiFollowUp.id)).one()
    r = post_form(
        admin,
        f"/kelola/alpha/survei/rtl/{plan_id}",
        {
            "unit_id": str(world["alpha"]["unit"]),
            "unsur": "9",
            "priority": "1",
            "activity": "Membuka kanal pengaduan WhatsApp dan kotak saran",
            "timeframe": "Juli–September",
            "responsible": "Kepala Seksi Pelayanan",
            "status": "selesai",
            "progress_note": "Kanal dibuka 1 Agustus",
        },
    )
    assert r.status_code == 302
    carried = admin.get(url).get_data(as_text=True).split("Tindak lanjut periode sebelumnya")[1]
    assert "Selesai" in carried and "Kanal dibuka 1 Agustus" in carried
    # And it is public, with its progress.
    public = admin.application.test_client().get("/alpha/survei/hasil").get_data(as_text=True)
    assert "Membuka kanal pengaduan WhatsApp" in public and "Selesai" in public


def _plan_data(world, **changes):
    return {
        "unit_id": str(world["alpha"]["unit"]),
        "unsur": "9",
        "priority": "1",
        "activity": "Kegiatan",
        "timeframe": "Triwulan III",
        "responsible": "Seksi Pelayanan",
        "status": "direncanakan",
        "progress_note": "",
    } | changes


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"unit_id": "BETA"}, "Pilih unit layanan instansi ini."),
        ({"unsur": "12"}, "Pilih salah satu dari sembilan unsur SKM."),
        ({"unsur": "sembilan"}, "Pilih salah satu dari sembilan unsur SKM."),
        ({"status": "batal"}, "Pilih kemajuan: direncanakan, berjalan, atau selesai."),
        ({"priority": "0"}, "Prioritas"),
        ({"activity": "   "}, "Kolom ini wajib diisi."),
    ],
)
def test_a_bad_follow_up_plan_is_explained_and_nothing_stored(admin, world, periods, changes, message):
    if changes.get("unit_id") == "BETA":
        changes["unit_id"] = str(world["beta"]["unit"])
    r = post_form(admin, "/kelola/alpha/survei/rtl/baru", _plan_data(world, **changes))
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert message in page or (message == "Prioritas" and "antara 1 dan 9" in page), page
    with admin.application.app_context():
        assert db.session.scalar(db.select(db.func.count(SurveiFollowUp.id))) == 0


def test_a_plan_of_another_agency_is_not_found(app, client, world, periods):
    with app.app_context():
        db.session.add(
            SurveiFollowUp(
                agency_id=world["beta"]["agency"],
                unit_id=world["beta"]["unit"],
                period_kind="semester",
                period_start=periods[0][0],
                period_end=periods[0][1],
                unsur=1,
                activity="Rahasia beta",
                timeframe="x",
                responsible="x",
            )
        )
        db.session.commit()
        plan_id = db.session.scalars(db.select(SurveiFollowUp.id)).one()
    login(client, world["alpha"]["emails"]["admin"])
    assert client.get(f"/kelola/alpha/survei/rtl/{plan_id}").status_code == 404
    r = post_form(client, "/kelola/alpha/survei/rtl/baru", _plan_data(world))
    assert r.status_code == 302
    r = client.post(f"/kelola/alpha/survei/rtl/{plan_id}", data=_plan_data(world, activity="diubah"))
    assert r.status_code in (400, 404)
    with app.app_context():
        assert db.session.get(SurveiFollowUp, plan_id).activity == "Rahasia beta"
    assert "Rahasia beta" not in client.get("/alpha/survei/hasil").get_data(as_text=True)


def test_only_the_admin_plans(app, client, world):
    login(client, world["alpha"]["emails"]["supervisor"])
    assert client.get("/kelola/alpha/survei/laporan").status_code == 200
    assert client.get("/kelola/alpha/survei/rtl/baru").status_code == 403
    assert client.get("/kelola/alpha/survei/tanda-tangan").status_code == 403


# ---------------------------------------------------------------- signature block


SIGNATURE = {
    "place": "Sukamaju",
    "official_name": "Dra. Siti Rahmawati, M.Si.",
    "official_position": "Kepala Dinas Kependudukan dan Pencatatan Sipil",
}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("19800101 200501 1 00", "NIP harus 18 digit; yang diisi 17 digit."),
        ("19801301 200501 1 001", "Digit 1–8 NIP (tanggal lahir 19801301) bukan tanggal yang valid."),
        ("19800101 200513 1 001", "Digit 13–14 NIP (bulan pengangkatan) harus 01–12, bukan 13."),
        (
            "19800101 200501 3 001",
            "Digit 15 NIP (jenis kelamin) harus 1 (laki-laki) atau 2 (perempuan), bukan 3.",
        ),
        ("19800101 200501 1 000", "Digit 16–18 NIP (nomor urut) tidak boleh 000."),
        ("1980O101 200501 1 001", "NIP hanya boleh berisi angka."),
    ],
)
def test_a_malformed_nip_is_named_and_nothing_stored(admin, typed, message):
    r = post_form(admin, "/kelola/alpha/survei/tanda-tangan", SIGNATURE | {"official_nip": typed})
    assert r.status_code == 400
    assert message in r.get_data(as_text=True)
    with admin.application.app_context():
        assert db.session.scalar(db.select(db.func.count(SurveiReportSettings.agency_id))) == 0


def test_signature_block_on_the_report_page_and_in_the_pdf(admin, world, surveyed):
    official_nip = nip(7)
    spaced = f"{official_nip[:8]} {official_nip[8:14]} {official_nip[14]} {official_nip[15:]}"
    r = post_form(admin, "/kelola/alpha/survei/tanda-tangan", SIGNATURE | {"official_nip": spaced})
    assert r.status_code == 302
    current, _previous = surveyed
    query = _unit_query(world, current[0])
    page = admin.get(f"/kelola/alpha/survei/laporan?{query}").get_data(as_text=True)
    signature = page.split('class="signature"')[1]
    assert "Sukamaju, " in signature and "Dra. Siti Rahmawati, M.Si." in signature
    assert f"NIP {official_nip}" in signature  # stored as 18 bare digits
    r = admin.get(f"/kelola/alpha/survei/laporan.pdf?{query}")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "LAPORAN SURVEI KEPUASAN MASYARAKAT" in text
    assert "IKM 82,64" in text and "B (Baik)" in text
    assert "Dra. Siti Rahmawati, M.Si." in text and f"NIP {official_nip}" in text
    assert "Kepala Dinas Kependudukan dan Pencatatan Sipil" in text
    assert "Penanganan Pengaduan, Saran dan Masukan" in text and "75,00" in text
    assert "Perempuan" in text and "50,0 %" in text


def test_pdf_without_a_signature_says_so(admin, world, surveyed):
    r = admin.get("/kelola/alpha/survei/laporan.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.data)).pages)
    assert "Blok tanda tangan belum diatur." in text


# ---------------------------------------------------------------- XLSX and infographic


def test_xlsx_numbers_are_numbers_with_a_number_format(admin, world, surveyed):
    current, _previous = surveyed
    r = admin.get(f"/kelola/alpha/survei/laporan.xlsx?{_unit_query(world, current[0])}")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.data)).active
    cells = {row[0].value: row for row in sheet.iter_rows() if row[0].value}
    ikm = cells["IKM (konversi x 25)"][1]
    assert ikm.value == pytest.approx(82.64) and isinstance(ikm.value, float)
    assert ikm.number_format == "0.00"
    assert cells["Jumlah responden"][1].value == 4
    nine = cells["9. Penanganan Pengaduan, Saran dan Masukan"]
    assert [c.value for c in nine[1:5]] == [
        pytest.approx(3.0),
        pytest.approx(1 / 3, abs=1e-9),
        pytest.approx(75.0),
        "C",
    ]
    assert nine[1].number_format == "0.000" and nine[3].number_format == "0.00"
    assert nine[6].value == pytest.approx(25.0)
    women = cells["Perempuan"]
    assert women[1].value == 2 and women[2].value == pytest.approx(0.5) and women[2].number_format == "0.0%"
    assert isinstance(cells["Dari tanggal"][1].value, dt.datetime)


def test_xlsx_text_typed_by_people_is_never_a_formula(admin, world, periods):
    with admin.application.app_context():
        db.session.add(
            SurveiResponse(
                agency_id=world["alpha"]["agency"],
                unit_id=world["alpha"]["unit"],
                desk_id=world["alpha"]["desk"],
                kind="skm",
                comment='=HYPERLINK("http://x")',
                **{f"u{n}": 3 for n in range(1, 10)},
            )
        )
        db.session.commit()
    sheet = load_workbook(io.BytesIO(admin.get("/kelola/alpha/survei/laporan.xlsx").data)).active
    values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert '\'=HYPERLINK("http://x")' in values
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_infographic_poster_in_three_formats(admin, world, surveyed):
    current, _previous = surveyed
    query = _unit_query(world, current[0])
    svg = admin.get(f"/kelola/alpha/survei/infografis.svg?{query}")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    body = svg.get_data(as_text=True)
    assert "HASIL SURVEI KEPUASAN MASYARAKAT" in body and "82,64" in body
    assert "Mutu pelayanan B · Baik" in body and "4 responden" in body
    png = admin.get(f"/kelola/alpha/survei/infografis.png?{query}")
    with Image.open(io.BytesIO(png.data)) as image:
        assert image.format == "PNG" and image.height > image.width  # A4 portrait
    pdf = admin.get(f"/kelola/alpha/survei/infografis.pdf?{query}")
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "HASIL SURVEI KEPUASAN MASYARAKAT" in text and "82,64" in text
    assert admin.get(f"/kelola/alpha/survei/infografis.gif?{query}").status_code == 404


def test_infographic_carries_the_agency_logo(app, admin, world, surveyed):
    buffer = io.BytesIO()
    Image.new("RGB", (120, 60), (200, 30, 30)).save(buffer, "PNG")
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        agency.logo = buffer.getvalue()
        agency.logo_updated_at = utcnow()
        db.session.commit()
    body = admin.get("/kelola/alpha/survei/infografis.svg").get_data(as_text=True)
    assert "<image " in body and "data:image/png;base64," in body
    with Image.open(io.BytesIO(admin.get("/kelola/alpha/survei/infografis.png").data)) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    red = sum(count for count, (r, g, b) in colours if r > 180 and g < 60 and b < 60)
    assert red > 1000


# ---------------------------------------------------------------- public results


def test_public_results_per_unit_with_trend_and_nothing_personal(client, world, surveyed):
    with client.application.app_context():
        db.session.add(
            SurveiResponse(
                agency_id=world["alpha"]["agency"],
                unit_id=world["alpha"]["unit"],
                desk_id=world["alpha"]["desk"],
                kind="skm",
                comment="Nomor saya 0812 rahasia",
                created_at=dt.datetime.combine(surveyed[0][0], dt.time(6)),
                **{f"u{n}": 4 for n in range(1, 10)},
            )
        )
        db.session.commit()
    r = client.get("/alpha/survei/hasil")
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    unit = page.split("<h2>Pelayanan Umum</h2>")[1].split("</section>")[0]
    # Five respondents this semester: (4 + the earlier four) → IKM 86,11 (B), up from 72,22.
    assert "<strong>86,11</strong>" in unit and "<strong>B</strong> (Baik)" in unit
    assert "5 responden" in unit and "naik 13,89 dari periode sebelumnya" in unit
    assert "72,22" in unit  # the previous semester in the trend
    assert "Nomor saya" not in page
    assert len(gzip.compress(r.data)) <= 15 * 1024


def test_no_weakest_unsur_when_all_score_the_same(admin, world, periods):
    _add(admin.application, world, [[3] * 9, [4] * 9], periods[0][0])
    page = admin.get("/kelola/alpha/survei/laporan").get_data(as_text=True)
    assert "87,50" in page and "Unsur terendah" not in page


# ---------------------------------------------------------------- desks


def test_a_new_desk_chooses_its_survey_kind(app, admin, world):
    page = admin.get("/kelola/alpha/survei/").get_data(as_text=True)
    assert 'href="/kelola/alpha/survei/loket/baru"' in page
    r = post_form(
        admin,
        "/kelola/alpha/survei/loket/baru",
        {"unit_id": str(world["alpha"]["unit"]), "name": "Loket SKM", "kind": "skm"},
    )
    assert r.status_code == 302
    with app.app_context():
        desk = db.session.scalars(db.select(Desk).filter_by(name="Loket SKM")).one()
        token = desk.qr_token
    page = app.test_client().get(f"/s/{token}").get_data(as_text=True)
    assert "Persyaratan" in page and "Data responden" in page  # the full SKM, not the quick survey
    # The desk list links to its poster.
    index = admin.get("/kelola/alpha/survei/").get_data(as_text=True)
    assert f'href="/kelola/alpha/survei/loket/{desk.id}/poster"' in index


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"unit_id": "BETA"}, "Pilih unit layanan instansi ini."),
        ({"name": "Loket 1"}, "Unit ini sudah punya loket dengan nama tersebut."),
        ({"name": " "}, "Kolom ini wajib diisi."),
        ({"kind": "kiosk-x"}, "Pilihan tidak valid."),
    ],
)
def test_a_bad_new_desk_is_explained_and_nothing_stored(app, admin, world, changes, message):
    if changes.get("unit_id") == "BETA":
        changes["unit_id"] = str(world["beta"]["unit"])
    data = {"unit_id": str(world["alpha"]["unit"]), "name": "Loket Baru", "kind": "cepat"} | changes
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count(Desk.id)))
    r = post_form(admin, "/kelola/alpha/survei/loket/baru", data)
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Desk.id))) == before


def test_changing_the_qr_code_asks_first_and_says_what_happens(app, admin, world, desk):
    url = f"/kelola/alpha/survei/loket/{world['alpha']['desk']}/ganti-token"
    settings = admin.get(f"/kelola/alpha/survei/loket/{world['alpha']['desk']}").get_data(as_text=True)
    assert f'href="{url}"' in settings  # a link to the question, not a one-click button
    page = admin.get(url).get_data(as_text=True)
    assert "Setiap poster yang sudah dicetak untuk loket ini berhenti berfungsi seketika." in page
    assert "Ya, ganti kode QR" in page and "Batal" in page
    assert app.test_client().get(f"/s/{desk}").status_code == 200  # asking changed nothing
    assert post_form(admin, url, {}).status_code == 302
    assert app.test_client().get(f"/s/{desk}").status_code == 404


def test_a_plan_sent_twice_is_stored_once(admin, world, periods):
    for _ in range(2):
        assert post_form(admin, "/kelola/alpha/survei/rtl/baru", _plan_data(world)).status_code == 302
    with admin.application.app_context():
        assert db.session.scalar(db.select(db.func.count(SurveiFollowUp.id))) == 1
