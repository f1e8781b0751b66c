"""The classroom dashboard served as a Voila app (``make demo``): ``demo_app.py``."""
