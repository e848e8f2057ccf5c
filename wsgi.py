"""WSGI entry point for any server: `gunicorn wsgi:app` or `waitress-serve wsgi:app`."""

import formwork

app = formwork.create_app()
