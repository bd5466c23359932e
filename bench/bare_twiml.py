"""The reference for the webhook benchmark: a bare Flask endpoint that answers a fixed TwiML
document (the one the service answers with: the greeting and menu for an incoming call, the
queue for a caller's key), under the same gunicorn settings.

    gunicorn -c config/gunicorn.conf.py bench.bare_twiml:app
"""

from flask import Flask, Response

ENQUEUE_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="en-US">Thank you. We are connecting you '
    "to a counselor; please stay on the line.</Say><Enqueue action=\"/twilio/queue-result?lang=en\" "
    'method="POST" waitUrl="/twilio/wait?lang=en" waitUrlMethod="POST">helpline</Enqueue></Response>'
)
# What the service answers `/twilio/voice` with in its default language.
VOICE_TWIML = (
    '<?xml version="1.0" encoding="UTF-8"?><Response><Say language="fa-IR">با خط مشاوره ۱۴۸۰ بهزیستی تماس '
    'گرفته‌اید. گفت‌وگوی شما محرمانه است.</Say><Gather action="/twilio/menu?attempt=1&amp;lang=fa" '
    'actionOnEmptyResult="false" method="POST" numDigits="1" timeout="6"><Say language="fa-IR">برای مشاوره '
    "روان‌شناختی ۱، کودک و خانواده ۲، معلولیت و توانبخشی ۳، سالمندان ۴، اعتیاد و آسیب‌های اجتماعی ۵ را فشار "
    "دهید. اگر کسی همین حالا در خطر است، ۹ را فشار دهید.</Say></Gather><Redirect method=\"POST\">"
    "/twilio/enqueue?lang=fa</Redirect></Response>"
)

app = Flask(__name__)


@app.post("/twilio/voice")
def voice():
    return Response(VOICE_TWIML, mimetype="text/xml")


@app.post("/twilio/menu")
@app.post("/twilio/queue-result")
def answer():
    return Response(ENQUEUE_TWIML, mimetype="text/xml")


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
