"""Pengembangan kompetensi: competency development from what citizens say —
needs analysis (AKPK) from the portal's evidence and from people, development
activities with JP against the 20 JP a year, evaluation on four levels
(reaction, learning, behaviour, results before/after against colleagues who
did not take part), upward feedback, and a development profile per officer."""

from __future__ import annotations

import click
from flask import url_for
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from portal.plugin import NavItem, hookimpl, is_enabled, template_panel

NAME = "pengembangan"
#: The module's name as people read it, in their language.
LABEL = _l("Pengembangan kompetensi")

SOURCE_LABELS = {
    "survei": _l("Survei"),
    "pengaduan": _l("Pengaduan"),
    "dialog_publik": _l("Dialog publik"),
}


def source_label(name: str) -> str:
    return str(SOURCE_LABELS.get(name, name.replace("_", " ").capitalize()))


def available_sources(agency) -> list[str]:
    """Rating sources the portal scores separately for ``agency``."""
    from portal.plugin import indicators

    prefix = "core.score."
    return sorted(k[len(prefix) :] for k in indicators(agency, scope="officer") if k.startswith(prefix))


@hookimpl
def portal_blueprints(app):
    from plugins.pengembangan.urls import staff

    return [staff]


def _staff_of(agency, user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.can_access_agency(agency)


@hookimpl
def portal_nav_items(agency, user):
    if not _staff_of(agency, user):
        return []
    return [
        NavItem(50, _l("Pengembangan kompetensi"), url_for("pengembangan.index", agency_slug=agency.slug))
    ]


@hookimpl
def portal_account_links(user):
    agency = user.agency
    if agency is None or not is_enabled(agency, NAME):
        return []
    return [NavItem(30, _l("Pengembangan"), url_for("pengembangan.index", agency_slug=agency.slug))]


@hookimpl
def portal_dashboard_widgets(agency, user):
    from plugins.pengembangan import service

    day = service.today(agency)
    officers, below = service.jp_short_count(user, agency, day.year)
    return [
        template_panel(
            50,
            _l("Pengembangan kompetensi"),
            "pengembangan/widget.html",
            agency=agency,
            officers=officers,
            below=below,
            year=day.year,
            min_jp=service.MIN_JP,
        )
    ]


@hookimpl
def portal_officer_panels(officer, viewer):
    from plugins.pengembangan import service
    from plugins.pengembangan.models import PengembanganActivity, PengembanganParticipant
    from portal.plugin import db

    day = service.today(officer.agency)
    parts = db.session.scalars(
        db.select(PengembanganParticipant)
        .join(PengembanganActivity, PengembanganActivity.id == PengembanganParticipant.activity_id)
        .where(PengembanganParticipant.officer_id == officer.id)
        .order_by(PengembanganActivity.starts_on.desc())
        .limit(5)
    ).all()
    return [
        template_panel(
            50,
            _l("Pengembangan kompetensi"),
            "pengembangan/officer_panel.html",
            officer=officer,
            jp=service.jp_by_officer([officer.id], day.year)[officer.id],
            year=day.year,
            min_jp=service.MIN_JP,
            parts=parts,
        )
    ]


@hookimpl
def portal_cli(cli):
    @cli.group("pengembangan")
    def group():
        """Perintah modul pengembangan kompetensi."""

    @group.command("remind")
    @with_appcontext
    def remind():
        """Ingatkan atasan tentang kuesioner perilaku yang jatuh tempo (jalankan harian lewat cron)."""
        from plugins.pengembangan.reminders import remind_behaviour

        sent = remind_behaviour()
        click.echo(f"{sent} pemberitahuan kuesioner perilaku dikirim.")


@hookimpl
def portal_seed_demo(agency):
    from plugins.pengembangan.demo import seed

    seed(agency)
