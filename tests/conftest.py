"""The portal's own fixtures. The generic ones (``app``, ``client``,
``world``, ``login``, ``post_form``, ...) live in :mod:`portal.testing`, the
pytest plugin the portal installs (entry point group ``pytest11``): the
portal's tests use them exactly as a third-party plugin's tests do. Every
test that takes ``app`` runs on SQLite and on PostgreSQL (see
:mod:`portal.testing`).

What stays here is the suite's own: Redis, the browser, the ``slow``
marking and the wheel/virtualenv fixtures of :mod:`tests.packaging`.
"""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["tests.packaging"]

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_REDIS = os.environ.get("PORTAL_TEST_REQUIRE_REDIS") == "1"


@pytest.fixture
def redis_url():
    """A Redis database for shared rate limits, flushed before the test.
    Skipped with the reason when Redis is absent, unless
    ``PORTAL_TEST_REQUIRE_REDIS=1`` (set by ``.ci/run``)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        reason = f"Redis unreachable at {REDIS_URL}: {error}"
        if REQUIRE_REDIS:
            pytest.fail(reason + " (PORTAL_TEST_REQUIRE_REDIS=1)")
        pytest.skip(reason)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()
    client.close()


@pytest.fixture
def babel_context():
    """A request context of a database-free app, for tests of lazy Babel
    messages (rendered in Indonesian unless the test forces a locale)."""
    from portal import create_app

    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
            "PORTAL_PLUGINS": "",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        }
    )
    with app.test_request_context():
        yield


CHROMIUM = os.environ.get("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("PORTAL_TEST_REQUIRE_BROWSER") == "1"
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")


@pytest.fixture
def live_server(app):
    """The test app served over HTTP on a free local port, in a thread."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (no browser download)."""
    if not os.path.exists(CHROMIUM):
        reason = f"Chromium not found at {CHROMIUM}"
        if REQUIRE_BROWSER:
            pytest.fail(reason + " (PORTAL_TEST_REQUIRE_BROWSER=1)")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


def pytest_collection_modifyitems(items):
    """Tests in a real browser and the gunicorn system tests take minutes:
    marked ``slow`` (like tests/test_wheel.py) so that ``make test-fast``
    leaves them out; ``make test`` runs everything."""
    system = os.path.join(os.path.dirname(os.path.abspath(__file__)), "system") + os.sep
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()) or str(item.path).startswith(system):
            item.add_marker(pytest.mark.slow)


def screenshot(page, name: str) -> None:
    """Save a step's screenshot under test-artifacts/."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=True)
