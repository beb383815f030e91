"""API keys: created, listed and revoked in the admin and by CLI; stored hashed."""

from __future__ import annotations

import re

from portal.core.models import ApiKey
from portal.extensions import db
from portal.testing import login, post_form

KEY_RE = re.compile(r"<code>(pw_[0-9a-f]{8}_[\w-]+)</code>")


def test_admin_creates_lists_and_revokes_keys(app, client, world):
    login(client, world["alpha"]["emails"]["admin"])
    page = post_form(client, "/kelola/alpha/kunci-api", {"name": "Kios loket 1", "scope": "write"})
    html = page.get_data(as_text=True)
    key = KEY_RE.search(html).group(1)
    assert "tidak akan ditampilkan lagi" in html
    with app.app_context():
        row = db.session.scalars(db.select(ApiKey)).one()
        assert (
            row.scope == "write"
            and key not in (row.key_hash, row.prefix)
            and row.agency_id == world["alpha"]["agency"]
        )
    assert key not in client.get("/kelola/alpha/kunci-api").get_data(as_text=True)  # shown once
    api = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    assert api.post("/api/v1/survei/responses", json={"responses": []}, headers=headers).status_code == 400
    post_form(client, "/kelola/alpha/kunci-api", {"revoke": row.prefix})
    r = api.post("/api/v1/survei/responses", json={"responses": []}, headers=headers)
    assert r.status_code == 401 and r.json["error"]["message"] == "Kunci API tidak sah atau sudah dicabut."
    assert "api_key_revoked" in client.get("/kelola/alpha/audit").get_data(as_text=True)


def test_keys_by_cli(app, runner, world):
    result = runner.invoke(args=["api-keys", "create", "--agency", "beta", "--name", "e-Kinerja"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    prefix = key.split("_")[1]
    listing = runner.invoke(args=["api-keys", "list", "--agency", "beta"]).output
    assert prefix in listing and "read" in listing and "aktif" in listing
    client = app.test_client()
    r = client.post("/api/v1/survei/responses", json={"responses": [{}]}, headers={"X-API-Key": key})
    assert r.status_code == 403 and r.json["error"]["message"] == "Kunci API ini hanya boleh membaca."
    assert runner.invoke(args=["api-keys", "revoke", prefix, "--agency", "alpha"]).exit_code != 0
    assert runner.invoke(args=["api-keys", "revoke", prefix, "--agency", "beta"]).exit_code == 0
    assert "dicabut" in runner.invoke(args=["api-keys", "list", "--agency", "beta"]).output


def test_missing_or_forged_keys_are_refused_in_json(client, world):
    r = client.post("/api/v1/survei/responses", json={})
    assert r.status_code == 401 and "Kunci API diperlukan" in r.json["error"]["message"]
    r = client.post("/api/v1/survei/responses", json={}, headers={"Authorization": "Bearer pw_deadbeef_x"})
    assert r.status_code == 401
    r = client.get("/api/v1/tidak-ada")
    assert r.status_code == 404 and r.json["error"]["code"] == 404


def test_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    assert spec["paths"]["/survei/responses"]["post"]["requestBody"]["required"] is True
