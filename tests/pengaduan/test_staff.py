"""Staff queue, filters, bulk actions, statistics, exports and settings."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from plugins.pengaduan.models import PengaduanCategory, PengaduanSettings, PengaduanTicket
from portal.extensions import db
from portal.testing import login, post_form
from tests.pengaduan.test_pengaduan import _file, _ticket


def _admin(app, world):
    client = app.test_client()
    login(client, world["alpha"]["emails"]["admin"])
    return client


def test_queue_filters_search_and_bulk(app, client, cats, world):
    for title in ("Loket satu kosong pagi ini", "Biaya tidak resmi di loket"):
        _file(client, cats, title=title)
    admin = _admin(app, world)
    page = admin.get("/kelola/alpha/pengaduan/").get_data(as_text=True)
    assert "Loket satu kosong" in page and "Biaya tidak resmi" in page
    page = admin.get("/kelola/alpha/pengaduan/?q=biaya").get_data(as_text=True)
    assert "Biaya tidak resmi" in page and "Loket satu kosong" not in page
    with app.app_context():
        codes = db.session.scalars(db.select(PengaduanTicket.reference).order_by(PengaduanTicket.id)).all()
        secrets = db.session.scalars(db.select(PengaduanTicket.code).order_by(PengaduanTicket.id)).all()
    for url in (
        "/kelola/alpha/pengaduan/",
        f"/kelola/alpha/pengaduan/tiket/{codes[0]}",
        "/kelola/alpha/pengaduan/ekspor.csv?status=semua",
    ):
        page = admin.get(url).get_data(as_text=True)
        # Staff see the reference, never the citizen's tracking code.
        assert codes[0] in page and not any(secret in page for secret in secrets), url
    # A citizen reading their tracking code out on the phone is still found.
    found = admin.get("/kelola/alpha/pengaduan/", query_string={"q": secrets[1]}).get_data(as_text=True)
    assert codes[1] in found and codes[0] not in found
    r = post_form(
        admin,
        "/kelola/alpha/pengaduan/massal",
        {"action": "verify", "codes": codes},
        token_from="/kelola/alpha/pengaduan/",
    )
    assert r.status_code == 302
    assert "2 pengaduan diproses" in admin.get("/kelola/alpha/pengaduan/").get_data(as_text=True)
    r = post_form(
        admin,
        "/kelola/alpha/pengaduan/massal",
        {"action": "assign", "codes": codes[:1], "officer_id": world["alpha"]["staff"]},
        token_from="/kelola/alpha/pengaduan/",
    )
    assert _ticket(app, secrets[0]).status == "diproses"
    page = admin.get(f"/kelola/alpha/pengaduan/?status=diproses&petugas={world['alpha']['staff']}")
    assert codes[0] in page.get_data(as_text=True) and codes[1] not in page.get_data(as_text=True)
    # The officer's queue holds only what is assigned to them.
    officer = app.test_client()
    login(officer, world["alpha"]["emails"]["officer"])
    page = officer.get("/kelola/alpha/pengaduan/").get_data(as_text=True)
    assert codes[0] in page and codes[1] not in page
    assert officer.get("/kelola/alpha/pengaduan/statistik").status_code == 403
    assert (
        post_form(
            officer,
            "/kelola/alpha/pengaduan/massal",
            {"action": "verify", "codes": codes},
            token_from="/kelola/alpha/pengaduan/",
        ).status_code
        == 403
    )


def test_statistics_and_exports(app, client, cats, world):
    _file(client, cats, title="Pengaduan =SUM(A1) berbahaya")
    admin = _admin(app, world)
    page = admin.get("/kelola/alpha/pengaduan/statistik").get_data(as_text=True)
    assert "Tanpa unit" in page and "<svg" in page
    r = admin.get("/kelola/alpha/pengaduan/ekspor.csv?status=semua")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["nomor_referensi", "dibuat", "jenis", "judul", "status"]
    assert rows[1][0] == _ticket(app).reference
    assert rows[1][3] == "Pengaduan =SUM(A1) berbahaya" and rows[1][4] == "baru"
    r = admin.get("/kelola/alpha/pengaduan/ekspor.xlsx?status=semua")
    values = [[c.value for c in row] for row in load_workbook(io.BytesIO(r.data)).active.iter_rows()]
    assert values[0][0] == "nomor_referensi" and len(values) == 2
    beta = app.test_client()
    login(beta, world["beta"]["emails"]["admin"])
    assert beta.get("/kelola/alpha/pengaduan/ekspor.csv").status_code == 404


def test_settings_change_due_dates(app, client, cats, world):
    admin = _admin(app, world)
    url = "/kelola/alpha/pengaduan/pengaturan"
    page = post_form(
        admin, url, {"form": "sla", "sla-verify_days": "0", "sla-followup_days": "5", "sla-reopen_days": "14"}
    ).get_data(as_text=True)
    assert "Angka harus di antara 1 dan 60." in page
    assert (
        post_form(
            admin,
            url,
            {"form": "sla", "sla-verify_days": "10", "sla-followup_days": "5", "sla-reopen_days": "14"},
        ).status_code
        == 302
    )
    # The cuti bersama are the agency's, in core's calendar; the settings page links there.
    assert "/kelola/alpha/hari-kerja" in admin.get(url).get_data(as_text=True)
    page = post_form(admin, url, {"form": "category", "cat-name": "Dup", "cat-code": "pelayanan"})
    assert "Kode ini sudah dipakai" in page.get_data(as_text=True)
    assert (
        post_form(admin, url, {"form": "category", "cat-name": "Parkir", "cat-code": "parkir"}).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(PengaduanSettings, world["alpha"]["agency"]).verify_days == 10
        assert "parkir" in db.session.scalars(db.select(PengaduanCategory.code)).all()
    supervisor = app.test_client()
    login(supervisor, world["alpha"]["emails"]["supervisor"])
    assert supervisor.get(url).status_code == 403


def test_no_categories_means_a_friendly_closed_page(app, client, world):
    page = client.get("/beta/pengaduan/baru").get_data(as_text=True)
    assert "Pengaduan belum dibuka" in page


def test_nobody_is_assigned_and_no_reason_is_given_by_default(app, client, cats, world):
    """The officer and the rejection reason are explicit choices: the forms
    offer "choose…" first, and sending that back is refused with a message
    next to the field, changing nothing."""
    _file(client, cats)
    ticket = _ticket(app)
    admin = _admin(app, world)
    url = f"/kelola/alpha/pengaduan/tiket/{ticket.reference}"
    page = admin.get(url).get_data(as_text=True)
    assert '<select id="reason" name="reason"><option value="">— pilih alasan —</option>' in page
    assert " selected" not in page.split('id="reason"')[1].split("</select>")[0]
    page = post_form(admin, url, {"action": "reject", "reason": ""}).get_data(as_text=True)
    assert 'id="reason-error" role="alert">Pilih alasan penolakan.' in page
    assert _ticket(app).status == "baru"
    assert post_form(admin, url, {"action": "verify"}).status_code == 302

    page = admin.get(url).get_data(as_text=True)
    officers = page.split('<select id="officer_id" name="officer_id">')[1].split("</select>")[0]
    assert officers.startswith('<option value="">— pilih petugas —</option>') and " selected" not in officers
    for chosen in ("", "abc", str(world["beta"]["staff"])):  # nothing, nonsense, another agency's officer
        answer = post_form(admin, url, {"action": "assign", "officer_id": chosen})
        assert "Pilih petugas yang akan menangani pengaduan ini." in answer.get_data(as_text=True), chosen
        assert _ticket(app).assigned_officer_id is None

    queue = admin.get("/kelola/alpha/pengaduan/").get_data(as_text=True)
    assert '<select id="bulk-officer" name="officer_id"><option value="">— pilih petugas —</option>' in queue
    answer = post_form(
        admin,
        "/kelola/alpha/pengaduan/massal",
        {"action": "assign", "codes": [ticket.reference], "officer_id": ""},
        token_from="/kelola/alpha/pengaduan/",
    )
    assert answer.status_code == 302
    assert "Pilih petugas yang akan menangani pengaduan yang dipilih." in admin.get(
        "/kelola/alpha/pengaduan/"
    ).get_data(as_text=True)
    assert _ticket(app).assigned_officer_id is None
    answer = post_form(admin, url, {"action": "assign", "officer_id": world["alpha"]["staff"]})
    assert answer.status_code == 302 and _ticket(app).assigned_officer_id == world["alpha"]["staff"]


def test_the_late_only_filter_checkbox_sits_by_its_label(app, client, cats, world):
    """The queue page loads the module's stylesheet, whose rule keeps the
    checkbox from stretching away from its label (the browser test looks)."""
    page = _admin(app, world).get("/kelola/alpha/pengaduan/").get_data(as_text=True)
    assert "/alpha/pengaduan/static/pengaduan.css" in page
    css = client.get("/alpha/pengaduan/static/pengaduan.css")
    assert css.status_code == 200 and ".search label.check input { flex:none; }" in css.get_data(as_text=True)
    css.close()
