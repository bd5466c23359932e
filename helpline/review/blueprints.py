"""The review's blueprints: pages, and the JSON reveal under /api."""

from flask import Blueprint

from helpline.openapi.blueprint import ApiBlueprint

bp = Blueprint("review", __name__)
api_bp = ApiBlueprint("review_api", __name__, url_prefix="/api")

