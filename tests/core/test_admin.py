"""Admin pages: creating and editing tenancy data, with clear errors."""

from __future__ import annotations

import io
import re

from portal.core.models import AuditLog, Desk, Officer, Unit, User
from portal.extensions import db
from portal.testing import PASSWORD, login, nip, post_form


def _admin(client, world, slug="alpha"):
    login(client, world[slug]["emails"]["admin"])


def test_unit_desk_officer_user_can_be_created(app, client, world):
    _admin(client, world)
    for form in ("loket", "pegawai", "pengguna"):  # new records start active
        page = client.get(f"/kelola/alpha/{form}/baru").get_data(as_text=True)
        assert '<input checked id="active" name="active" type="checkbox"' in page, form
    r = post_form(client, "/kelola/alpha/unit/baru", {"name": "Pelayanan Akta", "address": "Jl. Merdeka 1"})
    assert r.status_code == 302
    with app.app_context():
        unit = db.session.execute(db.select(Unit).filter_by(name="Pelayanan Akta")).scalar_one()
    r = post_form(client, "/kelola/alpha/loket/baru", {"unit_id": unit.id, "name": "Loket 9", "active": "y"})
    assert r.status_code == 302
    r = post_form(
        client,
        "/kelola/alpha/pegawai/baru",
        {
            "nip": nip(100),
            "name": "Sari Dewi",
            "position": "Operator",
            "unit_id": unit.id,
            "supervisor_id": world["alpha"]["boss"],
            "active": "y",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    with app.app_context():
        officer = db.session.execute(db.select(Officer).filter_by(nip=nip(100))).scalar_one()
        assert (officer.agency_id, officer.unit_id, officer.supervisor_id) == (
            world["alpha"]["agency"],
            unit.id,
            world["alpha"]["boss"],
        )
        desk = db.session.execute(db.select(Desk).filter_by(name="Loket 9")).scalar_one()
        assert len(desk.qr_token) >= 20
    r = post_form(
        client,
        "/kelola/alpha/pengguna/baru",
        {
            "email": "Sari@Alpha.example",
            "name": "Sari Dewi",
            "role": "officer",
            "officer_id": officer.id,
            "password": "sandi-panjang-sekali",
            "active": "y",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    client.post("/keluar", data={"csrf_token": ""})
    new = app.test_client()
    assert login(new, "sari@alpha.example", "sandi-panjang-sekali").status_code == 302
    assert new.get("/kinerja/").headers["Location"] == f"/kinerja/pegawai/{officer.id}"
    page = client.get("/kelola/alpha/audit").get_data(as_text=True)
    for action in ("unit_saved", "desk_saved", "officer_saved", "user_saved"):
        assert action in page


def test_duplicates_are_form_errors_not_crashes(app, client, world):
    _admin(client, world)
    r = post_form(client, "/kelola/alpha/unit/baru", {"name": "Pelayanan Umum"})
    assert r.status_code == 200 and "Unit dengan nama ini sudah ada." in r.get_data(as_text=True)
    # A NIP already registered in this agency is refused by name.
    with app.app_context():
        alpha_nip = db.session.get(Officer, world["alpha"]["staff"]).nip
        beta_nip = db.session.get(Officer, world["beta"]["staff"]).nip
    r = post_form(
        client,
        "/kelola/alpha/pegawai/baru",
        {"nip": alpha_nip, "name": "Kembar", "unit_id": 0, "supervisor_id": 0},
    )
    assert r.status_code == 200 and "NIP ini sudah terdaftar." in r.get_data(as_text=True)
    # Another agency's NIP is a new employment here: nothing says it exists elsewhere.
    r = post_form(
        client,
        "/kelola/alpha/pegawai/baru",
        {"nip": beta_nip, "name": "Pindahan", "unit_id": 0, "supervisor_id": 0},
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Officer.id)).filter_by(nip=beta_nip)) == 2
    r = post_form(
        client,
        "/kelola/alpha/pengguna/baru",
        {
            "email": world["beta"]["emails"]["admin"],
            "name": "X",
            "role": "admin",
            "officer_id": 0,
            "password": "sandi-panjang-sekali",
        },
    )
    assert "E-mail ini sudah dipakai akun lain." in r.get_data(as_text=True)
    r = post_form(client, "/kelola/alpha/loket/baru", {"unit_id": world["alpha"]["unit"], "name": "Loket 1"})
    assert "Unit ini sudah punya loket dengan nama tersebut." in r.get_data(as_text=True)


def test_invalid_nip_is_explained_on_the_form(client, world):
    _admin(client, world)
    r = post_form(
        client,
        "/kelola/alpha/pegawai/baru",
        {"nip": "198503122010013004", "name": "A", "unit_id": 0, "supervisor_id": 0},
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "Digit 15 NIP (jenis kelamin) harus 1 (laki-laki) atau 2 (perempuan), bukan 3." in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="nip-error"' in page


def test_required_fields_are_explained_in_indonesian(client, world):
    _admin(client, world)
    page = post_form(client, "/kelola/alpha/unit/baru", {"name": ""}).get_data(as_text=True)
    assert "Kolom ini wajib diisi." in page
    page = post_form(
        client,
        "/kelola/alpha/pengguna/baru",
        {"email": "bukan-email", "name": "X", "role": "officer", "officer_id": 0, "password": "pendek"},
    ).get_data(as_text=True)
    assert "Alamat e-mail tidak valid." in page
    assert "Panjang isian harus 10–128 karakter." in page
    assert "Atasan dan pegawai harus dikaitkan dengan data pegawai." in page


def test_supervisor_cannot_be_own_subordinate(client, world):
    _admin(client, world)
    w = world["alpha"]
    r = post_form(
        client,
        f"/kelola/alpha/pegawai/{w['boss']}",
        {"nip": nip(0), "name": "Atasan alpha", "unit_id": 0, "supervisor_id": w["staff"]},
    )
    assert "Bawahan tidak dapat menjadi atasan." in r.get_data(as_text=True)


def test_rotating_a_desk_token_changes_it_and_is_audited(app, client, world):
    _admin(client, world)
    with app.app_context():
        before = db.session.get(Desk, world["alpha"]["desk"]).qr_token
    r = post_form(
        client,
        f"/kelola/alpha/survei/loket/{world['alpha']['desk']}/ganti-token",
        token_from=f"/kelola/alpha/survei/loket/{world['alpha']['desk']}",
    )
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Desk, world["alpha"]["desk"]).qr_token != before
        assert db.session.execute(db.select(AuditLog).filter_by(action="desk_token_rotated")).scalar_one()


def test_admin_cannot_lock_themselves_out(app, client, world):
    _admin(client, world)
    with app.app_context():
        me = db.session.execute(
            db.select(User).filter_by(email=world["alpha"]["emails"]["admin"])
        ).scalar_one()
    r = post_form(
        client,
        f"/kelola/alpha/pengguna/{me.id}",
        {"email": me.email, "name": me.name, "role": "admin", "officer_id": 0},
    )
    assert "tidak dapat mengubah peran atau menonaktifkan akun Anda sendiri" in r.get_data(as_text=True)


CSV_OK = (
    "nip;nama;jabatan;unit;nip_atasan\n"
    f"{nip(200)};Budi Santoso;Kepala Seksi;Pelayanan Umum;\n"
    f"{nip(201)};Ani Wulandari;Operator;Pelayanan Umum;{nip(200)}\n"
)


def _upload(client, text, name="pegawai.csv"):
    return post_form(
        client,
        "/kelola/alpha/pegawai/impor",
        {"file": (io.BytesIO(text.encode("utf-8")), name)},
        content_type="multipart/form-data",
    )


def test_csv_import_creates_and_updates_officers(app, client, world):
    _admin(client, world)
    r = _upload(client, "\ufeff" + CSV_OK)
    assert r.status_code == 302
    page = client.get("/kelola/alpha/pegawai").get_data(as_text=True)
    assert "Impor selesai: 2 pegawai baru, 0 diperbarui." in page
    r = _upload(client, CSV_OK.replace("Operator", "Operator Senior"))
    assert "0 pegawai baru, 2 diperbarui" in client.get("/kelola/alpha/pegawai").get_data(as_text=True)
    with app.app_context():
        ani = db.session.execute(db.select(Officer).filter_by(nip=nip(201))).scalar_one()
        assert ani.position == "Operator Senior" and ani.supervisor.nip == nip(200)


def test_csv_import_reports_every_bad_row_and_saves_nothing(app, client, world):
    _admin(client, world)
    with app.app_context():
        beta_nip = db.session.get(Officer, world["beta"]["staff"]).nip
        before = db.session.scalar(db.select(db.func.count(Officer.id)))
    bad = (
        "nip,nama,jabatan,unit,nip_atasan\n"
        f"{nip(300)},Baik Sekali,Staf,,\n"
        "12345,Salah NIP,Staf,,\n"
        f"{nip(301)},,Staf,,\n"
        f"{nip(302)},Unit Salah,Staf,Tidak Ada,\n"
        f"{beta_nip},Pindahan dari Beta,Staf,,\n"  # another agency's NIP: a new employment here
        f"{nip(300)},Ganda,Staf,,\n"
        f"{nip(303)},Atasan Hilang,Staf,,{nip(399)}\n"
    )
    page = _upload(client, bad).get_data(as_text=True)
    assert "5 baris salah; tidak ada yang disimpan" in page and "instansi lain" not in page
    for expected in (
        "Baris 3",
        "NIP harus 18 digit",
        "Baris 4",
        "Nama wajib diisi.",
        "Baris 5",
        "Unit &#39;Tidak Ada&#39; tidak ada di instansi ini.",
        "Baris 7",
        "sudah ada di baris 2",
        "Baris 8",
        "tidak ditemukan di instansi ini",
    ):
        assert expected in page, expected
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Officer.id))) == before


def test_csv_import_rejects_non_utf8_and_empty_files(client, world):
    _admin(client, world)
    r = post_form(
        client,
        "/kelola/alpha/pegawai/impor",
        {"file": (io.BytesIO("nip,nama\n1,\xe9".encode("latin-1")), "x.csv")},
        content_type="multipart/form-data",
    )
    assert "Berkas bukan CSV berkode UTF-8." in r.get_data(as_text=True)
    assert "Berkas tidak berisi baris data." in _upload(client, "nip,nama\n").get_data(as_text=True)


def test_superadmin_creates_an_agency_and_slug_rules_hold(app, client, world):
    login(client, world["superadmin"])
    r = post_form(
        client,
        "/kelola/instansi/baru",
        {"name": "Dinas Sosial", "slug": "Dinsos", "timezone": "Asia/Makassar"},
    )
    assert r.status_code == 302 and r.headers["Location"] == "/kelola/dinsos/modul"
    assert client.get("/dinsos/").status_code == 200
    for slug, message in (
        ("alpha", "sudah dipakai"),
        ("kelola", "dipakai oleh sistem"),
        ("dinas sosial", "huruf kecil, angka dan tanda hubung"),
    ):
        page = post_form(
            client, "/kelola/instansi/baru", {"name": "X", "slug": slug, "timezone": "Asia/Jakarta"}
        ).get_data(as_text=True)
        assert message in page, slug
    assert PASSWORD


def test_agency_logo_is_checked_by_content_cleaned_and_shown(app, client, world):
    import io

    from PIL import Image

    from portal.core.models import Agency

    login(client, world["alpha"]["emails"]["admin"])
    url = "/kelola/alpha/profil"
    base = {"name": "Dinas Alpha", "description": "", "timezone": "Asia/Jakarta"}
    # A script named like an image is refused by its content, in Indonesian.
    fake = (io.BytesIO(b"<script>alert(1)</script>"), "logo.png")
    page = post_form(client, url, {**base, "logo": fake}, content_type="multipart/form-data")
    assert page.status_code == 200
    assert "Logo harus gambar PNG, JPEG, atau WebP." in page.get_data(as_text=True)
    # A real JPEG with GPS metadata: stored as a clean PNG, 96 px high.
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (6.0, 12.0, 0.0)}  # GPSInfo
    Image.new("RGB", (400, 200), "navy").save(photo, "JPEG", exif=exif)
    photo.seek(0)
    answer = post_form(client, url, {**base, "logo": (photo, "logo.jpg")}, content_type="multipart/form-data")
    assert answer.status_code == 302
    with app.app_context():
        stored = db.session.get(Agency, world["alpha"]["agency"]).logo
    image = Image.open(io.BytesIO(stored))
    assert image.format == "PNG" and image.size == (192, 96) and not image.getexif()
    home = client.get("/alpha/").get_data(as_text=True)
    src = re.search(r'<img class="logo" src="([^"]+)"', home).group(1)
    served = app.test_client().get(src)
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data == stored
    # Removed again: no image on the pages, and the address answers 404.
    post_form(client, url, {**base, "remove_logo": "y"}, content_type="multipart/form-data")
    assert '<img class="logo"' not in client.get("/alpha/").get_data(as_text=True)
    assert app.test_client().get("/alpha/logo.png").status_code == 404


def test_agency_contact_is_validated_and_shown_in_every_footer(app, client, world):
    from portal.core.models import Agency

    login(client, world["alpha"]["emails"]["admin"])
    url = "/kelola/alpha/profil"
    base = {"name": "Dinas Alpha", "description": "", "timezone": "Asia/Jakarta"}
    contact = {
        "address": "Jl. Veteran No. 12\nSukamaju 43111",
        "phone": "(0266) 221234",
        "service_hours": "Senin–Jumat 08.00–15.00",
        "complaint_hotline": "+62 812-3456-7890",
    }
    # Not stored while staff pages say it is missing.
    assert "belum diisi" in client.get("/kelola/alpha/").get_data(as_text=True)
    assert "belum diisi" not in app.test_client().get("/alpha/").get_data(as_text=True)  # not to citizens
    for field, value, message in (
        ("phone", "telepon kantor", "Tulis nomor dengan angka saja"),
        ("phone", "0266 2", "Nomor telepon terdiri atas 6 sampai 15 angka."),
        ("phone", "0266 2212 3456 7890 12", "Nomor telepon terdiri atas 6 sampai 15 angka."),
        ("phone", "0266 - 221 - 234 - 567 - 8 - 9 - 0", "Paling banyak 30 karakter."),
        ("phone", "62+266221234", "Tulis nomor dengan angka saja"),
        ("complaint_hotline", "12", "Nomor telepon terdiri atas 3 sampai 15 angka."),
        ("address", "x" * 301, "Paling banyak 300 karakter."),
        ("service_hours", "x" * 201, "Paling banyak 200 karakter."),
    ):
        answer = post_form(client, url, {**base, **contact, field: value}, content_type="multipart/form-data")
        page = answer.get_data(as_text=True)
        assert answer.status_code == 200 and message in page, (field, value)
        # The summary at the top of the form names the field and links to it.
        assert re.search(
            rf'<div class="error-summary" id="ringkasan-galat"[^>]*>.*href="#{field}"', page, re.S
        )
        with app.app_context():
            assert db.session.get(Agency, world["alpha"]["agency"]).phone == ""
    answer = post_form(client, url, {**base, **contact}, content_type="multipart/form-data")
    assert answer.status_code == 302
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        assert (agency.phone, agency.complaint_hotline) == ("(0266) 221234", "+62 812-3456-7890")
    for page_url in ("/alpha/", "/alpha/pengaduan/baru", "/alpha/survei/"):
        page = app.test_client().get(page_url).get_data(as_text=True)
        footer = page[page.index("<footer") :]
        for shown in (
            "Sukamaju 43111",
            "Senin–Jumat 08.00–15.00",
            'href="tel:0266221234"',
            'href="tel:+6281234567890"',
        ):
            assert shown in footer, (page_url, shown)
    assert "Sukamaju 43111" in client.get("/kelola/alpha/unit").get_data(as_text=True)  # staff pages too
    assert "Sukamaju 43111" not in app.test_client().get("/beta/").get_data(as_text=True)  # only its own
    # A post without the contact fields (an older form, a script) keeps them, and a new
    # agency made without them has them empty: never a database error.
    answer = post_form(client, url, base, content_type="multipart/form-data")
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(Agency, world["alpha"]["agency"]).phone == "(0266) 221234"
    root = app.test_client()
    login(root, world["superadmin"])
    answer = post_form(
        root, "/kelola/instansi/baru", {"name": "Dinas Sosial", "slug": "dinsos", "timezone": "Asia/Jakarta"}
    )
    assert answer.status_code == 302
    with app.app_context():
        made = db.session.scalars(db.select(Agency).filter_by(slug="dinsos")).one()
        assert (made.address, made.phone, made.service_hours, made.complaint_hotline) == ("", "", "", "")


def test_the_agency_name_is_in_the_header_not_repeated_as_the_heading(client, world):
    page = client.get("/alpha/").get_data(as_text=True)
    assert '<span class="brand-name">Dinas Alpha</span>' in page
    assert "<h1>Dinas Alpha</h1>" not in page and "<h1>Layanan daring untuk warga</h1>" in page
    assert 'class="logo emblem"' in page  # no logo yet: the neutral emblem


def test_error_summary_links_each_field_and_comes_with_its_script_only_then(client, world):
    login(client, world["alpha"]["emails"]["admin"])
    empty = client.get("/kelola/alpha/unit/baru").get_data(as_text=True)
    assert "ringkasan-galat" not in empty and "<script" not in empty
    answer = post_form(client, "/kelola/alpha/unit/baru", {"name": "", "address": "x" * 301})
    page = answer.get_data(as_text=True)
    summary = page[
        page.index('<div class="error-summary"') : page.index("</div>", page.index("error-summary"))
    ]
    assert 'tabindex="-1"' in summary and "Periksa kembali isian yang ditandai." in summary
    assert '<a href="#name">Nama unit layanan: Kolom ini wajib diisi.</a>' in summary
    assert '<a href="#address">Alamat: Paling banyak 300 karakter.</a>' in summary
    assert re.search(r'<script src="/static/forms\.js\?v=\w+" defer></script>', page)
    assert page.index("ringkasan-galat") < page.index('id="name"')  # above the fields
