"""The app's top shared layer, under the pages and the benchmarks: the command line (`python -m geollm summarize
FILE`, cli.py), the one wording of failures for pages and CLI (failures.py), and the figures pages and
benchmarks draw (plots.py)."""
