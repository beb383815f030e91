"""No personal data on public pages or public APIs: a complaint and a forum
registration are filed with marked names and contacts, then every public
GET route (generated from the URL map, filled with the real codes) is read
and must not contain any of the marks."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree as ET

from PIL import Image

from plugins.dialog_publik.models import DialogEvent, DialogPanelist, DialogRegistration
from plugins.pengaduan.models import PengaduanCategory, PengaduanTicket
from portal.core.models import Desk
from portal.core.util.timeutil import utcnow
from portal.extensions import db
from portal.testing import login, post_form
from tests.pengaduan.conftest import FILING, PDF, jpeg_with_gps

# The names and contacts of a complainant and a registrant, and the place of
# a *rahasia* complaint (an ordinary complaint's place is the problem's
# location, public as in any GeoReport v2 service).
MARKS = (
    "Zulkarnaen Penanda",
    "0813 7777 2468",
    "081377772468",
    "zul.penanda@warga.example",
    "Jl. Penanda Rahasia 9",
    "Ratna Penanda",
    "0813 5555 1357",
    "081355551357",
    "Sri Penanda",
    "sri.penanda@warga.example",
)
PRIVATE_PREFIXES = ("/kelola", "/kinerja", "/api/", "/akun", "/static")


def _setup(app, client, world):
    with app.app_context():
        category = PengaduanCategory(
            agency_id=world["alpha"]["agency"],
            code="pelayanan",
            name="Pelayanan",
            active=True,
            fields_json="[]",
        )
        start = utcnow() + dt.timedelta(days=2)
        event = DialogEvent(
            agency_id=world["alpha"]["agency"],
            title="Forum KTP",
            topic="KTP",
            description="Tanya jawab.",
            mode="tatap_muka",
            venue="Aula",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=50,
            status="terbit",
            panelists=[DialogPanelist(officer_id=world["alpha"]["staff"])],
        )
        db.session.add_all([category, event])
        db.session.commit()
        category_id, event_id = category.id, event.id
    filed = post_form(
        client,
        "/alpha/pengaduan/baru",
        {**FILING, "category_id": category_id, "name": MARKS[0], "phone": MARKS[1], "email": MARKS[3]},
        content_type="multipart/form-data",
    )
    assert filed.status_code == 302, filed.get_data(as_text=True)[:500]
    secret = post_form(
        client,
        "/alpha/pengaduan/baru",
        {
            **FILING,
            "category_id": category_id,
            "name": MARKS[8],
            "phone": "",
            "email": MARKS[9],
            "address": MARKS[4],
            "confidential": "y",
        },
        content_type="multipart/form-data",
    )
    assert secret.status_code == 302, secret.get_data(as_text=True)[:500]
    registered = post_form(
        client, f"/alpha/dialog/{event_id}", {"name": MARKS[5], "contact": MARKS[6]}, token_from="/masuk"
    )
    assert registered.status_code == 302
    with app.app_context():
        ticket, secret_ticket = db.session.scalars(
            db.select(PengaduanTicket).order_by(PengaduanTicket.id)
        ).all()
        registration = db.session.scalars(db.select(DialogRegistration)).one()
        desk = db.session.get(Desk, world["alpha"]["desk"])
        assert ticket.name == MARKS[0] and registration.name == MARKS[5]  # stored, for staff
        assert secret_ticket.confidential and secret_ticket.address == MARKS[4]
        return {
            "ticket": ticket.code,
            "secret": secret_ticket.code,
            "registration": registration.code,
            "token": desk.qr_token,
            "event": event_id,
            "references": [ticket.reference, secret_ticket.reference],
        }


def test_public_pages_and_apis_never_show_personal_data(app, client, world):
    known = _setup(app, client, world)
    visitor = app.test_client()
    read = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(PRIVATE_PREFIXES):
            continue
        url = rule.rule.replace("<agency_slug>", "alpha").replace("<slug>", "alpha")
        url = url.replace("<int:event_id>", str(known["event"])).replace("<token>", known["token"])
        url = url.replace("<fmt>", "json")
        codes = [known["ticket"], known["secret"], known["registration"]] if "<code>" in url else [None]
        if url.startswith("/open311/") and "<code>" in url:
            codes = known["references"]  # Open311 knows complaints by their public reference
        for code in codes:
            target = re.sub(r"<(?:\w+:)?\w+>", "1", url.replace("<code>", code or ""))
            if target.startswith("/open311/"):
                target += "?jurisdiction_id=alpha"  # two agencies have complaints on
            for variant in {target, target.replace(".json", ".xml")}:
                response = visitor.get(variant)
                text = response.get_data(as_text=True)
                response.close()
                for mark in MARKS:
                    assert mark not in text, (variant, mark)
                if response.status_code == 200:
                    read.add(variant)
    assert len(read) >= 20
    for page in (
        f"/alpha/pengaduan/lacak/{known['ticket']}",
        f"/alpha/pengaduan/lacak/{known['secret']}",
        f"/alpha/pengaduan/terkirim/{known['ticket']}",
        f"/alpha/dialog/pendaftaran/{known['registration']}",
        "/open311/v2/requests.xml?jurisdiction_id=alpha",
        f"/open311/v2/requests/{known['references'][1]}.json?jurisdiction_id=alpha",
        f"/alpha/dialog/{known['event']}",
        "/alpha/survei/hasil",
    ):
        assert page in read, page
    # The check can fail: the agency's staff do see the complainant.
    from portal.testing import login

    login(client, world["alpha"]["emails"]["admin"])
    detail = client.get(f"/kelola/alpha/pengaduan/tiket/{known['ticket']}").get_data(as_text=True)
    assert MARKS[0] in detail


# ---------------------------------------------------------------- the crawl of a stranger

SECRET_TITLE = "Judul aduan rahasia penanda"
SECRET_TEXT = "Isi aduan rahasia penanda: pegawai meminta imbalan agar berkas didahulukan."
SECRET_ANSWER = "Tanggapan rahasia penanda: pegawai yang bersangkutan sudah diperiksa."
SECRET_PLACE = "Jl. Tempat Rahasia 7"
ENTRY_POINTS = [
    "/",
    "/alpha/",
    "/alpha/pengaduan/",
    "/alpha/pengaduan/baru",
    "/alpha/pengaduan/lacak",
    "/open311/v2/discovery.json",
    "/open311/v2/discovery.xml",
    *(
        f"/open311/v2/{what}.{fmt}?jurisdiction_id=alpha{query}"
        for what in ("services", "services/pelayanan", "requests")
        for fmt in ("json", "xml")
        for query in ("", "&status=open", "&status=closed", "&start_date=2000-01-01T00:00:00%2B07:00")
        if what == "requests" or not query
    ),
]
NOT_PUBLIC = ("/kelola", "/kinerja", "/static", "/keluar", "/akun", "/api/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action") and value:
                self.found.append(value)


def _links(url: str, response) -> set[str]:
    """Every address a page or a machine answer leads to (Open311 requests
    lead to their own requests/{id} in both formats)."""
    text = response.get_data(as_text=True)
    found: list[str] = []
    ids: list[str] = []
    if response.mimetype == "text/html":
        parser = _Links()
        parser.feed(text)
        found = parser.found
    elif response.mimetype == "application/json":

        def walk(value):
            if isinstance(value, dict):
                if value.get("service_request_id"):
                    ids.append(value["service_request_id"])
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)
            elif isinstance(value, str) and value.startswith(("http://", "/")):
                found.append(value)

        walk(json.loads(text))
    elif response.mimetype == "text/xml":
        for element in ET.fromstring(response.data).iter():
            value = (element.text or "").strip()
            if element.tag == "service_request_id" and value:
                ids.append(value)
            elif value.startswith(("http://", "/")):
                found.append(value)
    found += [f"/open311/v2/requests/{i}.{fmt}?jurisdiction_id=alpha" for i in ids for fmt in ("json", "xml")]
    out = set()
    for link in found:
        parts = urlsplit(urljoin("http://localhost" + url, link))
        if parts.scheme in ("http", "https") and parts.hostname == "localhost":
            out.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return {u for u in out if not u.startswith(NOT_PUBLIC)}


def _file_secret(app, client, category_id, files, **extra):
    r = post_form(
        client,
        "/alpha/pengaduan/baru",
        {
            **FILING,
            "category_id": category_id,
            "title": SECRET_TITLE,
            "description": SECRET_TEXT,
            "address": SECRET_PLACE,
            "confidential": "y",
            "files": files,
            **extra,
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    with app.app_context():
        return (
            db.session.scalars(db.select(PengaduanTicket).order_by(PengaduanTicket.id.desc()))
            .first()
            .reference
        )


def test_a_strangers_crawl_reaches_no_secret(app, client, world):
    """Rahasia complaints with a GPS-tagged photo and a PDF, an ordinary one
    with a photo, one filed over Open311; then everything an anonymous
    visitor can reach from the public pages and Open311, following every
    link, holds no tracking code, nothing of a rahasia complaint (not even
    its reference) and no attachment."""
    from portal.core.models import Agency
    from portal.core.web.api import create_key

    app.config["PENGADUAN_LOOKUP_LIMIT"] = "1000 per minute"
    with app.app_context():
        category = PengaduanCategory(
            agency_id=world["alpha"]["agency"],
            code="pelayanan",
            name="Pelayanan",
            active=True,
            fields_json="[]",
        )
        db.session.add(category)
        db.session.commit()
        category_id = category.id
        _row, key = create_key(db.session.get(Agency, world["alpha"]["agency"]), "311", "write")
        db.session.commit()
    photo = jpeg_with_gps()
    closed = _file_secret(
        app, client, category_id, [(io.BytesIO(photo), "lokasi.jpg"), (io.BytesIO(PDF), "bukti.pdf")]
    )
    still_open = _file_secret(app, client, category_id, [(io.BytesIO(photo), "foto.jpg")])
    r = post_form(
        client,
        "/alpha/pengaduan/baru",
        {**FILING, "category_id": category_id, "files": [(io.BytesIO(photo), "umum.jpg")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 302
    assert (
        client.post(
            "/open311/v2/requests.json",
            data={
                "jurisdiction_id": "alpha",
                "api_key": key,
                "service_code": "pelayanan",
                "address_string": "Jl. Umum 1",
                "description": "Antrean loket dua tidak bergerak sejak pagi.",
            },
        ).status_code
        == 200
    )
    admin = app.test_client()
    login(admin, world["alpha"]["emails"]["admin"])
    for reference in (closed, still_open):
        url = f"/kelola/alpha/pengaduan/tiket/{reference}"
        assert post_form(admin, url, {"action": "respond", "text": SECRET_ANSWER}).status_code == 302
    for action, extra in (
        ("verify", {}),
        ("assign", {"officer_id": world["alpha"]["staff"]}),
        ("resolve", {"text": SECRET_ANSWER}),
    ):
        url = f"/kelola/alpha/pengaduan/tiket/{closed}"
        assert post_form(admin, url, {"action": action, **extra}).status_code == 302
    with app.app_context():
        tickets = db.session.scalars(db.select(PengaduanTicket).order_by(PengaduanTicket.id)).all()
        assert len(tickets) == 4 and sum(t.confidential for t in tickets) == 2
        codes = {t.code for t in tickets}
        public_references = {t.reference for t in tickets if not t.confidential}
        folder = os.path.join(app.config["PORTAL_UPLOAD_DIR"], "pengaduan")
        stored = [Path(folder, a.stored_name).read_bytes() for t in tickets for a in t.attachments]
        assert len(stored) == 4
    secrets = {
        *codes,
        *(c.replace("-", "") for c in codes),
        SECRET_TITLE,
        SECRET_TEXT,
        SECRET_ANSWER,
        SECRET_PLACE,
        closed,
        still_open,
    }

    stranger = app.test_client()
    queue, seen, read = list(ENTRY_POINTS), set(), {}
    while queue and len(seen) < 400:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = stranger.get(url)
        body = response.get_data()
        text = body.decode("utf-8", "replace")
        for secret in secrets:
            assert secret not in text, (url, secret)
        assert "/lampiran/" not in text, url
        assert not response.headers.get("Content-Disposition", "").startswith("attachment"), url
        assert all(body != data and (len(data) < 64 or data[-64:] not in body) for data in stored), url
        if response.status_code == 200:
            read[url] = response.mimetype
            queue += sorted(_links(url, response) - seen)
        response.close()
    assert len(seen) < 400, "the crawl did not end"
    # The crawl did reach what is public: the lists, and every ordinary
    # complaint by its reference in both formats.
    for reference in public_references:
        for fmt in ("json", "xml"):
            assert f"/open311/v2/requests/{reference}.{fmt}?jurisdiction_id=alpha" in read
    assert {"/alpha/", "/alpha/pengaduan/", "/open311/v2/requests.xml?jurisdiction_id=alpha"} <= set(read)
    assert {"application/json", "text/xml", "text/html"} <= set(read.values())

    # Asked for by its reference, a rahasia complaint shows its status only.
    for fmt in ("json", "xml"):
        answer = stranger.get(f"/open311/v2/requests/{closed}.{fmt}?jurisdiction_id=alpha")
        assert answer.status_code == 200 and closed in answer.get_data(as_text=True)
        for secret in secrets - {closed}:
            assert secret not in answer.get_data(as_text=True), secret
    # Only its tracking code opens it, and its photo then carries no EXIF.
    with app.app_context():
        ticket = db.session.scalars(db.select(PengaduanTicket).filter_by(reference=closed)).one()
        code, items = ticket.code, [(a.id, a.content_type) for a in ticket.attachments]
    page = stranger.get(f"/alpha/pengaduan/lacak/{code}").get_data(as_text=True)
    assert SECRET_TITLE in page and SECRET_TEXT in page
    photo_id = next(i for i, kind in items if kind == "image/jpeg")
    image = Image.open(io.BytesIO(stranger.get(f"/alpha/pengaduan/lacak/{code}/lampiran/{photo_id}").data))
    assert dict(image.getexif()) == {} and "exif" not in image.info
