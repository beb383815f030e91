"""Where a complaint happened: coordinates only as a pair inside Indonesia,
the same rule on the filing form and in Open311, and nothing stored when the
rule is broken."""

from __future__ import annotations

import pytest

from plugins.pengaduan.location import LAT_MAX, LAT_MIN, LON_MAX, LON_MIN, LocationError, parse_point
from plugins.pengaduan.models import PengaduanTicket
from portal.extensions import db
from portal.testing import post_form
from tests.pengaduan.conftest import FILING

PAIR = "sekaligus"  # "…perlu lintang dan bujur sekaligus."
OUTSIDE = "di wilayah Indonesia"
NOT_A_NUMBER = "harus berupa angka"
SWAPPED = "tertukar"


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        ("", "", (None, None)),
        (None, None, (None, None)),
        ("-6.2", "106.8", (-6.2, 106.8)),
        ("-6,2", "106,8", (-6.2, 106.8)),  # the decimal comma Indonesians write
        ("\u22126.2", " 106.8 ", (-6.2, 106.8)),  # a typographic minus, stray spaces
        (-6.2, 106.8, (-6.2, 106.8)),
        ("6.07", "95.12", (6.07, 95.12)),  # Pulau Rondo, the northernmost island
        ("-10.99", "122.8", (-10.99, 122.8)),  # Pulau Ndana, the southernmost
        ("-2.6", "141.0", (-2.6, 141.0)),  # Jayapura, near the border with Papua New Guinea
        (str(LAT_MIN), str(LON_MIN), (LAT_MIN, LON_MIN)),  # the box's corners are inside
        (str(LAT_MAX), str(LON_MAX), (LAT_MAX, LON_MAX)),
    ],
)
def test_a_pair_inside_indonesia_is_accepted(lat, lon, expected):
    point = parse_point(lat, lon)
    if expected == (None, None):
        assert point == (None, None)
    else:
        assert point == pytest.approx(expected)


@pytest.mark.parametrize(
    ("lat", "lon", "field", "says"),
    [
        ("-6.2", "", "lon", PAIR),  # a latitude alone
        ("", "106.8", "lat", PAIR),  # a longitude alone
        ("-6.2", None, "lon", PAIR),
        ("abc", "106.8", "lat", NOT_A_NUMBER),
        ("-6.2", "106.8.1", "lon", NOT_A_NUMBER),
        ("nan", "106.8", "lat", NOT_A_NUMBER),
        ("-6.2", "inf", "lon", NOT_A_NUMBER),
        ("1e400", "106.8", "lat", NOT_A_NUMBER),  # overflows to infinity
        ("0x10", "106.8", "lat", NOT_A_NUMBER),
        ("106.8", "-6.2", "lat", SWAPPED),
        ("51.5", "-0.12", "lat", OUTSIDE),  # London
        ("-6.2", "16.8", "lon", OUTSIDE),
        ("-90", "180", "lat", OUTSIDE),
        ("-11.2", "106.8", "lat", OUTSIDE),  # just south of the box
        ("6.2", "106.8", "lat", OUTSIDE),  # just north
        ("-6.2", "94.8", "lon", OUTSIDE),  # just west
        ("-6.2", "141.2", "lon", OUTSIDE),  # just east
        ("-6.2", "1e308", "lon", OUTSIDE),
        ("-0", "0", "lon", OUTSIDE),  # the "null island" of an empty GPS fix
    ],
)
def test_a_lone_odd_or_absurd_coordinate_is_refused_with_a_reason(lat, lon, field, says):
    with pytest.raises(LocationError) as caught:
        parse_point(lat, lon)
    assert caught.value.field == field
    assert says in str(caught.value.message)


def _tickets(app) -> list[PengaduanTicket]:
    with app.app_context():
        return db.session.scalars(db.select(PengaduanTicket)).all()


def _file(client, cats, **extra):
    data = {**FILING, "category_id": cats["alpha"], **extra}
    return post_form(client, "/alpha/pengaduan/baru", data, content_type="multipart/form-data")


@pytest.mark.parametrize(
    ("lat", "lon", "says"),
    [
        ("-6.2", "", PAIR),
        ("", "106.8", PAIR),
        ("utara", "106.8", NOT_A_NUMBER),
        ("106.8", "-6.2", SWAPPED),
        ("48.85", "2.35", OUTSIDE),
        ("-600", "10600", OUTSIDE),
        ("nan", "nan", NOT_A_NUMBER),
        ("9" * 39, "106.8", OUTSIDE),
    ],
)
def test_the_filing_form_explains_a_bad_point_and_stores_nothing(app, client, cats, lat, lon, says):
    answer = _file(client, cats, lat=lat, lon=lon)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert says in page
    # The coordinates' section is open, so the message is not folded away.
    assert '<details class="profile" id="koordinat" open>' in page
    assert _tickets(app) == []


def test_the_filing_form_stores_a_good_pair_and_an_address_alone(app, client, cats):
    assert _file(client, cats, lat="-6,1754", lon="106,8272").status_code == 302
    assert _file(client, cats, lat="", lon="", address="Jl. Merdeka 1").status_code == 302
    first, second = sorted(_tickets(app), key=lambda ticket: ticket.id)
    assert (first.lat, first.lon) == pytest.approx((-6.1754, 106.8272))
    assert (second.lat, second.lon, second.address) == (None, None, "Jl. Merdeka 1")


def _post311(client, key, **data):
    body = {
        "jurisdiction_id": "alpha",
        "api_key": key,
        "service_code": "pelayanan",
        "description": "Lampu jalan di depan kantor mati sejak seminggu.",
        **data,
    }
    return client.post("/open311/v2/requests.json", data={k: v for k, v in body.items() if v is not None})


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"lat": "-6.2", "address_string": "Jl. Merdeka 1"}, "long: Isi juga bujurnya"),
        ({"long": "106.8"}, "lat: Isi juga lintangnya"),
        ({"lat": "-6.2", "long": "abc"}, "long: Bujur harus berupa angka"),
        ({"lat": "106.8", "long": "-6.2"}, SWAPPED),
        ({"lat": "40.7", "long": "-74.0"}, OUTSIDE),
        ({"lat": "-inf", "long": "106.8"}, NOT_A_NUMBER),
        ({"address_string": ""}, "lat and long, or address_string, required"),
    ],
)
def test_open311_applies_the_same_rule(app, client, key, data, says):
    answer = _post311(client, key, **data)
    assert answer.status_code == 400
    [error] = answer.json
    assert error["code"] == 400 and says in error["description"]
    assert _tickets(app) == []


def test_open311_stores_a_pair_inside_indonesia(app, client, key):
    answer = _post311(client, key, lat="-6.2001", long="106.8167")
    assert answer.status_code == 200, answer.json
    [ticket] = _tickets(app)
    assert (ticket.lat, ticket.lon) == pytest.approx((-6.2001, 106.8167))
