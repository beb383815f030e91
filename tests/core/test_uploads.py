"""The one upload check of the plugin API: what a file is comes from its
bytes (never its name), images are encoded afresh, and every refusal says
why in the reader's language."""

import io

import pytest
from flask_babel import force_locale
from PIL import Image
from werkzeug.datastructures import FileStorage

from portal.plugin import UPLOAD_TYPES, UploadRefused, checked_upload, checked_uploads

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


pytestmark = pytest.mark.usefixtures("babel_context")


def _image(fmt: str, size=(16, 16), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, fmt, **save)
    return buffer.getvalue()


def _uploads(*files):
    return [FileStorage(io.BytesIO(data), filename=name) for data, name in files]


def test_webp_is_accepted_and_encoded_afresh_without_its_metadata():
    exif = Image.Exif()
    exif[0x8825] = {1: "S", 2: (6.0, 10.0, 30.0)}  # GPS
    original = _image("WEBP", exif=exif) + b"<script>alert('ekor')</script>"
    kind, data = checked_upload(original, "foto.webp")
    assert kind == "image/webp" and UPLOAD_TYPES[kind] == ".webp"
    assert data != original and b"Exif" not in data and b"<script" not in data
    image = Image.open(io.BytesIO(data))
    assert image.format == "WEBP" and image.size == (16, 16) and dict(image.getexif()) == {}


def test_what_a_file_is_comes_from_its_content_not_its_extension():
    # A picture under another image's name is kept as what it is.
    assert checked_upload(_image("PNG"), "foto.jpg")[0] == "image/png"
    assert checked_upload(_image("JPEG"), "denah.webp")[0] == "image/jpeg"
    # A PDF under an image's name is a PDF, stored as sent.
    assert checked_upload(PDF, "foto.png") == ("application/pdf", PDF)
    # A page or a script under an image's or a PDF's name is refused.
    for data, name in ((b"<html><script>alert(1)</script></html>", "foto.png"), (b"<?php ?>", "surat.pdf")):
        with pytest.raises(UploadRefused) as refused:
            checked_upload(data, name)
        assert str(refused.value) == f"{name} bukan gambar (JPEG, PNG, WebP) atau PDF yang sah."
    # An image format outside JPEG, PNG and WebP is refused too.
    with pytest.raises(UploadRefused):
        checked_upload(_image("GIF"), "animasi.gif")


def test_an_oversized_file_is_refused_before_its_content_is_looked_at():
    big = PDF[:-6] + b"0" * 2**20 + b"%%EOF\n"
    with pytest.raises(UploadRefused) as refused:
        checked_upload(big, "besar.pdf", max_bytes=2**20)
    assert str(refused.value) == "besar.pdf lebih dari 1 MB."
    assert checked_upload(big, "besar.pdf", max_bytes=len(big))[0] == "application/pdf"
    assert checked_upload(big, "besar.pdf", max_bytes=None)[0] == "application/pdf"
    accepted, errors = checked_uploads(
        _uploads((b"%PDF-" + b"0" * (300 * 1024), "besar.pdf"), (PDF, "kecil.pdf")),
        max_files=3,
        max_bytes=256 * 1024,
    )
    assert errors == ["besar.pdf lebih dari 0.25 MB."]
    assert accepted == [("kecil.pdf", "application/pdf", PDF)]


def test_an_image_of_too_many_pixels_is_refused_with_its_size():
    with pytest.raises(UploadRefused) as refused:
        checked_upload(_image("PNG", size=(200, 100)), "peta.png", max_pixels=10_000)
    assert "peta.png terlalu besar: 200 × 100 piksel" in str(refused.value)


def test_a_form_s_files_are_named_without_folders_and_counted():
    accepted, errors = checked_uploads(
        _uploads((PDF, "C:\\Dokumen\\surat.pdf"), (b"", ""), (_image("WEBP"), "../foto.webp")), max_files=2
    )
    assert errors == [] and [(name, kind) for name, kind, _data in accepted] == [
        ("surat.pdf", "application/pdf"),
        ("foto.webp", "image/webp"),
    ]
    files = _uploads(*[(PDF, f"{n}.pdf") for n in range(3)])
    assert checked_uploads(files, max_files=2) == ([], ["Paling banyak 2 lampiran."])
    assert checked_uploads(
        _uploads(*[(PDF, f"{n}.pdf") for n in range(3)]), max_files=2, too_many="Terlalu banyak."
    ) == (
        [],
        ["Terlalu banyak."],
    )


def test_refusals_are_in_the_reader_s_language():
    with force_locale("en"), pytest.raises(UploadRefused) as refused:
        checked_upload(b"teks", "foto.webp")
    assert "foto.webp" in str(refused.value) and "bukan gambar" not in str(refused.value)
