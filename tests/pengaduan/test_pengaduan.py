"""Complaints: filing, tracking, workflow and permissions, rating, SLA escalation."""

from __future__ import annotations

import datetime as dt
import io
import re
import threading

import pytest

from plugins.pengaduan import codes
from plugins.pengaduan.models import PengaduanTicket
from portal.core.models import Notification, Officer, RatingEvent, User
from portal.core.util.timeutil import utcnow
from portal.extensions import db
from portal.testing import login, post_form
from tests.pengaduan.conftest import FILING, PDF, png_bytes

_C = "[34679ACDEFGHJKMNPQRTWXY]"
CODE_RE = re.compile(rf"^{_C}{{5}}-{_C}{{5}}-{_C}{{5}}$")
REFERENCE_RE = re.compile(rf"^ADU-{_C}{{4}}-{_C}{{4}}$")


def _file(client, cats, **extra):
    data = {**FILING, "category_id": cats["alpha"], **extra}
    return post_form(client, "/alpha/pengaduan/baru", data, content_type="multipart/form-data")


def _ticket(app, code=None):
    with app.app_context():
        query = db.select(PengaduanTicket)
        if code:
            query = query.filter_by(code=code)
        return db.session.scalars(query.order_by(PengaduanTicket.id)).first()


def test_filing_gives_a_code_and_a_public_page_without_personal_data(app, client, cats):
    r = _file(client, cats)
    assert r.status_code == 302, r.get_data(as_text=True)
    ticket = _ticket(app)
    assert CODE_RE.match(ticket.code) and REFERENCE_RE.match(ticket.reference)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert ticket.code in page and "paling lambat" in page
    # The confirmation says which identifier is the secret one.
    assert "Kode pelacakan (rahasiakan)" in page and "jangan bagikan kepada siapa pun" in page
    assert "Nomor referensi" in page and ticket.reference in page
    page = client.get(f"/alpha/pengaduan/lacak/{ticket.code.lower().replace('-', '')}").get_data(as_text=True)
    assert "Petugas tidak ada di loket" in page and "Baru" in page and "Batas verifikasi" in page
    for private in ("Budi Warga", "0812", "budi@warga.example"):
        assert private not in page
    assert ticket.name == "Budi Warga" and ticket.verify_due > ticket.created_at.date()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"name": ""}, "Isi nama Anda, atau pilih kirim tanpa identitas."),
        ({"phone": "", "email": ""}, "Isi nomor telepon atau e-mail"),
        ({"phone": "12ab"}, "Nomor telepon harus 8–15 angka."),
        ({"description": "pendek"}, "Panjang isian harus 20–4000 karakter."),
        ({"category_id": "999"}, "Pilih jenis pengaduan yang paling sesuai."),
        ({"email": "bukan"}, "Alamat e-mail tidak valid."),
    ],
)
def test_bad_filings_are_explained_and_nothing_is_stored(app, client, cats, extra, message):
    r = _file(client, cats, **extra)
    assert r.status_code == 400 and message in r.get_data(as_text=True)
    assert _ticket(app) is None


def test_anonymous_filing_keeps_no_identity(app, client, cats):
    assert _file(client, cats, anonymous="y", name="", phone="", email="").status_code == 302
    ticket = _ticket(app)
    assert ticket.anonymous and (ticket.name, ticket.phone, ticket.email) == ("", "", "")


def test_required_extra_field_of_a_category(app, client, cats):
    page = _file(client, cats, category_id=cats["alpha_jalan"]).get_data(as_text=True)
    assert "Lengkapi isian tambahan" in page
    assert _file(client, cats, category_id=cats["alpha_jalan"], attr_rt="003/004").status_code == 302
    assert _ticket(app).extra == {"rt": "003/004"}


def test_attachments_are_checked_by_content(app, client, cats, world):
    forged = (io.BytesIO(b"<?php echo 'x'; ?>"), "foto.jpg")
    page = _file(client, cats, files=[forged]).get_data(as_text=True)
    assert "foto.jpg bukan gambar (JPEG, PNG, WebP) atau PDF yang sah." in page and _ticket(app) is None
    app.config["PENGADUAN_MAX_BYTES"] = 256 * 1024  # a small limit keeps the upload in memory
    big = (io.BytesIO(b"%PDF-" + b"0" * (300 * 1024)), "besar.pdf")
    assert "besar.pdf lebih dari 0.25 MB." in _file(client, cats, files=[big]).get_data(as_text=True)
    r = _file(client, cats, files=[(io.BytesIO(png_bytes()), "bukti.png"), (io.BytesIO(PDF), "surat.pdf")])
    assert r.status_code == 302
    ticket = _ticket(app)
    with app.app_context():
        t = db.session.get(PengaduanTicket, ticket.id)
        items = [(a.id, a.original_name, a.content_type, a.stored_name) for a in t.attachments]
    expected = [("bukti.png", "image/png"), ("surat.pdf", "application/pdf")]
    assert [(n, c) for _i, n, c, _s in items] == expected
    assert all("." not in stored and len(stored) == 32 for *_x, stored in items)  # random names
    first = items[0][0]
    r = client.get(f"/alpha/pengaduan/lacak/{ticket.code}/lampiran/{first}")
    assert r.status_code == 200 and r.data == png_bytes() and r.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/beta/pengaduan/lacak/{ticket.code}/lampiran/{first}").status_code == 404
    staff = app.test_client()
    login(staff, world["beta"]["emails"]["admin"])
    assert staff.get(f"/kelola/alpha/pengaduan/tiket/{ticket.code}/lampiran/{first}").status_code == 404
    staff = app.test_client()
    login(staff, world["alpha"]["emails"]["admin"])
    assert staff.get(f"/kelola/alpha/pengaduan/tiket/{ticket.code}/lampiran/{first}").status_code == 200


def test_honeypot_is_not_stored(app, client, cats):
    assert _file(client, cats, website="http://spam.example").status_code == 302
    assert _ticket(app) is None


def test_unknown_code_and_other_agency(client, cats):
    r = client.get("/alpha/pengaduan/lacak?kode=AAAAA-AAAAA")
    assert r.status_code == 404 and "tidak ditemukan" in r.get_data(as_text=True)
    _file(client, cats)
    assert client.get("/alpha/pengaduan/lacak/AAAAA-AAAAA").status_code == 404


# ---------------------------------------------------------------- workflow


def _act(client, code, action, **data):
    url = f"/kelola/alpha/pengaduan/tiket/{code}"
    return post_form(client, url, {"action": action, **data})


def _staff(app, world, role, slug="alpha"):
    c = app.test_client()
    login(c, world[slug]["emails"][role])
    return c


def test_full_workflow_and_the_citizens_rating_reach_the_record(app, client, cats, world):
    _file(client, cats)
    code = _ticket(app).code
    admin = _staff(app, world, "admin")
    assert _act(admin, code, "verify").status_code == 302
    assert _act(admin, code, "assign", officer_id=world["alpha"]["staff"]).status_code == 302
    officer = _staff(app, world, "officer")
    assert _act(officer, code, "note", text="Sudah menelepon pelapor.").status_code == 302
    page = _act(officer, code, "resolve", text="")
    assert page.status_code == 422 and "Tuliskan penyelesaiannya" in page.get_data(as_text=True)
    assert _act(officer, code, "resolve", text="Petugas cadangan dijadwalkan.").status_code == 302
    public = client.get(f"/alpha/pengaduan/lacak/{code}").get_data(as_text=True)
    assert "Petugas cadangan dijadwalkan." in public and "Sudah menelepon pelapor." not in public
    assert "Nilai penanganan pengaduan" in public
    r = post_form(client, f"/alpha/pengaduan/lacak/{code}", {"rating": "4", "resolved": "ya"})
    assert r.status_code == 302
    ticket = _ticket(app, code)
    assert (ticket.status, ticket.rating, ticket.rated_resolved) == ("ditutup", 4, True)
    with app.app_context():
        [event] = db.session.scalars(db.select(RatingEvent)).all()
        assert (event.source, event.kind, event.score, event.officer_id) == (
            "pengaduan",
            "penanganan",
            80.0,
            world["alpha"]["staff"],
        )
        t = db.session.get(PengaduanTicket, ticket.id)
        transitions = [
            (e.from_status, e.to_status, e.user.email if e.user else e.actor) for e in t.events if e.to_status
        ]
    assert transitions == [
        ("", "baru", "pelapor"),
        ("baru", "diverifikasi", "admin@alpha.example"),
        ("diverifikasi", "diproses", "admin@alpha.example"),
        ("diproses", "selesai", "staf@alpha.example"),
        ("selesai", "ditutup", "pelapor"),
    ]
    r = post_form(
        client, f"/alpha/pengaduan/lacak/{code}", {"rating": "1", "resolved": "tidak"}, token_from="/masuk"
    )
    assert r.status_code == 422 and _ticket(app, code).rating == 4  # rated once
    page = officer.get(f"/kinerja/pegawai/{world['alpha']['staff']}?periode=tahun").get_data(as_text=True)
    assert "Penanganan pengaduan" in page and "1 pengaduan ditangani." in page


def test_not_really_resolved_reopens_and_is_counted(app, client, cats, world):
    _file(client, cats)
    code = _ticket(app).code
    admin = _staff(app, world, "admin")
    _act(admin, code, "verify")
    _act(admin, code, "assign", officer_id=world["alpha"]["staff"])
    _act(admin, code, "resolve", text="Sudah ditangani.")
    page = post_form(client, f"/alpha/pengaduan/lacak/{code}", {"rating": "9", "resolved": "ya"})
    assert page.status_code == 422
    post_form(
        client,
        f"/alpha/pengaduan/lacak/{code}",
        {"rating": "2", "resolved": "tidak", "comment": "Masih kosong"},
    )
    ticket = _ticket(app, code)
    assert (ticket.status, ticket.reopen_count) == ("diproses", 1)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(RatingEvent.id))) == 1


def test_reopen_window_is_enforced(app, client, cats, world):
    _file(client, cats)
    code = _ticket(app).code
    admin = _staff(app, world, "admin")
    for action, extra in (
        ("verify", {}),
        ("assign", {"officer_id": world["alpha"]["staff"]}),
        ("resolve", {"text": "Selesai."}),
    ):
        _act(admin, code, action, **extra)
    with app.app_context():
        t = db.session.scalars(db.select(PengaduanTicket).filter_by(code=code)).one()
        t.resolved_at = utcnow() - dt.timedelta(days=15)
        db.session.commit()
    page = post_form(client, f"/alpha/pengaduan/lacak/{code}", {"rating": "2", "resolved": "tidak"})
    assert "Batas waktu untuk membuka kembali pengaduan sudah lewat." in page.get_data(as_text=True)


def test_reject_needs_a_reason_and_closes(app, client, cats, world):
    _file(client, cats)
    code = _ticket(app).code
    admin = _staff(app, world, "supervisor")
    page = _act(admin, code, "reject", reason="bukan-alasan").get_data(as_text=True)
    assert "Pilih alasan penolakan." in page
    assert _act(admin, code, "reject", reason="duplikat").status_code == 302
    assert "Duplikat pengaduan lain" in client.get(f"/alpha/pengaduan/lacak/{code}").get_data(as_text=True)
    page = _act(admin, code, "verify").get_data(as_text=True)
    assert "tidak dapat diproses dengan tindakan ini" in page


# Who may do what: (role, assigned to them?) → allowed actions on a verified ticket.
MATRIX = {
    "admin": {"verify", "reject", "assign", "respond", "note"},
    "supervisor": {"verify", "reject", "assign", "respond", "note"},
    "officer": set(),
}


@pytest.mark.parametrize("role", ["admin", "supervisor", "officer", "other_admin"])
def test_permission_matrix(app, client, cats, world, role):
    _file(client, cats)
    code = _ticket(app).code
    slug = "beta" if role.startswith("other") else "alpha"
    actor = _staff(app, world, role.removeprefix("other_"), slug)
    page = actor.get(f"/kelola/alpha/pengaduan/tiket/{code}")
    if role == "other_admin" or role == "officer":
        assert page.status_code == 404  # not theirs: not even its existence
        assert actor.get("/kelola/alpha/pengaduan/").status_code in (200, 404)
        return
    assert page.status_code == 200
    assert _act(actor, code, "verify").status_code == 302
    r = _act(actor, code, "close")
    assert r.status_code == 422  # not from diverifikasi, and only admins close


def test_assigned_officer_may_resolve_but_not_verify(app, client, cats, world):
    _file(client, cats)
    code = _ticket(app).code
    admin = _staff(app, world, "admin")
    _act(admin, code, "verify")
    _act(admin, code, "assign", officer_id=world["alpha"]["staff"])
    officer = _staff(app, world, "officer")
    assert officer.get(f"/kelola/alpha/pengaduan/tiket/{code}").status_code == 200
    page = _act(officer, code, "reject", reason="duplikat").get_data(as_text=True)
    assert "Anda tidak berwenang" in page
    boss = _staff(app, world, "supervisor")
    page = _act(boss, code, "close").get_data(as_text=True)
    assert "Anda tidak berwenang" in page


def test_confidential_identity_only_for_admin(app, client, cats, world):
    _file(client, cats, confidential="y")
    code = _ticket(app).code
    url = f"/kelola/alpha/pengaduan/tiket/{code}"
    boss = _staff(app, world, "supervisor").get(url).get_data(as_text=True)
    assert "dirahasiakan" in boss and "Budi Warga" not in boss
    admin = _staff(app, world, "admin").get(url).get_data(as_text=True)
    assert "Budi Warga" in admin


# ---------------------------------------------------------------- SLA


def test_check_sla_escalates_once_per_stage(app, client, cats, world, runner):
    app.config["PORTAL_MAIL_BACKEND"] = "memory"
    _file(client, cats)
    code = _ticket(app).code
    with app.app_context():
        t = db.session.scalars(db.select(PengaduanTicket).filter_by(code=code)).one()
        t.verify_due = dt.date(2020, 1, 1)
        db.session.commit()
    reference = _ticket(app, code).reference
    result = runner.invoke(args=["pengaduan", "check-sla"])
    assert result.exit_code == 0 and f"{reference} terlambat verifikasi" in result.output
    assert code not in result.output  # staff are told the reference, never the citizen's code
    assert "admin@alpha.example" in result.output
    assert "0 pengaduan dieskalasi." in runner.invoke(args=["pengaduan", "check-sla"]).output
    outbox = app.extensions["portal_outbox"]
    assert [m["To"] for m in outbox] == ["admin@alpha.example"]
    assert reference in str(outbox[0]) and code not in str(outbox[0])
    admin = _staff(app, world, "admin")
    # The old notices link lands in the portal's notification centre, which names the reference.
    assert admin.get("/kelola/alpha/pengaduan/notifikasi").headers["Location"] == "/pemberitahuan/"
    notices = admin.get("/pemberitahuan/").get_data(as_text=True)
    assert reference in notices and code not in notices and "Pengaduan melewati batas waktu" in notices
    assert "terlambat" in admin.get("/kelola/alpha/pengaduan/?terlambat=1").get_data(as_text=True)
    # Follow-up overdue on an assigned ticket goes to the officer's supervisor.
    _act(admin, code, "verify")
    _act(admin, code, "assign", officer_id=world["alpha"]["staff"])
    with app.app_context():
        t = db.session.scalars(db.select(PengaduanTicket).filter_by(code=code)).one()
        t.resolve_due = dt.date(2020, 1, 1)
        db.session.commit()
    assert "atasan@alpha.example" in runner.invoke(args=["pengaduan", "check-sla"]).output
    with app.app_context():
        boss = db.session.scalars(db.select(User).filter_by(email="atasan@alpha.example")).one()
        assert db.session.scalar(db.select(db.func.count(Notification.id)).filter_by(user_id=boss.id)) == 1


# ---------------------------------------------------------------- codes


def test_concurrent_filings_get_distinct_codes(app, cats, world):
    from plugins.pengaduan.models import PengaduanCategory
    from plugins.pengaduan.service import Filing, file_ticket
    from portal.core.models import Agency

    errors, made = [], []
    barrier = threading.Barrier(16)

    def worker():
        try:
            with app.app_context():
                agency = db.session.get(Agency, world["alpha"]["agency"])
                category = db.session.get(PengaduanCategory, cats["alpha"])
                db.session.rollback()
                barrier.wait(timeout=30)
                filing = Filing(
                    category=category,
                    title="Uji serentak",
                    description="x" * 30,
                    name="A",
                    phone="08123456789",
                )
                made.append(file_ticket(agency, filing).code)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(made)) == 16


def test_a_code_collision_is_retried(app, cats, world, monkeypatch):
    from plugins.pengaduan.models import PengaduanCategory
    from plugins.pengaduan.service import Filing, file_ticket
    from portal.core.models import Agency

    sequence = iter(["AAAAA-AAAAA", "AAAAA-AAAAA", "CCCCC-CCCCC"])
    monkeypatch.setattr(codes, "new_code", lambda: next(sequence))
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        filing = Filing(
            category=db.session.get(PengaduanCategory, cats["alpha"]),
            title="Pertama",
            description="x" * 30,
            name="A",
            phone="08123456789",
        )
        first = file_ticket(agency, filing).code
        filing.category = db.session.get(PengaduanCategory, cats["alpha"])
        second = file_ticket(db.session.get(Agency, world["alpha"]["agency"]), filing).code
    assert (first, second) == ("AAAAA-AAAAA", "CCCCC-CCCCC")


def test_code_alphabet_has_no_look_alikes():
    assert not set("0O1IL2Z5S8BUV") & set(codes.ALPHABET)
    assert all(CODE_RE.match(codes.new_code()) for _ in range(200))
    assert codes.normalise("ab3cd 7ef9g") == "AB3CD-7EF9G"  # codes given before references: still valid
    assert codes.normalise("ab3cd7ef9gh4jk6") == "AB3CD-7EF9G-H4JK6"
    assert all(REFERENCE_RE.match(codes.new_reference()) for _ in range(200))
    assert codes.normalise_reference("adu 7kq4m3pa") == "ADU-7KQ4-M3PA"
    # 68 bits: 350 guesses a second for a thousand years cannot cover a millionth of the space.
    assert len(codes.ALPHABET) ** codes.LENGTH > 350 * 3600 * 24 * 365 * 1000 * 10**6
    assert Officer  # imported for the record assertions above


def test_filing_form_states_the_configured_attachment_limit(app, client, cats):
    assert "masing-masing 5 MB" in client.get("/alpha/pengaduan/baru").get_data(as_text=True)
    app.config["PENGADUAN_MAX_BYTES"] = 2 * 1024 * 1024
    assert "masing-masing 2 MB" in client.get("/alpha/pengaduan/baru").get_data(as_text=True)
