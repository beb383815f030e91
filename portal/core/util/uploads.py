"""Uploaded files, checked by what they contain, never by their name.

A file is accepted when its bytes are a PDF (by its signature) or an image
Pillow decodes as JPEG, PNG or WebP; its name and the content type the
browser claimed are ignored. An image is decoded and encoded afresh (upright
by its EXIF orientation, then without any metadata and without whatever
else the file carried), so nothing but pixels is ever stored. Every refusal
says why, in the reader's language.
"""

from __future__ import annotations

import io
import os
import warnings

from flask_babel import lazy_gettext as _l

#: Largest upload accepted, in bytes, unless the caller says otherwise.
MAX_BYTES = 5 * 1024 * 1024
#: Largest image accepted, in pixels (width × height): a phone's photo has
#: 12 to 50 million; a small file of far more pixels is a decompression bomb.
MAX_PIXELS = 40_000_000
#: What an accepted file may be (its content type) and the extension a
#: download of it is saved with.
UPLOAD_TYPES = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
}
_IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class UploadRefused(ValueError):
    """An upload that is not accepted; ``str()`` says why, for the person who sent it."""


def is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]


def checked_upload(
    data: bytes, name: str, *, max_bytes: int | None = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> tuple[str, bytes]:
    """``(content type, bytes)`` to store for the uploaded ``data``: a PDF as
    sent (serve it only as a download), an image re-encoded (see
    :func:`reencoded_image`). Raises :class:`UploadRefused`, naming the file
    ``name``, when it is larger than ``max_bytes`` (None: any size), is
    neither, or is an image of more than ``max_pixels`` pixels."""
    if max_bytes is not None and len(data) > max_bytes:
        raise UploadRefused(str(_l("%(name)s lebih dari %(mb)s MB.", name=name, mb=f"{max_bytes / 2**20:g}")))
    if is_pdf(data):
        return "application/pdf", data
    return reencoded_image(data, name, max_pixels)


def checked_uploads(
    files,
    *,
    max_files: int,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    too_many=None,
) -> tuple[list[tuple[str, str, bytes]], list[str]]:
    """``([(name, content type, bytes)], [errors])`` for a form's uploads
    (``request.files.getlist(…)``; empty file inputs are skipped), each
    through :func:`checked_upload`. ``name`` is the sender's file name
    without any folder, at most 200 characters. More than ``max_files``
    files accept none, with the error ``too_many`` (default: "at most n
    attachments")."""
    files = [upload for upload in files if upload and upload.filename]
    if len(files) > max_files:
        return [], [str(too_many or _l("Paling banyak %(n)d lampiran.", n=max_files))]
    accepted, errors = [], []
    for upload in files:
        data = upload.read(max_bytes + 1)
        upload.close()
        name = os.path.basename(upload.filename.replace("\\", "/"))[:200] or "lampiran"
        try:
            kind, cleaned = checked_upload(data, name, max_bytes=max_bytes, max_pixels=max_pixels)
        except UploadRefused as error:
            errors.append(str(error))
            continue
        accepted.append((name, kind, cleaned))
    return accepted, errors


def reencoded_image(data: bytes, name: str, max_pixels: int = MAX_PIXELS) -> tuple[str, bytes]:
    """(content type, bytes) of the image in ``data`` decoded and encoded
    afresh in the same format: turned upright by its EXIF orientation, then
    without any metadata (EXIF with GPS, XMP, comments, ICC, text chunks)
    and without whatever else the file carried (an HTML or script polyglot
    does not survive). Only the first frame of an animation is kept.
    Raises :class:`UploadRefused` for what is not a JPEG, PNG or WebP image
    or has more than ``max_pixels`` pixels, checked before the pixels are
    decoded."""
    from PIL import Image, ImageOps

    too_big = _l(
        "%(name)s terlalu besar: gambar paling besar %(mp)s megapiksel. Perkecil gambarnya lalu kirim lagi.",
        name=name,
        mp=f"{max_pixels / 1e6:g}",
    )
    try:
        with warnings.catch_warnings():
            # Our own bound below is stricter; above twice Pillow's own limit
            # (MAX_IMAGE_PIXELS) opening already fails, caught below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(_IMAGE_FORMATS))
    except Image.DecompressionBombError:
        raise UploadRefused(str(too_big)) from None
    except Exception:  # noqa: BLE001 - any failure means "not an image we accept"
        raise UploadRefused(_not_accepted(name)) from None
    with image:
        width, height = image.size
        if width * height > max_pixels:
            raise UploadRefused(
                str(
                    _l(
                        "%(name)s terlalu besar: %(w)d × %(h)d piksel, sedangkan gambar paling besar "
                        "%(mp)s megapiksel. Perkecil gambarnya lalu kirim lagi.",
                        name=name,
                        w=width,
                        h=height,
                        mp=f"{max_pixels / 1e6:g}",
                    )
                )
            )
        # A phone's JPEG with a second picture inside opens as MPO: a JPEG.
        fmt = "JPEG" if image.format == "MPO" else image.format
        if fmt not in _IMAGE_FORMATS:
            raise UploadRefused(_not_accepted(name))
        try:
            image.load()
            upright = ImageOps.exif_transpose(image)
            transparency = image.info.get("transparency") if fmt == "PNG" else None
            upright.info = {} if transparency is None else {"transparency": transparency}
            if fmt == "JPEG" and upright.mode not in ("L", "RGB", "CMYK"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            if fmt == "JPEG":
                upright.save(out, "JPEG", quality=90, optimize=False)
            elif fmt == "WEBP":
                upright.save(out, "WEBP", quality=90)
            else:
                upright.save(out, "PNG")
        except Exception:  # noqa: BLE001 - truncated or broken pixel data
            raise UploadRefused(_not_accepted(name)) from None
    return _IMAGE_FORMATS[fmt], out.getvalue()


def _not_accepted(name: str) -> str:
    return str(_l("%(name)s bukan gambar (JPEG, PNG, WebP) atau PDF yang sah.", name=name))
