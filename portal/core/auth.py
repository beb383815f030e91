"""Staff login, logout and password change; role and agency guards."""

from __future__ import annotations

import datetime as dt
from functools import wraps

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
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import update

from portal.core.forms import LoginForm, PasswordChangeForm
from portal.core.models import Agency, User, audit
from portal.core.timeutil import utcnow
from portal.extensions import db, limiter, login_manager

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(user_id: str):
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


@login_manager.unauthorized_handler
def _unauthorized():
    flash(_("Silakan masuk terlebih dahulu."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _login_limit() -> str:
    return current_app.config["PORTAL_LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("kelola.index")


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("kelola.index"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.lower()
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
        now = utcnow()
        if user is not None and user.locked_until and user.locked_until > now:
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            form.email.errors.append(
                _("Akun dikunci sementara karena terlalu banyak percobaan gagal. "
                  "Coba lagi dalam %(m)d menit.", m=minutes))
        elif user is not None and user.active and user.check_password(form.password.data):
            user.failed_logins = 0
            user.locked_until = None
            audit("login", user, agency=user.agency, user=user)
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        else:
            if user is not None:
                _count_failure(user, now)
            form.password.errors.append(_("E-mail atau kata sandi salah."))
    return render_template("auth/login.html", form=form)


def _count_failure(user: User, now: dt.datetime) -> None:
    """Count a failed login atomically; lock the account at the threshold."""
    limit = current_app.config["PORTAL_LOGIN_MAX_FAILURES"]
    db.session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1)
    )
    db.session.refresh(user)
    if user.failed_logins >= limit:
        user.failed_logins = 0
        user.locked_until = now + dt.timedelta(minutes=current_app.config["PORTAL_LOCKOUT_MINUTES"])
        audit("login_locked", user, agency=user.agency, user=user)
    db.session.commit()


@bp.route("/keluar", methods=["POST"])
def logout():
    logout_user()
    flash(_("Anda telah keluar."), "info")
    return redirect(url_for("public.index"))


@bp.route("/akun/sandi", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("Kata sandi sekarang salah."))
        else:
            current_user.set_password(form.new.data)
            audit("password_changed", current_user, agency=current_user.agency)
            db.session.commit()
            flash(_("Kata sandi sudah diganti."), "success")
            return redirect(url_for("kelola.index"))
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
    target = request.values.get("next")
    return redirect(_safe_next(target) if target else url_for("public.index"))


# ---------------------------------------------------------------- guards


def agency_for(slug: str, *, manage: bool = False) -> Agency:
    """The agency ``slug`` if the current user may see it (404 otherwise, even
    when it exists, so other agencies are not revealed); with ``manage``, a
    user who may see but not administer it gets 403."""
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
