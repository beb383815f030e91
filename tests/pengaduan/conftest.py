import io
import json

import pytest
from PIL import Image

from plugins.pengaduan.models import Category
from portal.extensions import db


@pytest.fixture
def cats(app, world):
    """Two categories for alpha (one with a required extra field), one for beta."""
    with app.app_context():
        rows = [
            Category(
                agency_id=world["alpha"]["agency"],
                code="pelayanan",
                name="Pelayanan petugas",
                description="Sikap petugas",
                active=True,
                fields_json="[]",
            ),
            Category(
                agency_id=world["alpha"]["agency"],
                code="jalan",
                name="Jalan rusak",
                active=True,
                fields_json=json.dumps([{"code": "rt", "label": "RT/RW", "required": True}]),
            ),
            Category(
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
    from portal.core.api import create_key
    from portal.core.models import Agency

    with app.app_context():
        _row, secret = create_key(db.session.get(Agency, world["alpha"]["agency"]), "311", "write")
        db.session.commit()
    return secret
