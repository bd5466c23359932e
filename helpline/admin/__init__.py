"""Administration (admin role only): users, thresholds and targets, taxonomy labels, the phone
menu's prompts and keys.

    blueprints.py        the page and JSON blueprints every module below adds routes to
    routes.py            imports the views, so registering its blueprints registers them all
    saved_settings.py    admin-saved values, read once per request and failing open
    users.py, users_views.py, users_api.py    accounts: create, (de)activate, password, role
    thresholds.py                             thresholds and targets of helpline.settings
    label_overrides.py, labels_views.py       labels of the taxonomy's keys
    menu_overrides.py, menu_views.py          prompts and key mapping of the phone menu
    text_checks.py                            what a label, a prompt or a URL may hold

This package's `__init__` imports nothing, so the readers (`helpline.voice`, `helpline.labels`)
can import the override modules without pulling in the views.
"""
