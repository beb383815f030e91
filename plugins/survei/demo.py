"""Demo data for the survei plugin: desk survey kinds, weekday rosters, and
a few months of responses (stored and credited the way real ones are)."""

from __future__ import annotations

import datetime as dt
import random

from plugins.survei import skm
from plugins.survei.models import SurveiDeskSurvey, SurveiKind, SurveiResponse, SurveiRoster
from plugins.survei.service import Submission, store
from portal.plugin import Desk, Officer, Unit, db, utcnow

COMMENTS = [
    "Petugas ramah dan sigap, terima kasih.",
    "Antrean agak lama di jam makan siang.",
    "Mohon ditambah kursi di ruang tunggu.",
    "Pelayanan cepat, persyaratan dijelaskan dengan jelas.",
]


def seed(agency) -> None:
    if db.session.scalar(db.select(SurveiResponse.id).filter_by(agency_id=agency.id).limit(1)):
        return  # already seeded (or real data): leave it alone
    rng = random.Random(agency.id)
    units = db.session.scalars(db.select(Unit).filter_by(agency_id=agency.id).order_by(Unit.id)).all()
    for unit in units:
        officers = db.session.scalars(
            db.select(Officer).filter_by(unit_id=unit.id, active=True).order_by(Officer.id)
        ).all()
        desks = db.session.scalars(db.select(Desk).filter_by(unit_id=unit.id).order_by(Desk.id)).all()
        for i, desk in enumerate(desks):
            if db.session.get(SurveiDeskSurvey, desk.id) is None:
                db.session.add(
                    SurveiDeskSurvey(desk_id=desk.id, kind=SurveiKind.SKM if i == 0 else SurveiKind.QUICK)
                )
            staff = officers[1 + i :: len(desks)] or officers[:1]
            for officer in staff[:2]:
                for weekday in range(5):
                    db.session.add(
                        SurveiRoster(
                            desk_id=desk.id,
                            officer_id=officer.id,
                            weekday=weekday,
                            start=dt.time(8, 0),
                            end=dt.time(15, 30),
                        )
                    )
        db.session.commit()
        for i, desk in enumerate(desks):
            staff = officers[1 + i :: len(desks)] or officers[:1]
            kind = SurveiKind.SKM if i == 0 else SurveiKind.QUICK
            for n in range(24):
                at = utcnow() - dt.timedelta(days=rng.randint(0, 150), hours=rng.randint(0, 6))
                submission = Submission(kind=kind, officer=rng.choice(staff) if staff else None)
                good = rng.random() < 0.8
                if kind == SurveiKind.QUICK:
                    submission.values["face"] = rng.choice((3, 4, 4) if good else (1, 2, 3))
                else:
                    for u in skm.UNSUR:
                        submission.values[f"u{u.number}"] = rng.choice((3, 4, 4) if good else (2, 3))
                    submission.values.update(
                        {name: rng.choice(options)[0] for name, options in skm.PROFILE.items()}
                    )
                submission.values["comment"] = rng.choice(COMMENTS) if n % 6 == 0 else None
                store(desk, submission, nonce=f"demo-{desk.id}-{n}", at=at)
