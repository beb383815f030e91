"""The plugin system: discovery, allowlist, per-agency switches, and every hook."""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

import pytest
from flask import url_for

from portal import create_app
from portal.core.models import Agency, Officer
from portal.core.plugin_system import hookspecs, plugins
from portal.core.record.ratings import RatingError, record_rating
from portal.extensions import csrf, db
from portal.testing import PASSWORD, login, make_app, post_form, reset_schema
from tests.core import recorder_plugin

ROOT = Path(__file__).resolve().parents[2]
RECORDER = "survei,tests.core.recorder_plugin"
HOOKS = sorted(
    name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("portal_")
)


@pytest.fixture
def app(database_url):
    """Every test here runs on an app with the recorder plugin loaded."""
    recorder_plugin.CALLS.clear()
    app = make_app(database_url, PORTAL_PLUGINS=RECORDER)
    reset_schema(app)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def rec(app, world):
    """The recorder app with the two test agencies; every plugin on for both."""
    return app


def _agency(slug):
    return db.session.execute(db.select(Agency).filter_by(slug=slug)).scalar_one()


def _switch(app, slug, name, on):
    with app.app_context():
        plugins.set_enabled(_agency(slug), name, on)
        db.session.commit()


def calls(name):
    return [arg for hook, arg in recorder_plugin.CALLS if hook == name]


# ---------------------------------------------------------------- discovery


def test_entry_points_load_the_shipped_plugins_sorted():
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "PORTAL_PLUGINS": None,
        }
    )
    assert plugins.state(app).names == [
        "dialog_publik",
        "kinerja_harian",
        "pengaduan",
        "pengembangan",
        "survei",
    ]
    manager = app.extensions["portal_plugins"].manager
    # Beside them, the portal's own features, registered as plugins too.
    builtin = [
        "portal.api",
        "portal.demo",
        "portal.home",
        "portal.manage",
        "portal.notifications",
        "portal.records",
    ]
    assert sorted(plugins.state(app).builtin) == builtin
    assert sorted(name for name, _ in manager.list_name_plugin()) == [
        "dialog_publik",
        "kinerja_harian",
        "pengaduan",
        "pengembangan",
        *builtin,
        "survei",
    ]


def test_allowlist_overrides_discovery_and_empty_loads_none():
    only = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "PORTAL_PLUGINS": "pengaduan",
        }
    )
    assert plugins.state(only).names == ["pengaduan"]
    none = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "PORTAL_PLUGINS": "",
        }
    )
    assert plugins.state(none).names == []


def test_each_app_has_its_own_plugin_manager():
    a = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "PORTAL_PLUGINS": "survei",
        }
    )
    b = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "PORTAL_PLUGINS": "pengaduan",
        }
    )
    assert plugins.manager(a) is not plugins.manager(b)
    assert plugins.state(a).names == ["survei"]


def test_a_misspelt_hook_implementation_fails_loudly():
    with pytest.raises(Exception, match="portal_blueprintz"):
        create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x" * 32,
                "SQLALCHEMY_DATABASE_URI": "sqlite://",
                "PORTAL_PLUGINS": "tests.core.misspelt_plugin",
            }
        )


def test_plugins_list_command_shows_the_three_plugins(app_factory):
    result = app_factory(PORTAL_PLUGINS=None).test_cli_runner().invoke(args=["plugins", "list"])
    assert result.exit_code == 0, result.output
    for name in ("survei", "dialog_publik", "pengaduan"):
        assert re.search(rf"^{name}\b", result.output, re.M)
    assert "skm" in result.output


# ---------------------------------------------------------------- documentation


def test_every_hook_is_documented_with_its_signature():
    docs = (ROOT / "docs" / "plugins.md").read_text()
    for name in HOOKS:
        params = ", ".join(inspect.signature(getattr(hookspecs, name)).parameters)
        assert f"### `{name}({params})`" in docs, f"{name} is not documented in docs/plugins.md"
        assert getattr(hookspecs, name).__doc__, f"{name} has no docstring"


def test_every_hook_has_a_test():
    source = Path(__file__).read_text()
    for name in HOOKS:
        assert f"def test_hook_{name}(" in source, f"no test_hook_{name}"


def test_recorder_implements_every_hook():
    implemented = {name for name in HOOKS if hasattr(recorder_plugin, name)}
    assert implemented == set(HOOKS)


# ---------------------------------------------------------------- each hook


def test_hook_portal_blueprints(rec, client):
    assert ("portal_blueprints", rec.name) in recorder_plugin.CALLS
    r = client.get("/alpha/rekam/")
    assert r.status_code == 200 and r.get_data(as_text=True) == "rekam publik alpha"
    _switch(rec, "alpha", "recorder_plugin", False)
    assert client.get("/alpha/rekam/").status_code == 404
    assert client.get("/beta/rekam/").status_code == 200
    assert client.get("/tidak-ada/rekam/").status_code == 404


def test_hook_portal_early_pages(rec, client):
    """A plain GET without cookies is answered by the handler, with the
    portal's headers; None, an error, a cookie or a query string: Flask
    answers (here: no such page)."""
    r = client.get("/rekam-awal/abc")
    assert r.status_code == 200 and r.get_data(as_text=True) == "awal abc"
    assert r.headers["Content-Type"] == "text/html; charset=utf-8" and r.headers["Vary"] == "Cookie"
    assert (
        r.headers["X-Frame-Options"] == "DENY"
        and "default-src 'self'" in r.headers["Content-Security-Policy"]
    )
    assert calls("portal_early_pages")[-1] == "abc"
    for path in ("/rekam-awal/tolak", "/rekam-awal/gagal", "/rekam-awal/abc?x=1", "/rekam-awal/a/b"):
        assert client.get(path).status_code == 404, path
    client.set_cookie("lain", "1")
    before = len(calls("portal_early_pages"))
    assert client.get("/rekam-awal/abc").status_code == 404
    assert len(calls("portal_early_pages")) == before  # never offered


def test_early_pages_are_off_when_only_trusted_hosts_may_be_served(rec, app_factory):
    """A trusted-hosts list applies to every request: no page may be
    answered before Flask checks the host."""
    other = app_factory(PORTAL_PLUGINS=RECORDER, TRUSTED_HOSTS=["portal.example.go.id"])
    before = len(calls("portal_early_pages"))
    assert other.test_client().get("/rekam-awal/abc").status_code == 400  # Flask: untrusted host
    assert len(calls("portal_early_pages")) == before


@pytest.mark.parametrize("setting", ["RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META"])
def test_early_pages_are_off_under_a_rate_limit_on_every_page(setting):
    """(Checked on install itself: Flask-Limiter keeps such limits for
    every later app of the process.)"""
    from types import SimpleNamespace

    from portal.core.web import early

    def wsgi(_environ, _start_response):
        return [b"flask"]

    app = SimpleNamespace(config={setting: "100 per minute"}, wsgi_app=wsgi)
    early.install(app, [{"/x/": str}], ())
    assert app.wsgi_app is wsgi
    app.config = {}
    early.install(app, [{"/x/": str}], ())
    assert isinstance(app.wsgi_app, early.EarlyPages)


def test_two_plugins_may_not_declare_the_same_early_prefix():
    from portal.core.web import early

    with pytest.raises(ValueError, match="/s/"):
        early.install(object(), [{"/s/": str}, {"/s/": str}], ())


def test_hook_portal_blueprints_staff_pages_need_agency_access(rec, client, world):
    assert client.get("/kelola/alpha/rekam/").status_code == 302  # to the login page
    login(client, world["alpha"]["emails"]["officer"])
    assert client.get("/kelola/alpha/rekam/").get_data(as_text=True) == "rekam staf alpha"
    assert client.get("/kelola/beta/rekam/").status_code == 404
    _switch(rec, "alpha", "recorder_plugin", False)
    assert client.get("/kelola/alpha/rekam/").status_code == 404


LAZY_VIEWS = "tests.core.recorder_lazy_views"


def _never_loaded():
    """As if the recorder's lazy views had never been imported in this
    process (an earlier test may have reached them): its module, the views
    its rules resolved to, and the CSRF exemption its import registers."""
    sys.modules.pop(LAZY_VIEWS, None)
    for view in recorder_plugin.lazy._lazy_views.values():
        view._view = None
    csrf._exempt_views.discard(f"{LAZY_VIEWS}.unsigned")


def test_lazy_route_pages_are_in_the_url_map_and_load_their_module_on_the_first_request(rec, client, world):
    _never_loaded()
    rules = sorted((r.rule, r.endpoint) for r in rec.url_map.iter_rules() if "/rekam-lambat/" in r.rule)
    assert rules == [
        ("/kelola/<agency_slug>/rekam-lambat/", "recorder_plugin_lazy.index"),
        ("/kelola/<agency_slug>/rekam-lambat/catatan", "recorder_plugin_lazy.note"),
        ("/kelola/<agency_slug>/rekam-lambat/catatan/<int:note_id>", "recorder_plugin_lazy.note"),
        ("/kelola/<agency_slug>/rekam-lambat/tanpa-token", "recorder_plugin_lazy.unsigned"),
    ]
    with rec.test_request_context():
        assert url_for("recorder_plugin_lazy.note", agency_slug="alpha", note_id=7) == (
            "/kelola/alpha/rekam-lambat/catatan/7"
        )
    assert LAZY_VIEWS not in sys.modules
    assert client.get("/kelola/alpha/rekam-lambat/").status_code == 302  # to the login page, as with route
    assert LAZY_VIEWS in sys.modules  # the first request that reached a page imported its module
    login(client, world["alpha"]["emails"]["officer"])
    assert client.get("/kelola/alpha/rekam-lambat/").get_data(as_text=True) == "rekam lambat alpha"
    # From then on the app holds the function itself.
    assert rec.view_functions["recorder_plugin_lazy.index"] is sys.modules[LAZY_VIEWS].index
    assert client.get("/kelola/alpha/rekam-lambat/catatan/7").get_data(as_text=True) == "catatan 7 GET"
    assert client.get("/kelola/alpha/rekam-lambat/catatan").get_data(as_text=True) == "catatan None GET"
    assert client.get("/kelola/beta/rekam-lambat/").status_code == 404  # another agency's staff page
    _switch(rec, "alpha", "recorder_plugin", False)
    assert client.get("/kelola/alpha/rekam-lambat/").status_code == 404


def test_lazy_route_pages_get_csrf_checks_and_their_module_s_exemptions_from_the_first_request(
    rec, client, world
):
    login(client, world["alpha"]["emails"]["officer"])
    _never_loaded()
    # The module's @csrf.exempt has run before CSRF is checked, on the very request that imports it.
    r = client.post("/kelola/alpha/rekam-lambat/tanpa-token")
    assert r.status_code == 200 and r.get_data(as_text=True) == "tanpa token"
    assert client.post("/kelola/alpha/rekam-lambat/catatan").status_code == 400  # no CSRF token
    r = post_form(client, "/kelola/alpha/rekam-lambat/catatan", token_from="/kelola/alpha/")
    assert r.get_data(as_text=True) == "catatan None POST"


def test_a_lazy_view_imports_nothing_until_it_is_resolved():
    view = plugins.LazyView("tests.core.tidak_ada", "index")
    assert (view.__module__, view.__name__) == ("tests.core.tidak_ada", "index")
    with pytest.raises(ModuleNotFoundError):
        view.resolve()
    with pytest.raises(ValueError, match="views="):
        plugins.AgencyBlueprint("tanpa_modul", __name__, path="x").lazy_route("/", "index")


def test_hook_portal_models(rec):
    assert calls("portal_models") == [None]  # called once, at start-up
    with rec.app_context():
        db.session.add(recorder_plugin.RecorderNote(text="tersimpan"))
        db.session.commit()
        assert db.session.scalars(db.select(recorder_plugin.RecorderNote.text)).all() == ["tersimpan"]


def test_hook_portal_migrations_dir(rec):
    from portal.core import migrations

    with rec.app_context():
        config = migrations.init_app(rec).get_config()
    locations = config.get_main_option("version_locations")
    assert str(ROOT / "plugins" / "survei" / "migrations") in locations
    assert str(ROOT / "migrations" / "versions") in locations
    assert calls("portal_migrations_dir")  # asked, answered None, left out


def test_hook_portal_cli(rec):
    result = rec.test_cli_runner().invoke(args=["rekam", "halo", "Sari"])
    assert result.exit_code == 0
    assert result.output == "Halo, Sari!\n"


def test_hook_portal_nav_items(rec, client):
    page = client.get("/alpha/").get_data(as_text=True)
    assert 'href="/alpha/rekam/">Rekam</a>' in page
    assert 'href="/alpha/survei/"' in page
    assert "alpha" in calls("portal_nav_items")
    _switch(rec, "alpha", "recorder_plugin", False)
    page = client.get("/alpha/").get_data(as_text=True)
    assert "/alpha/rekam/" not in page
    assert 'href="/alpha/survei/"' in page


def test_hook_portal_account_links(rec, client, world):
    """Signed-in staff find the pages of their work in the account bar: the
    built-in ones and a plugin's, never shown to a visitor."""
    assert "/rekam-saya" not in client.get("/alpha/").get_data(as_text=True)
    assert calls("portal_account_links") == []
    login(client, world["alpha"]["emails"]["officer"])
    page = client.get("/alpha/").get_data(as_text=True)
    assert 'href="/rekam-saya">Catatan rekam</a>' in page
    assert 'href="/kelola/">Kelola</a>' in page and 'href="/kinerja/">Rekam kinerja</a>' in page
    assert calls("portal_account_links")[-1] == world["alpha"]["emails"]["officer"]


def test_hook_portal_agency_home(rec, client):
    page = client.get("/beta/").get_data(as_text=True)
    assert "Modul Rekam" in page and "Bagian beranda dari modul rekam." in page
    _switch(rec, "beta", "recorder_plugin", False)
    _switch(rec, "beta", "survei", False)
    page = client.get("/beta/").get_data(as_text=True)
    assert "Modul Rekam" not in page
    assert "belum membuka layanan daring" in page


def test_hook_portal_dashboard_widgets(rec, client, world):
    login(client, world["alpha"]["emails"]["supervisor"])
    page = client.get("/kelola/alpha/").get_data(as_text=True)
    assert "Widget Rekam" in page and "isi widget rekam" in page
    assert ("alpha", "atasan@alpha.example") in calls("portal_dashboard_widgets")
    _switch(rec, "alpha", "recorder_plugin", False)
    assert "Widget Rekam" not in client.get("/kelola/alpha/").get_data(as_text=True)


def test_hook_portal_officer_panels(rec, client, world):
    login(client, world["alpha"]["emails"]["officer"])
    page = client.get(f"/kinerja/pegawai/{world['alpha']['staff']}").get_data(as_text=True)
    assert "Panel Rekam" in page and "panel untuk Staf alpha" in page
    _switch(rec, "alpha", "recorder_plugin", False)
    page = client.get(f"/kinerja/pegawai/{world['alpha']['staff']}").get_data(as_text=True)
    assert "Panel Rekam" not in page


def test_hook_portal_rating_sources(rec, world):
    with rec.app_context():
        kinds = plugins.state().rating_kinds
        assert set(kinds["recorder_plugin"]) == {"bintang", "jempol"}
        assert set(kinds["survei"]) == {"skm", "cepat"}
        agency, officer = _agency("alpha"), db.session.get(Officer, world["alpha"]["staff"])
        event = record_rating(
            agency=agency, officer=officer, source="recorder_plugin", kind="jempol", value=1
        )
        assert event.score == 100.0
        with pytest.raises(RatingError, match="tidak dikenal"):
            record_rating(agency=agency, officer=officer, source="recorder_plugin", kind="skm", value=3)


def test_hook_portal_rating_recorded(rec, world):
    with rec.app_context():
        agency, officer = _agency("alpha"), db.session.get(Officer, world["alpha"]["staff"])
        event = record_rating(
            agency=agency, officer=officer, source="recorder_plugin", kind="bintang", value=4
        )
        assert calls("portal_rating_recorded") == [(event.id, "recorder_plugin", "bintang", 80.0)]
        # Told only after the commit: a fresh session sees the event.
        db.session.remove()
        assert db.session.get(type(event), event.id) is not None


def test_hook_portal_rating_reviewed(rec, world):
    from portal.core.record.ratings import accept_held, reject_held

    with rec.app_context():
        agency, officer = _agency("alpha"), db.session.get(Officer, world["alpha"]["staff"])
        kept, dropped = (
            record_rating(
                agency=agency, officer=officer, source="recorder_plugin", kind="bintang", value=4, hold="pola"
            ).id
            for _ in range(2)
        )
        assert calls("portal_rating_reviewed") == []  # holding decides nothing
        accept_held(kept)
        reject_held(dropped)
        assert calls("portal_rating_reviewed") == [(kept, "diterima"), (dropped, "ditolak")]
        accept_held(kept)  # decided already: nobody is told twice
        assert len(calls("portal_rating_reviewed")) == 2


def test_hook_portal_seed_demo(rec):
    result = rec.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    # The demo switches every installed plugin on for two OPD, not for rsud.
    assert calls("portal_seed_demo") == ["disdukcapil", "dpmptsp"]
    recorder_plugin.CALLS.clear()
    _switch(rec, "rsud", "recorder_plugin", True)
    rec.test_cli_runner().invoke(args=["seed-demo"])
    assert calls("portal_seed_demo") == ["disdukcapil", "dpmptsp", "rsud"]


def test_hook_portal_api_paths(rec, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    assert spec["paths"]["/rekam/ping"]["get"]["summary"] == "Ping rekam"
    assert "/survei/responses" in spec["paths"]
    assert calls("portal_api_paths") == [None]


def test_hook_portal_api_schemas(rec, client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["schemas"]["Ping"]["properties"]["pong"] == {"type": "boolean"}
    ref = spec["paths"]["/rekam/ping"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ref == {"$ref": "#/components/schemas/Ping"}
    # The built-in API's own schemas arrive the same way.
    assert {"Officer", "Error"} <= set(spec["components"]["schemas"])
    assert calls("portal_api_schemas") == [None]


def test_hook_portal_anonymise(rec):
    """Called once per run for every installed plugin, even one that no
    agency has on (old data may remain); its counts are reported."""
    import datetime as dt

    from portal.core.util.timeutil import utcnow

    _switch(rec, "alpha", "recorder_plugin", False)
    _switch(rec, "beta", "recorder_plugin", False)
    result = rec.test_cli_runner().invoke(args=["anonymise", "--days", "400"])
    assert result.exit_code == 0, result.output
    assert calls("portal_anonymise") == [(utcnow() - dt.timedelta(days=400)).date()]
    assert "rekam: 0" in result.output


def test_hook_portal_indicators(rec, world):
    """Offered and measured where the plugin is on, absent where it is off."""
    from portal.plugin import indicators

    with rec.app_context():
        alpha = _agency("alpha")
        found = indicators(alpha, scope="unit")
        assert "recorder_plugin.notes" in found and "core.score" not in found
        db.session.add(recorder_plugin.RecorderNote(text="a"))
        db.session.flush()
        measured = found["recorder_plugin.notes"].measure(None, None, None)
        assert measured.value == 1.0 and measured.known
        assert "core.score" in indicators(alpha, scope="officer")
        assert calls("portal_indicators")[-1] == "alpha"
    _switch(rec, "alpha", "recorder_plugin", False)
    with rec.app_context():
        assert "recorder_plugin.notes" not in indicators(_agency("alpha"))


def test_hook_portal_daily_evidence(rec, world):
    import datetime as dt

    from portal.plugin import daily_evidence

    day = dt.date(2026, 12, 3)
    with rec.app_context():
        officer = db.session.get(Officer, world["alpha"]["staff"])
        found = daily_evidence(officer, day)
        assert [e.key for e in found] == [f"recorder_plugin:hari:{officer.id}:{day}"]
        assert found[0].quantity == 2 and calls("portal_daily_evidence")[-1] == (officer.nip, day)
    _switch(rec, "alpha", "recorder_plugin", False)
    with rec.app_context():
        assert daily_evidence(db.session.get(Officer, world["alpha"]["staff"]), day) == []


def test_hook_portal_citizen_followups(rec, world):
    from portal.plugin import Unit, citizen_followups

    with rec.app_context():
        unit = db.session.get(Unit, world["alpha"]["unit"])
        links = citizen_followups(_agency("alpha"), unit)
        assert [link.url for link in links] == ["/alpha/rekam/"]
        assert calls("portal_citizen_followups")[-1] == ("alpha", unit.name)
    _switch(rec, "alpha", "recorder_plugin", False)
    with rec.app_context():
        assert citizen_followups(_agency("alpha"), None) == []


def test_hook_portal_desk_links(rec, client, world):
    """Each desk on the agency's desk list carries the links plugins give it;
    a switched-off plugin gives none."""
    login(client, world["alpha"]["emails"]["admin"])
    page = client.get("/kelola/alpha/loket").get_data(as_text=True)
    desk = world["alpha"]["desk"]
    assert f'href="/kelola/alpha/rekam/loket/{desk}">Rekam loket</a>' in page
    assert f"/kelola/alpha/survei/loket/{desk}/poster" in page  # survei's poster, through the same hook
    assert calls("portal_desk_links")[-1][0] == "alpha"
    _switch(rec, "alpha", "recorder_plugin", False)
    assert "Rekam loket" not in client.get("/kelola/alpha/loket").get_data(as_text=True)


def test_hook_portal_notification_sent(rec, world):
    """Called after the commit, never for a rolled-back notification."""
    from portal.plugin import User, notify

    with rec.app_context():
        admin = db.session.execute(
            db.select(User).filter_by(email=world["alpha"]["emails"]["admin"])
        ).scalar_one()
        notify(admin, "Dibatalkan")
        assert calls("portal_notification_sent") == []
        db.session.rollback()
        assert calls("portal_notification_sent") == []
        notify(admin, "Disimpan")
        db.session.commit()
        assert calls("portal_notification_sent") == [("Disimpan", admin.email)]


# ---------------------------------------------------------------- switches


def test_switch_is_seen_by_another_worker_without_restart(rec, app_factory, client):
    """Two app instances on one database stand for two workers."""
    other = app_factory(PORTAL_PLUGINS=RECORDER)
    other_client = other.test_client()
    assert other_client.get("/alpha/rekam/").status_code == 200
    _switch(rec, "alpha", "recorder_plugin", False)
    assert other_client.get("/alpha/rekam/").status_code == 404
    assert client.get("/alpha/rekam/").status_code == 404
    _switch(other, "alpha", "recorder_plugin", True)
    assert client.get("/alpha/rekam/").status_code == 200


def test_disabled_plugin_ratings_are_refused(rec, world):
    _switch(rec, "beta", "recorder_plugin", False)
    with rec.app_context():
        agency, officer = _agency("beta"), db.session.get(Officer, world["beta"]["staff"])
        with pytest.raises(RatingError, match="tidak aktif"):
            record_rating(agency=agency, officer=officer, source="recorder_plugin", kind="bintang", value=5)


def test_admin_switches_a_module_in_the_page_and_it_disappears(rec, client, world):
    login(client, world["beta"]["emails"]["admin"])
    from portal.testing import post_form

    # The module list leads to a page saying what switching off does; its button switches.
    modules = client.get("/kelola/beta/modul").get_data(as_text=True)
    assert 'action="/kelola/beta/modul/survei/nonaktifkan"' in modules
    page = client.get("/kelola/beta/modul/survei/nonaktifkan").get_data(as_text=True)
    assert "Nonaktifkan modul Survei?" in page and "tidak ada yang dihapus" in page
    assert '<input type="hidden" name="plugin" value="survei">' in page
    assert client.get("/beta/survei/").status_code == 200  # looking changes nothing
    r = post_form(client, "/kelola/beta/modul", {"plugin": "survei", "enabled": "0"})
    assert r.status_code == 302
    assert client.get("/beta/survei/").status_code == 404
    # Off already, or no such module: nothing to confirm.
    assert client.get("/kelola/beta/modul/survei/nonaktifkan").headers["Location"] == "/kelola/beta/modul"
    assert client.get("/kelola/beta/modul/tidak-ada/nonaktifkan").status_code == 404
    assert 'href="/beta/survei/"' not in client.get("/beta/").get_data(as_text=True)
    assert client.get("/alpha/survei/").status_code == 200
    page = client.get("/kelola/beta/audit").get_data(as_text=True)
    assert "plugin_disabled" in page and "survei" in page
    r = post_form(client, "/kelola/beta/modul", {"plugin": "tidak-ada", "enabled": "1"})
    assert r.status_code == 404


def test_cli_enable_disable(rec):
    runner = rec.test_cli_runner()
    result = runner.invoke(args=["plugins", "disable", "survei", "--agency", "alpha"])
    assert result.exit_code == 0 and "dinonaktifkan" in result.output
    result = runner.invoke(args=["plugins", "list", "--agency", "alpha"])
    assert re.search(r"^survei .* nonaktif", result.output, re.M), result.output
    result = runner.invoke(args=["plugins", "enable", "tidak-ada", "--agency", "alpha"])
    assert result.exit_code != 0 and "tidak terpasang" in result.output
    result = runner.invoke(args=["plugins", "enable", "survei", "--agency", "tidak-ada"])
    assert result.exit_code != 0 and "tidak ditemukan" in result.output
    assert PASSWORD  # the fixture's logins exist for the page tests above
