"""The WSGI entry point: `gunicorn -c config/gunicorn.conf.py wsgi:app`, `flask --app wsgi …`."""

from helpline import create_app

app = create_app()
