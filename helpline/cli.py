"""Operators' commands: `flask --app wsgi users create`, `twiml fallback`, `spool replay`,
`retention`."""

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from helpline import clock, retention
from helpline.auth import create_user
from helpline.db import db
from helpline.models import ROLES, User
from helpline.spool import SET_ASIDE
from helpline.telephony.asterisk.endpoints import checked_endpoint
from helpline.telephony.twilio import twiml
from helpline.webhook_recording import record_spooled, rollback_quietly

users_cli = AppGroup("users", help="Manage the people who use the service.")
twiml_cli = AppGroup("twiml", help="TwiML to configure at the provider.")
spool_cli = AppGroup("spool", help="Webhooks kept on disk while the database was down.")


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--endpoint", help="A counselor's phone on Asterisk, such as PJSIP/201.")
@click.password_option(help="Asked for twice when not given; read from stdin too.")
def users_create(name: str, role: str, endpoint: str | None, password: str) -> None:
    """Create a user NAME with a role."""
    try:
        user = create_user(name, password, role)
        user.endpoint = checked_endpoint(endpoint)
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
@click.option("--set-aside", "set_aside_too", is_flag=True, help=f"Also try again the webhooks set aside in {SET_ASIDE}.")
def spool_replay(set_aside_too: bool) -> None:
    """Record the spooled webhooks in the database now."""
    spool = current_app.extensions["helpline.spool"]
    set_aside_before = 0 if set_aside_too else spool.set_aside_count()
    try:
        count = spool.replay(record_spooled, blocking=True, set_aside_too=set_aside_too)
    except SQLAlchemyError as error:
        rollback_quietly()
        backlog = spool.backlog()
        raise click.ClickException(
            f"the database did not answer ({type(error).__name__}); {backlog.webhooks} webhooks stay in the spool"
        ) from None
    click.echo(f"replayed {count} webhooks")
    set_aside = spool.set_aside_count() - set_aside_before
    if set_aside:
        click.echo(f"{set_aside} could not be recorded and were set aside in {spool.directory / SET_ASIDE}", err=True)


@click.command("retention")
@click.option(
    "--anonymise-days", type=click.IntRange(min=1), help="Anonymise calls that started more than this many days ago (default RETENTION_ANONYMISE_DAYS)."
)
@click.option("--purge-days", type=click.IntRange(min=1), help="Delete calls that started more than this many days ago (default RETENTION_PURGE_DAYS).")
@click.option("--batch-size", type=click.IntRange(min=1, max=100_000), help="Calls per transaction (default RETENTION_BATCH_SIZE).")
@click.option("--operator", help="The admin the audit log records the run under (default RETENTION_OPERATOR).")
@click.option("--dry-run", is_flag=True, help="Only count the calls each step would change.")
@with_appcontext
def retention_command(anonymise_days, purge_days, batch_size, operator, dry_run) -> None:
    """Anonymise, then purge, calls older than the configured ages.

    Each batch of calls is its own transaction, and the run's audit record counts what has been
    done so far; running again continues where an interrupted run stopped.
    """
    settings = current_app.config
    anonymise_days = anonymise_days or settings["RETENTION_ANONYMISE_DAYS"]
    purge_days = purge_days or settings["RETENTION_PURGE_DAYS"]
    batch_size = batch_size or settings["RETENTION_BATCH_SIZE"]
    try:
        retention.check_days(anonymise_days, purge_days)
    except ValueError as reason:
        raise click.UsageError(str(reason)) from None
    now = clock.now()
    cutoffs = retention.Cutoffs.of(now, anonymise_days, purge_days)
    steps = []
    if cutoffs.purge_before:
        steps.append(("purged", "Purging", retention.to_purge(cutoffs), retention.purge))
    if cutoffs.anonymise_before:
        steps.append(("anonymised", "Anonymising", retention.to_anonymise(cutoffs), retention.anonymise))
    if dry_run:
        for done, _, condition, _ in steps:
            click.echo(f"{retention.count(condition)} calls would be {done}")
        db.session.rollback()
        return
    record = retention.start_record(operator_id(operator or settings["RETENTION_OPERATOR"]), now, cutoffs, anonymise_days, purge_days)
    db.session.commit()
    for done, label, condition, change in steps:
        total = retention.count(condition)
        with click.progressbar(length=total, label=f"{label} {total} calls") as bar:
            for call_sids in retention.batches(condition, batch_size):
                change(call_sids)
                retention.add_to_record(record, done, len(call_sids))
                db.session.commit()
                bar.update(len(call_sids))
    retention.finish_record(record)
    db.session.commit()
    click.echo(f"{record.details['purged']} calls purged, {record.details['anonymised']} anonymised")


def operator_id(username: str | None) -> int:
    if not username:
        raise click.UsageError("name the admin the audit log records this under: --operator or RETENTION_OPERATOR")
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or user.role != "admin":
        raise click.BadParameter(f"{username} is not an admin", param_hint="--operator")
    return user.id
