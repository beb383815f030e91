"""Core resources of the JSON API: the key's agency, its units and officers
(with bulk upsert by NIP for personnel systems) and an officer's performance
record by NIP and period. Each key sees only its own agency.

The OpenAPI description of these paths is :data:`PATHS`/:data:`SCHEMAS`,
served in ``/api/v1/openapi.json`` and checked against the implementation by
a property-based test.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, g, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from portal.core.models import Agency, Officer, Unit, audit
from portal.core.record.ratings import (
    PERIOD_KINDS,
    Stat,
    agency_stat,
    band,
    officer_record,
    period_bounds,
    shrink,
)
from portal.core.tenancy.nip import NipError, parse_nip
from portal.core.tenancy.officers import import_officers
from portal.core.util.timeutil import local, utcnow
from portal.core.web.api import ApiBlueprint, ApiError, api_key_required, json_body
from portal.core.web.params import ParamError, arg_date
from portal.extensions import db

#: The agency, unit, officer and record resources at /api/v1/… (keys checked per view).
bp = ApiBlueprint("api_resources", __name__, path="", plugin="portal.api")

MAX_PER_PAGE = 100
MAX_BULK = 1000
OFFICER_FIELDS = {"nip", "name", "position", "unit", "supervisor_nip", "active"}


# ---------------------------------------------------------------- helpers


def _int_arg(name: str, default: int, lo: int, hi: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, _l("Parameter %(name)s harus bilangan bulat.", name=name)) from None
    if not lo <= value <= hi:
        raise ApiError(
            400, _l("Parameter %(name)s harus di antara %(lo)d dan %(hi)d.", name=name, lo=lo, hi=hi)
        )
    return value


def _page(query, endpoint: str, serialise, **params):
    """A page of ``query``: items plus page, per_page, total and next."""
    page = _int_arg("page", 1, 1, 1_000_000)
    per_page = _int_arg("per_page", 50, 1, MAX_PER_PAGE)
    total = db.session.scalar(db.select(db.func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    following = None
    if page * per_page < total:
        following = url_for(
            endpoint, page=page + 1, per_page=per_page, **{k: v for k, v in params.items() if v is not None}
        )
    return jsonify(
        {
            "items": [serialise(r) for r in rows],
            "page": page,
            "per_page": per_page,
            "total": total,
            "next": following,
        }
    )


def agency_json(agency: Agency) -> dict:
    return {"slug": agency.slug, "name": agency.name, "timezone": agency.timezone}


def unit_json(unit: Unit) -> dict:
    return {"id": unit.id, "name": unit.name, "address": unit.address or ""}


def officer_json(o: Officer) -> dict:
    boss = o.supervisor
    return {
        "nip": o.nip,
        "name": o.name,
        "position": o.position or "",
        "unit": o.unit.name if o.unit else None,
        # Only a supervisor of the same agency: another agency's NIP is never shown.
        "supervisor_nip": boss.nip if boss is not None and boss.agency_id == o.agency_id else None,
        "active": bool(o.active),
    }


def _officer(nip: str) -> Officer:
    """The key's agency's officer with this NIP. A NIP of another agency is
    answered exactly like one that exists nowhere (one query, same 404)."""
    try:
        value = parse_nip(nip).value
    except NipError as error:
        raise ApiError(400, str(error)) from None
    officer = db.session.execute(
        db.select(Officer).filter_by(nip=value, agency_id=g.agency.id)
    ).scalar_one_or_none()
    if officer is None:
        raise ApiError(404, _l("Pegawai dengan NIP %(nip)s tidak ada di instansi ini.", nip=value))
    return officer


# ---------------------------------------------------------------- agencies


@bp.route("/agencies")
@api_key_required("read")
def agencies():
    """The agencies this key may read: its own."""
    return jsonify({"items": [agency_json(g.agency)], "page": 1, "per_page": 1, "total": 1, "next": None})


@bp.route("/agencies/<slug>")
@api_key_required("read")
def agency(slug):
    if slug != g.agency.slug:
        raise ApiError(404, _l("Instansi tidak ditemukan untuk kunci API ini."))
    return jsonify(agency_json(g.agency))


# ---------------------------------------------------------------- units


@bp.route("/units")
@api_key_required("read")
def units():
    query = db.select(Unit).filter_by(agency_id=g.agency.id).order_by(Unit.name, Unit.id)
    return _page(query, "api_resources.units", unit_json)


@bp.route("/units", methods=["POST"])
@api_key_required("write")
def unit_create():
    data = json_body()
    name = data.get("name")
    address = data.get("address", "")
    errors = []
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 200:
        errors.append(
            {"field": "name", "message": str(_l("Nama unit wajib diisi, paling banyak 200 karakter."))}
        )
    if not isinstance(address, str) or len(address) > 300:
        errors.append(
            {"field": "address", "message": str(_l("Alamat berupa teks, paling banyak 300 karakter."))}
        )
    if errors:
        raise ApiError(422, _l("Data unit tidak valid."), errors)
    unit = Unit(agency_id=g.agency.id, name=name.strip(), address=address.strip())
    db.session.add(unit)
    try:
        db.session.flush()
        audit("unit_created_api", unit, agency=g.agency, detail=f"key {g.api_key.prefix}")
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ApiError(409, _l("Unit dengan nama itu sudah ada.")) from None
    return jsonify(unit_json(unit)), 201


# ---------------------------------------------------------------- officers


@bp.route("/officers")
@api_key_required("read")
def officers():
    query = db.select(Officer).filter_by(agency_id=g.agency.id).order_by(Officer.nip)
    active = request.args.get("active")
    if active is not None:
        if active not in ("true", "false"):
            raise ApiError(400, _l("Parameter active harus true atau false."))
        query = query.filter_by(active=active == "true")
    return _page(query, "api_resources.officers", officer_json, active=active)


def _officer_item(item) -> tuple[dict | None, str | None]:
    """(row for import_officers, None), or (None, what is wrong with it)."""
    if not isinstance(item, dict):
        return None, _l("Setiap pegawai berupa objek JSON.")
    unknown = sorted(set(item) - OFFICER_FIELDS)
    if unknown:
        return None, _l("Kolom tidak dikenal: %(names)s.", names=", ".join(unknown))
    row = {}
    for key in ("nip", "name", "position", "unit", "supervisor_nip"):
        value = "" if item.get(key) is None else item[key]
        if not isinstance(value, str):
            return None, _l("%(field)s harus berupa teks.", field=key)
        row[key] = value.strip()
    if "active" in item:
        if not isinstance(item["active"], bool):
            return None, _l("active harus true atau false.")
        row["active"] = item["active"]
    return row, None


@bp.route("/officers", methods=["PUT"])
@api_key_required("write")
def officers_upsert():
    """Create or update officers by NIP, all or nothing."""
    data = json_body()
    items = data.get("officers")
    if not isinstance(items, list) or not items:
        raise ApiError(422, _l('Kirim {"officers": [...]} berisi sedikitnya satu pegawai.'))
    if len(items) > MAX_BULK:
        raise ApiError(413, _l("Paling banyak %(n)d pegawai per permintaan.", n=MAX_BULK))
    rows, errors = [], []
    for index, item in enumerate(items):
        row, message = _officer_item(item)
        if message:
            errors.append({"index": index, "message": str(message)})
        else:
            rows.append((index, row))
    # Validate the well-formed items too, so one answer lists every mistake;
    # anything import_officers wrote is rolled back when any item is wrong.
    result = import_officers(g.agency, [r for _i, r in rows], first_line=0)
    errors += [{"index": rows[line][0], "message": message} for line, message in result.errors]
    errors.sort(key=lambda e: e["index"])
    if errors:
        db.session.rollback()
        raise ApiError(422, _l("Tidak ada pegawai yang disimpan; perbaiki kesalahan berikut."), errors)
    audit(
        "officers_synced_api",
        g.agency,
        agency=g.agency,
        detail=f"key {g.api_key.prefix}: {result.created} baru, {result.updated} diperbarui",
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ApiError(409, _l("Data pegawai berubah bersamaan; kirim ulang permintaan.")) from None
    return jsonify({"created": result.created, "updated": result.updated})


@bp.route("/officers/<nip>")
@api_key_required("read")
def officer(nip):
    return jsonify(officer_json(_officer(nip)))


def stat_json(stat: Stat) -> dict:
    mean = None if stat.mean is None else round(stat.mean, 2)
    ci = stat.ci
    b = band(stat.mean)
    return {
        "count": stat.count,
        "score": mean,
        "ci95": None if ci is None else [round(ci[0], 2), round(ci[1], 2)],
        "band": None if b is None else {"grade": b[0], "label": str(b[1])},
    }


@bp.route("/officers/<nip>/record")
@api_key_required("read")
def officer_record_json(nip):
    """The officer's record for a period (default: this month)."""
    person = _officer(nip)
    kind = request.args.get("period", "bulan")
    if kind not in PERIOD_KINDS:
        raise ApiError(
            400, _l("Parameter period harus salah satu dari: %(kinds)s.", kinds=", ".join(PERIOD_KINDS))
        )
    try:
        day = arg_date("date") or local(utcnow(), g.agency.timezone).date()
    except ParamError as error:
        raise ApiError(400, error.description) from None
    start, end = period_bounds(kind, day)
    record = officer_record(person, start, end)
    everyone = agency_stat(g.agency, start, end)
    shrunk = shrink(record.overall, everyone.mean, current_app.config["PORTAL_SHRINKAGE_PRIOR"])
    return jsonify(
        {
            "officer": officer_json(person),
            "period": {
                "kind": kind,
                "start": start.isoformat(),
                "end": (end - dt.timedelta(days=1)).isoformat(),
            },
            "overall": {
                **stat_json(record.overall),
                "shrunk_score": None if shrunk is None else round(shrunk, 2),
            },
            "sources": {s: stat_json(st) for s, st in sorted(record.by_source.items())},
            "verified": stat_json(record.verified.get(True, Stat())),
            "unverified": stat_json(record.verified.get(False, Stat())),
            "bands": record.bands,
        }
    )


# ---------------------------------------------------------------- OpenAPI

_ERRORS = {str(code): {"$ref": f"#/components/responses/E{code}"} for code in (400, 401, 404)}


def _ok(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _paged(item_ref: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "per_page", "total", "next"],
        "properties": {
            "items": {"type": "array", "items": {"$ref": item_ref}},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
            "next": {"type": ["string", "null"]},
        },
    }


_PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE}},
]
_NIP = {
    "name": "nip",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "NIP, 18 digits (spaces allowed)",
}
_NULLABLE_TEXT = {"type": ["string", "null"]}

SCHEMAS = {
    "Agency": {
        "type": "object",
        "required": ["slug", "name", "timezone"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "timezone": {"type": "string"},
        },
    },
    "Unit": {
        "type": "object",
        "required": ["id", "name", "address"],
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "address": {"type": "string"}},
    },
    "UnitInput": {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "address": {"type": "string", "maxLength": 300},
        },
    },
    "Officer": {
        "type": "object",
        "required": ["nip", "name", "position", "unit", "supervisor_nip", "active"],
        "properties": {
            "nip": {"type": "string", "pattern": "^[0-9]{18}$"},
            "name": {"type": "string"},
            "position": {"type": "string"},
            "unit": _NULLABLE_TEXT,
            "supervisor_nip": _NULLABLE_TEXT,
            "active": {"type": "boolean"},
        },
    },
    "OfficerInput": {
        "type": "object",
        "required": ["nip", "name"],
        "additionalProperties": False,
        "properties": {
            "nip": {"type": "string", "pattern": "^[0-9 ]{18,25}$", "description": "NIP, 18 digits"},
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "position": {"type": "string", "maxLength": 200},
            "unit": {"type": "string", "description": "name of an existing unit"},
            "supervisor_nip": {"type": "string"},
            "active": {"type": "boolean"},
        },
    },
    "Stat": {
        "type": "object",
        "required": ["count", "score", "ci95", "band"],
        "properties": {
            "count": {"type": "integer", "minimum": 0},
            "score": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
            "ci95": {"type": ["array", "null"], "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
            "band": {
                "type": ["object", "null"],
                "required": ["grade", "label"],
                "properties": {"grade": {"enum": ["A", "B", "C", "D"]}, "label": {"type": "string"}},
            },
        },
    },
    "Record": {
        "type": "object",
        "required": ["officer", "period", "overall", "sources", "verified", "unverified", "bands"],
        "properties": {
            "officer": {"$ref": "#/components/schemas/Officer"},
            "period": {
                "type": "object",
                "required": ["kind", "start", "end"],
                "properties": {
                    "kind": {"enum": list(PERIOD_KINDS)},
                    "start": {"type": "string", "format": "date"},
                    "end": {"type": "string", "format": "date"},
                },
            },
            "overall": {
                "allOf": [
                    {"$ref": "#/components/schemas/Stat"},
                    {
                        "type": "object",
                        "required": ["shrunk_score"],
                        "properties": {"shrunk_score": {"type": ["number", "null"]}},
                    },
                ]
            },
            "sources": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Stat"}},
            "verified": {"$ref": "#/components/schemas/Stat"},
            "unverified": {"$ref": "#/components/schemas/Stat"},
            "bands": {
                "type": "object",
                "required": ["A", "B", "C", "D"],
                "additionalProperties": {"type": "integer", "minimum": 0},
            },
        },
    },
}

_WRITE_ERRORS = {**_ERRORS, **{str(c): {"$ref": f"#/components/responses/E{c}"} for c in (403, 415, 422)}}

PATHS = {
    "/agencies": {
        "get": {
            "summary": "The key's agency",
            "operationId": "listAgencies",
            "responses": {"200": _ok(_paged("#/components/schemas/Agency")), **_ERRORS},
        }
    },
    "/agencies/{slug}": {
        "get": {
            "summary": "One agency",
            "operationId": "getAgency",
            "parameters": [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _ok({"$ref": "#/components/schemas/Agency"}), **_ERRORS},
        }
    },
    "/units": {
        "get": {
            "summary": "Units of the key's agency",
            "operationId": "listUnits",
            "parameters": _PAGING,
            "responses": {"200": _ok(_paged("#/components/schemas/Unit")), **_ERRORS},
        },
        "post": {
            "summary": "Create a unit (write key)",
            "operationId": "createUnit",
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UnitInput"}}},
            },
            "responses": {
                "201": _ok({"$ref": "#/components/schemas/Unit"}, "Created"),
                **_WRITE_ERRORS,
                "409": {"$ref": "#/components/responses/E409"},
            },
        },
    },
    "/officers": {
        "get": {
            "summary": "Officers of the key's agency, by NIP",
            "operationId": "listOfficers",
            "parameters": [
                *_PAGING,
                {"name": "active", "in": "query", "schema": {"enum": ["true", "false"]}},
            ],
            "responses": {"200": _ok(_paged("#/components/schemas/Officer")), **_ERRORS},
        },
        "put": {
            "summary": "Create or update officers by NIP, all or nothing (write key)",
            "operationId": "upsertOfficers",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["officers"],
                            "properties": {
                                "officers": {
                                    "type": "array",
                                    "minItems": 1,
                                    "maxItems": MAX_BULK,
                                    "items": {"$ref": "#/components/schemas/OfficerInput"},
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _ok(
                    {
                        "type": "object",
                        "required": ["created", "updated"],
                        "properties": {"created": {"type": "integer"}, "updated": {"type": "integer"}},
                    }
                ),
                **_WRITE_ERRORS,
                "409": {"$ref": "#/components/responses/E409"},
                "413": {"$ref": "#/components/responses/E413"},
            },
        },
    },
    "/officers/{nip}": {
        "get": {
            "summary": "One officer",
            "operationId": "getOfficer",
            "parameters": [_NIP],
            "responses": {"200": _ok({"$ref": "#/components/schemas/Officer"}), **_ERRORS},
        }
    },
    "/officers/{nip}/record": {
        "get": {
            "summary": "An officer's performance record for a period",
            "operationId": "getOfficerRecord",
            "parameters": [
                _NIP,
                {"name": "period", "in": "query", "schema": {"enum": list(PERIOD_KINDS)}},
                {
                    "name": "date",
                    "in": "query",
                    "schema": {"type": "string", "format": "date"},
                    "description": "a day in the period (default today)",
                },
            ],
            "responses": {"200": _ok({"$ref": "#/components/schemas/Record"}), **_ERRORS},
        }
    },
}
