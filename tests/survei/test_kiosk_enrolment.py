"""The offline kiosk, server side: enrolment with a one-time code, a
credential scoped to one desk, revocation, and the bad cases (a code reused
or expired, a desk deactivated, the module switched off)."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from plugins.survei.models import SurveiKiosk, SurveiKioskCapture, SurveiResponse
from portal.core.models import Agency, Desk, Unit
from portal.core.plugin_system import plugins
from portal.core.web.api import create_key
from portal.extensions import db
from portal.testing import login, post_form

CODE_RE = re.compile(r'class="kiosk-code"><strong>([A-Z0-9]{4}-[A-Z0-9]{4})</strong>')
CREDENTIAL_RE = re.compile(r'data-credential="(pwk_[^"]+)"')


def new_code(app, world, desk_id=None, name="Tablet loket 1") -> str:
    """The code an alpha admin is shown for a new kiosk."""
    admin = app.test_client()
    login(admin, world["alpha"]["emails"]["admin"])
    page = post_form(
        admin, "/kelola/alpha/survei/kiosk/", {"desk_id": desk_id or world["alpha"]["desk"], "name": name}
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    match = CODE_RE.search(html)
    assert match, html[:3000]
    return match.group(1)


def enrol(client, code, slug="alpha"):
    """Type the code on the tablet's enrolment form (with its CSRF token)."""
    return post_form(
        client, f"/{slug}/survei/kiosk/daftar", {"code": code}, token_from=f"/{slug}/survei/kiosk/"
    )


def enrolled(app, world) -> str:
    page = enrol(app.test_client(), new_code(app, world))
    assert page.status_code == 200
    return CREDENTIAL_RE.search(page.get_data(as_text=True)).group(1)


def item(**extra):
    at = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) - dt.timedelta(minutes=5)
    return {"client_uuid": str(uuid.uuid4()), "created_at": at.isoformat(), "face": 4} | extra


def sync(client, credential, items):
    return client.post(
        "/api/v1/survei/responses",
        json={"responses": items},
        headers={"Authorization": f"Bearer {credential}"},
    )


def test_admin_enrols_a_kiosk_and_its_answers_are_stored_once_as_kiosk_answers(app, world, desk, client):
    code = new_code(app, world)
    # The tablet types the code (any case, with or without the dash).
    page = enrol(client, code.lower().replace("-", " "))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Kiosk terdaftar" in html and "Pelayanan Umum — Loket 1" in html
    assert page.headers["Cache-Control"] == "no-store"
    credential = CREDENTIAL_RE.search(html).group(1)

    desk_info = client.get("/api/v1/survei/kiosk/desk", headers={"Authorization": f"Bearer {credential}"})
    assert desk_info.status_code == 200
    assert desk_info.json == {
        "kiosk": "Tablet loket 1",
        "desk": "Loket 1",
        "unit": "Pelayanan Umum",
        "agency": "Dinas Alpha",
        "kind": "cepat",
    }

    batch = [item(), item(face=1), item(desk_token=desk)]  # naming its own desk is fine
    r = sync(client, credential, batch)
    assert r.status_code == 200 and r.json["stored"] == 3, r.json
    again = sync(client, credential, batch)
    assert again.json["duplicate"] == 3 and again.json["stored"] == 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SurveiResponse.id))) == 3
        kiosk = db.session.execute(db.select(SurveiKiosk)).scalar_one()
        assert kiosk.enrolled_at is not None and kiosk.last_sync_at is not None
        captured = db.session.scalars(db.select(SurveiKioskCapture.client_uuid)).all()
        assert sorted(captured) == sorted(x["client_uuid"] for x in batch)

    # The admin's list shows the kiosk as active with its three answers.
    admin = app.test_client()
    login(admin, world["alpha"]["emails"]["admin"])
    listing = admin.get("/kelola/alpha/survei/kiosk/").get_data(as_text=True)
    assert "Tablet loket 1" in listing and "Aktif" in listing and "<td>3</td>" in listing
    # The SKM report counts them under their channel.
    report = admin.get("/kelola/alpha/survei/laporan").get_data(as_text=True)
    assert "<td>Kiosk</td><td>3</td>" in report and "<td>Kode QR loket</td><td>0</td>" in report


def test_the_credential_is_for_its_desk_only(app, world, desk, client):
    credential = enrolled(app, world)
    with app.app_context():
        unit = db.session.get(Unit, world["alpha"]["unit"])
        other = Desk(unit=unit, name="Loket 2")
        db.session.add(other)
        db.session.commit()
        other_token = other.qr_token
        beta_token = db.session.get(Desk, world["beta"]["desk"]).qr_token
    r = sync(client, credential, [item(desk_token=other_token), item(desk_token=beta_token), item()])
    assert [x["status"] for x in r.json["results"]] == ["invalid", "invalid", "stored"]
    assert r.json["results"][0]["errors"] == {"desk_token": "Kiosk ini hanya untuk Pelayanan Umum — Loket 1."}
    with app.app_context():
        [stored] = db.session.scalars(db.select(SurveiResponse)).all()
        assert stored.desk_id == world["alpha"]["desk"]


def test_a_kiosk_credential_is_not_an_api_key_and_an_api_key_is_not_a_kiosk(app, world, desk, client):
    credential = enrolled(app, world)
    assert credential.startswith("pwk_")
    headers = {"Authorization": f"Bearer {credential}"}
    assert client.get("/api/v1/units", headers=headers).status_code == 401
    assert client.get("/api/v1/officers", headers=headers).status_code == 401
    with app.app_context():
        _row, key = create_key(db.session.get(Agency, world["alpha"]["agency"]), "pegawai", "write")
        db.session.commit()
    r = client.get("/api/v1/survei/kiosk/desk", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 401 and "hanya untuk kiosk" in r.json["error"]["message"]
    # A credential with the right prefix and a wrong secret is refused.
    forged = credential[:-4] + ("AAAA" if not credential.endswith("AAAA") else "BBBB")
    assert sync(client, forged, [item()]).status_code == 401


def test_a_code_works_once(app, world, desk, client):
    code = new_code(app, world)
    assert enrol(client, code).status_code == 200
    second = enrol(app.test_client(), code)
    assert second.status_code == 400
    assert "sudah dipakai" in second.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SurveiKiosk.token_hash))) == 1


def test_an_expired_or_unknown_code_enrols_nothing(app, world, desk, client):
    code = new_code(app, world)
    with app.app_context():
        kiosk = db.session.execute(db.select(SurveiKiosk)).scalar_one()
        kiosk.code_expires_at = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
        db.session.commit()
    page = enrol(client, code)
    assert page.status_code == 400 and "sudah kedaluwarsa" in page.get_data(as_text=True)
    unknown = enrol(client, "ABCD-EFGH")
    assert unknown.status_code == 400 and "tidak dikenal" in unknown.get_data(as_text=True)
    empty = enrol(client, "  ")
    assert empty.status_code == 400 and "Masukkan kode" in empty.get_data(as_text=True)
    # alpha's code means nothing at beta
    other = enrol(client, new_code(app, world), slug="beta")
    assert other.status_code == 400 and "tidak dikenal" in other.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SurveiKiosk.enrolled_at))) == 0


def test_enrolment_from_another_site_is_refused(app, world, desk, client):
    code = new_code(app, world)
    page = post_form(
        client,
        "/alpha/survei/kiosk/daftar",
        {"code": code},
        token_from="/alpha/survei/kiosk/",
        headers={"Origin": "https://jahat.example"},
    )
    assert page.status_code == 400 and "situs lain" in page.get_data(as_text=True)


def test_a_revoked_kiosk_is_refused_at_once(app, world, desk, client):
    credential = enrolled(app, world)
    admin = app.test_client()
    login(admin, world["alpha"]["emails"]["admin"])
    with app.app_context():
        kiosk_id = db.session.execute(db.select(SurveiKiosk.id)).scalar_one()
    r = post_form(
        admin, f"/kelola/alpha/survei/kiosk/{kiosk_id}/cabut", {}, token_from="/kelola/alpha/survei/kiosk/"
    )
    assert r.status_code == 302
    refused = sync(client, credential, [item()])
    assert refused.status_code == 401 and "dicabut" in refused.json["error"]["message"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SurveiResponse.id))) == 0


def test_a_kiosk_whose_desk_was_deactivated_stores_nothing(app, world, desk, client):
    credential = enrolled(app, world)
    with app.app_context():
        db.session.get(Desk, world["alpha"]["desk"]).active = False
        db.session.commit()
    r = sync(client, credential, [item()])
    assert r.status_code == 403 and "dinonaktifkan" in r.json["error"]["message"]
    info = client.get("/api/v1/survei/kiosk/desk", headers={"Authorization": f"Bearer {credential}"})
    assert info.status_code == 403
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SurveiResponse.id))) == 0


def test_a_code_for_a_desk_deactivated_since_enrols_nothing(app, world, desk, client):
    code = new_code(app, world)
    with app.app_context():
        db.session.get(Desk, world["alpha"]["desk"]).active = False
        db.session.commit()
    page = enrol(client, code)
    assert page.status_code == 400 and "dinonaktifkan" in page.get_data(as_text=True)


def test_module_switched_off_stops_the_kiosk_page_and_its_sync(app, world, desk, client):
    credential = enrolled(app, world)
    with app.app_context():
        plugins.set_enabled(db.session.get(Agency, world["alpha"]["agency"]), "survei", False)
        db.session.commit()
    r = sync(client, credential, [item()])
    assert r.status_code == 404 and "tidak aktif" in r.json["error"]["message"]
    assert (
        client.get("/api/v1/survei/kiosk/desk", headers={"Authorization": f"Bearer {credential}"}).status_code
        == 404
    )
    assert client.get("/alpha/survei/kiosk/").status_code == 404
    assert client.get("/alpha/survei/kiosk/sw.js").status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SurveiResponse.id))) == 0


@pytest.mark.parametrize("role", ["supervisor", "officer"])
def test_only_admins_manage_kiosks(app, world, desk, client, role):
    login(client, world["alpha"]["emails"][role])
    assert client.get("/kelola/alpha/survei/kiosk/").status_code == 403


def test_a_kiosk_needs_a_name_and_a_desk_of_this_agency(app, world, desk, client):
    login(client, world["alpha"]["emails"]["admin"])
    page = post_form(client, "/kelola/alpha/survei/kiosk/", {"desk_id": world["beta"]["desk"], "name": ""})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "Pilih loket yang aktif" in html
    assert "kiosk-code" not in html
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SurveiKiosk.id))) == 0


def test_the_kiosk_page_and_its_service_worker(app, world, desk, client):
    page = client.get("/alpha/survei/kiosk/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Daftarkan tablet ini sebagai kiosk" in html
    assert 'data-sw="/alpha/survei/kiosk/sw.js"' in html and 'data-scope="/alpha/survei/kiosk/"' in html
    assert "<script>" not in html and "style=" not in html
    assert "'self'" in page.headers["Content-Security-Policy"]
    worker = client.get("/alpha/survei/kiosk/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert "no-cache" in worker.headers["Cache-Control"]
    for name in ("kiosk.js", "kiosk.css"):
        response = client.get(f"/alpha/survei/kiosk/static/{name}")
        assert response.status_code == 200
        response.close()
