"""A complaint the officer resolved yesterday is proposed on yesterday's
report, and the activity keeps the complaint's key and link."""

from __future__ import annotations

import datetime as dt

from plugins.kinerja_harian.models import KinerjaHarianActivity
from plugins.pengaduan.models import PengaduanCategory, PengaduanEvent
from plugins.pengaduan.service import Filing, file_ticket
from portal.core.models import Agency, User
from portal.extensions import db
from portal.testing import post_form
from tests.kinerja_harian.conftest import YESTERDAY, day_url


def test_a_resolved_complaint_is_proposed_and_traced(app, world, people):
    with app.app_context(), app.test_request_context("/"):
        agency = db.session.get(Agency, world["alpha"]["agency"])
        category = PengaduanCategory(
            agency_id=agency.id, code="umum", name="Umum", fields_json="[]", active=True
        )
        db.session.add(category)
        db.session.commit()
        ticket = file_ticket(
            agency,
            Filing(category=category, title="Loket tutup", description="Loket tutup pada jam layanan."),
            now=dt.datetime(2026, 12, 8, 2, 0),
        )
        login = db.session.execute(db.select(User).filter_by(officer_id=world["alpha"]["staff"])).scalar_one()
        db.session.add(
            PengaduanEvent(
                ticket_id=ticket.id,
                user_id=login.id,
                from_status="diproses",
                to_status="selesai",
                text="Loket dibuka kembali.",
                created_at=dt.datetime(2026, 12, 9, 4, 0),  # Wednesday 11:00 WIB
            )
        )
        db.session.commit()
        reference, ticket_id = ticket.reference, ticket.id
    page = people["officer"].get(day_url(world, YESTERDAY)).get_data(as_text=True)
    assert f"Menyelesaikan pengaduan {reference}" in page
    assert "Menyelesaikan pengaduan" not in people["officer"].get(
        day_url(world, YESTERDAY.replace(day=8))
    ).get_data(as_text=True)
    key = f"pengaduan:selesai:{ticket_id}"
    response = post_form(
        people["officer"],
        day_url(world, YESTERDAY, tail="/usulan"),
        {"bukti": key},
        token_from=day_url(world, YESTERDAY),
    )
    assert response.status_code == 302
    with app.app_context():
        activity = db.session.scalars(db.select(KinerjaHarianActivity)).one()
        assert (activity.evidence_key, activity.evidence_source) == (key, "pengaduan")
        assert activity.evidence_url == f"/kelola/alpha/pengaduan/tiket/{reference}"
        assert activity.description == f"Menyelesaikan pengaduan {reference}"
    # The supervisor follows the link to the complaint from the day's report.
    page = people["supervisor"].get(day_url(world, YESTERDAY)).get_data(as_text=True)
    assert f'href="/kelola/alpha/pengaduan/tiket/{reference}"' in page
