"""The kernel's CLI commands under ``flask --app portal …`` (built-in plugins add
theirs through ``portal_cli``)."""

from __future__ import annotations

import copy
import functools

import click
from flask.cli import with_appcontext

from portal.core.models import ROLES, Agency, CommentState, Officer, User, audit
from portal.core.plugin_system import plugins
from portal.extensions import db


def init_app(app) -> None:
    app.cli.add_command(_LazyDbGroup(app))
    app.cli.add_command(plugins_group)
    app.cli.add_command(create_user)
    app.cli.add_command(api_keys_group)
    app.cli.add_command(anonymise)


class _LazyDbGroup(click.Group):
    """``flask db``: Flask-Migrate's group, built when it is run or asked for
    help. Until then neither Flask-Migrate nor Alembic is imported, so a
    web worker never loads them (about 11 MB)."""

    def __init__(self, app) -> None:
        super().__init__("db", help="Perform database migrations.")
        self._app = app
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        from portal.core import migrations

        migrations.init_app(self._app)
        group = _db_group()
        self.params, self.callback = group.params, group.callback
        for name, command in group.commands.items():
            self.add_command(command, name)
        self._loaded = True

    def parse_args(self, ctx, args):
        self._load()  # the group's own options (-d, -x) come from Flask-Migrate
        return super().parse_args(ctx, args)

    def list_commands(self, ctx):
        self._load()
        return super().list_commands(ctx)

    def get_command(self, ctx, cmd_name):
        self._load()
        return super().get_command(ctx, cmd_name)


def _db_group() -> click.Group:
    """Flask-Migrate's ``db`` group, with ``upgrade`` defaulting to every
    head: core and each plugin's branch are upgraded together."""
    from flask_migrate.cli import db as migrate_group

    group = click.Group(
        migrate_group.name,
        params=migrate_group.params,
        callback=migrate_group.callback,
        help=migrate_group.help,
    )
    for name, command in migrate_group.commands.items():
        if name == "upgrade":
            command = copy.copy(command)
            command.params = [copy.copy(p) for p in command.params]
            for param in command.params:
                if param.name == "revision":
                    param.default = "heads"
            command.callback = _then_fill_scores(command.callback)
        group.add_command(command, name)
    return group


def _then_fill_scores(upgrade):
    """After migrating to every head, fill the weighted scores of agencies
    that have ratings but no scores yet (the first upgrade that adds the
    table). Not after an upgrade to an older revision: filling reads today's
    models, whose columns an older schema lacks."""

    @functools.wraps(upgrade)
    @with_appcontext
    def wrapped(*args, **kwargs):
        result = upgrade(*args, **kwargs)
        if kwargs.get("sql"):
            return result  # offline mode: only SQL is printed
        if not _at_every_head():
            click.echo("Nilai tertimbang diisi setelah basis data sampai di versi terbaru.")
            return result
        from portal.core.record.ratings import recompute_missing_scores

        for slug in recompute_missing_scores():
            click.echo(f"Nilai tertimbang dihitung ulang untuk {slug}.")
        return result

    return wrapped


def _at_every_head() -> bool:
    """Whether the database is at the head of core and of every plugin branch."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from flask import g

    from portal.core import migrations

    script = ScriptDirectory.from_config(migrations.get().get_config(g.get("directory")))
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == set(script.get_heads())


def find_agency(slug: str) -> Agency:
    """The agency of a --agency option, or a clear error naming the slug."""
    agency = db.session.execute(db.select(Agency).filter_by(slug=slug)).scalar_one_or_none()
    if agency is None:
        raise click.ClickException(f"Instansi '{slug}' tidak ditemukan.")
    return agency


@click.group("plugins")
def plugins_group():
    """Daftar modul dan pengaktifan per instansi."""


@plugins_group.command("list")
@click.option("--agency", "slug", help="Tampilkan status untuk instansi ini.")
@with_appcontext
def plugins_list(slug):
    """Modul yang terpasang (dan statusnya untuk satu instansi)."""
    names = plugins.installed()
    if not names:
        click.echo("Tidak ada modul terpasang.")
        return
    kinds = plugins.state().rating_kinds
    enabled = plugins.enabled_names(find_agency(slug)) if slug else None
    for name in names:
        module = dict(plugins.manager().list_name_plugin())[name]
        line = f"{name:<16} {module.__name__:<28}"
        if enabled is not None:
            line += " aktif" if name in enabled else " nonaktif"
        declared = ", ".join(sorted(kinds.get(name, {})))
        if declared:
            line += f"  penilaian: {declared}"
        click.echo(line.rstrip())


def _switch(name: str, slug: str, on: bool) -> None:
    if name not in plugins.installed():
        raise click.ClickException(
            f"Modul '{name}' tidak terpasang. Yang terpasang: {', '.join(plugins.installed())}."
        )
    agency = find_agency(slug)
    plugins.set_enabled(agency, name, on)
    audit("plugin_enabled" if on else "plugin_disabled", agency, detail=name)
    db.session.commit()
    click.echo(f"Modul {name} {'diaktifkan' if on else 'dinonaktifkan'} untuk {agency.slug}.")


def _switch_command(verb: str, on: bool, help_text: str) -> click.Command:
    """``plugins enable`` and ``plugins disable``: one command, two directions."""

    @click.argument("name")
    @click.option("--agency", "slug", required=True, help="Slug instansi.")
    @with_appcontext
    def command(name, slug):
        _switch(name, slug, on)

    return click.command(verb, help=help_text)(command)


plugins_group.add_command(_switch_command("enable", True, "Aktifkan modul NAME untuk sebuah instansi."))
plugins_group.add_command(_switch_command("disable", False, "Nonaktifkan modul NAME untuk sebuah instansi."))


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--agency", "slug", help="Slug instansi (wajib kecuali superadmin).")
@click.option("--nip", help="NIP pegawai yang dikaitkan (untuk atasan dan pegawai).")
@click.password_option("--password", help="Minimal 10 karakter.")
@with_appcontext
def create_user(email, name, role, slug, nip, password):
    """Buat akun staf."""
    from email_validator import EmailNotValidError, validate_email

    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise click.BadParameter(f"alamat e-mail tidak valid: {error}", param_hint="--email") from None
    if len(password) < 10:
        raise click.BadParameter("kata sandi minimal 10 karakter.", param_hint="--password")
    if db.session.execute(db.select(User.id).filter_by(email=email)).first():
        raise click.ClickException(f"E-mail {email} sudah dipakai akun lain.")
    agency = None
    if role == "superadmin":
        if slug:
            raise click.BadParameter("superadmin tidak terikat instansi.", param_hint="--agency")
    else:
        if not slug:
            raise click.BadParameter("wajib untuk peran selain superadmin.", param_hint="--agency")
        agency = find_agency(slug)
    officer = None
    if nip:
        officer = None
        if agency is not None:
            officer = db.session.execute(
                db.select(Officer).filter_by(nip=nip, agency_id=agency.id)
            ).scalar_one_or_none()
        if officer is None:
            raise click.BadParameter("NIP tidak ditemukan di instansi ini.", param_hint="--nip")
    elif role in ("supervisor", "officer"):
        raise click.BadParameter("wajib untuk peran atasan dan pegawai.", param_hint="--nip")
    user = User(email=email, name=name, role=role, agency=agency, officer=officer)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit("user_created", user, agency=agency, detail=f"{email} {role} (CLI)")
    db.session.commit()
    click.echo(f"Akun {email} ({role}) dibuat.")


@click.group("api-keys")
def api_keys_group():
    """Kunci API per instansi (/api/v1/)."""


@api_keys_group.command("create")
@click.option("--agency", "slug", required=True, help="Slug instansi.")
@click.option("--name", required=True, help="Untuk apa kunci ini, misalnya 'kios loket 1'.")
@click.option("--scope", type=click.Choice(["read", "write"]), default="read", show_default=True)
@with_appcontext
def api_keys_create(slug, name, scope):
    """Buat kunci API; kunci hanya ditampilkan sekali."""
    from portal.core.web.api import create_key

    agency = find_agency(slug)
    row, key = create_key(agency, name.strip()[:100], scope)
    db.session.flush()
    audit("api_key_created", agency, detail=f"{row.prefix} {scope} {name}")
    db.session.commit()
    click.echo(
        f"Kunci API {row.prefix} ({scope}) untuk {agency.slug} dibuat. Simpan sekarang; "
        "kunci tidak dapat ditampilkan lagi:"
    )
    click.echo(key)


@api_keys_group.command("list")
@click.option("--agency", "slug", required=True, help="Slug instansi.")
@with_appcontext
def api_keys_list(slug):
    """Daftar kunci API sebuah instansi."""
    from portal.core.models import ApiKey

    rows = db.session.scalars(
        db.select(ApiKey).filter_by(agency_id=find_agency(slug).id).order_by(ApiKey.created_at)
    ).all()
    if not rows:
        click.echo("Belum ada kunci API.")
    for row in rows:
        state = "aktif" if row.active else f"dicabut {row.revoked_at:%Y-%m-%d}"
        click.echo(f"{row.prefix}  {row.scope:<5}  {state:<18}  {row.name}")


@api_keys_group.command("revoke")
@click.argument("prefix")
@click.option("--agency", "slug", required=True, help="Slug instansi.")
@with_appcontext
def api_keys_revoke(prefix, slug):
    """Cabut kunci API dengan awalan PREFIX."""
    from portal.core.models import ApiKey
    from portal.core.util.timeutil import utcnow

    agency = find_agency(slug)
    row = db.session.execute(
        db.select(ApiKey).filter_by(prefix=prefix, agency_id=agency.id)
    ).scalar_one_or_none()
    if row is None:
        raise click.ClickException(f"Kunci {prefix} tidak ditemukan di instansi {slug}.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit("api_key_revoked", agency, detail=row.prefix)
        db.session.commit()
    click.echo(f"Kunci {prefix} dicabut.")


@click.command("anonymise")
@click.option(
    "--days",
    type=click.IntRange(min=30),
    default=None,
    help="Simpan data pribadi selama sekian hari setelah urusannya selesai (bawaan: PORTAL_RETENTION_DAYS).",
)
@with_appcontext
def anonymise(days):
    """Hapus data pribadi warga yang masa simpannya habis; statistik tetap utuh."""
    import datetime as dt

    from flask import current_app

    from portal.core.models import RatingEvent
    from portal.core.util.timeutil import utcnow

    days = days if days is not None else int(current_app.config["PORTAL_RETENTION_DAYS"])
    before = utcnow() - dt.timedelta(days=days)
    # Core's own: citizens' comments kept with ratings (the score stays).
    comments = db.session.execute(
        db.update(RatingEvent)
        .where(RatingEvent.created_at < before, RatingEvent.comment.isnot(None))
        .values(comment=None, comment_state=CommentState.NONE)
    ).rowcount
    counts = {"komentar penilaian": comments}
    for result in plugins.manager().hook.portal_anonymise(before=before):
        counts.update(result or {})
    detail = ", ".join(f"{label}: {n}" for label, n in sorted(counts.items()))
    audit("retention_anonymised", None, detail=f"sebelum {before:%Y-%m-%d}; {detail}")
    db.session.commit()
    click.echo(f"Data pribadi sebelum {before:%Y-%m-%d} ({days} hari) dianonimkan:")
    for label, n in sorted(counts.items()):
        click.echo(f"  {label}: {n}")
