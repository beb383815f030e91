"""Bulk import of officers (CSV from a personnel system), all or nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from portal.core.models import Agency, Officer, Unit
from portal.core.tenancy.nip import NipError, parse_nip
from portal.extensions import db

#: Accepted column names (lower-case) → field.
COLUMNS = {
    "nip": "nip",
    "nama": "name",
    "name": "name",
    "jabatan": "position",
    "position": "position",
    "unit": "unit",
    "unit_layanan": "unit",
    "nip_atasan": "supervisor_nip",
    "supervisor_nip": "supervisor_nip",
}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def read_csv(data: bytes) -> list[dict]:
    """Rows of an officers CSV (UTF-8, with or without BOM; comma or semicolon)."""
    text = data.decode("utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    rows = []
    for raw in reader:
        row = {}
        for key, value in raw.items():
            name = COLUMNS.get((key or "").strip().lower())
            if name:
                row[name] = (value or "").strip()
        rows.append(row)
    return rows


def import_officers(agency: Agency, rows: list[dict], first_line: int = 2) -> ImportResult:
    """Create or update officers of ``agency`` by NIP. Validates every row
    first (for a CSV, line numbers count the header as line 1; the API passes
    ``first_line=0`` to number items from 0); when any row is wrong, nothing
    is written and every error is reported. A row's optional ``active``
    (a bool) switches the officer on or off."""
    result = ImportResult()
    units = {u.name.lower(): u for u in db.session.scalars(db.select(Unit).filter_by(agency=agency))}
    existing = {o.nip: o for o in db.session.scalars(db.select(Officer).filter_by(agency=agency))}
    seen: dict[str, int] = {}
    active: dict[str, bool] = {}
    parsed = []
    for line, row in enumerate(rows, start=first_line):
        try:
            nip = parse_nip(row.get("nip", "")).value
        except NipError as error:
            result.errors.append((line, str(error)))
            continue
        if nip in seen:
            result.errors.append(
                (line, str(_l("NIP %(nip)s sudah ada di baris %(line)d.", nip=nip, line=seen[nip])))
            )
            continue
        seen[nip] = line
        name = row.get("name", "")
        if not name:
            result.errors.append((line, str(_l("Nama wajib diisi."))))
            continue
        if len(name) > 200 or len(row.get("position", "")) > 200:
            result.errors.append((line, str(_l("Nama atau jabatan lebih dari 200 karakter."))))
            continue
        unit = None
        if row.get("unit"):
            unit = units.get(row["unit"].lower())
            if unit is None:
                result.errors.append(
                    (line, str(_l("Unit '%(unit)s' tidak ada di instansi ini.", unit=row["unit"])))
                )
                continue
        parsed.append((line, nip, name, row.get("position", ""), unit, row.get("supervisor_nip", "")))
        if isinstance(row.get("active"), bool):
            active[nip] = row["active"]

    for line, nip, _name, _pos, _unit, sup in parsed:
        if not sup:
            continue
        try:
            sup = parse_nip(sup).value
        except NipError as error:
            result.errors.append((line, str(_l("NIP atasan: %(error)s", error=str(error)))))
            continue
        if sup == nip:
            result.errors.append((line, str(_l("Pegawai tidak dapat menjadi atasannya sendiri."))))
        elif sup not in seen and not (sup in existing and existing[sup].agency_id == agency.id):
            result.errors.append(
                (line, str(_l("NIP atasan %(nip)s tidak ditemukan di instansi ini.", nip=sup)))
            )
    if result.errors:
        result.errors.sort()
        return result

    officers = {}
    for _line, nip, name, position, unit, _sup in parsed:
        officer = existing.get(nip)
        if officer is None:
            officer = Officer(agency=agency, nip=nip)
            db.session.add(officer)
            result.created += 1
        else:
            result.updated += 1
        officer.name, officer.position, officer.unit = name, position, unit
        if nip in active:
            officer.active = active[nip]
        officers[nip] = officer
    db.session.flush()
    for _line, nip, _name, _pos, _unit, sup in parsed:
        if sup:
            sup = parse_nip(sup).value
            officers[nip].supervisor = officers.get(sup) or existing[sup]
    return result
