"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): discovery,
services, service definitions, requests (GET and POST) and one request, in
JSON and XML. ``jurisdiction_id`` is the agency's slug; posting needs an API
key of that agency with write scope. Errors are ``[{"code", "description"}]``.

``service_request_id`` is a complaint's public reference, never its private
tracking code: everything read here is public. *Rahasia* complaints are in
no list; asked for by their reference they show their status only."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, request, url_for
from flask_babel import gettext as _

from plugins.pengaduan import codes
from plugins.pengaduan.location import LocationError, parse_point
from plugins.pengaduan.models import PengaduanCategory, PengaduanTicket, TicketStatus
from plugins.pengaduan.service import Filing, file_ticket
from portal.plugin import (
    Agency,
    ApiError,
    ParamError,
    authenticate,
    csrf,
    db,
    is_enabled,
    limiter,
    parse_datetime,
)

open311 = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(open311)
FORMATS = ("json", "xml")


class Open311Error(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status, self.description = status, description


def _fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        abort(404)
    return fmt


def _render(fmt: str, root: str, item: str, rows: list[dict], status: int = 200) -> Response:
    if fmt == "json":
        from flask import json

        return Response(json.dumps(rows), status=status, mimetype="application/json")
    from xml.etree import ElementTree as ET  # XML answers only: not loaded by every worker

    top = ET.Element(root)
    for row in rows:
        _xml(ET.SubElement(top, item), row)
    return _xml_response(top, status)


def _xml_response(top, status: int = 200) -> Response:
    from xml.etree import ElementTree as ET

    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(top, encoding="utf-8")
    return Response(body, status=status, mimetype="text/xml")


def _single(fmt: str, root: str, row: dict) -> Response:
    """One object (discovery, a service definition) in JSON or XML."""
    if fmt == "json":
        from flask import jsonify

        return jsonify(row)
    from xml.etree import ElementTree as ET

    top = ET.Element(root)
    _xml(top, row)
    return _xml_response(top)


def _xml(parent, row: dict) -> None:
    from xml.etree import ElementTree as ET

    for key, value in row.items():
        child = ET.SubElement(parent, key)
        if isinstance(value, list):
            singular = {
                "attributes": "attribute",
                "values": "value",
                "endpoints": "endpoint",
                "formats": "format",
                "keywords": "keyword",
            }.get(key, "item")
            for entry in value:
                if isinstance(entry, dict):
                    _xml(ET.SubElement(child, singular), entry)
                else:
                    ET.SubElement(child, singular).text = str(entry)
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        elif value is not None:
            child.text = str(value)


@open311.errorhandler(Open311Error)
def _error(error):
    fmt = request.view_args.get("fmt", "json") if request.view_args else "json"
    return _render(
        fmt if fmt in FORMATS else "json",
        "errors",
        "error",
        [{"code": error.status, "description": error.description}],
        error.status,
    )


@open311.errorhandler(ApiError)
def _api_error(error):
    return _error(Open311Error(error.status, str(error.message)))


def _agency() -> Agency:
    slug = request.values.get("jurisdiction_id", "").strip()
    candidates = [a for a in db.session.scalars(db.select(Agency)) if is_enabled(a, "pengaduan")]
    if not slug:
        if len(candidates) == 1:
            return candidates[0]
        raise Open311Error(
            400, f"jurisdiction_id required: the agency's slug ({', '.join(a.slug for a in candidates)})"
        )
    agency = next((a for a in candidates if a.slug == slug), None)
    if agency is None:
        raise Open311Error(404, f"jurisdiction_id {slug} not found")
    return agency


def _time(moment: dt.datetime | None, agency: Agency) -> str | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(agency.timezone)).isoformat(timespec="seconds")


def _service(category: PengaduanCategory) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": bool(category.fields),
        "type": "realtime",
        "keywords": "",
        "group": "",
    }


@open311.route("/discovery.<fmt>")
def discovery(fmt):
    _fmt(fmt)
    base = url_for("open311.services", fmt="xml", _external=True).rsplit("/", 1)[0] + "/"
    row = {
        "changeset": "2026-11-25T00:00:00+07:00",
        "contact": "Admin instansi melalui Portal Warga",
        "key_service": "API keys: /kelola/<jurisdiction_id>/kunci-api",
        "endpoints": [
            {
                "specification": "http://wiki.open311.org/GeoReport_v2",
                "url": base,
                "changeset": "2026-11-25T00:00:00+07:00",
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return _single(fmt, "discovery", row)


@open311.route("/services.<fmt>")
def services(fmt):
    _fmt(fmt)
    agency = _agency()
    rows = db.session.scalars(
        db.select(PengaduanCategory)
        .filter_by(agency_id=agency.id, active=True)
        .order_by(PengaduanCategory.name)
    )
    return _render(fmt, "services", "service", [_service(c) for c in rows])


def _active_category(agency: Agency, code: str) -> PengaduanCategory:
    """The agency's active category (Open311 service) with this code, or a 404 error."""
    category = db.session.execute(
        db.select(PengaduanCategory).filter_by(agency_id=agency.id, code=code, active=True)
    ).scalar_one_or_none()
    if category is None:
        raise Open311Error(404, f"service_code {code} not found")
    return category


@open311.route("/services/<code>.<fmt>")
def service_definition(code, fmt):
    _fmt(fmt)
    agency = _agency()
    category = _active_category(agency, code)
    row = {
        "service_code": category.code,
        "attributes": [
            {
                "variable": True,
                "code": f["code"],
                "datatype": "string",
                "required": bool(f.get("required")),
                "datatype_description": "",
                "order": i + 1,
                "description": f.get("label", f["code"]),
            }
            for i, f in enumerate(category.fields)
        ],
    }
    return _single(fmt, "service_definition", row)


def _request_row(ticket: PengaduanTicket, agency: Agency) -> dict:
    """A request as Open311 shows it: by its public reference, never the
    complainant's identity; for a confidential (rahasia) complaint not its
    text, place or the agency's answers either."""
    secret = ticket.confidential
    notes = "" if secret else next((e.text for e in reversed(ticket.events) if e.public and e.text), "")
    return {
        "service_request_id": ticket.reference,
        "status": "open" if ticket.status in TicketStatus.open_statuses() else "closed",
        "status_notes": notes,
        "service_name": ticket.category.name,
        "service_code": ticket.category.code,
        "description": "" if secret else ticket.description,
        "agency_responsible": ticket.assigned_unit.name if ticket.assigned_unit else agency.name,
        "service_notice": "",
        "requested_datetime": _time(ticket.created_at, agency),
        "updated_datetime": _time(ticket.updated_at, agency),
        "expected_datetime": (ticket.resolve_due or ticket.verify_due).isoformat() + "T16:00:00+07:00",
        "address": "" if secret else ticket.address,
        "address_id": "",
        "zipcode": "",
        "lat": None if secret else ticket.lat,
        "long": None if secret else ticket.lon,
        "media_url": "",
    }


def _parse_date(name: str) -> dt.datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        moment = parse_datetime(raw, name)  # within 1900-2199, so converting it cannot overflow
    except ParamError:
        raise Open311Error(
            400, f"{name} must be a W3C date-time between 1900 and 2199, e.g. 2026-11-25T09:00:00+07:00"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


@open311.route("/requests.<fmt>", methods=["GET"])
def requests_list(fmt):
    _fmt(fmt)
    agency = _agency()
    # A public list: never a rahasia complaint, whatever is asked for.
    query = db.select(PengaduanTicket).where(
        PengaduanTicket.agency_id == agency.id, PengaduanTicket.confidential.is_(False)
    )
    asked = request.args.get("service_request_id", "").split(",")
    ids = [codes.normalise_reference(x) for x in asked if x.strip()]
    if ids:
        query = query.where(PengaduanTicket.reference.in_(ids[:100]))
    else:
        service_codes = [c for c in request.args.get("service_code", "").split(",") if c.strip()]
        if service_codes:
            query = query.join(PengaduanCategory).where(PengaduanCategory.code.in_(service_codes))
        start, end = _parse_date("start_date"), _parse_date("end_date")
        if start and end and end < start:
            raise Open311Error(400, "end_date is before start_date")
        start = start or (end or dt.datetime.now(dt.UTC).replace(tzinfo=None)) - dt.timedelta(days=90)
        query = query.where(PengaduanTicket.created_at >= start)
        if end:
            query = query.where(PengaduanTicket.created_at <= end)
        status = request.args.get("status")
        if status == "open":
            query = query.where(PengaduanTicket.status.in_(TicketStatus.open_statuses()))
        elif status == "closed":
            query = query.where(PengaduanTicket.status.notin_(TicketStatus.open_statuses()))
        elif status:
            raise Open311Error(400, "status must be open or closed")
    rows = db.session.scalars(query.order_by(PengaduanTicket.created_at.desc()).limit(1000))
    return _render(fmt, "service_requests", "request", [_request_row(t, agency) for t in rows])


@open311.route("/requests/<code>.<fmt>")
def request_one(code, fmt):
    _fmt(fmt)
    agency = _agency()
    ticket = db.session.execute(
        db.select(PengaduanTicket).filter_by(agency_id=agency.id, reference=codes.normalise_reference(code))
    ).scalar_one_or_none()
    if ticket is None:
        raise Open311Error(404, f"service_request_id {code} not found")
    return _render(fmt, "service_requests", "request", [_request_row(ticket, agency)])


@open311.route("/requests.<fmt>", methods=["POST"])
@limiter.limit("60 per minute")
def requests_create(fmt):
    _fmt(fmt)
    agency = _writing_agency()
    form = request.form
    code = form.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code required")
    category = _active_category(agency, code)
    address, lat, lon = _location(form)
    description = form.get("description", "").strip()
    if not 10 <= len(description) <= 4000:
        raise Open311Error(400, "description required, 10 to 4000 characters")
    extra = _attributes(category, form)
    name, phone, email = _complainant(form)
    title = description.split("\n", 1)[0][:150]
    ticket = file_ticket(
        agency,
        Filing(
            category=category,
            title=title if len(title) >= 5 else category.name,
            description=description,
            address=address,
            lat=lat,
            lon=lon,
            extra=extra,
            anonymous=not (name or email or phone),
            name=name[:150],
            phone=phone,
            email=email.lower(),
        ),
    )
    return _render(
        fmt,
        "service_requests",
        "request",
        [
            {
                "service_request_id": ticket.reference,
                "service_notice": _filed_notice(agency, ticket),
                "account_id": None,
            }
        ],
    )


def _writing_agency() -> Agency:
    """The agency asked for, once the request's API key may write for it."""
    agency = _agency()
    key = request.values.get("api_key")
    if key:
        request.environ["HTTP_X_API_KEY"] = key
    api_key = authenticate("write")
    if api_key.agency_id != agency.id:
        raise Open311Error(403, "api_key does not belong to this jurisdiction_id")
    return agency


def _location(form) -> tuple[str, float | None, float | None]:
    """(address, latitude, longitude) of a posted request: an address, a
    point, or both. A point is a pair inside Indonesia, by the same rule as
    the filing form (:mod:`plugins.pengaduan.location`)."""
    address = form.get("address_string", "").strip()[:300]
    try:
        latitude, longitude = parse_point(form.get("lat"), form.get("long"))
    except LocationError as error:
        name = "lat" if error.field == "lat" else "long"
        raise Open311Error(400, f"{name}: {error.message}") from None
    if not address and latitude is None:
        raise Open311Error(400, "lat and long, or address_string, required")
    return address, latitude, longitude


def _attributes(category: PengaduanCategory, form) -> dict[str, str]:
    """The category's extra fields as posted (``attribute[code]``); the
    required ones must be there."""
    extra = {}
    for field in category.fields:
        value = form.get(f"attribute[{field['code']}]", "").strip()[:300]
        if field.get("required") and not value:
            raise Open311Error(400, f"attribute[{field['code']}] required")
        if value:
            extra[field["code"]] = value
    return extra


def _complainant(form) -> tuple[str, str, str]:
    """(name, phone, e-mail) of the citizen, each possibly empty."""
    parts = (form.get("first_name", "").strip(), form.get("last_name", "").strip())
    name = " ".join(part for part in parts if part)
    return name, form.get("phone", "").strip()[:30], form.get("email", "").strip()[:254]


def _filed_notice(agency: Agency, ticket: PengaduanTicket) -> str:
    """The answer to the client that filed on the citizen's behalf, which
    hands the private tracking link to the citizen; nothing that anyone can
    read (GET) ever shows it."""
    track = url_for("pengaduan.track", agency_slug=agency.slug, code=ticket.code, _external=True)
    return _(
        "Nomor referensi %(reference)s. Kode pelacakan (rahasiakan, hanya untuk pelapor): %(code)s. "
        "Lacak di %(url)s",
        reference=ticket.reference,
        code=ticket.code,
        url=track,
    )
