"""The administration's blueprints: pages under /admin, JSON under /api/admin."""

from flask import Blueprint

from helpline.openapi.blueprint import ApiBlueprint

pages = Blueprint("admin", __name__, url_prefix="/admin")
api = ApiBlueprint("admin_api", __name__, url_prefix="/api/admin")
