"""Pengaduan: complaints with tracking by code, a workflow modelled on
SP4N-LAPOR!, SLAs in working days with escalation, the complainant's rating
credited to the handling officer, staff queue and statistics, and Open311
GeoReport v2 for other systems."""

from __future__ import annotations

import click
from flask import url_for
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from portal.plugin import HomeSection, NavItem, RatingKind, hookimpl, template_panel

NAME = "pengaduan"
#: The module's name as people read it, in their language.
LABEL = _l("Pengaduan")


@hookimpl
def portal_blueprints(app):
    from plugins.pengaduan.open311 import open311
    from plugins.pengaduan.staff import staff
    from plugins.pengaduan.views import bp

    return [bp, staff, open311]


@hookimpl
def portal_rating_sources():
    return [RatingKind("penanganan", _l("Penilaian penanganan pengaduan"), 1, 5)]


@hookimpl
def portal_nav_items(agency, user):
    items = [NavItem(30, _l("Pengaduan"), url_for("pengaduan.index", agency_slug=agency.slug))]
    if getattr(user, "is_authenticated", False) and user.can_access_agency(agency):
        items.append(
            NavItem(31, _l("Antrean pengaduan"), url_for("pengaduan_staff.queue", agency_slug=agency.slug))
        )
    return items


@hookimpl
def portal_agency_home(agency):
    return [
        HomeSection(
            30,
            _l("Pengaduan"),
            _l("Sampaikan pengaduan tentang layanan dan pantau tindak lanjutnya dengan kode pelacakan."),
            url_for("pengaduan.index", agency_slug=agency.slug),
        )
    ]


@hookimpl
def portal_dashboard_widgets(agency, user):
    # Open complaints by status and those past their deadline, in one
    # prebuilt query (every overdue complaint is an open one).
    from plugins.pengaduan.service import ALL, open_counts, today_for
    from portal.plugin import ROLE_OFFICER

    mine = user.role == ROLE_OFFICER  # an officer sees the complaints assigned to them
    rows = open_counts(agency.id, today_for(agency), assigned_to=user.officer_id if mine else ALL)
    counts = {status: count for status, count, _late in rows}
    late = sum(late for _status, _count, late in rows)
    return [
        template_panel(
            30,
            _l("Pengaduan"),
            "pengaduan/widget.html",
            agency=agency,
            counts=counts,
            late=late,
        )
    ]


@hookimpl
def portal_officer_panels(officer, viewer):
    from plugins.pengaduan.models import PengaduanTicket
    from portal.plugin import db, workdays

    rows = db.session.execute(
        db.select(
            PengaduanTicket.created_at,
            PengaduanTicket.verified_at,
            PengaduanTicket.resolved_at,
            PengaduanTicket.rating,
        ).where(PengaduanTicket.assigned_officer_id == officer.id)
    ).all()
    days = workdays.calendar(officer.agency).working_days_between
    verify = [days(c.date(), v.date()) for c, v, _r, _x in rows if v]
    resolve = [days(c.date(), r.date()) for c, _v, r, _x in rows if r]
    return [
        template_panel(
            30,
            _l("Penanganan pengaduan"),
            "pengaduan/officer_panel.html",
            count=len(rows),
            verify=verify,
            resolve=resolve,
        )
    ]


@hookimpl
def portal_cli(cli):
    @cli.group("pengaduan")
    def group():
        """Perintah modul pengaduan."""

    @group.command("check-sla")
    @with_appcontext
    def check_sla():
        """Eskalasi pengaduan yang melewati batas waktu (jalankan harian lewat cron)."""
        from plugins.pengaduan.sla import check

        done = check()
        for ticket, stage, people in done:
            names = ", ".join(u.email for u in people) or "(tidak ada penerima)"
            click.echo(f"{ticket.reference} terlambat {stage}: diteruskan ke {names}")
        click.echo(f"{len(done)} pengaduan dieskalasi.")

    @group.command("reencode-attachments")
    @with_appcontext
    def reencode_attachments():
        """Kodekan ulang lampiran gambar yang tersimpan (hapus EXIF/GPS); sekali setelah pemutakhiran."""
        from flask import current_app

        from plugins.pengaduan.service import MAX_PIXELS, reencode_stored
        from portal.plugin import db

        counts = reencode_stored(int(current_app.config.get("PENGADUAN_MAX_PIXELS", MAX_PIXELS)))
        db.session.commit()
        click.echo(
            f"{counts['diproses']} gambar dikodekan ulang; {counts['gagal']} tidak dapat dibaca atau terlalu "
            f"besar (dibiarkan); {counts['hilang']} berkas tidak ditemukan."
        )


@hookimpl
def portal_seed_demo(agency):
    from plugins.pengaduan.demo import seed

    seed(agency)


@hookimpl
def portal_anonymise(before):
    from plugins.pengaduan.service import anonymise

    return anonymise(before)


@hookimpl
def portal_indicators(agency):
    from plugins.pengaduan.measures import indicators

    return indicators(agency)


@hookimpl
def portal_daily_evidence(officer, day):
    from plugins.pengaduan.measures import evidence

    return evidence(officer, day)


@hookimpl
def portal_citizen_followups(agency, unit):
    from plugins.pengaduan.measures import followups

    return followups(agency, unit)
