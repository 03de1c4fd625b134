"""Extension objects, bound to an app in :func:`app.create_app`."""

from __future__ import annotations

from flask_babel import Babel
from flask_compress import Compress
from flask_login import LoginManager
from flask_wtf import CSRFProtect

babel = Babel()
compress = Compress()
csrf = CSRFProtect()
login_manager = LoginManager()
