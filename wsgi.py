"""WSGI entry point for gunicorn and `flask --app wsgi`."""

from reception import create_app

app = create_app()
