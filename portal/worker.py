"""Entry point for Celery: ``celery -A portal.worker worker -B``."""

from portal import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
