"""The reference for the webhook benchmark: a bare Flask endpoint that answers a fixed TwiML
document (the one the service answers a caller's key with), under the same gunicorn settings.

    gunicorn -c config/gunicorn.conf.py bench.bare_twiml:app
"""

from flask import Flask, Response

ENQUEUE_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="en-US">Thank you. We are connecting you '
    "to a counselor; please stay on the line.</Say><Enqueue action=\"/twilio/queue-result?lang=en\" "
    'method="POST" waitUrl="/twilio/wait?lang=en" waitUrlMethod="POST">helpline</Enqueue></Response>'
)

app = Flask(__name__)


@app.post("/twilio/menu")
@app.post("/twilio/queue-result")
def answer():
    return Response(ENQUEUE_TWIML, mimetype="text/xml")


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
