"""QR codes and printable desk posters (SVG, PNG, A4/A5)."""

from __future__ import annotations

import io

from portal.plugin import make_qr, qr_svg_path

#: Paper sizes in millimetres.
SIZES = {"a4": (210, 297), "a5": (148, 210)}
INSTRUCTION = "Pindai kode QR ini untuk menilai layanan kami. Tanpa aplikasi, kurang dari 30 detik."


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + ([line] if line else [])


def _desk_lines(desk: str, w: float) -> tuple[float, list[str]]:
    """The desk's whole name in at most three lines across the page (margins
    of 10 mm), at the largest size that fits: a long name wraps, then shrinks."""
    from plugins.survei.infographic import fit

    largest = round(10 * w / 210, 1)
    return fit(desk, w - 20, largest, 2 if len(desk) < 60 else 3, largest * 0.55, bold=True)


def _desk_baselines(count: int, size: float, qr_top: float) -> list[float]:
    """Baselines of the desk's lines, the last one just above the QR code."""
    step = size * 1.2
    last = qr_top - 0.7 * size
    return [last - (count - 1 - i) * step for i in range(count)]


def _logo_box(w: float, h: float, logo: bytes) -> tuple[float, float, float, float]:
    """(x, y, width, height) in mm of the logo, centred above the agency name."""
    from PIL import Image

    with Image.open(io.BytesIO(logo)) as image:
        ratio = image.width / image.height
    height = h * 0.045
    width = min(height * ratio, w * 0.6)
    return (w - width) / 2, h * 0.012, width, width / ratio


def poster_svg(url: str, agency: str, desk: str, size: str = "a4", logo: bytes | None = None) -> str:
    """A printable poster: the agency's logo (a clean PNG, see
    portal.core.util.logo) and name, the desk, the QR code, the instruction."""
    import base64
    from xml.sax.saxutils import escape  # posters only: not loaded by every worker

    w, h = SIZES[size]
    path, n = qr_svg_path(url)
    side = w * 0.7
    x0, y0 = (w - side) / 2, h * 0.30
    scale = side / n
    heading = "".join(
        f'<text x="{w / 2}" y="{h * 0.09 + i * 9}" font-size="7" font-weight="700" '
        f'text-anchor="middle">{escape(line)}</text>'
        for i, line in enumerate(_wrap(agency, 38))
    )
    instruction = "".join(
        f'<text x="{w / 2}" y="{y0 + side + 16 + i * 7.5}" font-size="5.6" text-anchor="middle">'
        f"{escape(line)}</text>"
        for i, line in enumerate(_wrap(INSTRUCTION, 48))
    )
    mark = ""
    if logo:
        x, y, lw, lh = _logo_box(w, h, logo)
        mark = (
            f'<image x="{x:.2f}" y="{y:.2f}" width="{lw:.2f}" height="{lh:.2f}" '
            f'href="data:image/png;base64,{base64.b64encode(logo).decode()}"/>'
        )
    size, lines = _desk_lines(desk, w)
    names = "".join(
        f'<text x="{w / 2}" y="{y:.2f}" font-size="{size}" font-weight="700" text-anchor="middle" '
        f'fill="#0b5394">{escape(line)}</text>'
        for line, y in zip(lines, _desk_baselines(len(lines), size, y0), strict=True)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}mm" height="{h}mm" viewBox="0 0 {w} {h}" '
        f'font-family="Helvetica, Arial, sans-serif">'
        f'<rect width="{w}" height="{h}" fill="#fff"/>'
        f"{mark}"
        f"{heading}"
        f"{names}"
        f'<g transform="translate({x0} {y0}) scale({scale})" shape-rendering="crispEdges">'
        f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></g>'
        f"{instruction}"
        f'<text x="{w / 2}" y="{h - 10}" font-size="4" text-anchor="middle" fill="#444">'
        f"{escape(url)}</text></svg>"
    )


def _measured_wrap(text: str, face, width: float, draw) -> list[str]:
    """``text`` in lines no wider than ``width`` pixels in ``face``; a word
    wider than a line is cut into pieces rather than lost."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=face) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while draw.textlength(line, font=face) > width and len(line) > 1:
            cut = len(line) - 1
            while cut > 1 and draw.textlength(line[:cut], font=face) > width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    return lines + ([line] if line else [])


def poster_png(
    url: str, agency: str, desk: str, size: str = "a4", logo: bytes | None = None, dpi: int = 150
) -> bytes:
    """The same poster as a PNG at ``dpi``."""
    from PIL import Image, ImageDraw, ImageFont

    w_mm, h_mm = SIZES[size]
    px = dpi / 25.4
    width, height = int(w_mm * px), int(h_mm * px)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)

    def font(mm, bold=False):
        try:
            return ImageFont.load_default(size=max(8, int(mm * px)))
        except TypeError:  # Pillow without FreeType
            return ImageFont.load_default()

    def centred(y, text, f, fill="black"):
        # Pillow's built-in font has no dashes beyond "-": an em dash printed as a box.
        text = text.replace("—", "-").replace("–", "-")
        box = draw.textbbox((0, 0), text, font=f)
        draw.text(((width - (box[2] - box[0])) / 2, y), text, font=f, fill=fill)

    if logo:
        x, y, lw, lh = _logo_box(w_mm, h_mm, logo)
        with Image.open(io.BytesIO(logo)) as mark:
            mark = mark.convert("RGBA").resize((max(1, int(lw * px)), max(1, int(lh * px))), Image.LANCZOS)
            image.paste(mark, (int(x * px), int(y * px)), mark)
    y = h_mm * 0.06 * px
    for line in _wrap(agency, 38):
        centred(y, line, font(6.5))
        y += 9 * px
    top = int(h_mm * 0.30 * px)
    # The desk's whole name: wrapped to the measured width, smaller when it needs more than two lines.
    size = 9 * w_mm / 210
    while True:
        lines = _measured_wrap(desk.replace("—", "-").replace("–", "-"), font(size), width - 20 * px, draw)
        if len(lines) <= 2 or size <= 4.5:
            break
        size -= 0.5
    y = top - (len(lines) * 1.25 * size + 3) * px
    for line in lines:
        centred(y, line, font(size), fill=(11, 83, 148))
        y += 1.25 * size * px
    code = make_qr(url).make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    side = int(w_mm * 0.7 * px)
    code = code.resize((side, side), Image.NEAREST)
    image.paste(code, ((width - side) // 2, top))
    y = top + side + 8 * px
    for line in _wrap(INSTRUCTION, 48):
        centred(y, line, font(5))
        y += 7 * px
    centred(height - 14 * px, url, font(3.5), fill=(68, 68, 68))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(dpi, dpi))
    return buffer.getvalue()
