"""WSGI entry for gunicorn in benchmarks/load.py, used only while `tissu serve` does not run gunicorn itself."""

from dashboard.app import create_app

application = create_app().server
