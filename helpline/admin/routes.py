"""The administration's blueprints with every route attached: register these two."""

from flask import render_template

from helpline.admin import labels_views, menu_views, thresholds, users_api, users_views  # noqa: F401 (they add routes)
from helpline.admin.blueprints import api as admin_api_bp
from helpline.admin.blueprints import pages as admin_bp
from helpline.auth import roles_required

__all__ = ["admin_api_bp", "admin_bp"]


@admin_bp.get("/")
@roles_required("admin")
def index():
    return render_template("admin/index.html")
