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
