"""How many CPU threads compute engines use: physical cores (GEOLLM_THREADS overrides)."""
from __future__ import annotations

import os


def cpu_threads() -> int:
    import psutil  # here, not atop: `import generation` scans this package and stays light

    if os.environ.get("GEOLLM_THREADS", "").isdigit() and int(os.environ["GEOLLM_THREADS"]) > 0:
        return int(os.environ["GEOLLM_THREADS"])
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1
