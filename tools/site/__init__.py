"""The static HTML book (``make html``): ``build_site.py`` and the templates and style sheet in ``assets/``."""
