"""The Flask extensions the app factory sets up (those with settings of their own live beside
their feature: the login manager and limiter in `auth`, Socket.IO in `live`, the database in `db`)."""

from flask_babel import Babel
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
