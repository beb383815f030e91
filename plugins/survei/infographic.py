"""The standard public infographic "Hasil Survei Kepuasan Masyarakat" as an
A4 poster for the service hall: IKM, grade, period, respondents, the
respondent profile and the value of each unsur, with the agency's logo.

The poster is laid out once, as shapes in millimetres, and drawn three ways
from that one layout: SVG (for print shops), PNG (for screens and chat) and
PDF (fpdf2, imported only when a PDF is asked for).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _

from plugins.survei.publish import SignedReport, profile_title

W, H = 210, 297  # A4, mm
BRAND = (11, 83, 148)
INK = (27, 36, 48)
MUTED = (90, 100, 114)
TRACK = (230, 235, 240)
GRADE_COLOURS = {"A": (30, 107, 58), "B": (11, 83, 148), "C": (180, 95, 6), "D": (164, 22, 26)}
FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
#: Width of a character as a share of its size, used to wrap text before any
#: renderer measures it: generous, so that the widest common sans-serif faces
#: (DejaVu Sans, Verdana) still fit where Helvetica or Arial is missing.
CHAR_WIDTH = 0.6
BOLD_CHAR_WIDTH = 0.7


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: tuple


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    size: float  # mm
    text: str
    bold: bool = False
    fill: tuple = INK
    anchor: str = "start"  # start, middle, end


@dataclass(frozen=True)
class Picture:
    x: float
    y: float
    w: float
    h: float
    png: bytes


def wrap(text: str, width_mm: float, size: float, bold: bool = False) -> list[str]:
    """``text`` in lines no wider than ``width_mm`` at ``size``; a word
    longer than a line is cut into pieces rather than lost."""
    limit = max(4, int(width_mm / (size * (BOLD_CHAR_WIDTH if bold else CHAR_WIDTH))))
    lines, line = [], ""
    for word in text.split():
        while len(word) > limit:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:limit])
            word = word[limit:]
        if line and len(line) + 1 + len(word) > limit:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def fit(
    text: str, width_mm: float, size: float, max_lines: int, smallest: float, bold: bool = False
) -> tuple[float, list[str]]:
    """The largest size from ``size`` down to ``smallest`` at which ``text``
    takes at most ``max_lines`` lines, and those lines (all of the text,
    in more lines at the smallest size if need be)."""
    while size > smallest and len(wrap(text, width_mm, size, bold)) > max_lines:
        size = round(size - 0.5, 2)
    return size, wrap(text, width_mm, size, bold)


def _num(value, places: int = 2) -> str:
    return "—" if value is None else format_decimal(Decimal(value), format=f"#,##0.{'0' * places}")


def _logo_size(logo: bytes, height: float, max_width: float) -> tuple[float, float]:
    from PIL import Image

    with Image.open(io.BytesIO(logo)) as image:
        ratio = image.width / image.height
    width = min(height * ratio, max_width)
    return width, width / ratio


def layout(report: SignedReport, logo: bytes | None = None) -> list:
    data = report.data
    shapes: list = [Rect(0, 0, W, H, (255, 255, 255)), Rect(0, 0, W, 56, BRAND)]
    left = 14
    if logo:
        lw, lh = _logo_size(logo, 26, 40)
        shapes += [Rect(left - 2, 8, lw + 4, lh + 4, (255, 255, 255)), Picture(left, 10, lw, lh, logo)]
        text_left, text_width = left + lw + 8, W - (left + lw + 8) - 12
    else:
        text_left, text_width = left, W - 2 * left
    y = 19
    for line in wrap(_("HASIL SURVEI KEPUASAN MASYARAKAT"), text_width, 7, bold=True):
        shapes.append(Text(text_left, y, 7, line, bold=True, fill=(255, 255, 255)))
        y += 8
    size, lines = fit(data.agency.name, text_width, 5.5, 2, 4, bold=True)
    for line in lines:
        shapes.append(Text(text_left, y, size, line, bold=True, fill=(255, 255, 255)))
        y += size * 1.2
    if data.unit is not None:
        size, lines = fit(data.unit.name, text_width, 4.5, 2, 3.5)
        for line in lines:
            shapes.append(Text(text_left, y, size, line, fill=(255, 255, 255)))
            y += size * 1.2
    shapes.append(Text(text_left, min(y + 1, 52), 4.5, report.label, fill=(255, 255, 255)))

    # IKM and grade
    colour = GRADE_COLOURS.get(data.grade[0], BRAND) if data.grade else MUTED
    shapes.append(Text(W / 2, 69, 4.5, _("Indeks Kepuasan Masyarakat (IKM)"), anchor="middle", fill=MUTED))
    shapes.append(Text(W / 2, 90, 20, _num(data.ikm), bold=True, anchor="middle", fill=colour))
    grade = (
        f"{_('Mutu pelayanan')} {data.grade[0]} · {data.grade[1]}"
        if data.grade
        else _("Belum ada responden SKM pada periode ini.")
    )
    shapes.append(Text(W / 2, 100, 6, grade, bold=True, anchor="middle", fill=colour))
    shapes.append(
        Text(
            W / 2,
            108,
            4.5,
            ngettext("%(num)d responden", "%(num)d responden", data.respondents),
            anchor="middle",
            fill=INK,
        )
    )

    # Per unsur
    y = 121
    shapes.append(Text(left, y, 5, _("Nilai per unsur pelayanan"), bold=True, fill=BRAND))
    y += 7
    bar_x, bar_w = 112, 62
    for u in report.unsur:
        size, lines = fit(f"{u.unsur.number}. {u.unsur.name}", bar_x - left - 3, 3.8, 1, 3)
        shapes.append(Text(left, y, size, lines[0]))
        shapes.append(Rect(bar_x, y - 3.4, bar_w, 4, TRACK))
        if u.value is not None:
            shapes.append(Rect(bar_x, y - 3.4, bar_w * float(u.value) / 100, 4, BRAND))
        shapes.append(Text(W - left, y, 3.8, _num(u.value), bold=True, anchor="end"))
        y += 6.5

    # Respondent profile, two columns
    y += 2
    shapes.append(Text(left, y, 5, _("Profil responden"), bold=True, fill=BRAND))
    y += 7
    column_w = (W - 2 * left - 8) / 2
    columns = [(left, y), (left + column_w + 8, y)]
    # Sex and occupation on the left, age and education on the right: the
    # longest lists apart, so the page holds every category.
    side = {"sex": 0, "occupation": 0, "age_group": 1, "education": 1}
    for name, rows in report.profile.items():
        x, cy = columns[side[name]]
        shapes.append(Text(x, cy, 4, profile_title(name), bold=True))
        cy += 5.5
        for row in rows:
            if not row.count:
                continue
            share = f"{_num(row.percent, 1)} %"
            size, lines = fit(row.label, column_w - 22, 3.4, 1, 2.8)
            shapes.append(Text(x, cy, size, lines[0], fill=INK))
            shapes.append(Text(x + column_w, cy, 3.4, share, anchor="end", fill=INK))
            cy += 4.0
        columns[side[name]] = (x, cy + 3)
    # Footer
    shapes.append(Rect(0, H - 16, W, 16, BRAND))
    shapes.append(
        Text(
            W / 2,
            H - 6.5,
            4.2,
            _("Terima kasih atas penilaian Anda. Hasil ini kami gunakan untuk memperbaiki layanan."),
            anchor="middle",
            fill=(255, 255, 255),
        )
    )
    return shapes


def _hex(colour: tuple) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def to_svg(shapes: list) -> bytes:
    import base64

    anchor = {"start": "start", "middle": "middle", "end": "end"}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}mm" height="{H}mm" viewBox="0 0 {W} {H}" '
        'font-family="Helvetica, Arial, sans-serif">'
    ]
    for shape in shapes:
        if isinstance(shape, Rect):
            parts.append(
                f'<rect x="{shape.x:.2f}" y="{shape.y:.2f}" width="{shape.w:.2f}" height="{shape.h:.2f}" '
                f'fill="{_hex(shape.fill)}"/>'
            )
        elif isinstance(shape, Text):
            weight = ' font-weight="700"' if shape.bold else ""
            parts.append(
                f'<text x="{shape.x:.2f}" y="{shape.y:.2f}" font-size="{shape.size}"{weight} '
                f'text-anchor="{anchor[shape.anchor]}" fill="{_hex(shape.fill)}">{escape(shape.text)}</text>'
            )
        else:
            parts.append(
                f'<image x="{shape.x:.2f}" y="{shape.y:.2f}" width="{shape.w:.2f}" height="{shape.h:.2f}" '
                f'href="data:image/png;base64,{base64.b64encode(shape.png).decode()}"/>'
            )
    parts.append("</svg>")
    return "".join(parts).encode()


def to_png(shapes: list, dpi: int = 150) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    px = dpi / 25.4
    image = Image.new("RGB", (int(W * px), int(H * px)), "white")
    draw = ImageDraw.Draw(image)
    fonts: dict = {}

    def font(size_mm: float):
        pixels = max(8, int(size_mm * px))
        if pixels not in fonts:
            try:
                fonts[pixels] = ImageFont.load_default(size=pixels)
            except TypeError:  # Pillow without FreeType
                fonts[pixels] = ImageFont.load_default()
        return fonts[pixels]

    for shape in shapes:
        if isinstance(shape, Rect):
            box = (shape.x * px, shape.y * px, (shape.x + shape.w) * px, (shape.y + shape.h) * px)
            draw.rectangle(box, fill=shape.fill)
        elif isinstance(shape, Text):
            # Pillow's built-in font has no dashes beyond "-".
            text = shape.text.replace("—", "-").replace("–", "-")
            face = font(shape.size)
            length = draw.textlength(text, font=face)
            x = shape.x * px - {"start": 0, "middle": length / 2, "end": length}[shape.anchor]
            draw.text((x, shape.y * px), text, font=face, fill=shape.fill, anchor="ls")
            if shape.bold:  # the built-in font has no bold face: draw it twice
                draw.text(
                    (x + max(1, px * 0.12), shape.y * px), text, font=face, fill=shape.fill, anchor="ls"
                )
        else:
            with Image.open(io.BytesIO(shape.png)) as mark:
                mark = mark.convert("RGBA").resize(
                    (max(1, int(shape.w * px)), max(1, int(shape.h * px))), Image.LANCZOS
                )
                image.paste(mark, (int(shape.x * px), int(shape.y * px)), mark)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(dpi, dpi), optimize=True)
    return buffer.getvalue()


def to_pdf(shapes: list, title: str, author: str) -> bytes:
    from fpdf import FPDF

    from plugins.survei.pdf import latin

    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(latin(title))
    pdf.set_author(latin(author))
    pdf.set_creator("Portal Warga")
    pdf.add_page()
    for shape in shapes:
        if isinstance(shape, Rect):
            pdf.set_fill_color(*shape.fill)
            pdf.rect(shape.x, shape.y, shape.w, shape.h, style="F")
        elif isinstance(shape, Text):
            text = latin(shape.text)
            pdf.set_font("Helvetica", "B" if shape.bold else "", shape.size * 72 / 25.4)
            pdf.set_text_color(*shape.fill)
            width = pdf.get_string_width(text)
            x = shape.x - {"start": 0, "middle": width / 2, "end": width}[shape.anchor]
            pdf.text(x, shape.y, text)
        else:
            pdf.image(io.BytesIO(shape.png), x=shape.x, y=shape.y, w=shape.w, h=shape.h)
    return bytes(pdf.output())


def render(report: SignedReport, fmt: str, logo: bytes | None = None) -> tuple[bytes, str]:
    """The poster as ``fmt`` (svg, png or pdf) and its media type."""
    shapes = layout(report, logo)
    if fmt == "svg":
        body = to_svg(shapes)
    elif fmt == "png":
        body = to_png(shapes)
    else:
        body = to_pdf(shapes, _("Hasil Survei Kepuasan Masyarakat"), report.data.agency.name)
    return body, FORMATS[fmt]
