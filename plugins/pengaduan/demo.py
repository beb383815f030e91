"""Demo data: categories, a response template and a few complaints in
different states."""

from __future__ import annotations

import datetime as dt

from plugins.pengaduan.models import PengaduanCategory, PengaduanTemplate, TicketAction
from plugins.pengaduan.service import Filing, file_ticket, transition
from portal.plugin import Officer, User, db, utcnow

CATEGORIES = [
    ("pelayanan", "Pelayanan petugas", "Sikap, kecepatan atau kejelasan petugas."),
    ("pungli", "Pungutan liar", "Permintaan biaya di luar tarif resmi."),
    ("sarana", "Sarana dan prasarana", "Ruang tunggu, antrean, fasilitas rusak."),
]


def seed(agency) -> None:
    if db.session.scalar(db.select(PengaduanCategory.id).filter_by(agency_id=agency.id).limit(1)):
        return
    cats = []
    for code, name, description in CATEGORIES:
        cat = PengaduanCategory(
            agency_id=agency.id, code=code, name=name, description=description, active=True, fields_json="[]"
        )
        db.session.add(cat)
        cats.append(cat)
    db.session.add(
        PengaduanTemplate(
            agency_id=agency.id,
            status=TicketAction.RESPOND,
            title="Sedang ditindaklanjuti",
            body="Terima kasih atas laporan Anda. Pengaduan sedang kami tindak lanjuti.",
        )
    )
    db.session.commit()
    admin = db.session.execute(db.select(User).filter_by(agency_id=agency.id, role="admin")).scalars().first()
    officer = db.session.scalars(
        db.select(Officer).filter_by(agency_id=agency.id).order_by(Officer.id).offset(1)
    ).first()
    samples = [
        (
            "Antrean tidak bergerak lebih dari dua jam",
            "Saya menunggu sejak pukul 08.00 dan nomor antrean tidak dipanggil.",
        ),
        (
            "Diminta biaya tambahan untuk mempercepat",
            "Petugas di loket meminta uang agar berkas cepat selesai.",
        ),
        ("Pendingin ruangan ruang tunggu mati", "Ruang tunggu sangat panas sejak seminggu terakhir."),
    ]
    for i, (title, text) in enumerate(samples):
        ticket = file_ticket(
            agency,
            Filing(category=cats[i], title=title, description=text, name="Warga Demo", phone="081234567890"),
            now=utcnow() - dt.timedelta(days=6 - i * 2),
        )
        if admin and officer and i < 2:
            transition(ticket, TicketAction.VERIFY, admin)
            transition(ticket, TicketAction.ASSIGN, admin, officer=officer)
            if i == 0:
                transition(
                    ticket, TicketAction.RESOLVE, admin, text="Antrean ditambah satu loket pada jam sibuk."
                )
        db.session.commit()
