"""The ceiling of ``python -m bench --only web``: a Flask "hello" served by the same gunicorn."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "hola"
