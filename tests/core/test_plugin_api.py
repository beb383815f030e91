"""The declared plugin API is the whole surface a plugin may use.

- Every plugin under ``plugins/`` imports from ``portal.plugin`` only (and
  from itself and third-party libraries), never another module of
  ``portal`` nor another plugin.
- ``portal.plugin.__all__`` names only what it exports, and docs/plugins.md
  documents every name in it.
- A plugin found by module path takes the ``NAME`` its module declares, so
  its pages answer under that name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import portal.plugin

ROOT = Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name


def test_plugins_import_only_the_plugin_api():
    offences = []
    checked = 0
    for path in sorted(PLUGINS.rglob("*.py")):
        own = path.relative_to(PLUGINS).parts[0]
        for line, module in _imports(path):
            checked += 1
            top = module.split(".")
            if top[0] == "portal" and module != "portal.plugin":
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
            if top[0] == "plugins" and (len(top) < 2 or top[1] != own):
                offences.append(f"{path.relative_to(ROOT)}:{line} imports another plugin: {module}")
    assert checked > 100
    assert not offences, "\n".join(offences)


def test_the_api_exports_what_it_declares_and_docs_name_it_all():
    docs = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    missing = [name for name in portal.plugin.__all__ if not hasattr(portal.plugin, name)]
    assert not missing, missing
    undocumented = [name for name in portal.plugin.__all__ if f"`{name}" not in docs]
    assert not undocumented, f"not in docs/plugins.md: {undocumented}"


def test_a_plugin_loaded_by_module_path_keeps_its_declared_name(app, app_factory, world):
    from portal.core.models import Agency
    from portal.core.plugin_system import plugins
    from portal.extensions import db

    named = app_factory(PORTAL_PLUGINS="tests.core.renamed_plugin")
    with named.app_context():
        assert plugins.installed() == ["antrean"]
        plugins.set_enabled(db.session.get(Agency, world["alpha"]["agency"]), "antrean", True)
        db.session.commit()
    response = named.test_client().get("/alpha/antrean/")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "antrean alpha"
    assert named.test_client().get("/beta/antrean/").status_code == 404  # off for beta


def test_a_plugin_laid_out_by_convention_needs_no_model_or_migration_hook(database_url):
    """models.py is imported and migrations/ is an Alembic branch without the
    two hooks every plugin used to repeat."""
    from sqlalchemy import inspect, text

    from portal.extensions import db
    from portal.testing import make_app
    from tests.core.test_migrations import _empty

    app = make_app(database_url, PORTAL_PLUGINS="tests.core.conventional_plugin")
    _empty(app)
    try:
        with app.app_context():
            assert "konvensi_note" in db.metadata.tables
        result = app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            assert "konvensi_note" in inspect(db.engine).get_table_names()
            heads = {row[0] for row in db.session.execute(text("SELECT version_num FROM alembic_version"))}
            assert "k0001_konvensi" in heads
    finally:
        _empty(app)
