"""Twilio: its signed webhooks and the TwiML that answers them, and its REST API.

    voice.py          the webhooks of a call: greeting and menu, the key, waiting, leaving the queue, status
    voice_connect.py  the webhooks that dial the counselor
    call_webhooks.py  what both share: the menu in force, the caller's language, the event, the TwiML
    webhook_checks.py signature and shape checks
    twiml.py          TwiML documents (pure)
    provider_rest.py  the REST API: taking a caller out of the provider's queue
"""
