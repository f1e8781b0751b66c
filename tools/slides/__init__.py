"""The reveal.js decks (``make slides``): ``build_slides.py``, and ``add_slide_metadata.py`` for the chapters' slide breaks."""
