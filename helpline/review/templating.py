"""What every review template is given: the labels in the reader's language, and links to
another page of a paged list that keep the rest of the query string."""

from flask import request, url_for

from helpline.i18n import page_language
from helpline.review.blueprints import bp
from helpline.words import Names


def page_url(parameter: str, number: int) -> str:
    query = {**request.args.to_dict(), parameter: str(number)}
    return url_for(request.endpoint, **(request.view_args or {}), **query)


@bp.context_processor
def review_context() -> dict:
    return {"names": Names(page_language()), "page_url": page_url}
