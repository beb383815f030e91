"""The notification centre: every module tells staff through one service;
each login sees only its own; nothing leaves before the commit; a daily job
run twice notifies once."""

from __future__ import annotations

import pytest

from portal.core.accounts.notifications import notify
from portal.core.models import Notification, User
from portal.extensions import db
from portal.testing import login, post_form


def _user(email):
    return db.session.execute(db.select(User).filter_by(email=email)).scalar_one()


@pytest.fixture
def mailbox(app):
    app.config["PORTAL_MAIL_BACKEND"] = "memory"
    return app.extensions.setdefault("portal_outbox", [])


def test_notify_stores_mails_after_commit_and_is_idempotent_by_key(app, world, mailbox):
    with app.app_context():
        admin = _user(world["alpha"]["emails"]["admin"])
        boss = _user(world["alpha"]["emails"]["supervisor"])
        assert notify([admin, boss], "Laporan menunggu", body="Dua hari", url="/kinerja/", key="k:1") == 2
        assert mailbox == []  # not before the commit
        db.session.commit()
        assert sorted(m["To"] for m in mailbox) == sorted([admin.email, boss.email])
        assert "Dua hari" in mailbox[0].get_content() and "/kinerja/" in mailbox[0].get_content()
        # The same key again: nothing new, nothing sent.
        assert notify([admin, boss], "Laporan menunggu", key="k:1") == 0
        db.session.commit()
        assert len(mailbox) == 2
        assert db.session.scalar(db.select(db.func.count(Notification.id))) == 2
        # Rolled back: nothing stored, nothing sent.
        notify(admin, "Tidak jadi", key="k:2")
        db.session.rollback()
        assert len(mailbox) == 2
        assert db.session.scalar(db.select(db.func.count(Notification.id))) == 2
        # Without e-mail, and for an inactive login: nothing.
        boss.active = False
        db.session.commit()
        assert notify([admin, boss], "Hanya di portal", mail=False) == 1
        db.session.commit()
        assert len(mailbox) == 2


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_a_notification_opens_only_a_local_path(app, world, url):
    with app.app_context():
        with pytest.raises(ValueError):
            notify(_user(world["alpha"]["emails"]["admin"]), "x", url=url)


def test_each_login_sees_and_opens_only_its_own(app, client, world):
    with app.app_context():
        admin = _user(world["alpha"]["emails"]["admin"])
        other = _user(world["beta"]["emails"]["admin"])
        notify(admin, "Pengaduan terlambat", body="ADU-1", url="/kelola/alpha/")
        notify(other, "Rahasia beta", url="/kelola/beta/")
        db.session.commit()
        mine = db.session.execute(db.select(Notification.id).filter_by(user_id=admin.id)).scalar_one()
        theirs = db.session.execute(db.select(Notification.id).filter_by(user_id=other.id)).scalar_one()
    assert client.get("/pemberitahuan/").headers["Location"].startswith("/masuk")
    login(client, world["alpha"]["emails"]["admin"])
    home = client.get("/alpha/").get_data(as_text=True)
    assert "Pemberitahuan (1 baru)" in home
    page = client.get("/pemberitahuan/").get_data(as_text=True)
    assert "Pengaduan terlambat" in page and "Rahasia beta" not in page
    assert post_form(client, f"/pemberitahuan/{theirs}/buka", token_from="/pemberitahuan/").status_code == 404
    opened = post_form(client, f"/pemberitahuan/{mine}/buka", token_from="/pemberitahuan/")
    assert opened.status_code == 302 and opened.headers["Location"] == "/kelola/alpha/"
    assert "Pemberitahuan (1 baru)" not in client.get("/alpha/").get_data(as_text=True)
    assert "Semua pemberitahuan sudah dibaca." in client.get("/pemberitahuan/?belum=1").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Notification, theirs).read_at is None


def test_read_all_and_paging(app, client, world):
    with app.app_context():
        admin = _user(world["alpha"]["emails"]["admin"])
        for i in range(35):
            notify(admin, f"Pesan nomor {i:02d}", mail=False)
        db.session.commit()
    login(client, world["alpha"]["emails"]["admin"])
    first = client.get("/pemberitahuan/").get_data(as_text=True)
    assert "Pesan nomor 34" in first and "Pesan nomor 00" not in first and "Lebih lama" in first
    assert "Pesan nomor 00" in client.get("/pemberitahuan/?halaman=2").get_data(as_text=True)
    for bad in ("0", "x", "99999999999"):
        response = client.get(f"/pemberitahuan/?halaman={bad}")
        assert response.status_code == 400 and "halaman" in response.get_data(as_text=True)
    post_form(client, "/pemberitahuan/baca-semua", token_from="/pemberitahuan/")
    assert "Pemberitahuan (" not in client.get("/alpha/").get_data(as_text=True)
    # Without a CSRF token nothing changes.
    assert client.post("/pemberitahuan/baca-semua").status_code == 400
