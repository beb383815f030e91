"""Staff side of the survey: posters, report and exports, moderation, rosters."""

from __future__ import annotations

import csv
import io
import re

import pytest
import zxingcpp
from openpyxl import load_workbook
from PIL import Image

from plugins.survei import poster
from plugins.survei.models import SurveiQuestion, SurveiRoster
from portal.core.models import Desk
from portal.extensions import db
from portal.testing import login, post_form
from tests.survei.conftest import open_form, set_kind

ANSWERS = [  # the hand-computed data set of test_skm: IKM 82.64 (B)
    [4, 4, 4, 4, 4, 4, 4, 4, 4],
    [3, 3, 3, 3, 3, 3, 3, 3, 3],
    [4, 3, 4, 3, 4, 3, 4, 3, 4],
    [2, 3, 3, 4, 3, 3, 3, 2, 1],
]


def _submit_skm(app, token, answers, **extra):
    citizen = app.test_client()  # each respondent has their own phone
    fields, _ = open_form(citizen, f"/s/{token}")
    data = {**fields, **{f"u{i + 1}": str(v) for i, v in enumerate(answers)}, **extra}
    assert citizen.post(f"/s/{token}", data=data).status_code == 302


@pytest.fixture
def answered(app, world, desk):
    set_kind(app, world["alpha"]["desk"], "skm")
    for i, row in enumerate(ANSWERS):
        _submit_skm(
            app,
            desk,
            row,
            sex="P" if i % 2 else "L",
            comment='=HYPERLINK("http://x")' if i == 3 else ("Ruang tunggu panas" if i == 0 else ""),
        )
    return desk


def _admin(client, world):
    login(client, world["alpha"]["emails"]["admin"])


def test_report_shows_nrr_ikm_grade_profile_and_suggestions(client, world, answered):
    _admin(client, world)
    page = client.get(f"/kelola/alpha/survei/laporan?unit={world['alpha']['unit']}").get_data(as_text=True)
    assert "82,64" in page and "<strong>B</strong> (Baik)" in page
    assert "Jumlah responden: 4" in page
    assert "3,250" in page and "3,500" in page  # NRR per unsur
    assert "Ruang tunggu panas" in page
    assert re.search(r"Laki-laki</td><td>2</td>", page) and re.search(r"Perempuan</td><td>2</td>", page)
    # The whole agency: the same respondents, the unit in the per-unit table.
    page = client.get("/kelola/alpha/survei/laporan").get_data(as_text=True)
    assert "82,64" in page and "Pelayanan Umum" in page


def test_krejcie_morgan_minimum_against_entered_population(client, world, answered):
    _admin(client, world)
    url = f"/kelola/alpha/survei/laporan?unit={world['alpha']['unit']}"
    r = post_form(client, url, {"users": "300"})
    assert r.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "untuk 300 pengguna layanan: 169" in page and "belum mencukupi" in page
    page = post_form(client, url, {"users": "nol"}).get_data(as_text=True)
    assert "Harus berupa bilangan bulat." in page


def test_report_exports(client, world, answered):
    _admin(client, world)
    query = f"unit={world['alpha']['unit']}"
    r = client.get(f"/kelola/alpha/survei/laporan.csv?{query}")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["IKM (konversi x 25)", "82.64"] in rows
    assert ["Mutu pelayanan", "B (Baik)"] in rows
    assert ["1", "Persyaratan", "3.2500", "0.3611"] in rows
    assert any(row[-1] == '\'=HYPERLINK("http://x")' for row in rows if row)  # formula neutralised
    r = client.get(f"/kelola/alpha/survei/laporan.xlsx?{query}")
    book = load_workbook(io.BytesIO(r.data))
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert ["IKM (konversi x 25)", 82.64] in [v[:2] for v in values]  # a number, not text
    assert client.get(f"/kelola/alpha/survei/laporan.pdf?{query}").mimetype == "application/pdf"
    assert client.get(f"/kelola/alpha/survei/laporan.doc?{query}").status_code == 404


def test_public_results_show_ikm_but_no_free_text(client, world, answered):
    page = client.get("/alpha/survei/hasil").get_data(as_text=True)
    assert "82,64" in page and "Pelayanan Umum" in page
    assert "Ruang tunggu panas" not in page and "HYPERLINK" not in page


def test_comments_reach_the_officer_record_only_after_moderation(app, client, world, answered):
    officer_client = app.test_client()
    login(officer_client, world["alpha"]["emails"]["officer"])
    record = f"/kinerja/pegawai/{world['alpha']['staff']}"
    assert "Ruang tunggu panas" not in officer_client.get(record).get_data(as_text=True)
    _admin(client, world)
    page = client.get("/kelola/alpha/survei/moderasi").get_data(as_text=True)
    assert "Ruang tunggu panas" in page
    from plugins.survei.models import SurveiResponse

    with app.app_context():
        ids = {r.comment: r.id for r in db.session.scalars(db.select(SurveiResponse))}
    post_form(
        client,
        "/kelola/alpha/survei/moderasi",
        {"response_id": ids["Ruang tunggu panas"], "keputusan": "setujui"},
    )
    post_form(
        client,
        "/kelola/alpha/survei/moderasi",
        {"response_id": ids['=HYPERLINK("http://x")'], "keputusan": "tolak"},
    )
    page = officer_client.get(record).get_data(as_text=True)
    assert "Ruang tunggu panas" in page and "HYPERLINK" not in page
    assert "Tidak ada komentar yang menunggu moderasi." in client.get(
        "/kelola/alpha/survei/moderasi"
    ).get_data(as_text=True)


def test_dashboard_widget_and_record(client, world, answered):
    _admin(client, world)
    page = client.get("/kelola/alpha/").get_data(as_text=True)
    assert "Survei kepuasan" in page and "Hari ini: 4 penilaian." in page and "82,64" in page
    page = client.get(f"/kinerja/pegawai/{world['alpha']['staff']}?periode=tahun").get_data(as_text=True)
    assert "4 penilaian" in page


@pytest.mark.parametrize("size", ["a4", "a5"])
def test_posters_decode_to_the_desk_url(app, client, world, desk, size):
    _admin(client, world)
    url = f"http://localhost/s/{desk}"
    r = client.get(f"/kelola/alpha/survei/loket/{world['alpha']['desk']}/poster-{size}.png")
    assert r.status_code == 200 and r.mimetype == "image/png"
    image = Image.open(io.BytesIO(r.data))
    assert image.size == (int(poster.SIZES[size][0] * 150 / 25.4), int(poster.SIZES[size][1] * 150 / 25.4))
    [decoded] = zxingcpp.read_barcodes(image)
    assert decoded.text == url
    r = client.get(f"/kelola/alpha/survei/loket/{world['alpha']['desk']}/poster-{size}.svg")
    svg = r.get_data(as_text=True)
    assert r.mimetype == "image/svg+xml" and f'width="{poster.SIZES[size][0]}mm"' in svg
    assert poster.qr_svg_path(url)[0] in svg and "Pindai kode QR ini" in svg
    page = client.get(f"/kelola/alpha/survei/loket/{world['alpha']['desk']}/poster?ukuran={size}")
    assert page.status_code == 200
    sheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.get_data(as_text=True)).group(1)
    css = client.get(sheet)
    assert css.status_code == 200 and f"size: {size.upper()}" in css.get_data(as_text=True)
    css.close()


@pytest.mark.parametrize("size", ["a4", "a5"])
def test_posters_carry_the_agency_logo_and_still_decode(app, client, world, desk, size):
    from portal.core.models import Agency
    from portal.core.util.logo import prepare

    red = io.BytesIO()
    Image.new("RGB", (300, 300), (200, 20, 30)).save(red, "PNG")
    with app.app_context():
        db.session.get(Agency, world["alpha"]["agency"]).logo = prepare(red.getvalue())
        db.session.commit()
    _admin(client, world)
    base = f"/kelola/alpha/survei/loket/{world['alpha']['desk']}/poster-{size}"
    image = Image.open(io.BytesIO(client.get(base + ".png").data)).convert("RGB")
    [decoded] = zxingcpp.read_barcodes(image)
    assert decoded.text == f"http://localhost/s/{desk}"
    top = image.crop((0, 0, image.width, int(image.height * 0.06)))
    assert (200, 20, 30) in {pixel for _count, pixel in top.getcolors(1 << 20)}  # the logo, above the name
    assert '<image x="' in client.get(base + ".svg").get_data(as_text=True)
    page = client.get(f"/kelola/alpha/survei/loket/{world['alpha']['desk']}/poster?ukuran={size}")
    assert 'href="data:image/png;base64,' in page.get_data(as_text=True)


def test_svg_qr_matches_the_png_qr(app):
    url = "https://portal.example/s/abc"
    path, modules = poster.qr_svg_path(url)
    image = Image.new("L", (modules * 8, modules * 8), 255)
    for cell in re.finditer(r"M(\d+) (\d+)h(\d+)", path):
        x, y, w = map(int, cell.groups())
        image.paste(0, (x * 8, y * 8, (x + w) * 8, (y + 1) * 8))
    [decoded] = zxingcpp.read_barcodes(image)
    assert decoded.text == url


def test_roster_and_desk_kind_are_managed_by_the_admin(app, client, world, desk):
    _admin(client, world)
    url = f"/kelola/alpha/survei/loket/{world['alpha']['desk']}"
    page = post_form(
        client,
        url,
        {"r-officer_id": world["alpha"]["boss"], "r-weekday": "0", "r-start": "12:00", "r-end": "08:00"},
    ).get_data(as_text=True)
    assert "Jam selesai harus setelah jam mulai." in page
    r = post_form(
        client,
        url,
        {"r-officer_id": world["alpha"]["boss"], "r-weekday": "0", "r-start": "08:00", "r-end": "12:00"},
    )
    assert r.status_code == 302
    r = post_form(client, url, {"s-kind": "skm"})
    assert r.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Senin" in page and "08:00–12:00" in page and "Atasan alpha" in page
    with app.app_context():
        shift = db.session.scalars(db.select(SurveiRoster).filter_by(officer_id=world["alpha"]["boss"])).one()
    assert post_form(client, f"{url}/jadwal/{shift.id}/hapus", token_from=url).status_code == 302
    # A shift of another desk is not reachable through this desk.
    with app.app_context():
        other = db.session.scalars(db.select(SurveiRoster)).first()
    assert (
        post_form(
            client,
            f"/kelola/alpha/survei/loket/{world['beta']['desk']}/jadwal/{other.id}/hapus",
            token_from=url,
        ).status_code
        == 404
    )


def test_questions_are_managed_with_clear_errors(app, client, world):
    _admin(client, world)
    page = post_form(
        client,
        "/kelola/alpha/survei/pertanyaan",
        {
            "unit_id": world["alpha"]["unit"],
            "text": "Pilih satu",
            "type": "choice",
            "choices": "Hanya satu",
            "position": "1",
            "active": "y",
        },
    ).get_data(as_text=True)
    assert "Isi paling sedikit dua pilihan, satu per baris." in page
    r = post_form(
        client,
        "/kelola/alpha/survei/pertanyaan",
        {
            "unit_id": world["alpha"]["unit"],
            "text": "Pilih satu",
            "type": "choice",
            "choices": "A\nB",
            "position": "1",
            "active": "y",
        },
    )
    assert r.status_code == 302
    page = post_form(
        client,
        "/kelola/alpha/survei/pertanyaan",
        {"unit_id": world["beta"]["unit"], "text": "Ke unit lain", "type": "text"},
    ).get_data(as_text=True)
    assert "Pilihan tidak valid." in page
    with app.app_context():
        assert db.session.scalars(db.select(SurveiQuestion.text)).all() == ["Pilih satu"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", (200, 200)),
        ("supervisor", (403, 200)),
        ("officer", (403, 403)),
        ("other_admin", (404, 404)),
    ],
)
def test_staff_survey_pages_matrix(client, world, role, expected):
    slug = "beta" if role.startswith("other_") else "alpha"
    login(client, world[slug]["emails"][role.removeprefix("other_")])
    codes = (
        client.get("/kelola/alpha/survei/").status_code,
        client.get("/kelola/alpha/survei/laporan").status_code,
    )
    assert codes == expected
    with client.application.app_context():
        desk_id = db.session.scalars(db.select(Desk.id).filter_by(unit_id=world["alpha"]["unit"])).first()
    poster_code = client.get(f"/kelola/alpha/survei/loket/{desk_id}/poster-a4.png").status_code
    assert poster_code == expected[0]


def test_report_shows_answers_to_the_agencys_own_questions(app, client, world, desk):
    with app.app_context():
        unit = world["alpha"]["unit"]
        rows = [
            SurveiQuestion(
                unit_id=unit,
                position=1,
                text="Dari mana Anda tahu layanan ini?",
                type="choice",
                choices="Teman\nMedia sosial",
                required=False,
                active=True,
            ),
            SurveiQuestion(
                unit_id=unit,
                position=2,
                text="Kebersihan ruang tunggu",
                type="scale5",
                required=False,
                active=True,
            ),
            SurveiQuestion(
                unit_id=unit,
                position=3,
                text="Apa yang perlu diperbaiki?",
                type="text",
                required=False,
                active=True,
            ),
        ]
        db.session.add_all(rows)
        db.session.commit()
        choice, scale, text = (q.id for q in rows)
    for source, clean, wish in (
        ("Teman", "5", "Kursi tunggu"),
        ("Teman", "4", ""),
        ("Media sosial", "3", "Papan antrean"),
    ):
        citizen = app.test_client()
        fields, _ = open_form(citizen, f"/s/{desk}")
        data = {**fields, "face": "4", f"q{choice}": source, f"q{scale}": clean, f"q{text}": wish}
        assert citizen.post(f"/s/{desk}", data=data).status_code == 302
    _admin(client, world)
    page = client.get(f"/kelola/alpha/survei/laporan?unit={world['alpha']['unit']}").get_data(as_text=True)
    assert "Pertanyaan tambahan" in page
    assert re.search(r"<td>Teman</td><td>2</td>", page)
    assert re.search(r"<td>Media sosial</td><td>1</td>", page)
    assert "rata-rata 4,00" in page and re.search(r"<td>5</td><td>1</td>", page)
    assert "<li>Kursi tunggu</li>" in page and "<li>Papan antrean</li>" in page
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/kelola/alpha/survei/laporan.csv?unit={world['alpha']['unit']}")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert ["Pertanyaan tambahan", "Kebersihan ruang tunggu", "3"] in rows and ["Rata-rata", "4.00"] in rows
    # Text answers stay on staff pages: the public results never show them.
    assert "Kursi tunggu" not in client.get("/alpha/survei/hasil").get_data(as_text=True)
