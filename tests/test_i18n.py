"""Two languages, complete: Indonesian (the source strings) and English.

- The English catalogue holds exactly the strings extracted from the code
  and templates today, each translated, with the same placeholders, and
  the compiled catalogue matches it.
- No template shows text that bypasses translation.
- With English chosen, pages (public and staff, every GET route) contain
  no Indonesian interface string, and dates and numbers follow the locale.
- The language switch works without JavaScript and comes back to the page.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from html.parser import HTMLParser
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from portal.extensions import db
from portal.testing import login, post_form

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "portal" / "translations" / "en" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "N_": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%%")


def _extracted() -> set[str]:
    method_map = [
        ("portal/**.py", "python"),
        ("plugins/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("plugins/**/templates/**.html", "jinja2"),
    ]
    # As babel.cfg: templates may use {% do %} (the app enables jinja2.ext.do).
    jinja = [pattern for pattern, method in method_map if method == "jinja2"]
    options = {pattern: {"extensions": "jinja2.ext.do"} for pattern in jinja}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map=options, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _forms(value) -> tuple[str, ...]:
    """A message's id or string as a tuple: one form, or a plural's forms."""
    return (value,) if isinstance(value, str) else tuple(value)


def _catalogue():
    with open(CATALOGUE / "messages.po", "rb") as handle:
        return read_po(handle)


def test_english_catalogue_is_complete_and_current():
    catalogue = _catalogue()
    ids = {_forms(m.id)[0] for m in catalogue if m.id}
    extracted = _extracted()
    assert not extracted - ids, f"not in the catalogue (run make i18n): {sorted(extracted - ids)[:10]}"
    assert not ids - extracted, f"no longer in the code (run make i18n): {sorted(ids - extracted)[:10]}"
    for message in catalogue:
        if not message.id:
            continue
        assert all(_forms(message.string)), f"untranslated: {message.id!r}"
        assert "fuzzy" not in message.flags, f"fuzzy: {message.id!r}"
        wanted = sorted(PLACEHOLDER.findall(_forms(message.id)[-1]))
        for form in _forms(message.string):
            assert wanted == sorted(PLACEHOLDER.findall(form)), message.id


def test_compiled_catalogue_matches_the_source():
    with open(CATALOGUE / "messages.mo", "rb") as handle:
        compiled = {_forms(m.id): _forms(m.string) for m in read_mo(handle) if m.id}
    source = {_forms(m.id): _forms(m.string) for m in _catalogue() if m.id}
    assert compiled == source, "run make i18n to compile"


class _Text(HTMLParser):
    ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")

    def __init__(self):
        super().__init__()
        self.found, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        self.found += [value for key, value in attrs if key in self.ATTRIBUTES and value]

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.found.append(data)


#: Names that are the same in every language.
SAME_IN_EVERY_LANGUAGE = [
    "XXXXX-XXXXX-XXXXX",  # a complaint's tracking code
    "XXXXX-XXXXX",
    "Portal Warga",
    "Google Calendar",
    "OpenAPI",
    "Website",
    "WIB",
    "NIP",
    "NRR",
    "IKM",
    "SKM",
    "PNG",
    "SVG",
    "CSV",
    "XLSX",
    "PDF",
    "QR",
    "API",
    "A4",
    "A5",
]


def test_no_template_text_escapes_translation():
    leaks = []
    for path in sorted([*ROOT.glob("templates/**/*.html"), *ROOT.glob("plugins/*/templates/**/*.html")]):
        source = path.read_text()
        source = re.sub(r"\{#.*?#\}|\{%.*?%\}", " ", source, flags=re.S)
        source = re.sub(r"\{\{.*?\}\}", " ", source, flags=re.S)
        parser = _Text()
        parser.feed(source)
        for text in parser.found:
            words = re.sub(r'[\w-]+="[^"]*"', " ", text)  # an attribute written by a macro
            for name in SAME_IN_EVERY_LANGUAGE:
                words = words.replace(name, " ")
            words = re.sub(r"[\d\s·,:;()/\-–—|.%×=<>+#'\"?!…]+", " ", words).strip()
            if re.search(r"[A-Za-z]{2}", words):
                leaks.append(f"{path.relative_to(ROOT)}: {text.strip()!r}")
    assert not leaks, leaks


SWITCH_RE = re.compile(r'<a href="(/bahasa/\w+[^"]*)" lang="\w+" hreflang="\w+" rel="nofollow">([^<]+)</a>')


def _english(client, page="/"):
    """Follow the footer's language link, as a visitor would."""
    href, label = SWITCH_RE.search(client.get(page).get_data(as_text=True)).groups()
    assert label == "English"
    answer = client.get(html.unescape(href))
    assert answer.status_code == 302 and answer.headers["Location"] == page


def test_language_switch_without_javascript_returns_to_the_page(client, world):
    page = client.get("/alpha/").get_data(as_text=True)
    assert '<html lang="id">' in page and SWITCH_RE.search(page).group(2) == "English"
    _english(client, "/alpha/?x=1")
    page = client.get("/alpha/").get_data(as_text=True)
    assert '<html lang="en">' in page and "Skip to content" in page
    assert SWITCH_RE.search(page).group(2) == "Bahasa Indonesia"
    assert "Page not found" in client.get("/tidak-ada/").get_data(as_text=True)
    post_form(client, "/bahasa/id", {"next": "/alpha/"}, token_from="/masuk")  # a POST works too
    assert "Halaman tidak ditemukan" in client.get("/tidak-ada/").get_data(as_text=True)
    assert client.get("/bahasa/xx").status_code == 404
    assert client.get("/bahasa/en?next=//situs-lain.example/").headers["Location"] != "//situs-lain.example/"


def test_dates_and_numbers_follow_the_language(app, client, world):
    from plugins.dialog_publik.models import DialogEvent

    with app.app_context():
        start = dt.datetime(2027, 8, 17, 2, 0)  # 09:00 WIB
        event = DialogEvent(
            agency_id=world["alpha"]["agency"],
            title="Forum Kemerdekaan",
            topic="KTP",
            description="x",
            mode="tatap_muka",
            venue="Aula",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=10,
            status="terbit",
        )
        db.session.add(event)
        db.session.commit()
        url = f"/alpha/dialog/{event.id}"
    assert "17 Agustus 2027" in client.get(url).get_data(as_text=True)
    _english(client, url)
    assert "17 August 2027" in client.get(url).get_data(as_text=True)
    with app.test_request_context():
        from flask import session
        from flask_babel import refresh

        from portal.core.web.wiring import format_number

        assert format_number(88.3125) == "88,31"
        session["lang"] = "en"
        refresh()  # the locale is cached per request
        assert format_number(88.3125) == "88.31" and format_number(1234.5, 1) == "1,234.5"


def _interface_strings() -> list[str]:
    """Indonesian source strings long enough to be unmistakable, with their
    placeholders cut out (each piece is checked on its own)."""
    pieces = set()
    for message in _catalogue():
        if not message.id or _forms(message.id) == _forms(message.string):
            continue
        for form in _forms(message.id):
            for piece in PLACEHOLDER.split(form):
                piece = piece.strip(" .,:;()")
                if len(piece) >= 14 and " " in piece:
                    pieces.add(piece)
    return sorted(pieces)


def test_english_pages_show_no_indonesian_interface_text(app, world):
    """Every GET page, anonymous and as the agency's admin, in English."""
    from portal.builtin.demo.seed import seed
    from tests.test_xss import LOGINS, PASSWORD, _urls

    with app.app_context():
        seed()
    strings = _interface_strings()
    assert len(strings) > 300
    anonymous, admin = app.test_client(), app.test_client()
    assert login(admin, LOGINS[0], PASSWORD).status_code == 302
    pages = 0
    for visitor in (anonymous, admin):
        _english(visitor)
        for url in _urls(app):
            response = visitor.get(url)
            html = "html" in (response.mimetype or "") and response.status_code < 300
            body = response.get_data(as_text=True) if html else ""
            response.close()
            if not body or "/poster" in url:  # posters are Indonesian by design: they hang at the counter
                continue
            pages += 1
            assert '<html lang="en">' in body, url
            for text in strings:
                assert text not in body, (url, text)
    assert pages >= 80


def test_a_plugin_ships_its_own_translations(tmp_path, monkeypatch, database_url):
    """A third-party plugin's ``translations/`` folder beside its module is
    used for its strings; the portal's own catalogue still answers."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from portal.testing import make_app

    package = tmp_path / "antrean_plugin"
    (package / "translations" / "en" / "LC_MESSAGES").mkdir(parents=True)
    (package / "__init__.py").write_text('"""A plugin with its own catalogue."""\n')
    catalogue = Catalog(locale="en")
    catalogue.add("Nomor antrean Anda", "Your queue number")
    with open(package / "translations" / "en" / "LC_MESSAGES" / "messages.mo", "wb") as out:
        write_mo(out, catalogue)
    monkeypatch.syspath_prepend(str(tmp_path))
    app = make_app(database_url, PORTAL_PLUGINS="antrean_plugin")
    with app.test_request_context():
        from flask import session
        from flask_babel import gettext, refresh

        session["lang"] = "en"
        refresh()
        assert gettext("Nomor antrean Anda") == "Your queue number"
        assert gettext("Halaman tidak ditemukan") == "Page not found"
