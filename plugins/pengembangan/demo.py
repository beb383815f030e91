"""Demo data: the competency catalogue, a past training with enough citizen
ratings before and after it to show a result, an open e-learning, needs
assessments and evaluations. Idempotent."""

from __future__ import annotations

import datetime as dt
import random

from plugins.pengembangan import service
from plugins.pengembangan.models import (
    BY_SELF,
    BY_SUPERVISOR,
    PengembanganActivity,
    PengembanganAssessment,
    PengembanganBehaviour,
    PengembanganParticipant,
    PengembanganReaction,
    PengembanganTheme,
    PengembanganUpward,
    PengembanganUpwardVoter,
)
from portal.plugin import Officer, RatingError, Unit, db, is_enabled, record_rating, utcnow

#: name, description, SKM unsur, sources
THEMES = [
    (
        "Pelayanan prima",
        "Sikap, keramahan, dan ketuntasan melayani warga sesuai standar pelayanan.",
        "6,7",
        "survei",
    ),
    (
        "Komunikasi efektif",
        "Menjelaskan persyaratan dan prosedur dengan jelas, mendengarkan, dan menjawab pertanyaan warga.",
        "1,2,7",
        "survei,dialog_publik",
    ),
    ("Manajemen waktu", "Menyelesaikan layanan dan tindak lanjut tepat waktu.", "3", "pengaduan"),
    ("Literasi digital", "Memakai aplikasi layanan dan kanal daring dengan cakap dan aman.", "5,8", ""),
    (
        "Pengelolaan pengaduan",
        "Menerima, memverifikasi, dan menindaklanjuti pengaduan sesuai SLA.",
        "9",
        "pengaduan",
    ),
]
TRAINING = "Pelatihan Pelayanan Prima dan Komunikasi Efektif"
REACTIONS = [
    (5, 4, 5, "Menyapa dan menjelaskan alur di awal layanan."),
    (4, 4, 4, "Memakai daftar periksa persyaratan agar warga tidak bolak-balik."),
    (5, 5, 4, "Lebih sabar menghadapi warga yang kesal."),
    (4, 3, 4, ""),
    (5, 4, 5, "Menjelaskan ulang dengan bahasa sederhana."),
]


def seed(agency) -> None:
    if db.session.scalar(db.select(PengembanganTheme.id).filter_by(agency_id=agency.id).limit(1)):
        return
    themes = {}
    for name, description, unsur, sources in THEMES:
        theme = PengembanganTheme(
            agency_id=agency.id, name=name, description=description, unsur=unsur, sources=sources
        )
        db.session.add(theme)
        themes[name] = theme
    db.session.flush()
    units = db.session.scalars(db.select(Unit).filter_by(agency_id=agency.id).order_by(Unit.id)).all()
    officers = db.session.scalars(
        db.select(Officer).filter_by(agency_id=agency.id, active=True).order_by(Officer.id)
    ).all()
    if len(units) < 2 or len(officers) < 6:
        db.session.commit()
        return
    day = service.today(agency)
    first = [o for o in officers if o.unit_id == units[0].id]
    second = [o for o in officers if o.unit_id == units[1].id]
    # Participants: two officers of the first unit (the other two are the
    # comparison group) and everyone of the second unit (no comparison group).
    taking = first[1:3] + second
    comparison = [first[0], *first[3:]]

    training = PengembanganActivity(
        agency_id=agency.id,
        title=TRAINING,
        kind="kursus",
        description="Pelatihan klasikal tiga hari dengan simulasi melayani di loket.",
        provider="BPSDM Provinsi",
        place="Aula BPSDM",
        starts_on=day - dt.timedelta(days=110),
        ends_on=day - dt.timedelta(days=108),
        jp=24,
        themes=[themes["Pelayanan prima"], themes["Komunikasi efektif"]],
    )
    db.session.add(training)
    db.session.flush()
    for i, officer in enumerate(taking):
        part = PengembanganParticipant(
            activity_id=training.id,
            officer_id=officer.id,
            attended=True,
            certificate=f"BPSDM/{day.year}/{101 + i}",
            pre_score=55 + 5 * i,
            post_score=78 + 3 * i,
            reacted=i < len(REACTIONS),
        )
        db.session.add(part)
        db.session.flush()
        if i < len(taking) - 1:  # one questionnaire left for the supervisor to answer
            db.session.add(
                PengembanganBehaviour(
                    participant_id=part.id,
                    applies=3 + i % 2,
                    improved=3,
                    shares=2 + i % 3,
                    example="Menjelaskan persyaratan dengan daftar periksa di meja layanan.",
                )
            )
    for overall, material, trainer, text in REACTIONS[: len(taking)]:
        db.session.add(
            PengembanganReaction(
                activity_id=training.id, overall=overall, material=material, trainer=trainer, application=text
            )
        )
    db.session.add(
        PengembanganActivity(
            agency_id=agency.id,
            title="E-learning Literasi Digital untuk Layanan Publik",
            kind="elearning",
            description="Kursus daring mandiri: aplikasi layanan, keamanan data warga, pengaduan daring.",
            provider="LAN RI",
            link="https://elearning.example/literasi-digital",
            starts_on=day + dt.timedelta(days=14),
            ends_on=day + dt.timedelta(days=44),
            jp=16,
            open_registration=True,
            themes=[themes["Literasi digital"]],
        )
    )
    mentor = PengembanganActivity(
        agency_id=agency.id,
        title="Mentoring penanganan pengaduan",
        kind="mentoring",
        provider=agency.name,
        place="Ruang rapat",
        starts_on=day - dt.timedelta(days=20),
        ends_on=day - dt.timedelta(days=6),
        jp=6,
        themes=[themes["Pengelolaan pengaduan"]],
    )
    db.session.add(mentor)
    db.session.flush()
    db.session.add(PengembanganParticipant(activity_id=mentor.id, officer_id=first[1].id, attended=True))
    for theme, level, note in (
        ("Literasi digital", 3, "Belum lancar memakai aplikasi antrean daring."),
        ("Manajemen waktu", 1, ""),
    ):
        db.session.add(
            PengembanganAssessment(
                agency_id=agency.id,
                officer_id=first[1].id,
                theme_id=themes[theme].id,
                year=day.year,
                by=BY_SELF,
                level=level,
                note=note,
            )
        )
    db.session.add(
        PengembanganAssessment(
            agency_id=agency.id,
            officer_id=first[3].id if len(first) > 3 else first[1].id,
            theme_id=themes["Komunikasi efektif"].id,
            year=day.year,
            by=BY_SUPERVISOR,
            level=2,
            note="Penjelasan persyaratan sering kurang lengkap.",
        )
    )
    period = f"{day.year}-S{1 if day.month <= 6 else 2}"
    rng = random.Random(agency.id * 7)
    for officer in first[1:]:
        db.session.add(PengembanganUpwardVoter(officer_id=officer.id, unit_id=units[0].id, period=period))
        db.session.add(
            PengembanganUpward(
                agency_id=agency.id,
                unit_id=units[0].id,
                period=period,
                process=rng.randint(3, 5),
                environment=rng.randint(2, 4),
                leadership=rng.randint(3, 5),
                suggestion="Jadwal piket loket dibagikan lebih awal.",
            )
        )
    db.session.commit()
    if is_enabled(agency, "survei"):
        _ratings(agency, training, taking, comparison, rng)


def _ratings(agency, training, taking, comparison, rng) -> None:
    """Citizen ratings (quick survey, 1–4) in the windows before and after the
    training: participants improve, the comparison group hardly changes."""
    before, after = service.windows(training)
    now = utcnow()
    today = service.today(agency)

    def at(first, last):
        day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
        return now - dt.timedelta(days=(today - day).days, hours=rng.randint(0, 5))

    # Lately (after both windows) one officer of the comparison group has been
    # rated poorly: credible evidence of a need in the needs analysis.
    recent = (today - dt.timedelta(days=15), today - dt.timedelta(days=1))
    for n in range(12):
        try:
            record_rating(
                agency=agency,
                officer=comparison[-1],
                source="survei",
                kind="cepat",
                value=(1, 2, 2)[n % 3],
                ref=f"demo-pengembangan:{comparison[-1].id}:baru:{n}",
                at=at(*recent),
            )
        except RatingError:
            return
    plan = [(o, (2, 3, 3, 3), (3, 4, 4, 4)) for o in taking]
    plan += [(o, (3, 3, 3, 4), (3, 3, 4, 3)) for o in comparison]
    for officer, earlier, later in plan:
        for window, values in ((before, earlier), (after, later)):
            for n in range(14):
                try:
                    record_rating(
                        agency=agency,
                        officer=officer,
                        source="survei",
                        kind="cepat",
                        value=values[n % len(values)],
                        ref=f"demo-pengembangan:{officer.id}:{window[0]}:{n}",
                        at=at(*window),
                    )
                except RatingError:
                    return
