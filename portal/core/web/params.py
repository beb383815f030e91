"""One way of reading numbers, dates and pages from requests, with bounds.

Whatever a client sends — an integer larger than the database's, a date of
year 1 or 9999, JSON nested fifty thousand deep — the answer is a clear 400
(or 404 for a path), never a server error. The pieces are installed on every
app by :func:`init_app`:

- path converter ``<int:…>`` accepts 0 … 2³¹−1 only (a larger id cannot
  exist, so the page is a 404);
- ``request.args.get(name, type=int)`` and ``request.form.get(…, type=int)``
  answer 400 when the value is an integer outside the database's range
  (non-numeric values keep Werkzeug's meaning: the default);
- ``request.get_json()`` answers 400 for JSON too deeply nested to read;
- :func:`arg_date`, :func:`parse_date` and :func:`parse_datetime` read dates
  within :data:`MIN_DATE` … :data:`MAX_DATE`.
"""

from __future__ import annotations

import datetime as dt

from flask import Request, request
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
#: Dates the portal reads from requests: wide enough for any real service
#: record, narrow enough that period arithmetic never leaves ``datetime``.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2199, 12, 31)


class ParamError(BadRequest):
    """A request value that cannot be read; ``description`` says which and why."""

    def __init__(self, message):
        super().__init__(description=str(message))


def parse_int(raw, name: str, low: int = INT_MIN, high: int = INT_MAX) -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        raise ParamError(_l("Parameter %(name)s harus bilangan bulat.", name=name)) from None
    if not low <= value <= high:
        raise ParamError(
            _l("Parameter %(name)s harus di antara %(lo)d dan %(hi)d.", name=name, lo=low, hi=high)
        )
    return value


def _out_of_range(name: str) -> ParamError:
    return ParamError(
        _l(
            "Tanggal pada %(name)s harus di antara %(lo)s dan %(hi)s.",
            name=name,
            lo=MIN_DATE.isoformat(),
            hi=MAX_DATE.isoformat(),
        )
    )


def parse_date(raw, name: str) -> dt.date:
    """A date written YYYY-MM-DD within the supported range."""
    try:
        value = dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ParamError(_l("Parameter %(name)s harus tanggal YYYY-MM-DD.", name=name)) from None
    if not MIN_DATE <= value <= MAX_DATE:
        raise _out_of_range(name)
    return value


def parse_datetime(raw, name: str) -> dt.datetime:
    """An ISO 8601 date and time within the supported range (offset kept)."""
    text = str(raw).strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ParamError(
            _l("Parameter %(name)s harus waktu ISO 8601, misalnya 2026-01-31T08:00:00+07:00.", name=name)
        ) from None
    if not MIN_DATE <= value.date() <= MAX_DATE:
        raise _out_of_range(name)
    return value


def arg_date(name: str, default: dt.date | None = None, *, lenient: bool = False) -> dt.date | None:
    """Date query parameter ``name``; ``default`` when absent or empty.

    With ``lenient`` a value that is not a date at all also gives the
    default (a period chooser keeps working on a mangled link), but a date
    outside the supported range is still a 400.
    """
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if lenient:
        try:
            dt.date.fromisoformat(raw)
        except ValueError:
            return default
    return parse_date(raw, name)


class BoundedParams(ImmutableMultiDict):
    """Query string and form fields: typed reads of integers stay within the
    database's integer range."""

    def get(self, key, default=None, type=None):  # noqa: A002 - Werkzeug's signature
        value = super().get(key, default=default, type=type)
        if (
            type is int
            and isinstance(value, int)
            and value is not default
            and not INT_MIN <= value <= INT_MAX
        ):
            raise ParamError(_l("Nilai parameter %(name)s di luar batas.", name=key))
        return value


class PortalRequest(Request):
    parameter_storage_class = BoundedParams

    def get_json(self, force=False, silent=False, cache=True):
        try:
            return super().get_json(force=force, silent=silent, cache=cache)
        except RecursionError:
            if silent:
                return None
            raise ParamError(_l("JSON terlalu dalam bersarang untuk dibaca.")) from None


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` for database ids: 0 … 2³¹−1; anything larger is a 404."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=INT_MAX, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app) -> None:
    app.request_class = PortalRequest
    app.url_map.converters["int"] = BoundedIntConverter
