"""Attachments of activities, checked by their content through the portal's
one upload check (``checked_uploads``): an image is decoded and encoded
afresh (no EXIF/GPS, nothing smuggled along), a PDF is recognised by its
signature; both are only ever served as downloads."""

from __future__ import annotations

import os
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l

from plugins.kinerja_harian.models import KinerjaHarianActivity, KinerjaHarianAttachment
from portal.plugin import UPLOAD_TYPES, checked_uploads

MAX_FILES = 3
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000


def check_files(files) -> tuple[list[tuple[str, str, bytes]], list[str]]:
    """([(name, content type, bytes)], [errors]) for the uploads in ``files``."""
    return checked_uploads(
        files,
        max_files=MAX_FILES,
        max_bytes=int(current_app.config.get("KINERJA_HARIAN_MAX_BYTES", MAX_BYTES)),
        max_pixels=int(current_app.config.get("KINERJA_HARIAN_MAX_PIXELS", MAX_PIXELS)),
        too_many=_l("Paling banyak %(n)d lampiran untuk satu kegiatan.", n=MAX_FILES),
    )


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
    return stem + UPLOAD_TYPES.get(item.content_type, "")
