"""`GET /healthz`: the service and its database answer."""

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from helpline.db import db
from helpline.webhook_recording import replay_spool, rollback_quietly

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as error:
        rollback_quietly()
        log.warning("health check: database unavailable (%s)", type(error).__name__)
        return jsonify(status="unavailable", database=False), 503
    # Health checks come often: a good moment to bring spooled webhooks home.
    replay_spool(answering=True)
    return jsonify(status="ok", database=True)
