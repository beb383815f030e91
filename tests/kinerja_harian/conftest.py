"""Fixtures of the kinerja harian tests: a fixed "now" (Thursday
10 December 2026, 10:00 WIB) and signed-in clients per role."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image

from portal.testing import login

#: Thursday 10 December 2026, 10:00 in Jakarta.
NOW = dt.datetime(2026, 12, 10, 3, 0)
TODAY = dt.date(2026, 12, 10)
YESTERDAY = dt.date(2026, 12, 9)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


class Clock:
    def __init__(self, monkeypatch):
        self.now = NOW
        from plugins.kinerja_harian import demo, service, staff

        for module in (service, staff, demo):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def set(self, moment: dt.datetime) -> None:
        self.now = moment


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def people(app, world, clock):
    """Signed-in clients: alpha's officer, supervisor and admin, and beta's officer."""
    clients = {}
    for name, (slug, role) in {
        "officer": ("alpha", "officer"),
        "supervisor": ("alpha", "supervisor"),
        "admin": ("alpha", "admin"),
        "beta": ("beta", "officer"),
    }.items():
        client = app.test_client()
        login(client, world[slug]["emails"][role])
        clients[name] = client
    return clients


def day_url(world, day: dt.date, slug="alpha", who="staff", tail="") -> str:
    return f"/kelola/{slug}/kinerja-harian/pegawai/{world[slug][who]}/hari/{day.isoformat()}{tail}"


ACTIVITY = {
    "description": "Melayani permohonan KTP di loket 1",
    "output": "berkas",
    "quantity": "12",
    "minutes": "180",
}


def version_of(client, url) -> str:
    """The version of the day a page shows (what its forms send back)."""
    import re

    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="version" type="hidden" value="(\d*)"', page)
    return match.group(1) if match else ""


def send_day(client, world, day, who="staff"):
    """Press "Kirim laporan ke atasan" on the day's page."""
    from portal.testing import post_form

    url = day_url(world, day, who=who)
    return post_form(
        client,
        day_url(world, day, who=who, tail="/kirim"),
        {"version": version_of(client, url)},
        token_from=url,
    )
