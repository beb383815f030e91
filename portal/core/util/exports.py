"""Table downloads (CSV and XLSX) shared by every module's exports."""

from __future__ import annotations

import csv
import io

from flask import Response

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def safe_cell(value):
    """Neutralise text a spreadsheet would run as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def table_response(
    fmt: str,
    name: str,
    rows,
    *,
    sheet: str = "Data",
    widths: dict | None = None,
    bold_first_row: bool = False,
) -> Response | None:
    """A download of ``rows`` as ``name.csv`` (UTF-8 with a BOM, so spreadsheet
    programs read it right) or ``name.xlsx``; None for any other ``fmt``."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for row in rows:
            writer.writerow([safe_cell(c) for c in row])
        body, mimetype = "\ufeff" + buffer.getvalue(), "text/csv"
    elif fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        book = Workbook(write_only=True)
        table = book.create_sheet(sheet)
        for column, width in (widths or {}).items():
            table.column_dimensions[column].width = width
        for i, row in enumerate(rows):
            cells = [safe_cell(c) for c in row]
            if i == 0 and bold_first_row and cells:
                first = WriteOnlyCell(table, value=cells[0])
                first.font = Font(bold=True, size=13)
                cells[0] = first
            table.append(cells)
        buffer = io.BytesIO()
        book.save(buffer)
        body, mimetype = buffer.getvalue(), XLSX_MIMETYPE
    else:
        return None
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    )
