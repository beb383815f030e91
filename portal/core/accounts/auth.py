"""Staff login, logout and password change; role and agency guards.

Failed logins slow the next attempt down; they never lock an account. Three
counters, kept in the rate-limit storage (Redis when ``PORTAL_REDIS_URL`` is
set, so every worker sees them; memory otherwise):

- per account (the e-mail typed, whether or not an account has it, so the
  answer never says which addresses exist) and per internet address: after
  a few failures each further attempt must wait, twice as long every time,
  up to a cap;
- per browser: a browser that has signed in to an account before carries a
  signed cookie (OWASP's "device cookie"). For that account it is exempt
  from the account and address counters, which an attacker elsewhere can
  drive up, and counts only its own failures. Whoever hammers an account
  from elsewhere therefore slows down themselves, not the owner.

Unknown e-mails cost the same password-hash work as known ones, and every
failure gets the same message and status.

Each session carries the user's session generation (``User.get_id``); the
user loader refuses a session whose generation is stale. Logging out and
changing a password (also an admin's reset) bump it, which ends every other
session of that user, including cookies copied before.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import secrets
import threading
import time
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import update
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from portal.core.models import ROLE_ADMIN, ROLE_OFFICER, ROLE_SUPERVISOR, Agency, User, audit
from portal.core.web.forms import LoginForm, PasswordChangeForm
from portal.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


@login_manager.user_loader
def _load_user(user_id: str):
    """The user of a session id ``"<id>:<generation>"``; None when the
    generation is stale (logged out, password changed), which ends that
    session. (A deactivated user is not authenticated: ``is_active``.)"""
    try:
        uid, generation = (int(part) for part in user_id.split(":"))
    except (AttributeError, TypeError, ValueError):
        return None
    # With the user's agency: nearly every staff page needs it next.
    user = db.session.get(User, uid, options=[joinedload(User.agency)])
    if user is None or (user.session_generation or 0) != generation:
        return None
    return user


@login_manager.unauthorized_handler
def _unauthorized():
    flash(_("Silakan masuk terlebih dahulu."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


# ---------------------------------------------------------------- redirects


def is_local_path(target) -> bool:
    """Whether ``target`` is a path on this site that a browser cannot read
    as another site: it starts with one ``/``, and has no backslash, no
    whitespace or control character (browsers drop tabs and newlines, so
    ``/<tab>/evil.example`` is ``//evil.example`` to them), no scheme, no
    host."""
    if not isinstance(target, str) or not target.startswith("/") or len(target) > 2000:
        return False
    if target.startswith(("//", "/\\")):
        return False
    if any(ch == "\\" or ch.isspace() or not ch.isprintable() for ch in target):
        return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc)


def local_target(target, default: str) -> str:
    """``target`` when it is a local path (see :func:`is_local_path`), else
    ``default``. Every redirect to a user-supplied place goes through this."""
    return target if is_local_path(target) else default


def referrer_or(default: str) -> str:
    """The page the visitor came from, when it is a page of this site (its
    path and query), else ``default``: for "back to where you were" after
    a form."""
    referrer = request.referrer
    if referrer:
        parts = urlsplit(referrer)
        if parts.scheme in ("http", "https") and parts.netloc == request.host:
            return local_target(parts.path + ("?" + parts.query if parts.query else ""), default)
    return default


def landing_page(user) -> str:
    """Where ``user`` starts after signing in: an officer on their own record,
    a supervisor on their team's, an agency admin on the agency's management
    page, a superadmin on the list of agencies. A page another part of the
    portal does not offer (its blueprint absent) falls back to ``/kelola/``."""

    def page(endpoint, **values):
        return url_for(endpoint, **values) if endpoint in current_app.view_functions else None

    agency = user.agency
    target = None
    if user.role == ROLE_OFFICER and user.officer_id is not None:
        target = page("kinerja.officer", officer_id=user.officer_id)
    elif user.role == ROLE_SUPERVISOR and agency is not None:
        target = page("kinerja.team", slug=agency.slug)
    elif user.role == ROLE_ADMIN and agency is not None:
        target = page("kelola.dashboard", slug=agency.slug)
    return target or url_for("kelola.index")


# ---------------------------------------------------------------- throttling

_storage_lock = threading.Lock()
DEVICE_COOKIE = "portal_perangkat"
MAX_DEVICE_ENTRIES = 5


def _now() -> float:
    return time.time()


def _storage():
    """This app's counter storage: the rate limiter's (Redis when
    configured), built once per app."""
    app = current_app._get_current_object()
    storage = app.extensions.get("portal_login_throttle")
    if storage is None:
        from limits.storage import storage_from_string

        with _storage_lock:
            storage = app.extensions.get("portal_login_throttle")
            if storage is None:
                uri = (
                    app.config.get("RATELIMIT_STORAGE_URI")
                    or app.config.get("PORTAL_REDIS_URL")
                    or "memory://"
                )
                options = app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}
                storage = app.extensions["portal_login_throttle"] = storage_from_string(uri, **options)
    return storage


def _address_key() -> str:
    """The visitor's address; IPv6 by /64, which one subscriber usually holds."""
    raw = request.remote_addr or "-"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _counters(email: str, device: str | None) -> list[tuple[str, int]]:
    """The counters this attempt is judged by, with their free failures."""
    config = current_app.config
    if device:
        return [(f"portal-login:device:{device}", config["PORTAL_LOGIN_FREE_FAILURES"])]
    digest = hashlib.sha256(email.encode()).hexdigest()[:32]
    return [
        (f"portal-login:account:{digest}", config["PORTAL_LOGIN_FREE_FAILURES"]),
        (f"portal-login:address:{_address_key()}", config["PORTAL_LOGIN_ADDRESS_FREE_FAILURES"]),
    ]


def delay_after(failures: int, free: int) -> int:
    """Seconds to wait after ``failures`` failures of which ``free`` cost
    nothing: PORTAL_LOGIN_DELAY_SECONDS, doubling, capped."""
    if failures <= free:
        return 0
    config = current_app.config
    base, cap = config["PORTAL_LOGIN_DELAY_SECONDS"], config["PORTAL_LOGIN_MAX_DELAY_SECONDS"]
    return int(min(cap, base * 2 ** min(failures - free - 1, 30)))


def _wait(counters) -> int:
    """Seconds still to wait before this attempt may be checked (0: now)."""
    storage, now_ms = _storage(), int(_now() * 1000)
    wait_ms = 0
    for key, free in counters:
        failures = storage.get(key + ":n")
        if failures > free:
            wait_ms = max(wait_ms, storage.get(f"{key}:until:{failures}") - now_ms)
    return math.ceil(wait_ms / 1000) if wait_ms > 0 else 0


def _fail(counters) -> int:
    """Count a failure on each counter; the wait it imposes, in seconds.

    Each failure number has its own "until" key, so two workers counting at
    once never add to the same one."""
    storage, now_ms = _storage(), int(_now() * 1000)
    window = current_app.config["PORTAL_LOGIN_FORGET_SECONDS"]
    longest = 0
    for key, free in counters:
        failures = storage.incr(key + ":n", window)
        delay = delay_after(failures, free)
        if delay:
            until = f"{key}:until:{failures}"
            storage.clear(until)
            storage.incr(until, delay + 60, amount=now_ms + delay * 1000)
            longest = max(longest, delay)
    return longest


def _forget(key: str) -> int:
    _storage().clear(key + ":n")
    return 0


def _guarded(action, *args) -> int:
    """A throttle step; when its storage cannot be reached, logged and taken
    as "no wait", so people can still sign in (the per-address rate limit
    still holds)."""
    try:
        return action(*args)
    except Exception:  # noqa: BLE001 - any storage failure
        log.exception("login throttle storage unavailable")
        return 0


def _duration(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(num)d detik", "%(num)d detik", seconds)
    minutes = math.ceil(seconds / 60)
    return ngettext("%(num)d menit", "%(num)d menit", minutes)


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="portal-login-device")


def _device_entries() -> list[list]:
    """[user id, nonce] of the accounts this browser signed in to, newest
    first; empty when the cookie is missing, forged or too old."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return []
    max_age = current_app.config["PORTAL_LOGIN_DEVICE_DAYS"] * 86400
    try:
        entries = _device_serializer().loads(raw, max_age=max_age)
    except BadData:
        return []
    if not isinstance(entries, list):
        return []
    return [
        e
        for e in entries
        if isinstance(e, list) and len(e) == 2 and isinstance(e[0], int) and isinstance(e[1], str)
    ][:MAX_DEVICE_ENTRIES]


def _known_device(user: User | None) -> str | None:
    """This browser's nonce for ``user`` when it signed in as them before."""
    if user is None:
        return None
    return next((nonce for uid, nonce in _device_entries() if uid == user.id), None)


def _remember_device(response, user: User) -> None:
    """(Re)issue the device cookie with a fresh nonce for ``user``."""
    entries = [[user.id, secrets.token_urlsafe(16)]]
    entries += [e for e in _device_entries() if e[0] != user.id][: MAX_DEVICE_ENTRIES - 1]
    config = current_app.config
    response.set_cookie(
        DEVICE_COOKIE,
        _device_serializer().dumps(entries),
        max_age=config["PORTAL_LOGIN_DEVICE_DAYS"] * 86400,
        path=url_for("auth.login"),
        secure=bool(config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )


@bp.record_once
def _prepare_dummy_hash(state) -> None:
    """A hash of a random password with the configured method and cost, made
    at start-up, against which unknown e-mails are checked."""
    method = state.app.config.get("PORTAL_PASSWORD_HASH", "scrypt")
    state.app.extensions["portal_dummy_hash"] = generate_password_hash(secrets.token_hex(16), method=method)


def _password_ok(user: User | None, password: str) -> bool:
    """Whether ``password`` signs ``user`` in. The same hash work is done
    for unknown and inactive accounts as for active ones."""
    if user is None:
        check_password_hash(current_app.extensions["portal_dummy_hash"], password)
        return False
    return user.check_password(password) and bool(user.active)


# ---------------------------------------------------------------- views


def _login_limit() -> str:
    return current_app.config["PORTAL_LOGIN_RATE_LIMIT"]


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(local_target(request.args.get("next"), landing_page(current_user)))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
        device = _known_device(user)
        counters = _counters(email, device)
        wait = _guarded(_wait, counters)
        if wait:
            form.password.errors.append(
                _(
                    "Terlalu banyak percobaan masuk yang gagal. Tunggu %(wait)s lalu coba lagi.",
                    wait=_duration(wait),
                )
            )
            status, headers = 429, {"Retry-After": str(wait)}
        elif _password_ok(user, form.password.data):
            _guarded(_forget, counters[0][0])  # the account's (or this browser's) failures
            audit("login", user, agency=user.agency, user=user)
            db.session.commit()
            login_user(user)
            response = redirect(local_target(request.args.get("next"), landing_page(user)))
            _remember_device(response, user)
            return response
        else:
            message = _("E-mail atau kata sandi salah.")
            wait = _guarded(_fail, counters)
            if wait:
                message += " " + _("Tunggu %(wait)s sebelum mencoba lagi.", wait=_duration(wait))
            form.password.errors.append(message)
    return render_template("auth/login.html", form=form), status, headers


@bp.route("/akun/")
@login_required
def home():
    """ "Halaman saya" in the header: the signed-in user's own starting page."""
    return redirect(landing_page(current_user))


def end_all_sessions(user: User) -> None:
    """End every session of ``user``, on every device (commit follows)."""
    db.session.execute(
        update(User).where(User.id == user.id).values(session_generation=User.session_generation + 1)
    )


@bp.route("/keluar", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        end_all_sessions(current_user)
        db.session.commit()
    logout_user()
    flash(_("Anda telah keluar dari akun ini di semua perangkat."), "info")
    return redirect(url_for("public.index"))


@bp.route("/akun/sandi", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("Kata sandi sekarang salah."))
        else:
            user = current_user._get_current_object()
            user.set_password(form.new.data)  # ends every session of the user...
            audit("password_changed", user, agency=user.agency)
            db.session.commit()
            login_user(user)  # ...but this one, re-issued with the new generation
            flash(_("Kata sandi sudah diganti. Sesi lain akun ini sudah diakhiri."), "success")
            return redirect(landing_page(user))
    return render_template("auth/password.html", form=form)


@bp.route("/bahasa/<code>", methods=["GET", "POST"])
def set_language(code):
    """Switch the visitor's language and go back to the page they were on.

    A plain link (GET) in every page's footer: it works without JavaScript
    and lets citizen pages carry no form token, hence no session, until the
    visitor actually chooses. Choosing a language changes nothing but the
    visitor's own display, so there is nothing to forge."""
    from flask import session

    if code not in current_app.config["PORTAL_LOCALES"]:
        abort(404)
    session["lang"] = code
    return redirect(local_target(request.values.get("next"), url_for("public.index")))


# ---------------------------------------------------------------- guards


def agency_for(slug: str, *, manage: bool = False) -> Agency:
    """The agency ``slug`` if the current user may see it (404 otherwise, even
    when it exists, so other agencies are not revealed); with ``manage``, a
    user who may see but not administer it gets 403."""
    own = getattr(current_user, "agency", None)
    if own is not None and own.slug == slug:
        agency = own  # loaded with the user: no second query
    else:
        agency = db.session.execute(db.select(Agency).filter_by(slug=slug)).scalar_one_or_none()
    if agency is None or not current_user.can_access_agency(agency):
        abort(404)
    if manage and not current_user.can_manage_agency(agency):
        abort(403)
    return agency


def superadmin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_superadmin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
