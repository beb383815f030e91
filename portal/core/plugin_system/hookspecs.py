"""Every hook a plugin may implement.

Hooks go from core to plugins. A hook implementation may accept any subset of
the arguments named in its spec. Hooks that take an ``agency`` are called only
on the plugins that are switched on for that agency; the others are called on
every installed plugin. Each hook is documented in ``docs/plugins.md``.
"""

from __future__ import annotations

from pluggy import HookimplMarker, HookspecMarker

PROJECT = "portal"

hookspec = HookspecMarker(PROJECT)
hookimpl = HookimplMarker(PROJECT)


@hookspec
def portal_blueprints(app):
    """Called once at start-up; return a list of blueprints to register on ``app``."""


@hookspec
def portal_early_pages():
    """Called once at start-up; return ``{path prefix: handler}`` for a page
    that every visitor without cookies sees the same way (served from
    ``pagecache``). A plain ``GET <prefix><segment>`` — one path segment, no
    query string, no cookie — is offered to ``handler(segment)`` before
    Flask's request handling, inside an app context: it returns the page's
    HTML or None (Flask then answers). Never for a rate-limited, personal or
    signed-in page. See :mod:`portal.core.web.early`."""


@hookspec
def portal_models():
    """Called once at start-up, before migrations or ``create_all``; import the
    plugin's model modules and return them (a module or a list of modules)."""


@hookspec
def portal_migrations_dir():
    """Called when Alembic is configured; return the absolute path of the
    plugin's migration versions folder (its own branch), or None."""


@hookspec
def portal_cli(cli):
    """Called once at start-up with the ``flask`` click group; add the plugin's
    commands to it (conventionally one group named after the plugin)."""


@hookspec
def portal_nav_items(agency, user):
    """Called per request for an agency's pages; return a list of
    :class:`portal.core.plugin_system.plugins.NavItem` for that agency and (possibly
    anonymous) user."""


@hookspec
def portal_agency_home(agency):
    """Called for an agency's public home page; return a list of
    :class:`portal.core.plugin_system.plugins.HomeSection` describing the plugin's public pages."""


@hookspec
def portal_dashboard_widgets(agency, user):
    """Called for an agency's staff dashboard; return a list of
    :class:`portal.core.plugin_system.plugins.Panel` visible to ``user``."""


@hookspec
def portal_officer_panels(officer, viewer):
    """Called for an officer's record page; return a list of
    :class:`portal.core.plugin_system.plugins.Panel` that ``viewer`` may see."""


@hookspec
def portal_rating_sources():
    """Called once at start-up; return a list of
    :class:`portal.core.plugin_system.plugins.RatingKind` the plugin may record through
    :func:`portal.core.record.ratings.record_rating`. The source is the plugin's name."""


@hookspec
def portal_rating_recorded(event):
    """Called after core stored and committed a :class:`RatingEvent` that counts (at once, or
    when a rating held for review is accepted; never for a held or rejected one); return nothing."""


@hookspec
def portal_rating_reviewed(event):
    """Called when a supervisor or admin accepted or rejected a rating held for review
    (``event.review``), inside that transaction before it commits: bring your own rows in
    step, do not commit; return nothing."""


@hookspec
def portal_seed_demo(agency):
    """Called by ``flask seed-demo`` for each demo agency the plugin is on for,
    after core's demo data exists; add the plugin's demo data (idempotently)."""


@hookspec
def portal_api_schemas():
    """Called when ``/api/v1/openapi.json`` is served; return the OpenAPI schemas the
    plugin's paths refer to as ``#/components/schemas/<Name>`` (a dict keyed by name)."""


@hookspec
def portal_account_links(user):
    """Called for every page a signed-in ``user`` sees; return ``NavItem`` links for the
    account bar (where staff find the pages of their work)."""


@hookspec
def portal_api_paths():
    """Called when ``/api/v1/openapi.json`` is served; return the OpenAPI 3.1
    path items of the plugin's API (a dict keyed by full path)."""


@hookspec
def portal_anonymise(before):
    """Called by ``flask anonymise`` for every installed plugin (whatever the
    agency switches: old data may belong to an agency that has since switched
    the plugin off). Remove the personal data of citizens (names, contacts,
    free text, files) from matters that ended before ``before`` (a naive UTC
    datetime), keeping every number the statistics need, and flush; core
    commits. Must be idempotent. Return ``{label: rows changed}``."""


@hookspec
def portal_indicators(agency):
    """Called when a page lists or measures indicators for ``agency``; return a
    list of :class:`portal.core.record.indicators.Indicator` the plugin can
    measure (an officer's or a unit's, over a date range)."""


@hookspec
def portal_daily_evidence(officer, day):
    """Called for ``officer``'s daily report of local date ``day``; return a list of
    :class:`portal.core.record.indicators.Evidence`: the work the plugin recorded
    for that officer on that day (never another agency's)."""


@hookspec
def portal_citizen_followups(agency, unit):
    """Called after a citizen reported a bad experience with ``unit`` (may be
    None) of ``agency``; return a list of :class:`NavItem` the citizen may follow
    (a complaint form, a call-back request)."""


@hookspec
def portal_notification_sent(notification, user):
    """Called after the commit that stored ``notification`` for ``user``
    (detached copies: read their attributes, load nothing); deliver it through
    a further channel (an SMS or WhatsApp gateway). Errors are logged, never raised."""


@hookspec
def portal_desk_links(agency, desk):
    """Called for each desk on the agency's desk list (``/kelola/<slug>/loket``);
    return a list of :class:`NavItem` for what the plugin keeps about that desk
    (its survey settings, its poster)."""
