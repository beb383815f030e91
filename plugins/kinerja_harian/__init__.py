"""Kinerja harian: targets (rencana kinerja) per officer and unit, measured
from the record where the portal can and reported otherwise; the daily
activity report, proposed from the portal's own evidence, that the
supervisor approves or returns; monthly evaluation, team compliance, the
printable recap, exports for the e-Kinerja/TPP process and reminders."""

from __future__ import annotations

import click
from flask import url_for
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from portal.plugin import NavItem, hookimpl, template_panel

NAME = "kinerja_harian"
#: The module's name as people read it, in their language.
LABEL = _l("Kinerja harian")


@hookimpl
def portal_blueprints(app):
    from plugins.kinerja_harian.urls import staff

    return [staff]


@hookimpl
def portal_nav_items(agency, user):
    if not getattr(user, "is_authenticated", False) or not user.can_access_agency(agency):
        return []
    return [NavItem(50, _l("Laporan harian"), url_for("kinerja_harian.index", agency_slug=agency.slug))]


@hookimpl
def portal_dashboard_widgets(agency, user):
    from plugins.kinerja_harian import service
    from plugins.kinerja_harian.models import DayStatus, KinerjaHarianDay
    from portal.plugin import db

    team = service.team_ids(user, agency)
    waiting = 0
    if team != set():
        query = db.select(db.func.count(KinerjaHarianDay.id)).where(
            KinerjaHarianDay.agency_id == agency.id, KinerjaHarianDay.status == DayStatus.DIAJUKAN
        )
        if team is not None:
            query = query.where(KinerjaHarianDay.officer_id.in_(list(team)))
        waiting = db.session.scalar(query) or 0
    own = None
    if user.officer_id and user.officer and user.officer.agency_id == agency.id:
        today = service.today_for(agency)
        own = service.compliance(agency, [user.officer_id], today, today)[user.officer_id]
    return [
        template_panel(
            50,
            _l("Laporan kegiatan harian"),
            "kinerja_harian/widget.html",
            agency=agency,
            waiting=waiting,
            own=own,
            evaluates=team != set(),
        )
    ]


@hookimpl
def portal_officer_panels(officer, viewer):
    from plugins.kinerja_harian import service
    from plugins.kinerja_harian.models import KinerjaHarianTarget
    from portal.plugin import db

    today = service.today_for(officer.agency)
    targets = db.session.scalars(
        db.select(KinerjaHarianTarget)
        .where(
            KinerjaHarianTarget.officer_id == officer.id,
            KinerjaHarianTarget.start <= today,
            KinerjaHarianTarget.end >= today,
        )
        .order_by(KinerjaHarianTarget.title)
    ).all()
    summary = service.compliance(officer.agency, [officer.id], today, today)[officer.id]
    return [
        template_panel(
            50,
            _l("Target dan laporan harian"),
            "kinerja_harian/officer_panel.html",
            officer=officer,
            targets=[(t, service.progress(t, today)) for t in targets],
            summary=summary,
            month=today,
        )
    ]


@hookimpl
def portal_cli(cli):
    @cli.group("kinerja-harian")
    def group():
        """Perintah modul kinerja harian."""

    @group.command("remind")
    @click.option(
        "--tanggal", "day", default=None, help="Hari ini menurut pengingat (YYYY-MM-DD); bawaan: hari ini."
    )
    @with_appcontext
    def remind(day):
        """Ingatkan pegawai yang belum melapor dan atasan yang punya laporan menunggu.

        Jalankan harian lewat cron."""
        import datetime as dt

        from flask import current_app

        from plugins.kinerja_harian.reminders import remind as run
        from portal.plugin import db

        try:
            today = dt.date.fromisoformat(day) if day else None
        except ValueError:
            raise click.BadParameter("tulis tanggal sebagai YYYY-MM-DD", param_hint="--tanggal") from None
        with current_app.test_request_context("/"):
            counts = run(today)
            db.session.commit()
        click.echo(f"{counts['pegawai']} pengingat untuk pegawai, {counts['atasan']} untuk atasan.")


@hookimpl
def portal_indicators(agency):
    from plugins.kinerja_harian.service import measure_on_time
    from portal.plugin import Indicator

    return [
        Indicator(
            "kinerja_harian.on_time",
            _l("Hari kerja dilaporkan tepat waktu"),
            "officer",
            measure_on_time,
            unit="%",
            higher_is_better=True,
            plugin=NAME,
        )
    ]


@hookimpl
def portal_seed_demo(agency):
    from plugins.kinerja_harian.demo import seed

    seed(agency)
