"""Built-in plugin: officers' performance records under ``/kinerja/`` (an
officer's own record, team and agency views, supervisors' feedback,
moderation of citizens' comments, exports)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.core.plugin_system.hookspecs import hookimpl
from portal.core.plugin_system.plugins import NavItem

NAME = "portal.records"


@hookimpl
def portal_models():
    from portal.builtin.records import models

    return models


@hookimpl
def portal_blueprints(app):
    from portal.builtin.records.views import bp

    return [bp]


@hookimpl
def portal_account_links(user):
    if user.is_superadmin:  # a superadmin runs the installation; nobody's record is theirs
        return []
    return [NavItem(20, _l("Rekam kinerja"), url_for("kinerja.index"))]


#: Fewer counted ratings than this in a window: the score is not shown as a number.
MIN_RATINGS = 5


@hookimpl
def portal_indicators(agency):
    from functools import partial

    from portal.core.plugin_system.plugins import enabled_names
    from portal.core.record.indicators import Indicator
    from portal.core.record.ratings import rating_sources, source_label

    found = [
        Indicator(
            "core.score", _l("Skor warga (semua sumber)"), "officer", partial(_score, None), unit="/100"
        ),
        Indicator("core.verified_share", _l("Penilaian terverifikasi"), "officer", _verified_share, unit="%"),
    ]
    switched_on = enabled_names(agency)
    for source in rating_sources():
        if source not in switched_on:
            continue
        found.append(
            Indicator(
                f"core.score.{source}",
                _l("Skor warga dari %(source)s", source=source_label(source)),
                "officer",
                partial(_score, source),
                unit="/100",
            )
        )
    return found


def _score(source, officer, start, end):
    from portal.core.record.indicators import score_stat, stat_measurement

    return stat_measurement(score_stat([officer], start, end, [source] if source else None), MIN_RATINGS)


def _verified_share(officer, start, end):
    from sqlalchemy import func

    from portal.core.models import RatingEvent
    from portal.core.record.indicators import Measurement
    from portal.core.record.ratings import REVIEW_COUNTED
    from portal.core.util.timeutil import day_bounds
    from portal.extensions import db

    begin, finish = day_bounds(start, end, officer.agency.timezone)
    total, verified = db.session.execute(
        db.select(func.count(RatingEvent.id), func.count(RatingEvent.id).filter(RatingEvent.verified)).where(
            RatingEvent.officer_id == officer.id,
            RatingEvent.created_at >= begin,
            RatingEvent.created_at < finish,
            RatingEvent.review.in_(list(REVIEW_COUNTED)),
        )
    ).one()
    if total < MIN_RATINGS:
        return Measurement(None, total, enough=False)
    return Measurement(round(100.0 * verified / total, 1), total)


@hookimpl
def portal_seed_demo(agency):
    """A supervisor's note to each demo officer who signs in, two weeks old,
    so the record page and the needs analysis show what a supervisor writes."""
    import datetime as dt

    from portal.builtin.records.models import FeedbackNote
    from portal.core.models import Officer, User
    from portal.core.util.timeutil import utcnow
    from portal.extensions import db

    logins = dict(
        db.session.execute(
            db.select(User.officer_id, User.id).where(
                User.agency_id == agency.id, User.officer_id.isnot(None)
            )
        ).all()
    )
    for officer in db.session.scalars(db.select(Officer).where(Officer.id.in_(list(logins)))):
        author = logins.get(officer.supervisor_id)
        if (
            author is None
            or db.session.execute(db.select(FeedbackNote.id).filter_by(officer_id=officer.id)).first()
        ):
            continue
        db.session.add(
            FeedbackNote(
                agency_id=agency.id,
                officer_id=officer.id,
                author_id=author,
                strengths="Ramah dan teliti memeriksa berkas; warga sering menyebut namanya di komentar.",
                improvements=(
                    "Jelaskan semua persyaratan sejak awal agar warga tidak bolak-balik, "
                    "dan jaga waktu tunggu pada jam sibuk pagi."
                ),
                created_at=utcnow() - dt.timedelta(days=14),
            )
        )
