"""Open311 GeoReport v2, field by field, in JSON and XML."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from portal.extensions import db

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]


def _post(client, key, fmt="json", **data):
    body = {
        "jurisdiction_id": "alpha",
        "api_key": key,
        "service_code": "pelayanan",
        "address_string": "Jl. Merdeka 1",
        "description": "Loket tutup sebelum jam layanan berakhir.",
        "first_name": "Sari",
        "email": "sari@warga.example",
        **data,
    }
    return client.post(f"/open311/v2/requests.{fmt}", data={k: v for k, v in body.items() if v is not None})


def test_discovery(client, cats):
    doc = client.get("/open311/v2/discovery.json").json
    assert doc["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    root = ET.fromstring(client.get("/open311/v2/discovery.xml").data)
    assert root.tag == "discovery" and root.find("endpoints/endpoint/url") is not None


def test_services_in_both_formats(client, cats):
    rows = client.get("/open311/v2/services.json?jurisdiction_id=alpha").json
    assert [r["service_code"] for r in rows] == ["jalan", "pelayanan"]
    assert set(rows[0]) == set(SERVICE_FIELDS)
    assert rows[0]["metadata"] is True and rows[1]["metadata"] is False
    r = client.get("/open311/v2/services.xml?jurisdiction_id=alpha")
    assert r.mimetype == "text/xml"
    services = ET.fromstring(r.data)
    assert services.tag == "services"
    first = services.find("service")
    assert [child.tag for child in first] == SERVICE_FIELDS and first.findtext("metadata") == "true"
    definition = client.get("/open311/v2/services/jalan.json?jurisdiction_id=alpha").json
    assert definition["attributes"][0]["code"] == "rt" and definition["attributes"][0]["required"] is True
    xml = ET.fromstring(client.get("/open311/v2/services/jalan.xml?jurisdiction_id=alpha").data)
    assert xml.tag == "service_definition" and xml.findtext("attributes/attribute/code") == "rt"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_then_get_a_request(app, client, key, fmt):
    r = _post(client, key, fmt)
    assert r.status_code == 200
    if fmt == "json":
        [created] = r.json
        code = created["service_request_id"]
        assert "Lacak di" in created["service_notice"] and created["account_id"] is None
    else:
        code = ET.fromstring(r.data).findtext("request/service_request_id")
    rows = client.get(f"/open311/v2/requests/{code}.json?jurisdiction_id=alpha").json
    assert set(rows[0]) == set(REQUEST_FIELDS)
    assert rows[0]["status"] == "open" and rows[0]["service_code"] == "pelayanan"
    assert rows[0]["requested_datetime"].endswith("+07:00")
    text = client.get(f"/open311/v2/requests/{code}.xml?jurisdiction_id=alpha").get_data(as_text=True)
    request = ET.fromstring(text).find("request")
    assert [child.tag for child in request] == REQUEST_FIELDS
    assert "Sari" not in text and "sari@warga.example" not in text  # never the complainant
    listed = client.get("/open311/v2/requests.json?jurisdiction_id=alpha&status=open").json
    assert [x["service_request_id"] for x in listed] == [code]
    assert client.get("/open311/v2/requests.json?jurisdiction_id=alpha&status=closed").json == []


@pytest.mark.parametrize(
    ("data", "status", "description"),
    [
        ({"service_code": None}, 400, "service_code required"),
        ({"service_code": "tidak-ada"}, 404, "service_code tidak-ada not found"),
        ({"address_string": None}, 400, "lat and long, or address_string, required"),
        ({"address_string": None, "lat": "-6.2", "long": "abc"}, 400, "long: Bujur harus berupa angka"),
        ({"description": "pendek"}, 400, "description required"),
        ({"service_code": "jalan"}, 400, "attribute[rt] required"),
        ({"api_key": "pw_00000000_salah"}, 401, "Kunci API tidak sah"),
        ({"jurisdiction_id": "beta"}, 403, "api_key does not belong"),
    ],
)
def test_post_errors_in_spec_format(app, client, key, data, status, description):
    r = _post(client, key, **data)
    assert r.status_code == status
    [error] = r.json
    assert error["code"] == status and description in error["description"]
    root = ET.fromstring(_post(client, key, "xml", **data).data)
    assert root.tag == "errors" and root.findtext("error/code") == str(status)
    from plugins.pengaduan.models import PengaduanTicket

    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PengaduanTicket.id))) == 0


def test_get_errors(client, cats):
    r = client.get("/open311/v2/services.json")
    assert r.status_code == 400 and "jurisdiction_id required" in r.json[0]["description"]
    r = client.get("/open311/v2/requests.json?jurisdiction_id=alpha&start_date=kemarin")
    assert r.status_code == 400 and "W3C" in r.json[0]["description"]
    r = client.get("/open311/v2/requests/AAAAA-AAAAA.xml?jurisdiction_id=alpha")
    assert r.status_code == 404 and ET.fromstring(r.data).findtext("error/code") == "404"
    assert client.get("/open311/v2/services.json?jurisdiction_id=tidak-ada").status_code == 404
    assert client.get("/open311/v2/services.yaml?jurisdiction_id=alpha").status_code == 404


def test_confidential_requests_hide_text_and_place(app, client, key):
    from plugins.pengaduan.models import PengaduanTicket

    reference = _post(client, key).json[0]["service_request_id"]
    with app.app_context():
        ticket = db.session.scalars(db.select(PengaduanTicket).filter_by(reference=reference)).one()
        ticket.confidential = True
        db.session.commit()
    row = client.get(f"/open311/v2/requests/{reference}.json?jurisdiction_id=alpha").json[0]
    assert row["description"] == "" and row["address"] == "" and row["status_notes"] == ""
    # In no list, not even when asked for by its reference.
    assert client.get("/open311/v2/requests.json?jurisdiction_id=alpha").json == []
    asked = client.get(f"/open311/v2/requests.json?jurisdiction_id=alpha&service_request_id={reference}")
    assert asked.json == []


def test_requests_are_known_by_their_public_reference_only(app, client, key):
    """The id Open311 shows is the public reference; the private tracking
    code is in no answer to a GET and finds nothing when asked for."""
    from plugins.pengaduan.models import PengaduanTicket

    created = _post(client, key).json[0]
    reference = created["service_request_id"]
    with app.app_context():
        ticket = db.session.scalars(db.select(PengaduanTicket)).one()
        code = ticket.code
    assert reference == ticket.reference and reference.startswith("ADU-") and reference != code
    # The filer (an authenticated client acting for the citizen) is told the
    # private tracking link once, to hand to the citizen.
    assert code in created["service_notice"]
    for fmt in ("json", "xml"):
        for url in (
            f"/open311/v2/requests.{fmt}?jurisdiction_id=alpha",
            f"/open311/v2/requests/{reference}.{fmt}?jurisdiction_id=alpha",
            f"/open311/v2/requests.{fmt}?jurisdiction_id=alpha&service_request_id={reference}",
        ):
            page = client.get(url)
            assert page.status_code == 200 and reference in page.get_data(as_text=True)
            assert code not in page.get_data(as_text=True), url
        assert client.get(f"/open311/v2/requests/{code}.{fmt}?jurisdiction_id=alpha").status_code == 404
    found = client.get(f"/open311/v2/requests.json?jurisdiction_id=alpha&service_request_id={code}").json
    assert found == []
    # Typed loosely, the reference still names it.
    loose = reference.lower().replace("-", "")
    [row] = client.get(f"/open311/v2/requests/{loose}.json?jurisdiction_id=alpha").json
    assert row["service_request_id"] == reference


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00", "10000-01-01"])
def test_absurd_dates_get_a_georeport_error_in_both_formats(client, cats, value):
    for name in ("start_date", "end_date"):
        r = client.get("/open311/v2/requests.json", query_string={"jurisdiction_id": "alpha", name: value})
        assert r.status_code == 400 and r.is_json, (name, value)
        assert r.json[0]["code"] == 400 and name in r.json[0]["description"]
        r = client.get("/open311/v2/requests.xml", query_string={"jurisdiction_id": "alpha", name: value})
        assert r.status_code == 400 and ET.fromstring(r.data).findtext("error/code") == "400", (name, value)
