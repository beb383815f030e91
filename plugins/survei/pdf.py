"""The signed SKM report as an A4 PDF, drawn with fpdf2 (pure Python).

fpdf2 is imported inside the functions that draw, so a worker that never
makes a PDF never loads it. The PDF uses the standard Helvetica font, which
every PDF reader has and which needs no font file: its character set is
Latin-1, so the few characters outside it (dashes, quotes) are replaced by
their plain equivalents and anything else by "?".
"""

from __future__ import annotations

import io
import unicodedata
from decimal import Decimal

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from plugins.survei.publish import SignedReport, profile_title, status_label

_PLAIN = str.maketrans({"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "…": "...", "×": "x"})


def latin(text) -> str:
    """``text`` in the Latin-1 set of the PDF's standard font."""
    text = unicodedata.normalize("NFC", str(text if text is not None else "")).translate(_PLAIN)
    return text.encode("latin-1", "replace").decode("latin-1")


def number(value, places: int = 2, signed: bool = False) -> str:
    if value is None:
        return "-"
    text = format_decimal(Decimal(value), format=f"#,##0.{'0' * places}")
    return f"+{text}" if signed and value > 0 else text


def report_pdf(report: SignedReport, logo: bytes | None = None) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    data = report.data
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(18, 15, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_title(latin(_("Laporan Survei Kepuasan Masyarakat")))
    pdf.set_author(latin(data.agency.name))
    pdf.set_creator("Portal Warga")
    pdf.alias_nb_pages()
    pdf.add_page()
    width = pdf.epw
    heading = FontFace(emphasis="BOLD", fill_color=(230, 236, 242))

    logo = logo if logo is not None else data.agency.logo
    if logo:
        pdf.image(io.BytesIO(logo), x=pdf.l_margin, y=pdf.t_margin, h=18)
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(width, 7, latin(_("LAPORAN SURVEI KEPUASAN MASYARAKAT")), align="C")
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(width, 6, latin(data.agency.name), align="C")
    pdf.set_font("Helvetica", "", 11)
    if data.unit is not None:
        pdf.multi_cell(width, 6, latin(data.unit.name), align="C")
    pdf.multi_cell(
        width,
        6,
        latin(
            f"{report.label} ({format_date(data.start, 'd MMMM yyyy')} - "
            f"{format_date(data.last_day, 'd MMMM yyyy')})"
        ),
        align="C",
    )
    pdf.ln(4)

    def section(title: str, need: float = 20):
        if pdf.will_page_break(need + 10):
            pdf.add_page()
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(width, 7, latin(title))
        pdf.set_font("Helvetica", "", 10)

    def table(rows: list[list[str]], widths: tuple, align: tuple):
        # A table is kept whole on one page when it fits on one.
        if pdf.will_page_break(7 * len(rows) + 4) and 7 * len(rows) < pdf.eph - 20:
            pdf.add_page()
        pdf.set_font("Helvetica", "", 9.5)
        with pdf.table(
            col_widths=widths,
            text_align=align,
            headings_style=heading,
            line_height=5.5,
            width=width,
        ) as drawn:
            for row in rows:
                line = drawn.row()
                for cell in row:
                    line.cell(latin(cell))
        pdf.ln(2)

    # Summary
    section(_("Indeks Kepuasan Masyarakat"))
    pdf.set_font("Helvetica", "B", 22)
    grade = f"{data.grade[0]} ({data.grade[1]})" if data.grade else "-"
    pdf.multi_cell(width, 10, latin(f"IKM {number(data.ikm)}   ·   {_('Mutu pelayanan')} {grade}"))
    pdf.set_font("Helvetica", "", 10)
    lines = [_("Jumlah responden: %(n)d", n=data.respondents)]
    if data.minimum:
        lines.append(
            _(
                "Sampel minimum (Krejcie–Morgan) untuk %(p)s pengguna layanan: %(m)d.",
                p=format_decimal(data.population),
                m=data.minimum,
            )
            + " "
            + (_("Jumlah responden mencukupi.") if report.enough else _("Jumlah responden belum mencukupi."))
        )
    if report.previous.ikm is not None:
        lines.append(
            _(
                "IKM %(period)s: %(ikm)s; perubahan %(change)s.",
                period=report.previous_label,
                ikm=number(report.previous.ikm),
                change=number(report.ikm_change, signed=True),
            )
        )
    for line in lines:
        pdf.multi_cell(width, 5.5, latin(line))

    section(_("Nilai per unsur"), need=70)
    rows = [[_("Unsur"), "NRR", _("NRR tertimbang"), _("Nilai konversi"), _("Mutu"), _("Perubahan")]]
    for u in report.unsur:
        rows.append(
            [
                f"{u.unsur.number}. {u.unsur.name}",
                number(u.nrr_decimal, 3),
                number(u.weighted_decimal, 3),
                number(u.value),
                u.grade[0] if u.grade else "-",
                number(u.change, signed=True),
            ]
        )
    table(rows, (70, 18, 22, 22, 14, 20), ("LEFT", "RIGHT", "RIGHT", "RIGHT", "CENTER", "RIGHT"))
    if report.weakest:
        pdf.multi_cell(
            width,
            5.5,
            latin(
                _(
                    "Unsur terendah: %(names)s.",
                    names=", ".join(f"{u.unsur.number}. {u.unsur.name}" for u in report.weakest),
                )
            ),
        )
    if report.strongest:
        pdf.multi_cell(
            width,
            5.5,
            latin(
                _(
                    "Unsur tertinggi: %(names)s.",
                    names=", ".join(f"{u.unsur.number}. {u.unsur.name}" for u in report.strongest),
                )
            ),
        )

    if data.units:
        section(_("Per unit layanan"))
        rows = [[_("Unit"), _("Responden"), "IKM", _("Mutu")]]
        rows += [[u.name, str(n), number(ikm), g[0] if g else "-"] for u, n, ikm, g in data.units]
        table(rows, (96, 28, 26, 24), ("LEFT", "RIGHT", "RIGHT", "CENTER"))

    section(_("Profil responden"), need=40)
    for name, profile in report.profile.items():
        rows = [[profile_title(name), _("Jumlah"), _("Persen")]]
        rows += [
            [row.label, str(row.count), f"{number(row.percent, 1)} %" if row.percent is not None else "-"]
            for row in profile
        ]
        table(rows, (110, 32, 32), ("LEFT", "RIGHT", "RIGHT"))

    section(_("Rencana tindak lanjut"))
    if report.plans:
        rows = [
            [
                _("Prioritas"),
                _("Unsur"),
                _("Program atau kegiatan"),
                _("Waktu"),
                _("Penanggung jawab"),
                _("Kemajuan"),
            ]
        ]
        for plan in report.plans:
            rows.append(
                [
                    str(plan.priority),
                    str(plan.unsur),
                    plan.activity,
                    plan.timeframe,
                    plan.responsible,
                    status_label(plan.status),
                ]
            )
        table(rows, (18, 14, 58, 28, 32, 24), ("CENTER", "CENTER", "LEFT", "LEFT", "LEFT", "LEFT"))
    else:
        pdf.multi_cell(width, 5.5, latin(_("Belum ada rencana tindak lanjut untuk periode ini.")))

    if report.carried:
        section(_("Tindak lanjut periode sebelumnya (%(period)s)", period=report.previous_label))
        rows = [
            [
                _("Unsur"),
                _("Program atau kegiatan"),
                _("Kemajuan"),
                _("Sebelum"),
                _("Sesudah"),
                _("Perubahan"),
            ]
        ]
        for carried in report.carried:
            note = carried.plan.activity + (
                f" ({carried.plan.progress_note})" if carried.plan.progress_note else ""
            )
            rows.append(
                [
                    f"{carried.unsur.number}. {carried.unsur.name}",
                    note,
                    status_label(carried.plan.status),
                    number(carried.before),
                    number(carried.after),
                    number(carried.change, signed=True),
                ]
            )
        table(rows, (38, 58, 22, 18, 18, 20), ("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"))

    # Signature block, right half of the page, kept whole.
    signature = report.signature
    if pdf.will_page_break(50):
        pdf.add_page()
    pdf.ln(8)
    x = pdf.l_margin + width / 2
    pdf.set_font("Helvetica", "", 10.5)
    if signature is not None and signature.complete:
        lines = [
            f"{signature.place}, {format_date(report.signed_on, 'd MMMM yyyy')}",
            signature.official_position,
        ]
        for line in lines:
            pdf.set_x(x)
            pdf.multi_cell(width / 2, 5.5, latin(line), align="C")
        pdf.ln(20)
        pdf.set_font("Helvetica", "BU", 10.5)
        pdf.set_x(x)
        pdf.multi_cell(width / 2, 5.5, latin(signature.official_name), align="C")
        pdf.set_font("Helvetica", "", 10.5)
        if signature.official_nip:
            pdf.set_x(x)
            pdf.multi_cell(width / 2, 5.5, latin(f"NIP {signature.official_nip}"), align="C")
    else:
        pdf.set_x(x)
        pdf.multi_cell(width / 2, 5.5, latin(_("Blok tanda tangan belum diatur.")), align="C")
    return bytes(pdf.output())
