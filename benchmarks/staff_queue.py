"""Staff queue with 100,000 complaints: server time of its first page.

    python benchmarks/staff_queue.py DATABASE_URL [N]

Fills the database (already migrated, with the benchmark agency) with N
complaints (default 100,000) by bulk insert, signs in as the agency admin,
and times the queue's first page in process — from the WSGI call to the last
byte, no network — 30 times after 5 warm-up requests. Prints the median and
the 95th percentile in milliseconds.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import time

os.environ.setdefault("PORTAL_SECRET_KEY", "bench-" + "x" * 32)


def main() -> None:
    url = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    os.environ["PORTAL_DATABASE_URL"] = url
    from plugins.pengaduan import codes
    from plugins.pengaduan.models import PengaduanCategory, PengaduanTicket
    from portal import create_app
    from portal.core.models import Agency, User
    from portal.extensions import db

    app = create_app({"RATELIMIT_ENABLED": False, "PORTAL_PASSWORD_HASH": "pbkdf2:sha256:1000"})
    with app.app_context():
        agency = db.session.execute(db.select(Agency).filter_by(slug="bench")).scalar_one()
        category = (
            db.session.execute(db.select(PengaduanCategory).filter_by(agency_id=agency.id)).scalars().first()
        )
        admin = User(email="queue-admin@bench.example", name="Admin", role="admin", agency_id=agency.id)
        admin.set_password("bench-password-123")
        db.session.add(admin)
        db.session.commit()
        rng = random.Random(1)
        now = dt.datetime(2026, 11, 1)
        statuses = ["baru", "diverifikasi", "diproses", "selesai", "ditutup", "ditolak"]
        batch = []
        seen = set()
        for i in range(n):
            code, reference = codes.new_code(), codes.new_reference()
            while code in seen or reference in seen:
                code, reference = codes.new_code(), codes.new_reference()
            seen.update((code, reference))
            created = now - dt.timedelta(minutes=i * 5)
            batch.append(
                {
                    "agency_id": agency.id,
                    "code": code,
                    "reference": reference,
                    "category_id": category.id,
                    "title": f"Pengaduan nomor {i}",
                    "description": "Isi pengaduan " * 5,
                    "status": rng.choice(statuses),
                    "created_at": created,
                    "updated_at": created,
                    "verify_due": created.date(),
                    "address": "",
                    "extra_json": "{}",
                    "anonymous": False,
                    "confidential": False,
                    "name": "",
                    "phone": "",
                    "email": "",
                    "rejection_reason": "",
                    "resolution": "",
                    "escalated_stage": "",
                    "reopen_count": 0,
                }
            )
            if len(batch) == 5000:
                db.session.execute(db.insert(PengaduanTicket), batch)
                batch = []
        if batch:
            db.session.execute(db.insert(PengaduanTicket), batch)
        db.session.commit()
        # Fresh statistics, as autovacuum (PostgreSQL) would have gathered them a
        # minute after such a load; without them the planner guesses one row.
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()
    client = app.test_client()
    page = client.get("/masuk").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/masuk",
        data={"csrf_token": token, "email": "queue-admin@bench.example", "password": "bench-password-123"},
    )
    times = []
    for i in range(35):
        start = time.perf_counter()
        response = client.get("/kelola/bench/pengaduan/")
        response.get_data()
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, response.status_code
        if i >= 5:
            times.append(elapsed)
    times.sort()
    print(
        f"{n} complaints: queue first page median {statistics.median(times):.1f} ms, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms (in process, 30 requests)"
    )


if __name__ == "__main__":
    main()
