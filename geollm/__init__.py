"""GeoLLM Explorer's command line: `python -m geollm summarize FILE` (see geollm/cli.py)."""
