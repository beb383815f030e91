"""A third-party-style plugin used by the tests: it implements every hook and
records each call, so the tests can show that core calls each hook when and
only when it should."""

from __future__ import annotations

import click
from flask import g
from markupsafe import Markup
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from portal import hookimpl
from portal.core.plugin_system.plugins import AgencyBlueprint, HomeSection, NavItem, Panel, RatingKind
from portal.extensions import db

NAME = "recorder_plugin"
CALLS: list[tuple[str, object]] = []

public = AgencyBlueprint(NAME, __name__, path="rekam")
staff = AgencyBlueprint(NAME + "_staff", __name__, path="rekam", plugin=NAME, staff=True)
#: Staff pages whose views are imported on their first request.
lazy = AgencyBlueprint(
    NAME + "_lazy",
    __name__,
    path="rekam-lambat",
    plugin=NAME,
    staff=True,
    views="tests.core.recorder_lazy_views",
)
lazy.lazy_route("/", "index")
lazy.lazy_route("/catatan", "note", methods=["GET", "POST"])
lazy.lazy_route("/catatan/<int:note_id>", "note", methods=["GET", "POST"])
lazy.lazy_route("/tanpa-token", "unsigned", methods=["POST"])


class RecorderNote(db.Model):
    __tablename__ = "recorder_plugin_note"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(100))


@public.route("/")
def index():
    return f"rekam publik {g.agency.slug}"


@staff.route("/")
def staff_index():
    return f"rekam staf {g.agency.slug}"


@hookimpl
def portal_blueprints(app):
    CALLS.append(("portal_blueprints", app.name))
    return [public, staff, lazy]


@hookimpl
def portal_models():
    CALLS.append(("portal_models", None))
    return RecorderNote


@hookimpl
def portal_migrations_dir():
    CALLS.append(("portal_migrations_dir", None))
    return None


@hookimpl
def portal_cli(cli):
    @cli.group("rekam")
    def group():
        """Perintah modul rekam."""

    @group.command("halo")
    @click.argument("nama")
    def halo(nama):
        click.echo(f"Halo, {nama}!")

    CALLS.append(("portal_cli", cli.name))


@hookimpl
def portal_nav_items(agency, user):
    CALLS.append(("portal_nav_items", agency.slug))
    return [NavItem(99, "Rekam", f"/{agency.slug}/rekam/")]


@hookimpl
def portal_account_links(user):
    CALLS.append(("portal_account_links", user.email))
    return [NavItem(99, "Catatan rekam", "/rekam-saya")]


@hookimpl
def portal_api_schemas():
    CALLS.append(("portal_api_schemas", None))
    return {"Ping": {"type": "object", "properties": {"pong": {"type": "boolean"}}}}


@hookimpl
def portal_agency_home(agency):
    CALLS.append(("portal_agency_home", agency.slug))
    return [HomeSection(99, "Modul Rekam", "Bagian beranda dari modul rekam.", f"/{agency.slug}/rekam/")]


@hookimpl
def portal_dashboard_widgets(agency, user):
    CALLS.append(("portal_dashboard_widgets", (agency.slug, user.email)))
    return [Panel(99, "Widget Rekam", Markup("<p>isi widget rekam</p>"))]


@hookimpl
def portal_officer_panels(officer, viewer):
    CALLS.append(("portal_officer_panels", (officer.nip, viewer.email)))
    return [Panel(99, "Panel Rekam", Markup("<p>panel untuk {}</p>").format(officer.name))]


@hookimpl
def portal_rating_sources():
    return [RatingKind("bintang", "Bintang", 1, 5, default_weight=2.0), RatingKind("jempol", "Jempol", 0, 1)]


@hookimpl
def portal_rating_recorded(event):
    CALLS.append(("portal_rating_recorded", (event.id, event.source, event.kind, event.score)))


@hookimpl
def portal_rating_reviewed(event):
    CALLS.append(("portal_rating_reviewed", (event.id, event.review)))


@hookimpl
def portal_seed_demo(agency):
    CALLS.append(("portal_seed_demo", agency.slug))


@hookimpl
def portal_api_paths():
    CALLS.append(("portal_api_paths", None))
    return {
        "/api/v1/rekam/ping": {
            "get": {
                "summary": "Ping rekam",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Ping"}}},
                    }
                },
            }
        }
    }


@hookimpl
def portal_anonymise(before):
    CALLS.append(("portal_anonymise", before.date()))
    return {"rekam": 0}


@hookimpl
def portal_indicators(agency):
    from portal.plugin import Indicator, Measurement

    CALLS.append(("portal_indicators", agency.slug))

    def count_notes(unit, start, end):
        return Measurement(float(db.session.query(RecorderNote).count()), 1)

    return [Indicator("recorder_plugin.notes", "Catatan rekam", "unit", count_notes, plugin=NAME)]


@hookimpl
def portal_daily_evidence(officer, day):
    from portal.plugin import Evidence

    CALLS.append(("portal_daily_evidence", (officer.nip, day)))
    return [Evidence(f"recorder_plugin:hari:{officer.id}:{day}", NAME, f"Rekam {officer.name}", "catatan", 2)]


@hookimpl
def portal_citizen_followups(agency, unit):
    CALLS.append(("portal_citizen_followups", (agency.slug, unit.name if unit else None)))
    return [NavItem(99, "Hubungi rekam", f"/{agency.slug}/rekam/")]


@hookimpl
def portal_notification_sent(notification, user):
    CALLS.append(("portal_notification_sent", (notification.title, user.email)))


@hookimpl
def portal_desk_links(agency, desk):
    CALLS.append(("portal_desk_links", (agency.slug, desk.name)))
    return [NavItem(99, "Rekam loket", f"/kelola/{agency.slug}/rekam/loket/{desk.id}")]


def _early(segment):
    CALLS.append(("portal_early_pages", segment))
    if segment == "gagal":
        raise RuntimeError("the handler failed")
    return None if segment == "tolak" else f"awal {segment}"


@hookimpl
def portal_early_pages():
    return {"/rekam-awal/": _early}
