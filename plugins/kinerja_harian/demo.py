"""Demo data: a realistic month of daily reports for the officers who have
a supervisor (most on time and approved, some late, some returned, a few
missing, the latest waiting), their targets for the quarter and last
month's evaluations."""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from plugins.kinerja_harian import service
from plugins.kinerja_harian.models import (
    Conclusion,
    DayStatus,
    KinerjaHarianActivity,
    KinerjaHarianDay,
    KinerjaHarianEvaluation,
    KinerjaHarianTarget,
    PeriodKind,
    TargetKind,
    TargetStatus,
)
from portal.plugin import Officer, User, db, indicators, period_bounds, utcnow, workdays

ACTIVITIES = [
    ("Melayani permohonan dokumen di loket", "berkas", (6, 18), (120, 240)),
    ("Memverifikasi kelengkapan berkas permohonan", "berkas", (5, 15), (60, 150)),
    ("Menginput data permohonan ke aplikasi layanan", "data", (10, 30), (60, 120)),
    ("Menjawab pertanyaan warga melalui telepon dan WhatsApp layanan", "pertanyaan", (4, 12), (30, 90)),
    ("Menyusun rekap harian layanan loket", "laporan", (1, 1), (20, 40)),
    ("Mengarsipkan berkas yang telah selesai", "berkas", (10, 25), (30, 60)),
]
RETURN_NOTES = [
    "Uraian kegiatan terlalu umum: sebutkan jumlah berkas yang diselesaikan.",
    "Durasi melayani di loket tidak sesuai jadwal piket; mohon diperbaiki.",
]
EVALUATION_NOTES = {
    Conclusion.DI_ATAS: "Pelayanan cepat dan ramah; laporan harian lengkap dan tepat waktu.",
    Conclusion.SESUAI: "Pekerjaan sesuai rencana. Perhatikan ketepatan waktu pengiriman laporan harian.",
    Conclusion.DI_BAWAH: (
        "Beberapa hari tidak dilaporkan. Mari sepakati jadwal pengisian laporan setiap sore."
    ),
}


def _utc(agency, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    moment = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZoneInfo(agency.timezone))
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def seed(agency) -> None:
    if db.session.scalar(db.select(KinerjaHarianDay.id).filter_by(agency_id=agency.id).limit(1)):
        return
    team = db.session.scalars(
        db.select(Officer)
        .where(Officer.agency_id == agency.id, Officer.supervisor_id.is_not(None), Officer.active.is_(True))
        .order_by(Officer.id)
    ).all()
    if not team:
        return
    today = service.today_for(agency)
    rng = random.Random(f"kinerja-harian-{agency.slug}")  # noqa: S311 - demo data, not security
    start, end = period_bounds("triwulan", today)
    quarter_end = end - dt.timedelta(days=1)
    available = indicators(agency)
    reported_targets = {}
    for person in team:
        boss = _login(person.supervisor_id)
        target = KinerjaHarianTarget(
            agency_id=agency.id,
            officer_id=person.id,
            period_kind=PeriodKind.TRIWULAN,
            start=start,
            end=quarter_end,
            kind=TargetKind.DILAPORKAN,
            title="Berkas layanan diselesaikan",
            target_value=600,
            unit_label="berkas",
            status=TargetStatus.DISEPAKATI,
            agreed_by_id=boss.id if boss else None,
            agreed_at=utcnow(),
        )
        db.session.add(target)
        reported_targets[person.id] = target
        if "core.score" in available:
            db.session.add(
                KinerjaHarianTarget(
                    agency_id=agency.id,
                    officer_id=person.id,
                    period_kind=PeriodKind.TRIWULAN,
                    start=start,
                    end=quarter_end,
                    kind=TargetKind.TERUKUR,
                    indicator_key="core.score",
                    title=str(available["core.score"].label),
                    target_value=85,
                    unit_label=available["core.score"].unit,
                    higher_is_better=True,
                    status=TargetStatus.DISEPAKATI if person.id % 2 else TargetStatus.DRAF,
                    agreed_by_id=boss.id if boss and person.id % 2 else None,
                    agreed_at=utcnow() if person.id % 2 else None,
                )
            )
    if "survei.ikm" in available and team[0].unit_id:
        db.session.add(
            KinerjaHarianTarget(
                agency_id=agency.id,
                unit_id=team[0].unit_id,
                period_kind=PeriodKind.SEMESTER,
                start=period_bounds("semester", today)[0],
                end=period_bounds("semester", today)[1] - dt.timedelta(days=1),
                kind=TargetKind.TERUKUR,
                indicator_key="survei.ikm",
                title=str(available["survei.ikm"].label),
                target_value=82,
                unit_label=available["survei.ikm"].unit,
                status=TargetStatus.DISEPAKATI,
            )
        )
    db.session.flush()
    first = today - dt.timedelta(days=35)
    days = [d for d in workdays.working_days(agency, first, today) if d < today]
    for person in team:
        boss = _login(person.supervisor_id)
        careless = person.id % 4 == 0  # one in four reports less reliably
        for index, day in enumerate(days):
            recent = index >= len(days) - 2
            roll = rng.random()
            if roll < (0.15 if careless else 0.04) and not recent:
                continue  # not reported
            late = roll < (0.35 if careless else 0.14)
            deadline = service.deadline(agency, day)
            sent_day = deadline + dt.timedelta(days=1 if late else 0) if late else day
            submitted = _utc(agency, sent_day, 16 if not late else 9, rng.randint(0, 59))
            if submitted > utcnow():
                submitted = utcnow()
                late = service.is_late(agency, day, submitted)
            report = KinerjaHarianDay(
                agency_id=agency.id,
                officer_id=person.id,
                day=day,
                submitted_at=submitted,
                late=late,
                status=DayStatus.DIAJUKAN,
            )
            if not recent:
                returned = rng.random() < 0.07
                report.status = DayStatus.DIKEMBALIKAN if returned else DayStatus.DISETUJUI
                report.reviewed_by_id = boss.id if boss else None
                report.reviewed_at = submitted + dt.timedelta(hours=20)
                report.review_note = rng.choice(RETURN_NOTES) if returned else ""
            for description, output, quantity, minutes in rng.sample(ACTIVITIES, rng.randint(2, 4)):
                report.activities.append(
                    KinerjaHarianActivity(
                        description=description,
                        output=output,
                        quantity=rng.randint(*quantity),
                        minutes=rng.randint(*minutes),
                        target_id=reported_targets[person.id].id
                        if output == "berkas" and start <= day <= quarter_end
                        else None,
                    )
                )
            db.session.add(report)
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for person in team:
        boss = _login(person.supervisor_id)
        conclusion = (
            Conclusion.DI_BAWAH if person.id % 4 == 0 else rng.choice([Conclusion.SESUAI, Conclusion.DI_ATAS])
        )
        db.session.add(
            KinerjaHarianEvaluation(
                agency_id=agency.id,
                officer_id=person.id,
                month=last_month,
                conclusion=conclusion,
                note=EVALUATION_NOTES[conclusion],
                evaluator_id=boss.id if boss else None,
            )
        )
    db.session.commit()


def _login(officer_id: int | None) -> User | None:
    if officer_id is None:
        return None
    return db.session.execute(db.select(User).filter_by(officer_id=officer_id)).scalar_one_or_none()
