"""`flask --app wsgi emulate`: place emulated calls against a running service and report."""

import json
import sys
import threading
from dataclasses import fields

import click
from flask import current_app
from flask.cli import with_appcontext

from helpline.emulator.options import BRIDGES, KeyMix, Options, Range, parse_listen
from helpline.emulator.report import render
from helpline.emulator.runner import run

DEFAULTS = {option.name: option.default for option in fields(Options)}


class _Parsed(click.ParamType):
    """A click type from a `parse` classmethod that raises ValueError."""

    def __init__(self, kind, metavar: str):
        self.kind = kind
        self.name = kind.__name__.lower()
        self.metavar = metavar

    def get_metavar(self, param, ctx=None) -> str:
        return self.metavar

    def convert(self, value, param, ctx):
        if isinstance(value, self.kind):
            return value
        try:
            return self.kind.parse(value)
        except ValueError as reason:
            self.fail(str(reason), param, ctx)


RANGE = _Parsed(Range, "LOW-HIGH")
FRACTION = click.FloatRange(0, 1)


@click.command("emulate")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True, help="Where the service listens, as the provider reaches it (what it signs).")
@click.option("--calls", type=click.IntRange(min=0), default=DEFAULTS["calls"], show_default=True, help="Calls to place.")
@click.option("--rate", type=click.FloatRange(min=0, min_open=True), default=DEFAULTS["rate"], show_default=True, help="New calls per real second.")
@click.option("--max-live", type=click.IntRange(min=1), default=DEFAULTS["max_live"], show_default=True, help="At most this many calls (threads) at once.")
@click.option("--callers", type=click.IntRange(min=1), default=DEFAULTS["callers"], show_default=True,
              help="Size of the pool of caller numbers (small: more repeat callers).")
@click.option("--anonymous", type=FRACTION, default=DEFAULTS["anonymous"], show_default=True, help="Fraction of callers who withhold their number.")
@click.option("--to", default=DEFAULTS["to"], show_default=True, help="The helpline number called.")
@click.option("--voice-path", default=DEFAULTS["voice_path"], show_default=True, help="The number's voice URL, relative to --base-url.")
@click.option("--status-path", default=DEFAULTS["status_path"], show_default=True, help="The number's status-callback URL.")
@click.option("--time-scale", type=click.FloatRange(min=0), default=DEFAULTS["time_scale"], show_default=True,
              help="Real seconds per emulated second (1: real time).")
@click.option("--wait", type=RANGE, default=str(DEFAULTS["wait"]), show_default=True,
              help="Emulated seconds a caller waits in the queue before being bridged or hanging up.")
@click.option("--talk", type=RANGE, default=str(DEFAULTS["talk"]), show_default=True, help="Emulated seconds a bridged caller talks.")
@click.option("--think", type=RANGE, default=str(DEFAULTS["think"]), show_default=True, help="Emulated seconds before pressing a key after the menu.")
@click.option("--play", type=RANGE, default=str(DEFAULTS["play"]), show_default=True, help="Emulated seconds one <Play> lasts.")
@click.option("--speech-rate", type=click.FloatRange(min=0, min_open=True), default=DEFAULTS["speech_rate"], show_default=True,
              help="Characters of <Say> text per emulated second.")
@click.option("--abandon", type=FRACTION, default=DEFAULTS["abandon"], show_default=True,
              help="Fraction of queued callers who hang up rather than being bridged.")
@click.option("--key-mix", type=_Parsed(KeyMix, "KEY=WEIGHT,…"), default=str(DEFAULTS["key_mix"]), show_default=True,
              help="What callers do at a menu: keys, `silence`, `wrong`, with weights.")
@click.option("--max-queue-size", type=click.IntRange(min=1), default=DEFAULTS["max_queue_size"], show_default=True,
              help="Provider-side queue limit; beyond it QueueResult=queue-full.")
@click.option("--max-bounces", type=click.IntRange(min=0), default=DEFAULTS["max_bounces"], show_default=True,
              help="Full-queue bounces a caller sits through before hanging up.")
@click.option("--rest-listen", metavar="HOST:PORT",
              help="Serve the fake provider REST API here (port 0: any free one); point the service's TWILIO_API_BASE_URL at it.")
@click.option("--bridge", type=click.Choice(BRIDGES),
              help="Who takes callers out of the queue: the emulator itself, or only REST redirects.  [default: rest with --rest-listen, else self]")
@click.option("--ring", type=RANGE, default=str(DEFAULTS["ring"]), show_default=True, help="Emulated seconds before a <Dial>ed counselor answers.")
@click.option("--counselor-no-answer", type=FRACTION, default=DEFAULTS["counselor_no_answer"], show_default=True,
              help="Fraction of <Dial>s the counselor does not answer.")
@click.option("--duplicates", type=FRACTION, default=0.0, show_default=True, help="Fraction of requests re-sent byte-identically, at once or later.")
@click.option("--out-of-order", type=FRACTION, default=0.0, show_default=True, help="Fraction of calls with callbacks delivered out of order.")
@click.option("--malformed", type=FRACTION, default=0.0, show_default=True, help="Fraction of calls with an extra malformed request, which must be refused.")
@click.option("--seed", type=int, help="Seed for a repeatable run (printed in the summary).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=DEFAULTS["timeout"], show_default=True, help="Seconds to wait for each answer.")
@click.option("--auth-token", help="Sign with this token instead of TWILIO_AUTH_TOKEN.")
@click.option("--account-sid", help="AccountSid to send instead of TWILIO_ACCOUNT_SID.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@with_appcontext
def emulate_command(base_url, auth_token, account_sid, as_json, **settings):
    """Place emulated provider calls against a running service and report on them.

    Exits 1 when there were problems: a valid request not answered 2xx, a malformed one
    not refused with a 4xx, TwiML that did not parse or uses what is not emulated.
    """
    auth_token = auth_token or current_app.config.get("TWILIO_AUTH_TOKEN")
    if not auth_token:
        raise click.UsageError("no auth token: set TWILIO_AUTH_TOKEN or pass --auth-token")
    account_sid = account_sid or current_app.config.get("TWILIO_ACCOUNT_SID") or ""
    try:
        if settings["rest_listen"] is not None:
            parse_listen(settings["rest_listen"])
        options = Options(**settings)
    except ValueError as reason:
        raise click.UsageError(str(reason)) from None
    if options.bridge == "rest" and options.rest_listen is None:
        raise click.UsageError("--bridge rest needs --rest-listen: nobody else can take callers out of the queue")
    if options.rest_listen is not None and not account_sid:
        raise click.UsageError("--rest-listen needs an AccountSid: set TWILIO_ACCOUNT_SID or pass --account-sid")

    lock = threading.Lock()
    with click.progressbar(length=options.calls, label="calls", file=sys.stderr) as bar:

        def advance() -> None:
            with lock:
                bar.update(1)

        def rest_started(url: str) -> None:
            click.echo(f"\nfake REST API at {url} (the service's TWILIO_API_BASE_URL)", err=True)

        summary = run(base_url, auth_token, account_sid, options, on_call_done=advance, on_rest_started=rest_started)
    click.echo(json.dumps(summary.to_dict(), indent=2, ensure_ascii=False) if as_json else render(summary))
    if not summary.ok:
        raise SystemExit(1)
