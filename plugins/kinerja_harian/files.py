"""Attachments of activities, checked by their content: an image is decoded
and encoded afresh with Pillow (no EXIF/GPS, nothing smuggled along), a PDF
is recognised by its signature; both are only ever served as downloads."""

from __future__ import annotations

import io
import os
import secrets
import warnings

from flask import current_app
from flask_babel import lazy_gettext as _l

from plugins.kinerja_harian.models import KinerjaHarianActivity, KinerjaHarianAttachment

MAX_FILES = 3
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}


class FileRefused(ValueError):
    """An upload that is not accepted; ``str()`` says why."""


def is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]


def clean_image(data: bytes, name: str, max_pixels: int) -> tuple[str, bytes]:
    from PIL import Image, ImageOps

    refused = FileRefused(str(_l("%(name)s bukan gambar (JPEG, PNG) atau PDF yang sah.", name=name)))
    too_big = FileRefused(
        str(
            _l(
                "%(name)s terlalu besar: gambar paling besar %(mp)s megapiksel.",
                name=name,
                mp=f"{max_pixels / 1e6:g}",
            )
        )
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=["JPEG", "PNG"])
    except Image.DecompressionBombError:
        raise too_big from None
    except Exception:  # noqa: BLE001 - anything else is "not an image we accept"
        raise refused from None
    with image:
        if image.size[0] * image.size[1] > max_pixels:
            raise too_big
        fmt = "JPEG" if image.format == "MPO" else image.format
        if fmt not in IMAGE_FORMATS:
            raise refused
        try:
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright.info = {}
            out = io.BytesIO()
            if fmt == "JPEG":
                if upright.mode not in ("L", "RGB"):
                    upright = upright.convert("RGB")
                upright.save(out, "JPEG", quality=85)
            else:
                upright.save(out, "PNG")
        except Exception:  # noqa: BLE001 - truncated or broken pixels
            raise refused from None
    return IMAGE_FORMATS[fmt], out.getvalue()


def check_files(files) -> tuple[list[tuple[str, str, bytes]], list[str]]:
    """([(name, content type, bytes)], [errors]) for the uploads in ``files``."""
    files = [f for f in files if f and f.filename]
    if len(files) > MAX_FILES:
        return [], [str(_l("Paling banyak %(n)d lampiran untuk satu kegiatan.", n=MAX_FILES))]
    limit = int(current_app.config.get("KINERJA_HARIAN_MAX_BYTES", MAX_BYTES))
    max_pixels = int(current_app.config.get("KINERJA_HARIAN_MAX_PIXELS", MAX_PIXELS))
    accepted, errors = [], []
    for upload in files:
        data = upload.read(limit + 1)
        upload.close()
        name = os.path.basename(upload.filename.replace("\\", "/"))[:200] or "lampiran"
        if len(data) > limit:
            errors.append(str(_l("%(name)s lebih dari %(mb)s MB.", name=name, mb=f"{limit / 2**20:g}")))
        elif is_pdf(data):
            accepted.append((name, "application/pdf", data))
        else:
            try:
                kind, cleaned = clean_image(data, name, max_pixels)
            except FileRefused as error:
                errors.append(str(error))
                continue
            accepted.append((name, kind, cleaned))
    return accepted, errors


def upload_dir() -> str:
    path = os.path.join(current_app.config["PORTAL_UPLOAD_DIR"], "kinerja_harian")
    os.makedirs(path, exist_ok=True)
    return path


def store(activity: KinerjaHarianActivity, files: list[tuple[str, str, bytes]]) -> list[str]:
    """Write the files and attach them; returns their paths (to remove if
    the change is not committed after all)."""
    folder = upload_dir()
    written = []
    for name, kind, data in files:
        stored = secrets.token_hex(16)
        path = os.path.join(folder, stored)
        with open(path, "wb") as out:
            out.write(data)
        written.append(path)
        activity.attachments.append(
            KinerjaHarianAttachment(stored_name=stored, original_name=name, content_type=kind, size=len(data))
        )
    return written


def discard(paths: list[str]) -> None:
    for path in paths:
        if os.path.exists(path):
            os.remove(path)


def remove(item: KinerjaHarianAttachment) -> None:
    path = os.path.join(upload_dir(), item.stored_name)
    if os.path.exists(path):
        os.remove(path)


def download_name(item: KinerjaHarianAttachment) -> str:
    stem = os.path.splitext(item.original_name)[0] or "lampiran"
    return stem + EXTENSIONS.get(item.content_type, "")
