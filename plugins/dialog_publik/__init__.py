"""Dialog publik: public dialogue forums — events with panel and agenda,
registration with capacity and waitlist, check-in, panel ratings by
attendees credited to each panelist, and iCalendar feeds."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from portal.plugin import HomeSection, NavItem, RatingKind, hookimpl

NAME = "dialog_publik"
#: The module's name as people read it, in their language.
LABEL = _l("Dialog publik")


@hookimpl
def portal_blueprints(app):
    from plugins.dialog_publik.staff import staff
    from plugins.dialog_publik.views import bp, everywhere

    return [bp, everywhere, staff]


@hookimpl
def portal_rating_sources():
    return [RatingKind("panel", _l("Penilaian narasumber dialog publik"), 1, 5)]


@hookimpl
def portal_nav_items(agency, user):
    items = [NavItem(20, _l("Dialog publik"), url_for("dialog_publik.index", agency_slug=agency.slug))]
    if getattr(user, "is_authenticated", False) and user.can_manage_agency(agency):
        items.append(
            NavItem(21, _l("Kelola dialog"), url_for("dialog_publik_staff.index", agency_slug=agency.slug))
        )
    return items


@hookimpl
def portal_agency_home(agency):
    return [
        HomeSection(
            20,
            _l("Dialog Publik"),
            _l("Ikuti forum tanya jawab terbuka bersama instansi: daftar, hadir, dan nilai narasumbernya."),
            url_for("dialog_publik.index", agency_slug=agency.slug),
        )
    ]


@hookimpl
def portal_seed_demo(agency):
    import datetime as dt

    from plugins.dialog_publik.models import (
        DialogAgendaItem,
        DialogEvent,
        DialogEventMode,
        DialogEventStatus,
        DialogPanelist,
    )
    from portal.plugin import Officer, db, utcnow

    if db.session.scalar(db.select(DialogEvent.id).filter_by(agency_id=agency.id).limit(1)):
        return
    start = (utcnow() + dt.timedelta(days=10)).replace(hour=2, minute=0, second=0, microsecond=0)
    officers = db.session.scalars(
        db.select(Officer).filter_by(agency_id=agency.id).order_by(Officer.id).limit(2)
    ).all()
    event = DialogEvent(
        agency_id=agency.id,
        title=f"Forum Warga: Layanan {agency.name}",
        topic="Kualitas layanan",
        description="Sampaikan pertanyaan dan masukan langsung kepada pimpinan unit layanan.",
        mode=DialogEventMode.IN_PERSON,
        venue="Aula Kantor",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        capacity=60,
        status=DialogEventStatus.PUBLISHED,
        updated_at=utcnow(),
        panelists=[DialogPanelist(officer_id=o.id) for o in officers],
        agenda=[
            DialogAgendaItem(position=0, title="Pembukaan", minutes=10),
            DialogAgendaItem(position=1, title="Paparan layanan", minutes=30),
            DialogAgendaItem(position=2, title="Tanya jawab", minutes=60),
        ],
    )
    db.session.add(event)
    db.session.commit()


@hookimpl
def portal_anonymise(before):
    from plugins.dialog_publik.service import anonymise

    return anonymise(before)


@hookimpl
def portal_indicators(agency):
    from plugins.dialog_publik.measures import indicators

    return indicators(agency)


@hookimpl
def portal_daily_evidence(officer, day):
    from plugins.dialog_publik.measures import evidence

    return evidence(officer, day)
