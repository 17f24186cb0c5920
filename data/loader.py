"""The Loader contract: what one file format declares, how it registers itself, and the pip pins.

A subclass of :class:`Loader` that sets ``name`` registers itself when its class is defined
(``__init_subclass__``): an instance joins :data:`LOADERS`, kept in ``priority`` order (lower is
tried first), and its ``pins`` (module -> pip requirement) join :data:`PINS`, the versions named in
"pip install ..." advice.  The loaders themselves live in ``data/formats/``, one module per format,
all imported by ``data.formats``; ``data.registry`` picks among them.  This module imports none of
them, so nothing imports back into it: no cycle.

Optional libraries are imported only inside ``open`` (through :func:`require`, which turns a
missing or broken one into a DataLoadError naming the pip command), so importing ``data`` never fails.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any, ClassVar

from .errors import DataLoadError
from .source import Source

# Every registered loader, in priority order: the order pick_loader tries them.
LOADERS: list[Loader] = []
# module -> pip requirement, merged from the registered loaders' ``pins``.
PINS: dict[str, str] = {}


def require(module: str, purpose: str, pin: str | None = None) -> ModuleType:
    """Import ``module`` or raise a DataLoadError saying what to install."""
    try:
        return importlib.import_module(module)
    except Exception as exc:  # ImportError, or a broken install raising anything
        how = "is not installed" if isinstance(exc, ModuleNotFoundError) else "failed to import"
        pip = pin or PINS.get(module, module)
        raise DataLoadError(f"{purpose} needs {module}, which {how}: run `pip install {pip}`.") from exc


def importable(module: str) -> bool:
    """Whether ``module`` imports (a broken install raising anything counts as not)."""
    try:
        importlib.import_module(module)
    except Exception:
        return False
    return True


class Loader:
    """One file format.  Subclasses set the class attributes and ``open``; setting ``name`` registers."""

    name: ClassVar[str] = ""  # unique; a class without one (a shared base) is not registered
    description: ClassVar[str] = ""  # "a Parquet table": used in messages
    label: ClassVar[str] = ""  # short, for the uploader caption: "Parquet"
    supported: ClassVar[str] = ""  # its entry in the "supported: ..." hint; defaults to ``label``
    kind: ClassVar[str] = "table"  # "table" -> DataFrame, "grid" -> Dataset
    priority: ClassVar[int] = 100  # lower is tried first
    caption_order: ClassVar[int] = 100  # position in the caption and the hint (best known first)
    extensions: ClassVar[tuple[str, ...]] = ()
    signatures: ClassVar[tuple[str, ...]] = ()  # values of source.signature()
    needs_path: ClassVar[bool] = False
    requires: ClassVar[tuple[str, ...]] = ()  # modules imported by open()
    pins: ClassVar[dict[str, str]] = {}  # module -> pip requirement, for the advice

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name"):
            register(cls)

    def guess_can_open(self, source: Source, sig: str | None) -> bool:
        if self.signatures:
            return sig in self.signatures
        return sig is None and source.suffix in self.extensions

    def missing_dependency(self) -> str | None:
        """``None`` when the loader can run, else the pip command it needs."""
        for module in self.requires:
            if not importable(module):
                return f"pip install {PINS.get(module, module)}"
        return None

    def open(self, source: Source) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


def _install(loaders: list[Loader]) -> None:
    """Make ``loaders`` (sorted by priority) the registered ones, and PINS their pins merged; two
    different pins for one module are an error, and then nothing changes."""
    loaders = sorted(loaders, key=lambda x: x.priority)
    merged: dict[str, str] = {}
    for loader in loaders:
        for module, pin in loader.pins.items():
            if merged.setdefault(module, pin) != pin:
                raise ValueError(f"loader {loader.name!r} pins {pin} but another loader pins {merged[module]}.")
    LOADERS[:] = loaders
    PINS.clear()
    PINS.update(merged)


def register(cls: type[Loader]) -> None:
    """Add a loader class (called for you when a subclass sets ``name``)."""
    missing = [a for a in ("description", "label", "extensions") if not getattr(cls, a)]
    if cls.kind not in ("table", "grid"):
        missing.append('kind ("table" or "grid")')
    if missing:
        raise TypeError(f"loader {cls.__qualname__} must set {', '.join(missing)} (see data.loader).")
    where = f"{cls.__module__}.{cls.__qualname__}"
    for other in (type(x) for x in LOADERS if x.name == cls.name):
        if f"{other.__module__}.{other.__qualname__}" != where:  # the same class again (a reload) replaces
            raise ValueError(f"two loaders are named {cls.name!r}: {where} and "
                             f"{other.__module__}.{other.__qualname__}.")
    _install([x for x in LOADERS if x.name != cls.name] + [cls()])


def unregister(name: str) -> None:
    """Remove the loader called ``name`` (tests use it to clean up)."""
    _install([x for x in LOADERS if x.name != name])
