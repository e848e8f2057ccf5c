"""WSGI entry point for any server: `gunicorn wsgi:app` or `waitress-serve wsgi:app`."""

import formwork
from formwork.tenancy.long_lived import freeze_long_lived

app = formwork.create_app()
freeze_long_lived()  # what the process keeps for good stays out of the collector's full passes
