"""Administration (admin role only): users, thresholds and targets, taxonomy labels, the phone
menu's prompts and keys.

    blueprints.py        the page and JSON blueprints every module below adds routes to
    routes.py            imports the views, so registering its blueprints registers them all
    users.py, users_views.py, users_api.py    accounts: create, (de)activate, password, role
    thresholds.py                             thresholds and targets (`helpline.in_force.thresholds`)
    labels_views.py                           labels of the taxonomy's keys
    menu_views.py                             prompts and key mapping of the phone menu

What the views change, and every reader reads, is `helpline.in_force`'s: the values in force.
"""
