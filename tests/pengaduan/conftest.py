import io
import json

import pytest
from PIL import Image

from plugins.pengaduan.models import PengaduanCategory
from portal.extensions import db


@pytest.fixture
def cats(app, world):
    """Two categories for alpha (one with a required extra field), one for beta."""
    with app.app_context():
        rows = [
            PengaduanCategory(
                agency_id=world["alpha"]["agency"],
                code="pelayanan",
                name="Pelayanan petugas",
                description="Sikap petugas",
                active=True,
                fields_json="[]",
            ),
            PengaduanCategory(
                agency_id=world["alpha"]["agency"],
                code="jalan",
                name="Jalan rusak",
                active=True,
                fields_json=json.dumps([{"code": "rt", "label": "RT/RW", "required": True}]),
            ),
            PengaduanCategory(
                agency_id=world["beta"]["agency"],
                code="pelayanan",
                name="Pelayanan beta",
                active=True,
                fields_json="[]",
            ),
        ]
        db.session.add_all(rows)
        db.session.commit()
        return {"alpha": rows[0].id, "alpha_jalan": rows[1].id, "beta": rows[2].id}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

FILING = {
    "title": "Petugas tidak ada di loket",
    "description": "Sejak pukul 09.00 loket 1 kosong dan antrean tidak dilayani sama sekali.",
    "unit_id": "0",
    "name": "Budi Warga",
    "phone": "0812 3456 7890",
    "email": "budi@warga.example",
    "address": "Jl. Merdeka 1",
}


@pytest.fixture
def key(app, world, cats):
    """A write API key of alpha (for Open311 POSTs)."""
    from portal.core.models import Agency
    from portal.core.web.api import create_key

    with app.app_context():
        _row, secret = create_key(db.session.get(Agency, world["alpha"]["agency"]), "311", "write")
        db.session.commit()
    return secret


#: Where the photo was taken, as a phone writes it into EXIF (Jakarta).
GPS = {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 0.0)}
CAMERA = "KameraPenanda"


def jpeg_with_gps(size=(40, 20), orientation: int | None = None) -> bytes:
    """A phone's photo: EXIF with the camera, the GPS position and, when
    given, the orientation (6: turn 90° clockwise to view), plus a comment."""
    image = Image.new("RGB", size, "blue")
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))  # left half red
    exif = Image.Exif()
    exif[0x010F] = CAMERA
    exif[0x8825] = GPS
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, comment=b"komentar penanda")
    data = buffer.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825) == GPS  # the test's own premise
    return data


_HUGE: list[bytes] = []


def huge_png() -> bytes:
    """12000 × 12000 pixels (144 megapixels) in about 17 KB: a decompression bomb."""
    if not _HUGE:
        buffer = io.BytesIO()
        Image.new("1", (12000, 12000)).save(buffer, "PNG")
        _HUGE.append(buffer.getvalue())
    return _HUGE[0]
