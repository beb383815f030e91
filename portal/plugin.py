"""The plugin API: everything a plugin may import from the portal.

A plugin (built-in or third-party) imports from this module and from
nothing else of ``portal``; ``tests/core/test_plugin_api.py`` fails when a
plugin under ``plugins/`` does. What a plugin needs and cannot find here is
a gap in the API: add it here, to ``__all__``, and to ``docs/plugins.md``.

Grouped as ``docs/plugins.md`` explains them:

- **hooks and pages**: :data:`hookimpl`, :class:`AgencyBlueprint`,
  :class:`NavItem`, :class:`HomeSection`, :class:`Panel`,
  :func:`template_panel`, :func:`is_enabled`;
- **the record**: :func:`record_rating`, :class:`RatingKind`,
  :class:`RatingError`, :func:`period_bounds`; held for review:
  :data:`HOLD_REASONS`, :func:`hold_label`, :data:`REVIEW_HELD`,
  :data:`REVIEW_COUNTED`;
- **people and places** (read them, scope every query to ``g.agency``):
  :class:`Agency`, :class:`Unit`, :class:`Desk`, :class:`Officer`,
  :class:`User` and the roles, who sees whom (:func:`visible_officer_ids`,
  :func:`can_view`, :func:`can_coach`), :func:`audit`, :func:`parse_nip` (and
  :class:`NipError`);
- **requests**: :class:`BaseForm`, :func:`strip`, :func:`citizen_only`,
  :func:`staff_session`, :func:`same_origin`, :func:`local_target`,
  :func:`referrer_or`, reading values with bounds
  (:func:`parse_int`, :func:`parse_date`, :func:`parse_datetime`,
  :func:`arg_date`, :class:`ParamError`), :data:`csrf`, :data:`limiter`;
- **evidence and time**: :mod:`workdays` (the one working-day calendar),
  :class:`Indicator`, :class:`Measurement`, :func:`indicators`,
  :func:`score_stat`, :class:`Stat`, :func:`stat_measurement`, :class:`Evidence`,
  :func:`daily_evidence`, :func:`citizen_followups`,
  :func:`feedback_improvements`; telling staff:
  :func:`notify`;
- **machines**: :class:`ApiBlueprint`, :class:`ApiError`,
  :func:`api_key_required`, :func:`authenticate`, :func:`json_body`;
- **busy pages**: :mod:`pagecache`, :func:`reads_first` (or :func:`read_first`),
  :func:`insert_loaded`, :func:`execute_direct`;
- **utilities**: :data:`db`, :func:`utcnow`, :func:`local`, :func:`day_bounds`,
  :func:`random_code`, :func:`compact`, :data:`CODE_ALPHABET`,
  uploads (:func:`checked_uploads`, :func:`checked_upload`,
  :class:`UploadRefused`, :data:`UPLOAD_TYPES`),
  :func:`table_response`, :func:`make_qr`, :func:`qr_svg`,
  :func:`qr_svg_path`, :func:`send_mail`, :data:`N_`.
"""

from __future__ import annotations

from portal.core.accounts.access import can_coach, can_view, visible_officer_ids
from portal.core.accounts.auth import local_target, referrer_or
from portal.core.accounts.citizen import STAFF_SESSION_REFUSED, citizen_only, staff_session
from portal.core.accounts.notifications import notify
from portal.core.models import (
    ROLE_ADMIN,
    ROLE_OFFICER,
    ROLE_SUPERADMIN,
    ROLE_SUPERVISOR,
    Agency,
    Desk,
    Officer,
    ReviewState,
    Role,
    Unit,
    User,
    audit,
)
from portal.core.plugin_system.hookspecs import hookimpl
from portal.core.plugin_system.plugins import (
    AgencyBlueprint,
    HomeSection,
    NavItem,
    Panel,
    RatingKind,
    is_enabled,
    template_panel,
)
from portal.core.record.indicators import (
    Evidence,
    Indicator,
    Measurement,
    citizen_followups,
    daily_evidence,
    indicators,
    score_stat,
    stat_measurement,
)
from portal.core.record.ratings import (
    HOLD_REASONS,
    REVIEW_COUNTED,
    REVIEW_HELD,
    RatingError,
    Stat,
    hold_label,
    period_bounds,
    record_rating,
)
from portal.core.tenancy import workdays
from portal.core.tenancy.nip import NipError, parse_nip
from portal.core.util.codes import ALPHABET as CODE_ALPHABET
from portal.core.util.codes import compact, random_code
from portal.core.util.exports import table_response
from portal.core.util.i18n import N_
from portal.core.util.mail import send as send_mail
from portal.core.util.qr import make_qr, qr_svg, qr_svg_path
from portal.core.util.rows import execute_direct, insert_loaded
from portal.core.util.timeutil import day_bounds, local, utcnow
from portal.core.util.uploads import UPLOAD_TYPES, UploadRefused, checked_upload, checked_uploads
from portal.core.web import pagecache
from portal.core.web.api import ApiBlueprint, ApiError, api_key_required, authenticate, json_body
from portal.core.web.forms import BaseForm, strip
from portal.core.web.origin import same_origin
from portal.core.web.params import ParamError, arg_date, parse_date, parse_datetime, parse_int
from portal.core.web.transactions import read_first, reads_first
from portal.extensions import csrf, db, limiter


def feedback_improvements(officer, start, end):
    """``(local date, text)`` of the non-empty "what to improve" of the
    supervisors' feedback notes about ``officer`` in their agency, written
    from ``start`` to ``end`` (local dates, inclusive), newest first."""
    from portal.builtin.records.feedback import feedback_improvements as read

    return read(officer, start, end)


__all__ = [
    "CODE_ALPHABET",
    "HOLD_REASONS",
    "N_",
    "REVIEW_COUNTED",
    "REVIEW_HELD",
    "ROLE_ADMIN",
    "ROLE_OFFICER",
    "ROLE_SUPERADMIN",
    "ROLE_SUPERVISOR",
    "STAFF_SESSION_REFUSED",
    "UPLOAD_TYPES",
    "Agency",
    "AgencyBlueprint",
    "ApiBlueprint",
    "ApiError",
    "BaseForm",
    "Desk",
    "Evidence",
    "HomeSection",
    "Indicator",
    "Measurement",
    "NavItem",
    "Officer",
    "Panel",
    "NipError",
    "ParamError",
    "RatingError",
    "RatingKind",
    "ReviewState",
    "Stat",
    "Role",
    "Unit",
    "UploadRefused",
    "User",
    "api_key_required",
    "arg_date",
    "audit",
    "authenticate",
    "citizen_followups",
    "can_coach",
    "can_view",
    "checked_upload",
    "checked_uploads",
    "citizen_only",
    "compact",
    "csrf",
    "daily_evidence",
    "day_bounds",
    "db",
    "feedback_improvements",
    "hold_label",
    "hookimpl",
    "indicators",
    "is_enabled",
    "json_body",
    "limiter",
    "local",
    "local_target",
    "make_qr",
    "notify",
    "pagecache",
    "parse_date",
    "parse_datetime",
    "parse_int",
    "parse_nip",
    "period_bounds",
    "qr_svg",
    "qr_svg_path",
    "random_code",
    "insert_loaded",
    "execute_direct",
    "read_first",
    "reads_first",
    "record_rating",
    "referrer_or",
    "same_origin",
    "score_stat",
    "send_mail",
    "staff_session",
    "stat_measurement",
    "strip",
    "table_response",
    "template_panel",
    "utcnow",
    "visible_officer_ids",
    "workdays",
]
