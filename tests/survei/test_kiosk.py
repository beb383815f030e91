"""Offline kiosk sync: POST /api/v1/survei/responses."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from plugins.survei.models import SurveiResponse
from portal.core.models import Agency, Desk, Officer, RatingEvent
from portal.core.web.api import create_key
from portal.extensions import db


@pytest.fixture
def kiosk(app, world, desk):
    with app.app_context():
        _row, key = create_key(db.session.get(Agency, world["alpha"]["agency"]), "kios", "write")
        db.session.commit()
    client = app.test_client()

    def send(items, **kwargs):
        return client.post(
            "/api/v1/survei/responses",
            json={"responses": items},
            headers={"Authorization": f"Bearer {key}"},
            **kwargs,
        )

    send.key = key
    send.client = client
    return send


def _item(desk, **extra):
    at = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))) - dt.timedelta(hours=2)
    return {
        "client_uuid": str(uuid.uuid4()),
        "desk_token": desk,
        "created_at": at.isoformat(),
        "face": 4,
        **extra,
    }


def test_batch_is_stored_and_resending_stores_nothing_twice(app, world, desk, kiosk):
    batch = [_item(desk), _item(desk, face=2, comment="Antre lama")]
    r = kiosk(batch)
    assert r.status_code == 200
    assert (r.json["stored"], r.json["duplicate"], r.json["invalid"]) == (2, 0, 0)
    r = kiosk(batch)
    assert (r.json["stored"], r.json["duplicate"]) == (0, 2)
    assert [x["status"] for x in r.json["results"]] == ["duplicate", "duplicate"]
    with app.app_context():
        responses = db.session.scalars(db.select(SurveiResponse).order_by(SurveiResponse.id)).all()
        assert len(responses) == 2 and {x.face for x in responses} == {4, 2}
        events = db.session.scalars(db.select(RatingEvent)).all()
        assert len(events) == 2 and all(not e.verified for e in events)
        assert all(e.officer_id == world["alpha"]["staff"] for e in events)  # on duty at capture time


def test_invalid_items_are_reported_while_valid_ones_are_stored(app, world, desk, kiosk):
    with app.app_context():
        beta_desk = db.session.get(Desk, world["beta"]["desk"]).qr_token
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    batch = [
        _item(desk),
        _item(desk, client_uuid="bukan-uuid"),
        _item(beta_desk),
        _item(desk, face=7),
        _item(desk, created_at="kemarin"),
        _item(desk, created_at=future),
        _item(desk, created_at="2026-11-25T09:00:00"),  # no zone
        _item(desk, officer_nip="198501102010011999"),
        _item(desk, kind="skm"),
        "bukan objek",
    ]
    r = kiosk(batch)
    assert r.status_code == 200
    statuses = [x["status"] for x in r.json["results"]]
    assert statuses == ["stored"] + ["invalid"] * 9
    errors = [x.get("errors", {}) for x in r.json["results"]]
    assert errors[1] == {"client_uuid": "client_uuid harus berupa UUID."}
    assert errors[2] == {"desk_token": "Loket tidak dikenal di instansi ini."}
    assert errors[3] == {"face": "Jawaban harus salah satu dari empat pilihan."}
    assert "ISO 8601" in errors[4]["created_at"] and "rentang" in errors[5]["created_at"]
    assert "ISO 8601" in errors[6]["created_at"]
    assert errors[7] == {"officer_nip": "Pegawai tidak ditemukan di instansi ini."}
    assert errors[8] == {"kind": "Loket ini memakai survei 'cepat'."}
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(SurveiResponse.id))) == 1


@pytest.mark.parametrize(
    ("body", "kwargs", "status", "message"),
    [
        (None, {"data": "face=4", "content_type": "application/x-www-form-urlencoded"}, 415, "JSON"),
        (None, {"data": "[1,2]", "content_type": "application/json"}, 400, "objek JSON"),
        ({"responses": []}, {}, 400, "paling sedikit satu"),
        ({"responses": [{}] * 501}, {}, 413, "Paling banyak 500 jawaban per kiriman; yang dikirim 501"),
    ],
)
def test_bad_requests_get_clear_json_errors(kiosk, body, kwargs, status, message):
    headers = {"Authorization": f"Bearer {kiosk.key}"}
    if body is not None:
        r = kiosk.client.post("/api/v1/survei/responses", json=body, headers=headers)
    else:
        r = kiosk.client.post("/api/v1/survei/responses", headers=headers, **kwargs)
    assert r.status_code == status and message in r.json["error"]["message"]


def test_module_off_means_404(app, world, desk, kiosk):
    from portal.core.plugin_system import plugins

    with app.app_context():
        plugins.set_enabled(db.session.get(Agency, world["alpha"]["agency"]), "survei", False)
        db.session.commit()
    r = kiosk([_item(desk)])
    assert r.status_code == 404 and "tidak aktif" in r.json["error"]["message"]


def test_a_kiosk_naming_an_officer_not_scheduled_at_the_desk_is_held(app, world, desk, kiosk):
    """Any write key could otherwise credit any officer of the agency at any
    desk: the officer named must be one the desk's form would have offered."""
    from portal.testing import nip

    with app.app_context():
        boss_nip = db.session.get(Officer, world["alpha"]["boss"]).nip  # rostered nowhere
        staff_nip = db.session.get(Officer, world["alpha"]["staff"]).nip  # on duty all week
    assert boss_nip == nip(0)
    r = kiosk([_item(desk, officer_nip=boss_nip), _item(desk, officer_nip=staff_nip)])
    assert r.status_code == 200
    first, second = r.json["results"]
    assert first["status"] == "held" and first["reason"] == "luar_jadwal"
    assert "tidak terjadwal" in first["reason_label"]
    assert second["status"] == "stored"
    with app.app_context():
        counted = db.session.scalars(db.select(RatingEvent).filter_by(review="")).all()
        assert [e.officer_id for e in counted] == [world["alpha"]["staff"]]
