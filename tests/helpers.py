"""Constants and helpers the tests share (importable from any test folder)."""
from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
ARTIFACTS = ROOT / "artifacts"
REALDATA = ROOT.parent / "shared" / "realdata"  # the 20 real NetCDF files (NCAR GeoCAT); tests skip without them

SMALL = "smollm2-135m"  # plumbing tests
TOOL_MODEL = "qwen2.5-coder-0.5b"  # when a parseable tool call is needed


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def local_backend(name: str):
    """A loaded SmolLM2 backend, cached per test session (loading is the slow part)."""
    import pytest

    from generation import backend_available, load_models
    from generation.shared import load_backend

    if not backend_available(name):
        pytest.skip(f"{name} is not installed")
    cache = local_backend.__dict__.setdefault("cache", {})
    if name not in cache:
        cache[name] = load_backend(load_models().get(SMALL), name)
    return cache[name]


def greedy(max_new_tokens: int = 16):
    from generation import Sampling

    return Sampling(max_new_tokens=max_new_tokens)


def start_server(command: list[str], ready_url: str, ready=lambda r: r.status_code == 200, env=None,
                 timeout: float = 90.0):
    """Start a real server process and wait until `ready_url` answers; the caller terminates it."""
    import subprocess
    import time

    import httpx
    import pytest

    ARTIFACTS.mkdir(exist_ok=True)  # the server's own output, for a failure seen only in CI
    log = open(ARTIFACTS / f"server_{httpx.URL(ready_url).port}.log", "w")
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()  # the child holds its own handle
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if ready(httpx.get(ready_url, timeout=2)):
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    proc.kill()
    pytest.fail(f"{' '.join(command[:4])}… did not come up at {ready_url}")


def stop_server(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except Exception:
        proc.kill()


def open_page(page: str | None = None, timeout: float = 300):
    """An AppTest of the app, run once, then switched to `page` (a path like "pages/generate.py")."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=timeout)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at
