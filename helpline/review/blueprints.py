"""The review's blueprints: pages, and the JSON reveal under /api."""

from flask import Blueprint

bp = Blueprint("review", __name__)
api_bp = Blueprint("review_api", __name__, url_prefix="/api")

