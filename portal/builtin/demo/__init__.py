"""Built-in plugin: ``flask seed-demo``, the demo kabupaten of ``make run``."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from portal.core.plugin_system.hookspecs import hookimpl

NAME = "portal.demo"


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Isi data demo (idempoten) dan tampilkan akun untuk masuk."""
    from portal.builtin.demo.seed import seed

    for line in seed():
        click.echo(line)


@hookimpl
def portal_cli(cli):
    cli.add_command(seed_demo)
