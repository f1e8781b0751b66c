"""The benchmark (``make bench``): ``bench.py`` against the budgets, ``bench_explorer.py`` for the explorer in the
browser, ``bench_widgets.py`` for the chapter widgets' control moves in the kernel."""
