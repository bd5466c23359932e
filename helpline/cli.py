"""Operators' commands: `flask --app wsgi users create`, `twiml fallback`, `spool replay`."""

import click
from flask import current_app
from flask.cli import AppGroup

from helpline import twiml
from helpline.auth import create_user
from helpline.db import db
from helpline.models import ROLES
from helpline.voice import record_batch

users_cli = AppGroup("users", help="Manage the people who use the service.")
twiml_cli = AppGroup("twiml", help="TwiML to configure at the provider.")
spool_cli = AppGroup("spool", help="Webhooks kept on disk while the database was down.")


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.password_option(help="Asked for twice when not given; read from stdin too.")
def users_create(name: str, role: str, password: str) -> None:
    """Create a user NAME with a role."""
    try:
        create_user(name, password, role)
    except ValueError as reason:
        raise click.UsageError(str(reason)) from None
    db.session.commit()
    click.echo(f"created {role} {name}")


@twiml_cli.command("fallback")
@click.option("--language", help="Prompt language (defaults to the menu's).")
def twiml_fallback(language: str | None) -> None:
    """Print the static TwiML for the provider's fallback URL.

    Host it at the provider (a TwiML Bin) and set it as the number's "primary handler
    fails" URL: while the service is down, callers are queued into the same queue.
    """
    menu = current_app.extensions["helpline.menu"]
    if language is not None and language not in menu.languages:
        raise click.BadParameter(f"no prompts for {language}", param_hint="--language")
    click.echo(twiml.provider_fallback(menu.language(language), queue_name=current_app.config["TWILIO_QUEUE_NAME"]))


@spool_cli.command("replay")
def spool_replay() -> None:
    """Record the spooled webhooks in the database now."""
    spool = current_app.extensions["helpline.spool"]
    count = spool.replay(record_batch, blocking=True)
    click.echo(f"replayed {count} webhooks")
