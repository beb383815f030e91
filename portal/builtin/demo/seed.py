"""Demo data: one kabupaten with three OPD. Idempotent: running it again
changes nothing that exists and adds only what is missing."""

from __future__ import annotations

from portal.core.models import Agency, AgencyPlugin, Desk, Officer, Unit, User
from portal.core.plugin_system import plugins
from portal.extensions import db

DEMO_PASSWORD = "demo-sukamaju-2026"  # noqa: S105 - printed for the demo on purpose
DOMAIN = "sukamaju.example"

# slug, name, modules (None: every installed one), units {unit: [desks]}
AGENCIES = [
    (
        "disdukcapil",
        "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sukamaju",
        None,
        {
            "Pelayanan Dokumen Kependudukan": ["Loket 1", "Loket 2"],
            "Pelayanan Akta Catatan Sipil": ["Loket 3"],
        },
    ),
    (
        "dpmptsp",
        "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Sukamaju",
        None,
        {
            "Mal Pelayanan Publik": ["Loket Perizinan 1", "Loket Perizinan 2"],
            "Informasi dan Pengaduan": ["Meja Informasi"],
        },
    ),
    (
        "rsud",
        "RSUD Sukamaju",
        ("survei", "pengaduan"),
        {"Instalasi Rawat Jalan": ["Pendaftaran 1", "Pendaftaran 2"], "Instalasi Farmasi": ["Loket Obat"]},
    ),
]

# name, position, index of the unit, supervisor's index in this list (or None)
STAFF = {
    "disdukcapil": [
        ("Drs. Bambang Sutrisno, M.Si.", "Kepala Bidang Pelayanan", 0, None),
        ("Siti Rahmawati, S.Kom.", "Pengadministrasi Kependudukan", 0, 0),
        ("Agus Setiawan", "Operator Layanan", 0, 0),
        ("Dewi Lestari, A.Md.", "Operator Layanan", 0, 0),
        ("Rina Marlina, S.H.", "Kepala Seksi Akta", 1, 0),
        ("Hendra Gunawan", "Verifikator Akta", 1, 4),
        ("Yuliana Putri, S.Sos.", "Pengadministrasi Akta", 1, 4),
    ],
    "dpmptsp": [
        ("Ir. Hadi Prasetyo, M.T.", "Kepala Bidang Pelayanan Perizinan", 0, None),
        ("Nurul Hidayah, S.E.", "Analis Perizinan", 0, 0),
        ("Rudi Hartono", "Petugas Front Office", 0, 0),
        ("Fitri Handayani, S.AP.", "Petugas Front Office", 0, 0),
        ("Wahyu Nugroho, S.H.", "Kepala Seksi Pengaduan", 1, 0),
        ("Sri Wahyuni", "Petugas Informasi", 1, 4),
        ("Eko Purnomo, S.Kom.", "Pengelola Pengaduan", 1, 4),
    ],
    "rsud": [
        ("dr. Andi Wijaya, Sp.PD.", "Kepala Instalasi Rawat Jalan", 0, None),
        ("Maya Sari, A.Md.Kep.", "Petugas Pendaftaran", 0, 0),
        ("Joko Susilo", "Petugas Pendaftaran", 0, 0),
        ("apt. Lina Kusuma, S.Farm.", "Kepala Instalasi Farmasi", 1, None),
        ("Dian Permata, A.Md.Farm.", "Asisten Apoteker", 1, 3),
        ("Taufik Hidayat", "Petugas Loket Obat", 1, 3),
    ],
}


def demo_nip(i: int) -> str:
    """A valid, deterministic NIP for demo officer number ``i``."""
    year = 1970 + (i * 7) % 26
    birth = f"{year}{(i % 12) + 1:02d}{(i * 3) % 28 + 1:02d}"
    appointed = f"{year + 24}{(i * 5) % 12 + 1:02d}"
    return f"{birth}{appointed}{1 + i % 2}{i + 1:03d}"


def _get_or_add(model, defaults=None, **keys):
    obj = db.session.execute(db.select(model).filter_by(**keys)).scalar_one_or_none()
    if obj is None:
        obj = model(**keys, **(defaults or {}))
        db.session.add(obj)
        db.session.flush()
    return obj


def _user(email, name, role, agency=None, officer=None):
    user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one_or_none()
    if user is None:
        user = User(email=email, name=name, role=role, agency=agency, officer=officer)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
    return user


#: The demo agencies' contact details, shown in the footer of their pages.
CONTACT = {
    "address": "Jl. Merdeka No. 1, Sukamaju",
    "phone": "(0261) 555-0101",
    "service_hours": "Senin–Kamis 08.00–15.00, Jumat 08.00–11.30",
    "complaint_hotline": "0812-0000-1234",
}


def seed() -> list[str]:
    """Create the demo data where missing; return lines describing the logins."""
    logins = [("superadmin", _user(f"superadmin@{DOMAIN}", "Super Admin Sukamaju", "superadmin").email)]
    counter = 0
    seeded = []
    for slug, name, modules, unit_desks in AGENCIES:
        agency = _get_or_add(Agency, slug=slug, defaults={"name": name})
        for field, value in CONTACT.items():
            if not getattr(agency, field):
                setattr(agency, field, value)
        units = []
        for unit_name, desk_names in unit_desks.items():
            unit = _get_or_add(Unit, agency_id=agency.id, name=unit_name)
            units.append(unit)
            for desk_name in desk_names:
                _get_or_add(Desk, unit_id=unit.id, name=desk_name)
        officers = []
        for person, position, unit_index, sup_index in STAFF[slug]:
            officer = _get_or_add(
                Officer,
                nip=demo_nip(counter),
                defaults={
                    "agency_id": agency.id,
                    "name": person,
                    "position": position,
                    "unit_id": units[unit_index].id,
                },
            )
            if sup_index is not None and officer.supervisor_id is None:
                officer.supervisor_id = officers[sup_index].id
            officers.append(officer)
            counter += 1
        wanted = plugins.installed() if modules is None else modules
        for plugin in wanted:
            # Only where no switch exists yet: an admin's "off" survives a re-seed.
            installed = plugin in plugins.installed()
            if installed and db.session.get(AgencyPlugin, (agency.id, plugin)) is None:
                plugins.set_enabled(agency, plugin, True)
        logins.append(
            ("admin", _user(f"admin.{slug}@{DOMAIN}", f"Admin {slug.upper()}", "admin", agency).email)
        )
        logins.append(
            (
                "supervisor",
                _user(f"atasan.{slug}@{DOMAIN}", officers[0].name, "supervisor", agency, officers[0]).email,
            )
        )
        logins.append(
            (
                "officer",
                _user(f"pegawai.{slug}@{DOMAIN}", officers[1].name, "officer", agency, officers[1]).email,
            )
        )
        seeded.append(agency)
    db.session.commit()
    for agency in seeded:
        plugins.hook_for(agency, "portal_seed_demo")(agency=agency)
    db.session.commit()
    lines = ["Data demo siap. Akun untuk masuk (kata sandi semua: " + DEMO_PASSWORD + "):"]
    lines += [f"  {role:<11} {email}" for role, email in logins]
    return lines
