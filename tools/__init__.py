"""Maintainer commands, kept out of the learner's way: none of this is imported by a chapter.

Run them through ``make`` (see the Makefile) or as modules from the repository root, for example
``python -m tools.execute_notebooks notebooks/03_the_four_steps.ipynb``:

* ``tools.execute_notebooks`` -- ``make execute``: the only way stored outputs are made
* ``tools.make_images`` -- ``make images``: the diagrams in ``images/``
* ``tools.kernel`` -- part of the set-up step: the environment's Jupyter kernel with the course's settings
* ``tools.site`` -- ``make html``: the static book
* ``tools.slides`` -- ``make slides``: the reveal.js decks and their slide metadata
* ``tools.demo`` -- ``make demo``: the classroom dashboard as a Voila app
* ``tools.bench`` -- ``make bench``: timings against the course's budgets
"""
