"""The SKM report as an XLSX workbook whose numbers are numbers.

Every figure is written as a number cell with a number format (``0.000``
for NRR, ``0.00`` for IKM and converted values, ``0.0%`` for shares, dates
as dates), so the spreadsheet shows it in its reader's locale (88,31 in an
Indonesian spreadsheet, 88.31 in an English one) and can compute with it.
Text typed by people is neutralised so a spreadsheet never runs it as a formula.
"""

from __future__ import annotations

import io
from decimal import Decimal

from flask_babel import gettext as _

from plugins.survei.publish import SignedReport, profile_title, status_label

MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NRR_FORMAT = "0.000"
VALUE_FORMAT = "0.00"
CHANGE_FORMAT = "+0.00;-0.00;0.00"
SHARE_FORMAT = "0.0%"
DATE_FORMAT = "DD/MM/YYYY"


def _text(value: str) -> str:
    """Text a spreadsheet would run as a formula, made plain text."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def report_xlsx(report: SignedReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = report.data
    book = Workbook()
    sheet = book.active
    sheet.title = "SKM"
    sheet.column_dimensions["A"].width = 44
    for column in "BCDEFG":
        sheet.column_dimensions[column].width = 16

    def put(*values, fmt: dict[int, str] | None = None, bold: bool = False):
        row = []
        for value in values:
            if isinstance(value, Decimal):
                value = float(value)
            elif isinstance(value, str):
                value = _text(value)
            row.append(value)
        sheet.append(row)
        cells = sheet[sheet.max_row]
        for index, number_format in (fmt or {}).items():
            cells[index].number_format = number_format
        if bold:
            for cell in cells:
                cell.font = Font(bold=True)

    put(_("Laporan Survei Kepuasan Masyarakat (PermenPANRB 14/2017)"), bold=True)
    put(_("Instansi"), data.agency.name)
    put(_("Unit layanan"), report.scope)
    put(_("Periode"), report.label)
    put(_("Dari tanggal"), data.start, fmt={1: DATE_FORMAT})
    put(_("Sampai tanggal"), data.last_day, fmt={1: DATE_FORMAT})
    put(_("Jumlah responden"), data.respondents, fmt={1: "0"})
    put(_("Populasi pengguna layanan"), data.population, fmt={1: "#,##0"})
    put(_("Sampel minimum (Krejcie-Morgan)"), data.minimum, fmt={1: "0"})
    put()
    put(_("IKM (konversi x 25)"), data.ikm, fmt={1: VALUE_FORMAT}, bold=True)
    put(_("Mutu pelayanan"), f"{data.grade[0]} ({data.grade[1]})" if data.grade else "")
    put(
        _("IKM periode sebelumnya (%(period)s)", period=report.previous_label),
        report.previous.ikm,
        fmt={1: VALUE_FORMAT},
    )
    put(_("Perubahan IKM"), report.ikm_change, fmt={1: CHANGE_FORMAT})
    put()
    put(
        _("Unsur"),
        "NRR",
        _("NRR tertimbang (x 1/9)"),
        _("Nilai konversi"),
        _("Mutu"),
        _("Periode sebelumnya"),
        _("Perubahan"),
        bold=True,
    )
    for u in report.unsur:
        put(
            f"{u.unsur.number}. {u.unsur.name}",
            u.nrr_decimal,
            u.weighted_decimal,
            u.value,
            u.grade[0] if u.grade else "",
            u.previous,
            u.change,
            fmt={1: NRR_FORMAT, 2: NRR_FORMAT, 3: VALUE_FORMAT, 5: VALUE_FORMAT, 6: CHANGE_FORMAT},
        )
    if report.weakest:
        put(_("Unsur terendah"), ", ".join(f"{u.unsur.number}. {u.unsur.name}" for u in report.weakest))
    if report.strongest:
        put(_("Unsur tertinggi"), ", ".join(f"{u.unsur.number}. {u.unsur.name}" for u in report.strongest))
    put()
    for name, rows in report.profile.items():
        put(profile_title(name), _("Jumlah"), _("Persen"), bold=True)
        for row in rows:
            share = row.percent / 100 if row.percent is not None else None
            put(row.label, row.count, share, fmt={1: "0", 2: SHARE_FORMAT})
        put()
    if data.units:
        put(_("Unit layanan"), _("Responden"), "IKM", _("Mutu"), bold=True)
        for unit, respondents, ikm, grade in data.units:
            put(unit.name, respondents, ikm, grade[0] if grade else "", fmt={1: "0", 2: VALUE_FORMAT})
        put()
    put(_("Rencana tindak lanjut"), bold=True)
    put(
        _("Prioritas"),
        _("Unsur"),
        _("Program atau kegiatan"),
        _("Waktu"),
        _("Penanggung jawab"),
        _("Kemajuan"),
        bold=True,
    )
    for plan in report.plans:
        put(
            plan.priority,
            f"{plan.unsur}",
            plan.activity,
            plan.timeframe,
            plan.responsible,
            status_label(plan.status),
            fmt={0: "0"},
        )
    put()
    put(_("Tindak lanjut periode sebelumnya (%(period)s)", period=report.previous_label), bold=True)
    put(
        _("Unsur"),
        _("Program atau kegiatan"),
        _("Kemajuan"),
        _("Catatan"),
        _("Sebelum"),
        _("Sesudah"),
        _("Perubahan"),
        bold=True,
    )
    for carried in report.carried:
        put(
            f"{carried.unsur.number}. {carried.unsur.name}",
            carried.plan.activity,
            status_label(carried.plan.status),
            carried.plan.progress_note,
            carried.before,
            carried.after,
            carried.change,
            fmt={4: VALUE_FORMAT, 5: VALUE_FORMAT, 6: CHANGE_FORMAT},
        )
    put()
    put(_("Saran dan masukan"), bold=True)
    for when, text in data.suggestions:
        put(when.date(), text, fmt={0: DATE_FORMAT})
    signature = report.signature
    if signature is not None and signature.complete:
        put()
        put(f"{signature.place}, {report.signed_on.day}/{report.signed_on.month}/{report.signed_on.year}")
        put(signature.official_position)
        put(signature.official_name)
        if signature.official_nip:
            put(f"NIP {signature.official_nip}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
