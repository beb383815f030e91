"""A ticket's tracking page from the worker's page cache: one query per
lookup, and every change of the ticket visible at once, in every worker."""

from __future__ import annotations

from plugins.pengaduan.models import PengaduanTicket
from portal.core.models import Agency
from portal.core.plugin_system import plugins
from portal.extensions import db
from portal.testing import login, post_form
from tests.pengaduan.conftest import FILING
from tests.survei.test_cached_form import Statements


def _filed(app, client, cats) -> str:
    r = post_form(
        client,
        "/alpha/pengaduan/baru",
        {**FILING, "category_id": cats["alpha"]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    with app.app_context():
        return db.session.scalars(db.select(PengaduanTicket.code)).one()


def _act(client, code, action, **data):
    return post_form(client, f"/kelola/alpha/pengaduan/tiket/{code}", {"action": action, **data})


def test_repeat_lookups_cost_one_query_and_show_the_same_page(app, client, cats):
    code = _filed(app, client, cats)
    visitor = app.test_client()
    first = visitor.get(f"/alpha/pengaduan/lacak/{code}")
    counter = Statements(app)
    try:
        second = visitor.get(f"/alpha/pengaduan/lacak/{code.lower().replace('-', '')}")
        assert counter.count == 1  # agency, module switch, ticket and its version: one query
    finally:
        counter.close()
    assert second.status_code == 200 and second.get_data() == first.get_data()
    assert "Petugas tidak ada di loket" in second.get_data(as_text=True)
    assert "Budi Warga" not in second.get_data(as_text=True)


def test_every_change_shows_at_once_in_every_worker(app, app_factory, client, cats, world):
    code = _filed(app, client, cats)
    visitor = app.test_client()
    assert "Baru" in visitor.get(f"/alpha/pengaduan/lacak/{code}").get_data(as_text=True)
    other = app_factory()  # staff work in another worker
    admin = other.test_client()
    login(admin, world["alpha"]["emails"]["admin"])
    assert _act(admin, code, "verify").status_code == 302
    assert _act(admin, code, "respond", text="Sedang kami periksa di lapangan.").status_code == 302
    page = visitor.get(f"/alpha/pengaduan/lacak/{code}").get_data(as_text=True)
    assert "Diverifikasi" in page and "Sedang kami periksa di lapangan." in page
    with other.app_context():
        plugins.set_enabled(db.session.get(Agency, world["alpha"]["agency"]), "pengaduan", False)
        db.session.commit()
    assert visitor.get(f"/alpha/pengaduan/lacak/{code}").status_code == 404


def test_unknown_codes_and_other_agencies_are_not_found(app, client, cats):
    code = _filed(app, client, cats)
    visitor = app.test_client()
    visitor.get(f"/alpha/pengaduan/lacak/{code}")
    assert visitor.get("/alpha/pengaduan/lacak/AAAAA-AAAAA").status_code == 404
    assert visitor.get(f"/beta/pengaduan/lacak/{code}").status_code == 404
    assert visitor.get(f"/tidak-ada/pengaduan/lacak/{code}").status_code == 404


def test_the_rating_form_is_never_cached(app, client, cats, world):
    code = _filed(app, client, cats)
    admin = app.test_client()
    login(admin, world["alpha"]["emails"]["admin"])
    _act(admin, code, "verify")
    _act(admin, code, "assign", officer_id=world["alpha"]["staff"])
    assert _act(admin, code, "resolve", text="Sudah dijadwalkan ulang.").status_code == 302
    visitor = app.test_client()
    visitor.get(f"/alpha/pengaduan/lacak/{code}")
    counter = Statements(app)
    try:
        page = visitor.get(f"/alpha/pengaduan/lacak/{code}").get_data(as_text=True)
        assert counter.count > 1  # rendered afresh: the form carries this visitor's token
    finally:
        counter.close()
    assert "Nilai penanganan pengaduan" in page and 'name="csrf_token"' in page
    r = post_form(visitor, f"/alpha/pengaduan/lacak/{code}", {"rating": "5", "resolved": "ya"})
    assert r.status_code == 302
    assert "Nilai penanganan pengaduan" not in visitor.get(f"/alpha/pengaduan/lacak/{code}").get_data(
        as_text=True
    )
