"""The taxonomy as users see it: the file's keys with the labels an administrator changed.

Read it with `current_taxonomy()` wherever labels are shown. When the database does not answer,
it is the file's taxonomy: labels never fail a page or a webhook.
"""

from flask import current_app

from helpline.admin.label_overrides import saved_overrides
from helpline.admin.saved_settings import per_request
from helpline.taxonomy import Taxonomy


def current_taxonomy() -> Taxonomy:
    return per_request("taxonomy", labelled_taxonomy)


def labelled_taxonomy() -> Taxonomy:
    file_taxonomy = current_app.extensions["helpline.taxonomy"]
    overrides = saved_overrides()
    return file_taxonomy.with_labels(overrides) if overrides else file_taxonomy
