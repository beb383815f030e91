"""QR codes as SVG, for any page that shows one (desk posters, one-time
survey codes, forum registrations)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import qrcode


def make_qr(data: str) -> qrcode.QRCode:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_Q

    # Level Q restores up to 25% of the code: enough for glare on a laminated
    # poster, a scratched counter or a cracked phone screen.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_Q, border=4)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_svg_path(data: str) -> tuple[str, int]:
    """(SVG path data in module units, modules per side including the border)."""
    matrix = make_qr(data).get_matrix()
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h{start - x}z")
            else:
                x += 1
    return "".join(parts), len(matrix)


def qr_svg(data: str, label: str) -> str:
    """A standalone, scalable SVG of the QR code (it fills its container).
    ``label`` names the image for screen readers (escaped here)."""
    from markupsafe import escape

    path, n = qr_svg_path(data)
    name = escape(label)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" role="img" '
        f'aria-label="{name}" shape-rendering="crispEdges"><title>{name}</title>'
        f'<rect width="{n}" height="{n}" fill="#fff"/>'
        f'<path d="{path}" fill="#000"/></svg>'
    )
