"""Which backends exist. Every table callers read is derived here from the registered Backend classes.

A Backend subclass that declares its own `name` registers itself when its class is defined, and
importing `generation` imports every module of generation/backends/ (see generation.backends), so a
new backend is one new module there and no table to edit. The tables are plain dicts, refilled in
place on every (un)registration:

    BACKENDS             name -> "module:Class", imported only when used (backend.backend_class)
    INSTALL_HINTS        name -> what to install to get it
    NEEDS                name -> the modules it imports (backend.backend_available looks for them)
    BACKENDS_FOR_FORMAT  weight format -> the backends that run it, the default (lowest `order`) first
"""
from __future__ import annotations

REGISTERED: dict[str, type] = {}  # name -> its Backend subclass
BACKENDS: dict[str, str] = {}
INSTALL_HINTS: dict[str, str] = {}
NEEDS: dict[str, tuple[str, ...]] = {}
BACKENDS_FOR_FORMAT: dict[str, tuple[str, ...]] = {}


def register(cls: type) -> None:
    """Add a Backend subclass (Backend.__init_subclass__ calls this); a ValueError for a bad declaration."""
    name = cls.name
    if not isinstance(name, str) or not name:
        raise ValueError(f"{cls.__qualname__}: a backend's name must be a non-empty string")
    if not cls.formats:
        raise ValueError(f"{cls.__qualname__}: declare the weight formats the {name} backend runs (formats)")
    known = REGISTERED.get(name)
    if known is not None and _target(known) != _target(cls):  # the same class again (a reload) replaces itself
        raise ValueError(f"backend name {name!r} is taken by {_target(known)}")
    REGISTERED[name] = cls
    _derive()


def unregister(name: str) -> None:
    """Forget a backend (tests that define their own backend call this when done)."""
    REGISTERED.pop(name, None)
    _derive()


def formats() -> tuple[str, ...]:
    """Every weight format some backend runs, in the order of the backends that run them."""
    return tuple(BACKENDS_FOR_FORMAT)


def _target(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _derive() -> None:
    for table in (BACKENDS, INSTALL_HINTS, NEEDS, BACKENDS_FOR_FORMAT):
        table.clear()
    for cls in sorted(REGISTERED.values(), key=lambda c: c.order):
        BACKENDS[cls.name] = _target(cls)
        INSTALL_HINTS[cls.name] = cls.install_hint
        NEEDS[cls.name] = tuple(cls.needs)
        for fmt in cls.formats:
            BACKENDS_FOR_FORMAT[fmt] = (*BACKENDS_FOR_FORMAT.get(fmt, ()), cls.name)
