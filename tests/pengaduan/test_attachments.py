"""Attachments: images are decoded and encoded afresh on arrival (no EXIF,
no GPS, nothing but pixels), their size in pixels is bounded, and every
attachment is answered so that nothing in it can run."""

from __future__ import annotations

import io
import os

from PIL import Image, PngImagePlugin

from plugins.pengaduan.models import PengaduanAttachment, PengaduanTicket
from portal.extensions import db
from tests.pengaduan.conftest import CAMERA, PDF, huge_png, jpeg_with_gps
from tests.pengaduan.test_pengaduan import _file, _ticket


def _upload(client, cats, *files, **extra):
    return _file(client, cats, files=[(io.BytesIO(data), name) for data, name in files], **extra)


def _attachments(app, ticket_id):
    with app.app_context():
        return [
            (a.id, a.original_name, a.content_type, a.size, a.stored_name)
            for a in db.session.get(PengaduanTicket, ticket_id).attachments
        ]


def _stored(app, stored_name) -> bytes:
    with open(os.path.join(app.config["PORTAL_UPLOAD_DIR"], "pengaduan", stored_name), "rb") as f:
        return f.read()


def test_a_photo_loses_its_exif_and_gps_and_stays_upright(app, client, cats):
    original = jpeg_with_gps((40, 20), orientation=6)
    assert _upload(client, cats, (original, "foto.jpg")).status_code == 302
    ticket = _ticket(app)
    [(item_id, name, kind, size, stored)] = _attachments(app, ticket.id)
    assert (name, kind) == ("foto.jpg", "image/jpeg")
    answer = client.get(f"/alpha/pengaduan/lacak/{ticket.code}/lampiran/{item_id}")
    assert answer.status_code == 200 and answer.mimetype == "image/jpeg"
    assert answer.data == _stored(app, stored) and size == len(answer.data)
    image = Image.open(io.BytesIO(answer.data))
    assert image.format == "JPEG"  # the format family is kept
    assert dict(image.getexif()) == {} and "exif" not in image.info and "comment" not in image.info
    for trace in (CAMERA.encode(), b"komentar penanda", b"Exif"):
        assert trace not in answer.data
    # Turned as the EXIF orientation said before it was dropped: the red
    # left half of the 40 × 20 picture is now its top half.
    assert image.size == (20, 40)
    top, bottom = image.convert("RGB").getpixel((10, 5)), image.convert("RGB").getpixel((10, 35))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]


def test_png_and_webp_keep_their_format_without_text_or_what_follows(app, client, cats):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<html><script>alert('teks penanda')</script></html>")
    buffer = io.BytesIO()
    Image.new("RGBA", (16, 16), (0, 128, 0, 128)).save(buffer, "PNG", pnginfo=info)
    polyglot = buffer.getvalue() + b"<html><body><script>alert('ekor penanda')</script></body></html>"
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (6.0, 10.0, 30.0)}
    Image.new("RGB", (16, 16), "green").save(buffer, "WEBP", exif=exif)
    webp = buffer.getvalue()
    r = _upload(client, cats, (polyglot, "denah.png"), (webp, "foto.webp"))
    assert r.status_code == 302
    ticket = _ticket(app)
    png_item, webp_item = _attachments(app, ticket.id)
    assert (png_item[2], webp_item[2]) == ("image/png", "image/webp")
    data = _stored(app, png_item[4])
    assert b"<script" not in data and b"penanda" not in data and b"tEXt" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.mode == "RGBA" and image.getpixel((3, 3)) == (0, 128, 0, 128)
    data = _stored(app, webp_item[4])
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP" and dict(image.getexif()) == {} and b"Exif" not in data


def test_a_12000_by_12000_png_is_refused_with_the_reason(app, client, cats):
    bomb = huge_png()
    assert len(bomb) < 20_000  # small on the wire, 144 megapixels once decoded
    page = _upload(client, cats, (bomb, "peta.png"))
    text = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "peta.png terlalu besar: 12000 × 12000 piksel" in text and "paling besar 40 megapiksel" in text
    assert _ticket(app) is None  # nothing stored, the citizen can send a smaller picture


def test_beyond_pillows_own_bomb_limit_the_answer_is_the_same(app, client, cats, monkeypatch):
    # Above twice Image.MAX_IMAGE_PIXELS Pillow refuses to even open a file.
    app.config["PENGADUAN_MAX_PIXELS"] = 10**9
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    buffer = io.BytesIO()
    Image.new("RGB", (100, 100), "white").save(buffer, "PNG")
    text = _upload(client, cats, (buffer.getvalue(), "bom.png")).get_data(as_text=True)
    assert "bom.png terlalu besar" in text and _ticket(app) is None


def test_a_truncated_image_is_refused(app, client, cats):
    text = _upload(client, cats, (jpeg_with_gps()[:300], "potong.jpg")).get_data(as_text=True)
    assert "potong.jpg bukan gambar (JPEG, PNG, WebP) atau PDF yang sah." in text and _ticket(app) is None


def test_every_attachment_is_answered_so_that_nothing_in_it_runs(app, client, cats):
    assert _upload(client, cats, (jpeg_with_gps(), "foto.jpg"), (PDF, "surat.pdf")).status_code == 302
    ticket = _ticket(app)
    photo, pdf = _attachments(app, ticket.id)
    answer = client.get(f"/alpha/pengaduan/lacak/{ticket.code}/lampiran/{pdf[0]}")
    assert answer.status_code == 200 and answer.data == PDF and answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].startswith("attachment;")  # a download, never shown
    for item in (photo, pdf):
        answer = client.get(f"/alpha/pengaduan/lacak/{ticket.code}/lampiran/{item[0]}")
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        policy = answer.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "sandbox" in policy
        assert "no-store" in answer.headers["Cache-Control"]


def test_stored_images_are_reencoded_by_the_command(app, client, cats):
    from plugins.pengaduan.service import store_files

    assert _file(client, cats).status_code == 302
    ticket = _ticket(app)
    raw = jpeg_with_gps()
    with app.app_context():
        row = db.session.get(PengaduanTicket, ticket.id)
        # As files were stored before uploads were re-encoded.
        store_files(row, [("lama.jpg", "image/jpeg", raw), ("rusak.png", "image/png", b"\x89PNG rusak")])
        db.session.commit()
    old, broken = _attachments(app, ticket.id)
    os.remove(os.path.join(app.config["PORTAL_UPLOAD_DIR"], "pengaduan", broken[4]))
    result = app.test_cli_runner().invoke(args=["pengaduan", "reencode-attachments"])
    assert result.exit_code == 0, result.output
    assert "1 gambar dikodekan ulang" in result.output and "1 berkas tidak ditemukan" in result.output
    data = _stored(app, old[4])
    assert data != raw and CAMERA.encode() not in data
    assert dict(Image.open(io.BytesIO(data)).getexif()) == {}
    with app.app_context():
        assert db.session.get(PengaduanAttachment, old[0]).size == len(data)


def test_a_file_is_saved_under_the_extension_of_what_it_is(app, client, cats):
    """A PDF named evil.html would open as a local web page on the staff's
    computer: it is saved as evil.pdf."""
    assert _upload(client, cats, (PDF, "evil.html"), (jpeg_with_gps(), "..\\\\foto.exe")).status_code == 302
    ticket = _ticket(app)
    names = []
    for item in _attachments(app, ticket.id):
        answer = client.get(f"/alpha/pengaduan/lacak/{ticket.code}/lampiran/{item[0]}")
        names.append(answer.headers["Content-Disposition"].split("filename=")[1])
    assert sorted(names) == ["evil.pdf", "foto.jpg"]
