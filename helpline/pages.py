"""Pages: the dashboard, and the front-end packages installed from npm."""

from flask import Blueprint, abort, redirect, render_template, send_from_directory, url_for
from flask_login import current_user

import config
from helpline.api import language
from helpline.auth import roles_required
from helpline.in_force.taxonomy_labels import current_taxonomy
from helpline.in_force.thresholds import threshold
from helpline.models import ROLES, SUPERVISING_ROLES

bp = Blueprint("pages", __name__)

NODE_MODULES = config.ROOT / "node_modules"
# The browser files the pages use, from the packages in package.json (never a CDN or a copy).
VENDOR_FILES = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "socket.io.min.js.map": "socket.io-client/dist/socket.io.min.js.map",
    "chart.umd.js": "chart.js/dist/chart.umd.js",
    "vazirmatn.woff2": "vazirmatn/fonts/webfonts/Vazirmatn[wght].woff2",
}


@bp.get("/")
def index():
    return redirect(url_for("pages.dashboard"))


@bp.get("/dashboard")
@roles_required(*ROLES)
def dashboard():
    taxonomy = current_taxonomy()
    return render_template(
        "dashboard.html",
        user=current_user,
        taxonomy=taxonomy.as_api(language()),
        aging_step=threshold("aging_step_seconds"),
        supervising_roles=SUPERVISING_ROLES,
    )


@bp.get("/vendor/<name>")
def vendor(name: str):
    if name not in VENDOR_FILES:
        abort(404)
    relative = VENDOR_FILES[name]
    if not (NODE_MODULES / relative).is_file():
        abort(404, f"{relative} is missing: run `npm ci`")
    return send_from_directory(NODE_MODULES, relative, max_age=3600)
