"""Where a complaint happened: the one rule for coordinates, used by the
filing form and the Open311 API alike.

A point is a pair: latitude and longitude are both given or both left out.
It must lie in a box around Indonesia, from Pulau Rondo (6.07° N) to Pulau
Ndana (11.0° S) and from the west of Aceh (95.0° E) to the Papua border
(141.02° E), with a margin of about 0.1°: latitude −11.1 to 6.1, longitude
94.9 to 141.1. The box is a sanity check (it catches swapped, mistyped and
absurd numbers), not a border: it also holds parts of the neighbouring
countries."""

from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l

LAT_MIN, LAT_MAX = -11.1, 6.1
LON_MIN, LON_MAX = 94.9, 141.1


class LocationError(ValueError):
    """A point that breaks the rule; ``field`` is ``"lat"`` or ``"lon"``,
    the value to point the person at; ``message`` says what to do."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field, self.message = field, message


def _number(raw: str) -> float | None:
    """``raw`` as a finite number, accepting a decimal comma (``-6,2``) and
    a typographic minus; None when it is not one."""
    text = raw.strip().replace("\u2212", "-").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def inside(lat: float, lon: float) -> bool:
    """Whether the point lies in the box around Indonesia."""
    return LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX


def parse_point(lat_raw, lon_raw) -> tuple[float | None, float | None]:
    """(latitude, longitude) from what was typed or posted (strings, numbers
    or None): both None when both are empty, else both numbers inside the
    box. Raises :class:`LocationError` otherwise."""
    lat_text = "" if lat_raw is None else str(lat_raw).strip()
    lon_text = "" if lon_raw is None else str(lon_raw).strip()
    if not lat_text and not lon_text:
        return None, None
    if not lat_text:
        return _fail("lat", _l("Isi juga lintangnya: titik koordinat perlu lintang dan bujur sekaligus."))
    if not lon_text:
        return _fail("lon", _l("Isi juga bujurnya: titik koordinat perlu lintang dan bujur sekaligus."))
    lat, lon = _number(lat_text), _number(lon_text)
    if lat is None:
        return _fail("lat", _l("Lintang harus berupa angka, misalnya -6,2 atau -6.2."))
    if lon is None:
        return _fail("lon", _l("Bujur harus berupa angka, misalnya 106,8 atau 106.8."))
    if not inside(lat, lon):
        if inside(lon, lat):
            return _fail("lat", _l("Lintang dan bujur tampaknya tertukar: lintang dulu, lalu bujur."))
        return _fail(
            "lat" if not LAT_MIN <= lat <= LAT_MAX else "lon",
            _l(
                "Titik koordinat harus di wilayah Indonesia: lintang antara -11,1 dan 6,1, "
                "bujur antara 94,9 dan 141,1."
            ),
        )
    return lat, lon


def _fail(field: str, message):
    raise LocationError(field, message)
