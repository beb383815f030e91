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


@dataclass
class _Row:
    """One row that passed its own checks, waiting for the batch's."""

    line: int
    nip: str
    name: str
    position: str
    unit: Unit | None
    supervisor_nip: str
    active: bool | None


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
    parsed = []
    for line, row in enumerate(rows, start=first_line):
        checked = _check_row(line, row, units, seen, result.errors)
        if checked is not None:
            parsed.append(checked)
    for row in parsed:
        _check_supervisor(row, seen, existing, result.errors)
    if result.errors:
        result.errors.sort()
        return result
    _write(agency, parsed, existing, result)
    return result


def _check_row(line: int, row: dict, units: dict, seen: dict[str, int], errors: list) -> _Row | None:
    """The row's own checks (NIP, not repeated, name, lengths, unit); None and
    an error when one fails. Records the NIP's line in ``seen``."""
    try:
        nip = parse_nip(row.get("nip", "")).value
    except NipError as error:
        errors.append((line, str(error)))
        return None
    if nip in seen:
        errors.append((line, str(_l("NIP %(nip)s sudah ada di baris %(line)d.", nip=nip, line=seen[nip]))))
        return None
    seen[nip] = line
    name, position = row.get("name", ""), row.get("position", "")
    if not name:
        errors.append((line, str(_l("Nama wajib diisi."))))
        return None
    if len(name) > 200 or len(position) > 200:
        errors.append((line, str(_l("Nama atau jabatan lebih dari 200 karakter."))))
        return None
    unit = None
    if row.get("unit"):
        unit = units.get(row["unit"].lower())
        if unit is None:
            errors.append((line, str(_l("Unit '%(unit)s' tidak ada di instansi ini.", unit=row["unit"]))))
            return None
    active = row["active"] if isinstance(row.get("active"), bool) else None
    return _Row(line, nip, name, position, unit, row.get("supervisor_nip", ""), active)


def _check_supervisor(row: _Row, seen: dict[str, int], existing: dict[str, Officer], errors: list) -> None:
    """The supervisor must be an officer of the agency (in the batch or
    already known), and not the officer themself; normalises its NIP."""
    if not row.supervisor_nip:
        return
    try:
        row.supervisor_nip = parse_nip(row.supervisor_nip).value
    except NipError as error:
        errors.append((row.line, str(_l("NIP atasan: %(error)s", error=str(error)))))
        return
    if row.supervisor_nip == row.nip:
        errors.append((row.line, str(_l("Pegawai tidak dapat menjadi atasannya sendiri."))))
    elif row.supervisor_nip not in seen and row.supervisor_nip not in existing:
        errors.append(
            (row.line, str(_l("NIP atasan %(nip)s tidak ditemukan di instansi ini.", nip=row.supervisor_nip)))
        )


def _write(agency: Agency, parsed: list[_Row], existing: dict[str, Officer], result: ImportResult) -> None:
    """Create or update every officer, then link supervisors (which may be
    created in the same batch)."""
    officers = {}
    for row in parsed:
        officer = existing.get(row.nip)
        if officer is None:
            officer = Officer(agency=agency, nip=row.nip)
            db.session.add(officer)
            result.created += 1
        else:
            result.updated += 1
        officer.name, officer.position, officer.unit = row.name, row.position, row.unit
        if row.active is not None:
            officer.active = row.active
        officers[row.nip] = officer
    db.session.flush()
    for row in parsed:
        if row.supervisor_nip:
            officers[row.nip].supervisor = officers.get(row.supervisor_nip) or existing[row.supervisor_nip]
