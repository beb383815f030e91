"""Built-in plugin: the agency's administration under ``/kelola/`` (units,
desks, officers, logins, modules, weights, audit log, logo, API keys), the
review queue of held ratings, and ``flask import-officers``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import url_for
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

from portal.core.cli import find_agency
from portal.core.models import audit
from portal.core.plugin_system.hookspecs import hookimpl
from portal.core.plugin_system.plugins import NavItem
from portal.extensions import db

NAME = "portal.manage"


@hookimpl
def portal_blueprints(app):
    from portal.builtin.manage.views import bp

    return [bp]


@hookimpl
def portal_account_links(user):
    return [NavItem(10, _l("Kelola"), url_for("kelola.index"))]


@hookimpl
def portal_cli(cli):
    cli.add_command(import_officers_cmd)


@click.command("import-officers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--agency", "slug", required=True, help="Slug instansi.")
@with_appcontext
def import_officers_cmd(file, slug):
    """Impor pegawai dari CSV (kolom: nip, nama, jabatan, unit, nip_atasan).

    Semua baris diperiksa dulu; bila ada yang salah, tidak ada yang disimpan.
    """
    from portal.core.tenancy.officers import import_officers, read_csv

    agency = find_agency(slug)
    try:
        rows = read_csv(file.read_bytes())
    except (UnicodeDecodeError, ValueError):
        raise click.ClickException("Berkas bukan CSV berkode UTF-8.") from None
    if not rows:
        raise click.ClickException("Berkas tidak berisi baris data.")
    result = import_officers(agency, rows)
    if not result.ok:
        db.session.rollback()
        for line, message in result.errors:
            click.echo(f"baris {line}: {message}", err=True)
        raise click.ClickException(f"{len(result.errors)} baris salah; tidak ada yang disimpan.")
    audit("officers_imported", agency, detail=f"created={result.created} updated={result.updated}")
    db.session.commit()
    click.echo(f"Impor selesai: {result.created} pegawai baru, {result.updated} diperbarui.")
