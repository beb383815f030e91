"""Targets: drafted, agreed by the supervisor, read-only once the period
has closed; a reported target's progress is the sum of the activities the
supervisor approved, against hand-computed values."""

from __future__ import annotations

import datetime as dt

from plugins.kinerja_harian.models import (
    DayStatus,
    KinerjaHarianActivity,
    KinerjaHarianDay,
    KinerjaHarianTarget,
    TargetStatus,
)
from portal.extensions import db
from portal.testing import csrf_token, post_form

BASE = "/kelola/alpha/kinerja-harian"
NEW = {
    "period_kind": "triwulan",
    "period_day": "2026-12-01",
    "kind": "dilaporkan",
    "indicator_key": "",
    "title": "Berkas KTP diselesaikan",
    "target_value": "100",
    "unit_label": "berkas",
}


def _targets(app):
    with app.app_context():
        return [
            (t.officer_id, t.title, t.status, t.start, t.end)
            for t in db.session.scalars(db.select(KinerjaHarianTarget))
        ]


def test_an_officer_drafts_a_target_and_the_supervisor_agrees_it(app, world, people):
    staff = world["alpha"]["staff"]
    response = post_form(people["officer"], f"{BASE}/target/baru", {**NEW, "owner": f"o{staff}"})
    assert response.status_code == 302
    assert _targets(app) == [
        (staff, "Berkas KTP diselesaikan", TargetStatus.DRAF, dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    ]
    with app.app_context():
        target_id = db.session.scalar(db.select(KinerjaHarianTarget.id))
    token = csrf_token(people["officer"], f"{BASE}/target")
    assert (
        people["officer"].post(f"{BASE}/target/{target_id}/sepakati", data={"csrf_token": token}).status_code
        == 403
    )
    page = people["supervisor"].get(f"{BASE}/target").get_data(as_text=True)
    assert "Berkas KTP diselesaikan" in page and "Sepakati" in page
    token = csrf_token(people["supervisor"], f"{BASE}/target")
    assert (
        people["supervisor"]
        .post(f"{BASE}/target/{target_id}/sepakati", data={"csrf_token": token})
        .status_code
        == 302
    )
    assert _targets(app)[0][2] == TargetStatus.DISEPAKATI
    # Agreed: no longer changed by anyone.
    response = post_form(
        people["officer"],
        f"{BASE}/target/{target_id}/ubah",
        {**NEW, "owner": f"o{staff}", "title": "X"},
        token_from=f"{BASE}/target",
    )
    assert response.status_code == 302 and _targets(app)[0][1] == "Berkas KTP diselesaikan"


def test_an_officer_cannot_set_a_target_for_someone_else(app, world, people):
    response = post_form(
        people["officer"], f"{BASE}/target/baru", {**NEW, "owner": f"o{world['alpha']['boss']}"}
    )
    assert response.status_code == 400 and "Pilih pegawai atau unit dari daftar" in response.get_data(
        as_text=True
    )
    response = post_form(
        people["officer"], f"{BASE}/target/baru", {**NEW, "owner": f"o{world['beta']['staff']}"}
    )
    assert response.status_code == 400
    assert _targets(app) == []


def test_a_target_for_a_closed_period_is_refused_and_a_closed_one_is_read_only(app, world, people):
    staff = world["alpha"]["staff"]
    response = post_form(
        people["supervisor"], f"{BASE}/target/baru", {**NEW, "owner": f"o{staff}", "period_day": "2026-06-01"}
    )
    assert response.status_code == 400 and "sudah berakhir" in response.get_data(as_text=True)
    with app.app_context():
        old = KinerjaHarianTarget(
            agency_id=world["alpha"]["agency"],
            officer_id=staff,
            period_kind="triwulan",
            start=dt.date(2026, 7, 1),
            end=dt.date(2026, 9, 30),
            kind="dilaporkan",
            title="Triwulan III",
            target_value=10,
            unit_label="berkas",
            status=TargetStatus.DRAF,
        )
        db.session.add(old)
        db.session.commit()
        old_id = old.id
    token = csrf_token(people["supervisor"], f"{BASE}/target")
    people["supervisor"].post(f"{BASE}/target/{old_id}/sepakati", data={"csrf_token": token})
    people["supervisor"].post(f"{BASE}/target/{old_id}/hapus", data={"csrf_token": token})
    page = people["supervisor"].get(f"{BASE}/target").get_data(as_text=True)
    assert "periode ditutup" in page
    assert _targets(app) == [
        (staff, "Triwulan III", TargetStatus.DRAF, dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    ]


def test_reported_progress_counts_only_approved_days(app, world, people):
    staff = world["alpha"]["staff"]
    with app.app_context():
        target = KinerjaHarianTarget(
            agency_id=world["alpha"]["agency"],
            officer_id=staff,
            period_kind="triwulan",
            start=dt.date(2026, 10, 1),
            end=dt.date(2026, 12, 31),
            kind="dilaporkan",
            title="Berkas KTP diselesaikan",
            target_value=100,
            unit_label="berkas",
            status=TargetStatus.DISEPAKATI,
        )
        db.session.add(target)
        db.session.flush()
        for day, status, quantities in [
            (dt.date(2026, 12, 1), DayStatus.DISETUJUI, [10, 15]),
            (dt.date(2026, 12, 2), DayStatus.DIKEMBALIKAN, [7]),
            (dt.date(2026, 12, 3), DayStatus.DIAJUKAN, [9]),
            (dt.date(2026, 9, 30), DayStatus.DISETUJUI, [50]),  # before the period
        ]:
            report = KinerjaHarianDay(
                agency_id=world["alpha"]["agency"], officer_id=staff, day=day, status=status
            )
            for quantity in quantities:
                report.activities.append(
                    KinerjaHarianActivity(
                        description="x", output="berkas", quantity=quantity, minutes=30, target_id=target.id
                    )
                )
            db.session.add(report)
        db.session.commit()
    page = people["officer"].get(f"{BASE}/pegawai/{staff}").get_data(as_text=True)
    # 10 + 15 approved = 25 of 100 (25%); the returned 7, the waiting 9 and September's 50 do not count.
    assert "Capaian 25 dari target 100 berkas" in page and "(25%)" in page
    assert "dari 2 kegiatan yang disetujui" in page
    record = people["supervisor"].get(f"/kinerja/pegawai/{staff}").get_data(as_text=True)
    assert "Capaian 25 dari target 100 berkas" in record  # the panel on the record page
