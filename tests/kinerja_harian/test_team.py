"""The team's compliance, the monthly evaluation, the recap and the exports."""

from __future__ import annotations

import csv
import datetime as dt
import io

from plugins.kinerja_harian.models import (
    DayStatus,
    KinerjaHarianActivity,
    KinerjaHarianDay,
    KinerjaHarianEvaluation,
)
from portal.extensions import db
from portal.testing import post_form

BASE = "/kelola/alpha/kinerja-harian"


def _report(world, day, status, late=False, minutes=(60,)):
    report = KinerjaHarianDay(
        agency_id=world["alpha"]["agency"],
        officer_id=world["alpha"]["staff"],
        day=day,
        status=status,
        late=late,
        submitted_at=dt.datetime.combine(day, dt.time(9)) if status != DayStatus.DRAF else None,
    )
    for m in minutes:
        report.activities.append(
            KinerjaHarianActivity(description="Melayani warga", output="berkas", quantity=2, minutes=m)
        )
    db.session.add(report)


def _december(app, world):
    """1–10 December 2026 (now Thursday the 10th): 8 working days up to today.
    1 on time, 2 late, 3 missing, 4 on time and returned, 7 missing,
    8 waiting, 9 not sent yet (its deadline is today), 10 today."""
    with app.app_context():
        _report(world, dt.date(2026, 12, 1), DayStatus.DISETUJUI, minutes=(60, 30))
        _report(world, dt.date(2026, 12, 2), DayStatus.DISETUJUI, late=True)
        _report(world, dt.date(2026, 12, 4), DayStatus.DIKEMBALIKAN)
        _report(world, dt.date(2026, 12, 8), DayStatus.DIAJUKAN)
        db.session.commit()


def test_compliance_counts_by_hand(app, world, people):
    _december(app, world)
    page = people["supervisor"].get(f"{BASE}/tim?bulan=2026-12").get_data(as_text=True)
    # Settled: 1, 2, 3, 4, 7, 8 → 3 on time (1, 4, 8), 1 late (2), 2 missing (3, 7) → 50%.
    assert "50% tepat waktu" in page
    own = (
        people["officer"]
        .get(f"{BASE}/pegawai/{world['alpha']['staff']}?bulan=2026-12")
        .get_data(as_text=True)
    )
    assert "3 tepat waktu" in own and "1 terlambat" in own and "2 tidak dilaporkan" in own
    assert own.count("Tidak dilaporkan") == 2 and own.count("Belum dilaporkan") == 2  # the 9th and today


def test_exports_one_row_per_officer_and_day_and_a_summary(app, world, people):
    _december(app, world)
    response = people["supervisor"].get(f"{BASE}/ekspor/csv?bulan=2026-12")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:5] == ["NIP", "Nama", "Unit", "Tanggal", "Keadaan"]
    staff_rows = [r for r in rows[1:] if r[1] == "Staf alpha"]
    assert [r[3] for r in staff_rows] == [
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
        "2026-12-04",
        "2026-12-07",
        "2026-12-08",
        "2026-12-09",
        "2026-12-10",
    ]
    first = staff_rows[0]
    assert first[4:6] == ["Tepat waktu", "Disetujui"] and first[7:9] == ["2", "90"]
    assert staff_rows[2][4] == "Tidak dilaporkan"
    response = people["admin"].get(f"{BASE}/ekspor/csv?bulan=2026-12&isi=ringkasan")
    summary = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    row = next(r for r in summary if r[1] == "Staf alpha")
    assert row[3:11] == ["2026-12", "8", "3", "1", "2", "2", "1", "50.0"]
    assert people["admin"].get(f"{BASE}/ekspor/xlsx?bulan=2026-12").status_code == 200


def test_the_supervisor_evaluates_the_month_and_the_recap_has_signature_lines(app, world, people):
    staff = world["alpha"]["staff"]
    url = f"{BASE}/pegawai/{staff}/evaluasi?bulan=2026-12"
    response = post_form(people["supervisor"], url, {"conclusion": "sesuai", "note": ""})
    assert response.status_code == 400
    response = post_form(
        people["supervisor"], url, {"conclusion": "sesuai", "note": "Laporan rapi; kirim lebih awal."}
    )
    assert response.status_code == 302
    response = post_form(people["supervisor"], url, {"conclusion": "di_atas", "note": "Diperbarui."})
    with app.app_context():
        rows = db.session.scalars(db.select(KinerjaHarianEvaluation)).all()
        assert [(r.month, r.conclusion, r.note) for r in rows] == [
            (dt.date(2026, 12, 1), "di_atas", "Diperbarui.")
        ]
    future = post_form(
        people["supervisor"],
        f"{BASE}/pegawai/{staff}/evaluasi?bulan=2027-01",
        {"conclusion": "sesuai", "note": "x"},
    )
    assert future.status_code == 400 and "belum berjalan" in future.get_data(as_text=True)
    recap = people["officer"].get(f"{BASE}/pegawai/{staff}/rekap?bulan=2026-12").get_data(as_text=True)
    assert "Di atas ekspektasi" in recap and "Atasan langsung" in recap and "Atasan alpha" in recap
