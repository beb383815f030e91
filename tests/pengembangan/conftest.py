"""Fixtures of the pengembangan tests: agency alpha with a second unit and
more officers, each with a login, and helpers to build activities and
citizen ratings at past dates."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.pengembangan import service
from plugins.pengembangan.models import PengembanganActivity, PengembanganParticipant, PengembanganTheme
from portal.core.models import Agency, Officer, Unit, User
from portal.core.record.ratings import record_rating
from portal.core.util.timeutil import utcnow
from portal.extensions import db
from portal.testing import PASSWORD, nip


@pytest.fixture
def dev(app, world):
    """alpha: unit "Pelayanan Umum" (boss, staff, colleague A, colleague B),
    unit "Akta" (head C, D); every extra officer has an officer login."""
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        unit = db.session.get(Unit, world["alpha"]["unit"])
        akta = Unit(agency=agency, name="Akta")
        db.session.add(akta)
        db.session.flush()
        boss = db.session.get(Officer, world["alpha"]["boss"])
        extra = {}
        for i, (key, name, where, sup) in enumerate(
            [
                ("a", "Rekan A", unit, boss),
                ("b", "Rekan B", unit, boss),
                ("c", "Kepala Akta C", akta, None),
                ("d", "Staf Akta D", akta, None),
            ]
        ):
            officer = Officer(agency=agency, unit=where, nip=nip(100 + i), name=name, supervisor=sup)
            db.session.add(officer)
            db.session.flush()
            extra[key] = officer
        extra["d"].supervisor = extra["c"]
        emails = {}
        for key, officer in extra.items():
            role = "supervisor" if key == "c" else "officer"
            user = User(
                email=f"{key}@alpha.example", name=officer.name, role=role, agency=agency, officer=officer
            )
            user.set_password(PASSWORD)
            db.session.add(user)
            emails[key] = user.email
        theme = PengembanganTheme(agency_id=agency.id, name="Pelayanan prima", unsur="6,7", sources="survei")
        db.session.add(theme)
        db.session.commit()
        return {
            "ids": {k: o.id for k, o in extra.items()},
            "emails": emails,
            "akta": akta.id,
            "theme": theme.id,
        }


def today(app, world) -> dt.date:
    with app.app_context():
        return service.today(db.session.get(Agency, world["alpha"]["agency"]))


def make_activity(app, world, *, starts, ends, jp=8, officers=(), attended=True, theme=None, **extra):
    with app.app_context():
        activity = PengembanganActivity(
            agency_id=world["alpha"]["agency"],
            title=extra.pop("title", "Pelatihan Pelayanan Prima"),
            kind=extra.pop("kind", "kursus"),
            starts_on=starts,
            ends_on=ends,
            jp=jp,
            **extra,
        )
        if theme:
            activity.themes = [db.session.get(PengembanganTheme, theme)]
        db.session.add(activity)
        db.session.flush()
        for officer_id in officers:
            db.session.add(
                PengembanganParticipant(activity_id=activity.id, officer_id=officer_id, attended=attended)
            )
        db.session.commit()
        return activity.id


def participant_id(app, activity_id, officer_id) -> int:
    with app.app_context():
        return db.session.scalar(
            db.select(PengembanganParticipant.id).filter_by(activity_id=activity_id, officer_id=officer_id)
        )


def rate(app, world, officer_id, days_ago: int, values):
    """Quick-survey ratings (1–4; score = value × 25) credited ``days_ago`` days ago."""
    with app.app_context():
        agency = db.session.get(Agency, world["alpha"]["agency"])
        officer = db.session.get(Officer, officer_id)
        for n, value in enumerate(values):
            record_rating(
                agency=agency,
                officer=officer,
                source="survei",
                kind="cepat",
                value=value,
                ref=f"uji:{officer_id}:{days_ago}:{n}",
                at=utcnow() - dt.timedelta(days=days_ago, minutes=n),
            )
