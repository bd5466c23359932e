"""The review's blueprints with every route attached: register these two."""

from helpline.review import audit, call_page, overview, reveal_views, templating  # noqa: F401 (they add routes)
from helpline.review.blueprints import api_bp as review_api_bp
from helpline.review.blueprints import bp as review_bp

__all__ = ["review_api_bp", "review_bp"]
