"""``/pemberitahuan``: a staff login's notifications, newest first.

Each login sees only its own; opening one marks it read and follows its
link (always a local path). Everything that changes state is a POST with a
CSRF token."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.core.accounts.notifications import mark_read, unread_count
from portal.core.models import Notification
from portal.core.web.params import parse_int
from portal.extensions import db

bp = Blueprint("notifications", __name__, url_prefix="/pemberitahuan")
PAGE_SIZE = 30


@bp.route("/")
@login_required
def index():
    page = parse_int(request.args.get("halaman", "1"), "halaman", 1, 10_000)
    only_unread = request.args.get("belum") == "1"
    query = db.select(Notification).where(Notification.user_id == current_user.id)
    if only_unread:
        query = query.where(Notification.read_at.is_(None))
    rows = db.session.scalars(
        query.order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    return render_template(
        "pemberitahuan/index.html",
        notifications=rows[:PAGE_SIZE],
        page=page,
        more=len(rows) > PAGE_SIZE,
        only_unread=only_unread,
        unread=unread_count(current_user),
    )


@bp.post("/<int:notification_id>/buka")
@login_required
def open_one(notification_id: int):
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)
    mark_read(current_user, notification.id)
    db.session.commit()
    return redirect(notification.url or url_for(".index"))


@bp.post("/baca-semua")
@login_required
def read_all():
    count = mark_read(current_user)
    db.session.commit()
    if count:
        flash(_("Semua pemberitahuan ditandai sudah dibaca."), "success")
    return redirect(url_for(".index"))
