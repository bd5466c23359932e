"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py wsgi:app`.

One worker process with many threads: Flask-SocketIO's threading mode keeps each
dashboard's websocket on a thread, and gunicorn's load balancing cannot keep a Socket.IO
client on one worker. Run more processes behind a proxy with `REDIS_URL` set instead.
`GUNICORN_CMD_ARGS` overrides any of these (for example `--bind`).
"""

import os

os.environ.setdefault("HELPLINE_ENV", "production")

bind = os.environ.get("HELPLINE_BIND", "127.0.0.1:8000")
workers = 1
worker_class = "gthread"
threads = int(os.environ.get("HELPLINE_THREADS", "100"))
# The provider waits at most 15 s for TwiML; a request still running long after is stuck.
timeout = 30
graceful_timeout = 20
keepalive = 5
# The app (and its database engine) is created in the worker, after the fork.
preload_app = False
accesslog = "-"
# The default format logs the query string and nothing of the form body: no caller numbers.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
