"""The administration's blueprints: pages under /admin, JSON under /api/admin."""

from flask import Blueprint

pages = Blueprint("admin", __name__, url_prefix="/admin")
api = Blueprint("admin_api", __name__, url_prefix="/api/admin")
