"""The plugin manager and what plugins build on.

Every installed plugin is loaded at start-up (entry point group
``portal.plugins``, or the ``PORTAL_PLUGINS`` allowlist). Whether a plugin is
on *for an agency* is an :class:`AgencyPlugin` row, read per request, so all
workers agree and no restart is needed.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import logging
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

from flask import Blueprint, abort, current_app, g, request
from markupsafe import Markup
from pluggy import PluginManager

from portal.core.plugin_system import hookspecs
from portal.extensions import db

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "portal.plugins"
EXTENSION_KEY = "portal_plugins"


@dataclass(frozen=True, order=True)
class NavItem:
    """A menu entry. ``url`` is a full path; lower ``order`` comes first."""

    order: int
    label: str
    url: str


@dataclass(frozen=True, order=True)
class HomeSection:
    """A module's card on an agency's public home page."""

    order: int
    title: str
    description: str
    url: str


@dataclass(frozen=True, order=True)
class Panel:
    """A titled block of HTML on a dashboard or an officer's record page."""

    order: int
    title: str
    html: Markup = field(compare=False)


def template_panel(order: int, title, template: str, **context) -> Panel:
    """A :class:`Panel` whose HTML is ``template`` rendered with ``context``
    (Jinja autoescapes what it interpolates, so the result is safe markup)."""
    from flask import render_template

    return Panel(order, title, Markup(render_template(template, **context)))  # noqa: S704 - autoescaped  # nosec B704


@dataclass(frozen=True)
class RatingKind:
    """A kind of rating a plugin may record, on the scale [scale_min, scale_max]
    (scale_min ≥ 0), with its default weight in an officer's overall score
    (an agency may scale a whole source up or down on top of it)."""

    kind: str
    label: str
    scale_min: float
    scale_max: float
    default_weight: float = 1.0


@dataclass
class PortalPlugins:
    """What ``create_app`` keeps in ``app.extensions['portal_plugins']``."""

    manager: PluginManager
    names: list[str]
    # source (plugin name) -> kind -> RatingKind
    rating_kinds: dict[str, dict[str, RatingKind]]
    #: the built-in plugins' names (always on, not in ``names``)
    builtin: list[str]


def discover(allowlist: str | None) -> list[tuple[str, object]]:
    """(name, module) for every plugin to load, sorted by name.

    ``allowlist`` None loads every entry point of the group; otherwise it is a
    comma-separated list of entry point names or importable module paths. A
    plugin's name is its module's ``NAME`` (else the entry point's name, else
    the last part of the module path).
    """
    eps = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    if allowlist is None:
        wanted = sorted(eps)
    else:
        wanted = sorted({w.strip() for w in allowlist.split(",") if w.strip()})
    found = {}
    for wanted_name in wanted:
        if wanted_name in eps:
            module, fallback = eps[wanted_name].load(), wanted_name
        else:
            module, fallback = importlib.import_module(wanted_name), wanted_name.rsplit(".", 1)[-1]
        # The plugin's identity is the NAME its module declares (the same one
        # its blueprints and ratings use), however it was found.
        found[getattr(module, "NAME", None) or fallback] = module
    return sorted(found.items(), key=lambda item: item[0])


#: The portal's own features, written as plugins (Datasette's habit): always
#: loaded, whatever PORTAL_PLUGINS says, and never switched per agency. The
#: kernel names them here and never imports them otherwise.
DEFAULT_PLUGINS = (
    "portal.builtin.home",
    "portal.builtin.manage",
    "portal.builtin.records",
    "portal.builtin.notifications",
    "portal.builtin.api",
    "portal.builtin.demo",
)


def init_plugins(app) -> PortalPlugins:
    pm = PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    builtin = []
    for path in DEFAULT_PLUGINS:
        module = importlib.import_module(path)
        pm.register(module, name=module.NAME)
        builtin.append(module.NAME)
    names = []
    for name, module in discover(app.config.get("PORTAL_PLUGINS")):
        pm.register(module, name=name)
        names.append(name)
    pm.check_pending()
    kinds: dict[str, dict[str, RatingKind]] = {}
    for name in names:
        caller = _only(pm, name, "portal_rating_sources")
        for declared in caller():
            for rk in declared or []:
                kinds.setdefault(name, {})[rk.kind] = rk
    state = PortalPlugins(manager=pm, names=names, rating_kinds=kinds, builtin=builtin)
    app.extensions[EXTENSION_KEY] = state
    log.info("Portal Warga plugins loaded: %s", ", ".join(names) or "(none)")
    return state


def _conventional(pm: PluginManager, hook: str):
    """Plugin packages that do not implement ``hook`` (their conventional
    layout stands in for it)."""
    for _name, module in pm.list_name_plugin():
        if hasattr(module, "__path__") and not hasattr(module, hook):
            yield module


def import_models(pm: PluginManager) -> None:
    """Import every plugin's models before migrations or ``create_all``: what
    ``portal_models`` returns, or by convention the package's ``models``
    module when it has one."""
    for module in _conventional(pm, "portal_models"):
        if importlib.util.find_spec(f"{module.__name__}.models") is not None:
            importlib.import_module(f"{module.__name__}.models")
    pm.hook.portal_models()


def migration_dirs(pm: PluginManager) -> list[str]:
    """Every plugin's Alembic branch: what ``portal_migrations_dir`` returns,
    or by convention the package's ``migrations/`` folder when it has one."""
    found = [str(path) for path in pm.hook.portal_migrations_dir() if path]
    for module in _conventional(pm, "portal_migrations_dir"):
        folder = Path(module.__path__[0]) / "migrations"
        if folder.is_dir() and any(folder.glob("*.py")):
            found.append(str(folder))
    return found


def _only(pm: PluginManager, name: str, hook: str):
    others = [p for n, p in pm.list_name_plugin() if n != name]
    return pm.subset_hook_caller(hook, remove_plugins=others)


def label(name: str) -> str:
    """A plugin's name as people read it: its module's ``LABEL`` (a lazy
    translated string) when it has one, else the name made readable."""
    for plugin_name, module in state().manager.list_name_plugin():
        if plugin_name == name and getattr(module, "LABEL", None):
            return str(module.LABEL)
    return name.replace("_", " ").capitalize()


def state(app=None) -> PortalPlugins:
    return (app or current_app).extensions[EXTENSION_KEY]


def manager(app=None) -> PluginManager:
    return state(app).manager


def installed() -> list[str]:
    return list(state().names)


def switches(agency) -> dict[str, tuple[bool, float | None]]:
    """The agency's plugin rows: name → (enabled, weight).

    One query per agency per request (remembered in ``g`` for the rest of
    the request only, so a switch is seen by the very next request); both
    the module switches and the rating weights are read from it."""
    from flask import has_request_context

    from portal.core.models import AgencyPlugin

    cache = g.setdefault("_portal_switches", {}) if has_request_context() else {}
    if agency.id not in cache:
        rows = db.session.execute(
            db.select(AgencyPlugin.plugin, AgencyPlugin.enabled, AgencyPlugin.weight).where(
                AgencyPlugin.agency_id == agency.id
            )
        )
        cache[agency.id] = {name: (bool(on), weight) for name, on, weight in rows}
    return cache[agency.id]


def enabled_names(agency) -> set[str]:
    """Names of installed plugins switched on for ``agency``."""
    installed = set(state().names)
    return {name for name, (on, _weight) in switches(agency).items() if on and name in installed}


def is_enabled(agency, name: str) -> bool:
    return name in enabled_names(agency)


def hook_for(agency, hook: str):
    """A caller for ``hook`` that reaches only the plugins on for ``agency``."""
    pm = manager()
    on = enabled_names(agency) | set(state().builtin)
    off = [p for n, p in pm.list_name_plugin() if n not in on]
    return pm.subset_hook_caller(hook, remove_plugins=off)


def collect(hook: str, *, agency, **kwargs) -> list:
    """Call ``hook`` on the plugins on for ``agency`` and return the
    flattened, sorted results. ``agency`` is passed on to the hook unless the
    hook's spec does not take it (``portal_officer_panels``)."""
    items = []
    spec = getattr(hookspecs, hook)
    if "agency" in spec.__code__.co_varnames[: spec.__code__.co_argcount]:
        kwargs["agency"] = agency
    for result in hook_for(agency, hook)(**kwargs):
        items.extend(result or [])
    return sorted(items)


def set_enabled(agency, name: str, enabled: bool) -> None:
    """Switch plugin ``name`` on or off for ``agency`` (caller commits)."""
    from portal.core.models import AgencyPlugin

    if name not in state().names:
        raise KeyError(name)
    from flask import has_app_context

    if has_app_context():
        g.pop("_portal_switches", None)
    row = db.session.get(AgencyPlugin, (agency.id, name))
    if row is None:
        db.session.add(AgencyPlugin(agency_id=agency.id, plugin=name, enabled=enabled))
    else:
        row.enabled = enabled


class LazyView:
    """A view function that is imported from its module when a request
    first reaches it (Flask's "Lazily Loading Views"); made by
    :meth:`AgencyBlueprint.lazy_route`. Its ``__module__`` and ``__name__``
    are the function's, as Flask-WTF and Flask-Limiter expect."""

    def __init__(self, module: str, name: str) -> None:
        self.__module__ = module
        self.__name__ = self.__qualname__ = name
        self._view = None

    def __repr__(self) -> str:
        return f"<LazyView {self.__module__}.{self.__name__}>"

    def resolve(self):
        """The view function, its module imported the first time."""
        view = self._view
        if view is None:
            view = getattr(importlib.import_module(self.__module__), self.__name__)
            # The app answers "is it a coroutine?" once, at start-up (wiring._sync_only).
            if inspect.iscoroutinefunction(inspect.unwrap(view)):
                raise TypeError(f"{self!r}: a view loaded on first use must be synchronous")
            self._view = view
        return view

    def __call__(self, *args, **kwargs):
        return self.resolve()(*args, **kwargs)


def _load_agency(endpoint, values):
    slug = values.pop("agency_slug", None) if values else None
    view = current_app.view_functions.get(endpoint)
    if isinstance(view, LazyView):
        # Imported before any before_request hook (CSRF, rate limits, the
        # guard) looks at the view, so the module's decorators have run; from
        # then on the app holds the function itself, as if it had been eager.
        view = current_app.view_functions[endpoint] = view.resolve()
    if getattr(view, "_portal_fast_path", False):
        g.portal_agency_slug = slug  # the view's fast path runs first (AgencyBlueprint.fast_path)
        return
    _enter_agency(slug)


def _enter_agency(slug):
    from portal.core.models import Agency

    agency = db.session.execute(db.select(Agency).filter_by(slug=slug)).scalar_one_or_none()
    if agency is None:
        abort(404)
    g.agency = agency


class AgencyBlueprint(Blueprint):
    """Blueprint for a plugin's pages of one agency.

    Public pages (``staff=False``) live under ``/<agency_slug>/<path>/``;
    staff pages (``staff=True``) under ``/kelola/<agency_slug>/<path>/`` and
    require a login with access to that agency. Either answers 404 when the
    agency does not exist or the plugin is off for it, and 404 (not 403) to a
    staff user of another agency. The view functions find the agency in
    ``g.agency`` and do not take ``agency_slug``; ``url_for`` fills it in from
    the current agency. With ``views=`` (a module path), :meth:`lazy_route`
    adds pages whose module is imported on their first request.
    """

    def __init__(
        self,
        name: str,
        import_name: str,
        *,
        path: str,
        plugin: str | None = None,
        staff: bool = False,
        views: str | None = None,
        **kwargs,
    ):
        prefix = f"/kelola/<agency_slug>/{path}" if staff else f"/<agency_slug>/{path}"
        kwargs.setdefault("template_folder", "templates")
        super().__init__(name, import_name, url_prefix=prefix, **kwargs)
        self.plugin = plugin or name
        self.staff = staff
        #: the module whose functions :meth:`lazy_route` names
        self.views = views
        self._lazy_views: dict[str, LazyView] = {}
        self.url_value_preprocessor(_load_agency)
        self.url_defaults(self._fill_agency)
        self.before_request(self._guard)

    def lazy_route(self, rule: str, view: str, **options) -> None:
        """Add ``rule`` for ``view``, the name of a function in the module
        this blueprint was made with ``views=``, without importing that
        module: it is imported when a request first reaches one of its
        pages, so a worker that never serves them never loads it.

        The endpoint is ``view`` (as with ``route``), and ``options`` are
        ``route``'s (``methods``, ``defaults``, ...); several rules may name
        the same view. The agency, the module switch and the login are
        checked exactly as for ``route``, and the module is imported before
        CSRF and rate limits look at the view. The views module must only
        hold views (and their helpers): everything that sets the blueprint
        up (``before_request``, context processors, error handlers) stays
        where the blueprint is made. ::

            staff = AgencyBlueprint("antrean", __name__, path="antrean", staff=True,
                                    views="portal_antrean.staff")
            staff.lazy_route("/", "index")
            staff.lazy_route("/loket/<int:desk_id>", "desk", methods=["GET", "POST"])
        """
        if not self.views:
            raise ValueError(f"blueprint {self.name!r}: lazy_route needs AgencyBlueprint(..., views=module)")
        lazy = self._lazy_views.get(view)
        if lazy is None:
            lazy = self._lazy_views[view] = LazyView(self.views, view)
        self.add_url_rule(rule, view, lazy, **options)

    def fast_path(self, fast):
        """Let ``fast(agency_slug, **view_args)`` answer a GET before the
        agency is loaded and checked; it returns a response or None.

        For the busiest public pages (see :mod:`portal.core.web.pagecache`): the
        fast function must itself check, in as few queries as it likes,
        everything the page depends on that must be exact (the agency, the
        module being on, the record and its version). When it returns None
        the view runs as usual: the agency is loaded and guarded first.
        Decorators above this one (a rate limit) apply to both. ::

            @bp.route("/lacak/<code>")
            @limiter.limit(...)
            @bp.fast_path(cached_track)
            def track(code): ...
        """

        def decorate(view):
            @functools.wraps(view)
            def wrapped(*args, **kwargs):
                slug = g.pop("portal_agency_slug", None)
                if request.method == "GET":
                    answer = fast(slug, **kwargs)
                    if answer is not None:
                        return answer
                _enter_agency(slug)
                denied = self._guard()
                if denied is not None:
                    return denied
                return view(*args, **kwargs)

            wrapped._portal_fast_path = True
            return wrapped

        return decorate

    @staticmethod
    def _fill_agency(endpoint, values):
        if "agency_slug" not in values and getattr(g, "agency", None) is not None:
            values["agency_slug"] = g.agency.slug

    def _guard(self):
        if getattr(g, "agency", None) is None and "portal_agency_slug" in g:
            return None  # a fast-path view: it guards itself after its fast path
        if not is_enabled(g.agency, self.plugin):
            abort(404)
        if self.staff:
            from flask_login import current_user

            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.can_access_agency(g.agency):
                abort(404)
        return None
