"""Open311 GeoReport v2 as an existing client sees it: the `georeport`
package from PyPI (a thin wrapper used against city endpoints such as
Boston's and Chicago's), reading the portal over HTTP in JSON and in XML.

The client cannot file requests, so a request is filed the way GeoReport
clients post one (a form with ``api_key``) and then read back through it."""

from __future__ import annotations

import pytest
import requests
from georeport import GeoReport


@pytest.fixture
def filed(live_server, key):
    answer = requests.post(
        f"{live_server}/open311/v2/requests.json",
        timeout=30,
        data={
            "jurisdiction_id": "alpha",
            "api_key": key,
            "service_code": "pelayanan",
            "lat": "-6.2001",
            "long": "106.8167",
            "first_name": "Sari",
            "email": "sari@warga.example",
            "description": "Loket tutup sebelum jam layanan berakhir.",
        },
    )
    assert answer.status_code == 200, answer.text
    return answer.json()[0]["service_request_id"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_existing_client_reads_services_and_requests(live_server, cats, filed, fmt):
    client = GeoReport(f"{live_server}/open311/v2", jurisdiction="alpha", output_format=fmt)
    services = client.get_service_list()
    by_code = {s["service_code"]: s for s in services}
    assert set(by_code) == {"pelayanan", "jalan"}
    assert by_code["pelayanan"]["service_name"] == "Pelayanan petugas"
    assert str(by_code["jalan"]["metadata"]).lower() == "true"
    definition = client.get_service_definition("jalan")
    attributes = definition["attributes"]
    if fmt == "xml":  # one <attribute> inside <attributes>
        attributes = attributes["attribute"]
        attributes = attributes if isinstance(attributes, list) else [attributes]
    assert [a["code"] for a in attributes] == ["rt"]

    request = client.get_service_request(filed)
    assert request["service_request_id"] == filed and request["status"] == "open"
    assert request["service_code"] == "pelayanan" and request["requested_datetime"].endswith("+07:00")
    assert float(request["lat"]) == pytest.approx(-6.2001)
    assert float(request["long"]) == pytest.approx(106.8167)
    listed = client.get_service_requests(status="open")
    listed = listed if isinstance(listed, list) else [listed]  # XML: one request is not a list
    assert [r["service_request_id"] for r in listed] == [filed]
    assert "Sari" not in str(listed) and "sari@warga.example" not in str(listed)


def test_an_existing_client_gets_http_errors_it_understands(live_server, cats):
    client = GeoReport(f"{live_server}/open311/v2", jurisdiction="alpha")
    with pytest.raises(requests.HTTPError) as error:
        client.get_service_request("TIDAK-ADA")
    assert error.value.response.status_code == 404
    assert error.value.response.json()[0]["code"] == 404
    with pytest.raises(requests.HTTPError) as error:
        GeoReport(f"{live_server}/open311/v2", jurisdiction="tidak-ada").get_service_list()
    assert error.value.response.status_code == 404
