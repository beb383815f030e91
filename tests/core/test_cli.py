"""CLI commands: demo data, users, officer import."""

from __future__ import annotations

from portal.builtin.demo.seed import demo_nip
from portal.core.models import Agency, Desk, Officer, Unit, User
from portal.core.plugin_system import plugins
from portal.core.tenancy.nip import parse_nip
from portal.extensions import db
from portal.testing import nip


def _counts(app):
    with app.app_context():
        return tuple(
            db.session.scalar(db.select(db.func.count()).select_from(m))
            for m in (Agency, Unit, Desk, Officer, User)
        )


def test_seed_demo_is_realistic_and_idempotent(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "superadmin@sukamaju.example" in result.output
    assert "kata sandi semua: demo-sukamaju-2026" in result.output
    first = _counts(app)
    agencies, units, desks, officers, users = first
    assert agencies == 3 and units == 6 and desks >= 8 and 18 <= officers <= 25
    assert users == 1 + 3 * 3  # superadmin + admin, supervisor, officer per OPD
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert _counts(app) == first
    with app.app_context():
        for officer in db.session.scalars(db.select(Officer)):
            parse_nip(officer.nip)  # every demo NIP is valid
        enabled = {a.slug: plugins.enabled_names(a) for a in db.session.scalars(db.select(Agency))}
        everything = set(plugins.installed())
        assert enabled["disdukcapil"] == enabled["dpmptsp"] == everything
        assert enabled["rsud"] == {"survei", "pengaduan"}
        roles = {u.role for u in db.session.scalars(db.select(User))}
        assert roles == {"superadmin", "admin", "supervisor", "officer"}
        teams = db.session.scalar(
            db.select(db.func.count(Officer.id)).where(Officer.supervisor_id.isnot(None))
        )
        assert teams >= 10


def test_seed_demo_keeps_an_admins_switch(app, runner):
    runner.invoke(args=["seed-demo"])
    runner.invoke(args=["plugins", "disable", "survei", "--agency", "dpmptsp"])
    runner.invoke(args=["seed-demo"])
    with app.app_context():
        agency = db.session.execute(db.select(Agency).filter_by(slug="dpmptsp")).scalar_one()
        assert "survei" not in plugins.enabled_names(agency)


def test_demo_nips_are_distinct():
    assert len({demo_nip(i) for i in range(30)}) == 30


def test_create_user(app, runner, world):
    ok = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Baru@Alpha.example",
            "--name",
            "Baru",
            "--role",
            "admin",
            "--agency",
            "alpha",
            "--password",
            "sandi-panjang-123",
        ]
    )
    assert ok.exit_code == 0, ok.output
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email="baru@alpha.example")).scalar_one()
        assert user.check_password("sandi-panjang-123") and user.agency.slug == "alpha"
    cases = [
        (["--email", "baru@alpha.example", "--role", "admin", "--agency", "alpha"], "sudah dipakai"),
        (["--email", "bukan-email", "--role", "admin", "--agency", "alpha"], "e-mail tidak valid"),
        (["--email", "a@b.example", "--role", "admin"], "wajib untuk peran selain superadmin"),
        (["--email", "a@b.example", "--role", "admin", "--agency", "tidak-ada"], "tidak ditemukan"),
        (["--email", "a@b.example", "--role", "officer", "--agency", "alpha"], "wajib untuk peran atasan"),
        (
            ["--email", "a@b.example", "--role", "officer", "--agency", "alpha", "--nip", nip(1)],
            "NIP tidak ditemukan di instansi ini",
        ),
    ]
    for args, message in cases[:-1]:
        result = runner.invoke(args=["create-user", "--name", "X", "--password", "sandi-panjang-123", *args])
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    result = runner.invoke(
        args=[
            "create-user",
            "--name",
            "X",
            "--password",
            "pendek",
            "--email",
            "a@b.example",
            "--role",
            "superadmin",
        ]
    )
    assert result.exit_code != 0 and "minimal 10 karakter" in result.output
    beta_nip = nip(3)  # beta's staff
    result = runner.invoke(
        args=[
            "create-user",
            "--name",
            "X",
            "--password",
            "sandi-panjang-123",
            "--email",
            "a@b.example",
            "--role",
            "officer",
            "--agency",
            "alpha",
            "--nip",
            beta_nip,
        ]
    )
    assert result.exit_code != 0 and "NIP tidak ditemukan di instansi ini" in result.output


def test_import_officers_cli(app, runner, world, tmp_path):
    good = tmp_path / "pegawai.csv"
    good.write_text(f"nip,nama,jabatan,unit\n{nip(400)},Rahmat,Staf,Pelayanan Umum\n", encoding="utf-8")
    result = runner.invoke(args=["import-officers", str(good), "--agency", "alpha"])
    assert result.exit_code == 0 and "1 pegawai baru" in result.output
    bad = tmp_path / "salah.csv"
    bad.write_text(f"nip,nama\n{nip(401)},Benar\n123,Salah\n", encoding="utf-8")
    result = runner.invoke(args=["import-officers", str(bad), "--agency", "alpha"])
    assert result.exit_code != 0
    assert "baris 3: NIP harus 18 digit" in result.output
    assert "tidak ada yang disimpan" in result.output
    with app.app_context():
        assert db.session.execute(db.select(Officer).filter_by(nip=nip(401))).first() is None
    result = runner.invoke(args=["import-officers", str(good), "--agency", "tidak-ada"])
    assert result.exit_code != 0 and "tidak ditemukan" in result.output
