"""The notification centre: one way for every module to tell a staff login
that something needs them.

:func:`notify` stores an in-portal notification per login (listed at
``/pemberitahuan``, counted in the account bar), e-mails it through the
configured mail backend, and hands it to the ``portal_notification_sent``
hook so a plugin can add a channel an agency has (an SMS or WhatsApp
gateway). Nothing leaves the portal before the caller's transaction
commits: a rolled-back change notifies nobody.
"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import event, func

from portal.core.util.timeutil import utcnow
from portal.extensions import db

log = logging.getLogger(__name__)

_PENDING = "portal_notifications_pending"
TITLE_MAX = 300
BODY_MAX = 4000
URL_MAX = 500


def _insert(dialect: str):
    """The dialect's INSERT (for ON CONFLICT); only the database in use is
    imported (PostgreSQL's dialect weighs about 2 MB)."""
    import importlib

    from portal.core.models import Notification

    name = "postgresql" if dialect == "postgresql" else "sqlite"
    return importlib.import_module(f"sqlalchemy.dialects.{name}").insert(Notification.__table__)


def notify(users, title, *, body="", url=None, key=None, mail=True) -> int:
    """Notify ``users`` (a :class:`User` or an iterable of them); return how
    many notifications were created.

    ``key`` makes the call idempotent per user: a second call with the same
    key creates and sends nothing for a user who already has it. ``url`` is
    a local path the notification opens. Title and body are stored as given
    (pass translated text). Rows go into the current transaction; e-mail and
    the ``portal_notification_sent`` hook follow its commit."""
    from portal.core.models import Notification, User

    if isinstance(users, User):
        users = [users]
    users = [u for u in dict.fromkeys(users) if u is not None and u.active]
    title = str(title).strip()[:TITLE_MAX]
    body = str(body or "").strip()[:BODY_MAX]
    if url is not None and (not str(url).startswith("/") or str(url).startswith("//")):
        raise ValueError("a notification opens a local path")
    url = str(url)[:URL_MAX] if url else None
    key = str(key)[:200] if key else None
    if not title or not users:
        return 0
    dialect = db.engine.dialect.name
    created = 0
    now = utcnow()
    for user in users:
        values = {
            "user_id": user.id,
            "agency_id": user.agency_id,
            "key": key,
            "title": title,
            "body": body,
            "url": url,
            "created_at": now,
        }
        statement = _insert(dialect).values(**values)
        if key is not None:
            statement = statement.on_conflict_do_nothing(index_elements=["user_id", "key"])
        new_id = db.session.execute(statement.returning(db.text("id"))).scalar()
        if new_id is None:
            continue
        created += 1
        # Detached copies: after the commit the session may not load anything,
        # and the mail and the channels need only these values.
        copy = User(id=user.id, email=user.email, name=user.name, role=user.role, agency_id=user.agency_id)
        copy.officer_id = user.officer_id
        sent = Notification(id=new_id, **values)
        db.session.info.setdefault(_PENDING, []).append((sent, copy, mail))
    return created


def unread_count(user) -> int:
    from portal.core.models import Notification

    return db.session.scalar(
        db.select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def mark_read(user, notification_id: int | None = None) -> int:
    """Mark one (or, with no id, every) notification of ``user`` read."""
    from portal.core.models import Notification

    query = db.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    return db.session.execute(query.values(read_at=utcnow())).rowcount


def _deliver(pending) -> None:
    from portal.core.plugin_system import plugins
    from portal.core.util.mail import send

    base = current_app.config.get("PORTAL_BASE_URL", "").rstrip("/")
    for notification, user, mail in pending:
        if mail and user.email:
            text = notification.body or notification.title
            if notification.url:
                text += "\n\n" + base + notification.url
            send(user.email, notification.title, text)
        try:
            plugins.manager().hook.portal_notification_sent(notification=notification, user=user)
        except Exception:  # a channel's failure must not undo what was committed
            log.exception("notification channel failed for notification %s", notification.id)


def _after_commit(session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        _deliver(pending)


def _after_rollback(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint
        session.info.pop(_PENDING, None)


def install() -> None:
    """Deliver after commits, drop on rollbacks (called by ``create_app``)."""
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
