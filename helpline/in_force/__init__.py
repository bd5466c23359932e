"""The values in force: the files' and the environment's values with the changes administrators
saved, read by every part of the service and failing open to the files' when the database does
not answer.

    saved.py            the `settings` table as the service reads and writes it: once per
                        request, shared for a moment between requests, forgotten on change
    thresholds.py       thresholds and targets, with their limits and defaults
    phone_menu.py       the phone menu's prompts and key mapping
    taxonomy_labels.py  the taxonomy with its labels

The administration's views (`helpline.admin`) change them; nothing here imports the views.
"""
