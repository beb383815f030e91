"""An agency's logo: checked by its content and re-encoded.

Only real PNG, JPEG or WebP images are accepted (the bytes are decoded by
Pillow; the file name and declared type are ignored), at most
``MAX_BYTES``. The image is scaled to ``HEIGHT`` pixels high and written
again as PNG. That drops metadata such as GPS positions, and drops anything
smuggled behind the image data. SVG is refused, since it can carry script.
"""

from __future__ import annotations

import io

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 512 * 1024
HEIGHT = 96
FORMATS = {"PNG", "JPEG", "WEBP"}


class LogoError(ValueError):
    pass


def prepare(data: bytes) -> bytes:
    """The uploaded ``data`` as a clean PNG ``HEIGHT`` pixels high."""
    if len(data) > MAX_BYTES:
        raise LogoError(_l("Logo paling besar %(kb)d KB.", kb=MAX_BYTES // 1024))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in FORMATS:
                raise LogoError(_l("Logo harus gambar PNG, JPEG, atau WebP."))
            if image.width * image.height > 20_000_000:
                raise LogoError(_l("Ukuran gambar logo terlalu besar."))
            image.load()
            clean = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise LogoError(_l("Logo harus gambar PNG, JPEG, atau WebP.")) from error
    width = max(1, round(clean.width * HEIGHT / clean.height))
    clean = clean.resize((width, HEIGHT), Image.LANCZOS) if clean.height > HEIGHT else clean
    out = io.BytesIO()
    clean.save(out, "PNG", optimize=True)
    return out.getvalue()
