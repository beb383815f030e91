"""The two evidence items of the needs analysis that come from other
modules: the supervisors' "what to improve" (an officer's own page only,
no weight, no theme of its own) and the unit's complaint categories handled
late (each a half-weight item for the theme that addresses complaints)."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.pengaduan.models import PengaduanCategory, PengaduanTicket, TicketStatus
from plugins.pengembangan.models import PengembanganTheme
from portal.builtin.records.models import FeedbackNote
from portal.core.models import Officer
from portal.core.util.timeutil import utcnow
from portal.extensions import db
from portal.plugin import feedback_improvements
from portal.testing import login
from tests.pengembangan.conftest import today

BASE = "/kelola/alpha/pengembangan"


def _note(agency_id, officer_id, created_at, improvements, strengths="Ramah"):
    db.session.add(
        FeedbackNote(
            agency_id=agency_id,
            officer_id=officer_id,
            strengths=strengths,
            improvements=improvements,
            created_at=created_at,
        )
    )


def test_feedback_improvements_by_local_date_newest_first(app, world):
    """Window 1–31 March 2026 in Jakarta (UTC+7): 28 Feb 17.00 UTC is already
    1 March locally, 31 March 17.00 UTC is already 1 April."""
    alpha, beta = world["alpha"], world["beta"]
    with app.app_context():
        staff = alpha["staff"]
        _note(alpha["agency"], staff, dt.datetime(2026, 2, 28, 16, 59), "Terlalu awal")
        _note(alpha["agency"], staff, dt.datetime(2026, 2, 28, 17, 0), "Jelaskan syarat KK")
        _note(alpha["agency"], staff, dt.datetime(2026, 3, 15, 3, 0), "   ")  # nothing to improve
        _note(alpha["agency"], staff, dt.datetime(2026, 3, 20, 3, 0), "", strengths="Teliti")
        _note(alpha["agency"], staff, dt.datetime(2026, 3, 31, 16, 59), "Balas pesan lebih cepat")
        _note(alpha["agency"], staff, dt.datetime(2026, 3, 31, 17, 0), "Terlambat")
        # a note of another agency: never, even when it names this officer's id
        _note(beta["agency"], staff, dt.datetime(2026, 3, 10, 3, 0), "Dari instansi lain")
        _note(beta["agency"], beta["staff"], dt.datetime(2026, 3, 10, 3, 0), "Milik Beta")
        db.session.commit()
        start, end = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
        found = feedback_improvements(db.session.get(Officer, staff), start, end)
        assert found == [
            (dt.date(2026, 3, 31), "Balas pesan lebih cepat"),
            (dt.date(2026, 3, 1), "Jelaskan syarat KK"),
        ]
        assert feedback_improvements(db.session.get(Officer, beta["staff"]), start, end) == [
            (dt.date(2026, 3, 10), "Milik Beta")
        ]
        assert feedback_improvements(db.session.get(Officer, alpha["boss"]), start, end) == []


@pytest.fixture
def feedback(app, world):
    """A note of this year with something to improve, one of last year, and
    one about the other agency's officer."""
    with app.app_context():
        _note(world["alpha"]["agency"], world["alpha"]["staff"], utcnow(), "Jelaskan syarat KK lebih runtut")
        _note(
            world["alpha"]["agency"],
            world["alpha"]["staff"],
            utcnow() - dt.timedelta(days=400),
            "Catatan tahun lalu",
        )
        _note(world["beta"]["agency"], world["beta"]["staff"], utcnow(), "Catatan instansi Beta")
        db.session.commit()


def test_feedback_is_shown_on_the_officers_page_without_inventing_a_need(app, world, dev, feedback):
    staff = world["alpha"]["staff"]
    url = f"{BASE}/kebutuhan/{staff}"
    for email in (world["alpha"]["emails"]["admin"], world["alpha"]["emails"]["supervisor"]):
        viewer = app.test_client()
        login(viewer, email)
        page = viewer.get(url).get_data(as_text=True)
        assert "Umpan balik atasan: yang perlu ditingkatkan" in page
        assert "Jelaskan syarat KK lebih runtut" in page
        assert "Catatan tahun lalu" not in page and "Catatan instansi Beta" not in page
        # no weight and no theme of its own: there is still no ranked need
        assert "Belum ada kebutuhan yang ditunjukkan bukti" in page
    own = app.test_client()
    login(own, world["alpha"]["emails"]["officer"])
    assert "Jelaskan syarat KK lebih runtut" in own.get(url).get_data(as_text=True)
    # never in the unit's aggregate, nor on the team page
    admin = app.test_client()
    login(admin, world["alpha"]["emails"]["admin"])
    for page_url in (f"{BASE}/kebutuhan", f"{BASE}/tim"):
        page = admin.get(page_url).get_data(as_text=True)
        assert "Jelaskan syarat KK" not in page


def test_a_colleague_cannot_see_another_officers_feedback(app, world, dev, feedback):
    url = f"{BASE}/kebutuhan/{world['alpha']['staff']}"
    for email in (dev["emails"]["a"], dev["emails"]["c"]):
        other = app.test_client()
        login(other, email)
        response = other.get(url)
        assert response.status_code == 404
        assert "Jelaskan syarat KK" not in response.get_data(as_text=True)
        for page_url in (f"{BASE}/kebutuhan", f"{BASE}/kebutuhan/{dev['ids']['a']}"):
            assert "Jelaskan syarat KK" not in other.get(page_url).get_data(as_text=True)
    beta = app.test_client()
    login(beta, world["beta"]["emails"]["admin"])
    assert beta.get(url).status_code == 404


def _tickets(world, day, category_id, on_time: int, late: int, tag: str):
    """Complaints of the unit resolved a few minutes ago, ``on_time`` of them
    due in three days and ``late`` of them due three days ago."""
    for n in range(on_time + late):
        db.session.add(
            PengaduanTicket(
                agency_id=world["alpha"]["agency"],
                code=f"UJI-{tag}-{n:02d}",
                reference=f"ADU-{tag}-{n:02d}",
                category_id=category_id,
                title="t",
                description="d",
                status=TicketStatus.SELESAI,
                assigned_unit_id=world["alpha"]["unit"],
                resolved_at=utcnow() - dt.timedelta(minutes=n + 1),
                resolve_due=day + dt.timedelta(days=3 if n < on_time else -3),
                verify_due=day,
            )
        )


def test_complaint_categories_handled_late_point_at_the_complaints_theme(app, client, world, dev):
    """KTP: 2 of 5 on time (40%, below 80%: evidence); KK: 5 of 5 (100%:
    none); Akta: 4 resolved, all late (too few: none). The unit overall: 7
    of 14 (50%: the overall item). For each of the unit's four officers the
    complaints theme weighs 1 (overall) + 0.5 (KTP) = 1.5, so 6.0 for the unit."""
    day = today(app, world)
    with app.app_context():
        agency_id = world["alpha"]["agency"]
        ids = {}
        for code, name in (("ktp", "KTP"), ("kk", "KK"), ("akta", "Akta")):
            category = PengaduanCategory(agency_id=agency_id, code=code, name=name, fields_json="[]")
            db.session.add(category)
            db.session.flush()
            ids[code] = category.id
        _tickets(world, day, ids["ktp"], 2, 3, "KTP")
        _tickets(world, day, ids["kk"], 5, 0, "KK")
        _tickets(world, day, ids["akta"], 0, 4, "AKTA")
        db.session.add(
            PengembanganTheme(agency_id=agency_id, name="Penanganan pengaduan", sources="pengaduan")
        )
        db.session.commit()
    login(client, world["alpha"]["emails"]["admin"])
    page = client.get(f"{BASE}/kebutuhan?unit={world['alpha']['unit']}").get_data(as_text=True)
    assert (
        "Pengaduan KTP selesai tepat waktu di unit Pelayanan Umum: 40,0% (n=5), di bawah sasaran 80%." in page
    )
    assert "Pengaduan KK selesai" not in page and "Pengaduan Akta selesai" not in page
    assert "selesai tepat waktu: 50,0% (n=14), di bawah sasaran 80%." in page
    assert "<td>Penanganan pengaduan</td><td>4 / 4</td><td>4</td><td>6,0</td>" in page
    page = client.get(f"{BASE}/kebutuhan/{world['alpha']['staff']}").get_data(as_text=True)
    assert "Penanganan pengaduan</strong>" in page and "Pengaduan KTP selesai tepat waktu di unit" in page
    # the other unit has no complaints: no evidence there
    page = client.get(f"{BASE}/kebutuhan?unit={dev['akta']}").get_data(as_text=True)
    assert "selesai tepat waktu" not in page
