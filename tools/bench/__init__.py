"""The benchmark (``make bench``): ``bench.py`` against the budgets, ``bench_explorer.py`` for the explorer in the browser."""
