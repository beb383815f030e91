"""Built-in plugin: the notification centre's pages (``/pemberitahuan``) and
its entry, with the unread count, in the account bar. The service every
module notifies through is :func:`portal.core.accounts.notifications.notify`."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from portal.core.plugin_system.hookspecs import hookimpl
from portal.core.plugin_system.plugins import NavItem

NAME = "portal.notifications"


@hookimpl
def portal_blueprints(app):
    from portal.builtin.notifications.views import bp

    return [bp]


@hookimpl
def portal_account_links(user):
    from portal.core.accounts.notifications import unread_count

    unread = unread_count(user)
    label = _("Pemberitahuan (%(n)d baru)", n=unread) if unread else _("Pemberitahuan")
    return [NavItem(5, label, url_for("notifications.index"))]
