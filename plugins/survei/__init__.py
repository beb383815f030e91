"""Survei: QR counter surveys, SKM/IKM reports, crediting the officer who served.

Citizens scan the desk's QR code (``/s/<token>``) and answer the quick
survey or the full SKM; the response credits the officer who served through
core's ``record_rating``. Staff pages live under ``/kelola/<agency>/survei/``.
"""

from __future__ import annotations

from flask import g, render_template, url_for
from flask_babel import lazy_gettext as _l

from portal.plugin import (
    ROLE_SUPERVISOR,
    AgencyBlueprint,
    HomeSection,
    NavItem,
    RatingKind,
    hookimpl,
    template_panel,
)

NAME = "survei"
#: The module's name as people read it, in their language.
LABEL = _l("Survei")
bp = AgencyBlueprint(NAME, __name__, path="survei")


@bp.route("/")
def index():
    from plugins.survei.models import desks_with_kind

    return render_template("survei/index.html", agency=g.agency, desks=desks_with_kind(g.agency))


@bp.route("/hasil")
def results():
    """Published SKM results: IKM and grade per unit; no free text, no identities."""
    from plugins.survei import publish

    results = publish.public_results(g.agency)
    from plugins.survei import skm

    return render_template(
        "survei/results.html", agency=g.agency, status=publish.status_label, unsur=skm.UNSUR, **results
    )


@hookimpl
def portal_early_pages():
    from plugins.survei.fastform import early_form

    return {"/s/": early_form}  # a first QR scan: the cached form, before Flask


@hookimpl
def portal_blueprints(app):
    from plugins.survei import desks, rtl  # noqa: F401  (their pages are on the staff blueprint)
    from plugins.survei.alerts import followup, followup_staff
    from plugins.survei.api import api
    from plugins.survei.board import board
    from plugins.survei.kiosk import kiosk_api, kiosk_page, kiosk_staff
    from plugins.survei.staff import staff
    from plugins.survei.views import qr

    return [bp, qr, staff, api, board, kiosk_page, kiosk_staff, kiosk_api, followup, followup_staff]


@hookimpl
def portal_api_paths():
    from plugins.survei import kiosk
    from plugins.survei.api import PATHS

    return PATHS | kiosk.PATHS


@hookimpl
def portal_rating_sources():
    from plugins.survei.models import SurveiKind

    return [
        RatingKind(SurveiKind.SKM, _l("SKM: kompetensi dan perilaku pelaksana"), 1, 4),
        RatingKind(SurveiKind.QUICK, _l("Survei cepat"), 1, 4),
    ]


@hookimpl
def portal_nav_items(agency, user):
    items = [NavItem(10, _l("Survei"), url_for("survei.index", agency_slug=agency.slug))]
    if getattr(user, "is_authenticated", False) and user.can_access_agency(agency):
        if user.can_manage_agency(agency):
            items.append(
                NavItem(11, _l("Kelola survei"), url_for("survei_staff.index", agency_slug=agency.slug))
            )
        if user.officer_id:
            items.append(
                NavItem(
                    12,
                    _l("Selesai melayani"),
                    url_for("survei_staff.finish_service", agency_slug=agency.slug),
                )
            )
    return items


@hookimpl
def portal_agency_home(agency):
    return [
        HomeSection(
            10,
            _l("Survei Kepuasan Masyarakat"),
            _l(
                "Nilai layanan yang Anda terima dengan memindai kode QR di loket, "
                "dan lihat hasil survei yang kami terbitkan."
            ),
            url_for("survei.index", agency_slug=agency.slug),
        )
    ]


@hookimpl
def portal_dashboard_widgets(agency, user):
    if not (user.can_manage_agency(agency) or user.role == ROLE_SUPERVISOR):
        return []
    from plugins.survei import report
    from plugins.survei.staff import today_bounds
    from portal.plugin import db, local, period_bounds, utcnow

    today_start, today_end = today_bounds(agency)
    today = db.session.scalar(
        report.COUNTED_BETWEEN, {"agency_id": agency.id, "lo": today_start, "hi": today_end}
    )
    start, end = period_bounds("semester", local(utcnow(), agency.timezone).date())
    data = report.build(agency, None, start, end, summary=True)
    return [
        template_panel(
            10, _l("Survei kepuasan"), "survei/widget.html", agency=agency, today=today, report=data
        )
    ]


@hookimpl
def portal_officer_panels(officer, viewer):
    from plugins.survei.models import SurveiCommentStatus, SurveiResponse, counted
    from portal.plugin import db

    comments = db.session.execute(
        db.select(SurveiResponse.created_at, SurveiResponse.comment)
        .where(
            SurveiResponse.officer_id == officer.id,
            SurveiResponse.comment_status == SurveiCommentStatus.APPROVED,
            counted(),
        )
        .order_by(SurveiResponse.created_at.desc())
        .limit(10)
    ).all()
    return [
        template_panel(10, _l("Komentar warga dari survei"), "survei/officer_panel.html", comments=comments)
    ]


@hookimpl
def portal_rating_reviewed(event):
    """A held survey rating was accepted or rejected: its response follows, so
    an accepted one enters the SKM report and the IKM, a rejected one never."""
    if event.source != NAME or not event.ref.startswith("survei_response:"):
        return
    from plugins.survei.models import SurveiResponse, SurveiReview
    from portal.plugin import db

    response_id = int(event.ref.split(":", 1)[1])
    db.session.execute(
        db.update(SurveiResponse)
        .where(SurveiResponse.id == response_id, SurveiResponse.review == SurveiReview.HELD)
        .values(review=event.review)
        .execution_options(synchronize_session=False)
    )


@hookimpl
def portal_seed_demo(agency):
    from plugins.survei.demo import seed

    seed(agency)


@hookimpl
def portal_anonymise(before):
    from plugins.survei import alerts
    from plugins.survei.service import anonymise

    return anonymise(before) | alerts.anonymise(before)


@hookimpl
def portal_indicators(agency):
    from plugins.survei.measures import indicators

    return indicators(agency)


@hookimpl
def portal_daily_evidence(officer, day):
    from plugins.survei.measures import evidence

    return evidence(officer, day)


@hookimpl
def portal_desk_links(agency, desk):
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    from portal.plugin import NavItem

    return [
        NavItem(
            10,
            _l("Jenis survei dan jadwal"),
            url_for("survei_staff.desk_settings", agency_slug=agency.slug, desk_id=desk.id),
        ),
        NavItem(
            20, _l("Poster QR"), url_for("survei_staff.poster_page", agency_slug=agency.slug, desk_id=desk.id)
        ),
    ]
