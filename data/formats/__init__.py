"""The file formats: one module per format, each defining the Loader subclass(es) that read it.

:func:`discover` (run when this package is imported) imports every module of this package, and a
Loader subclass registers itself when it is defined (see data.loader), so adding a format is adding
one file here.  The modules import optional libraries only inside ``open``.
"""

from __future__ import annotations

import importlib
import pkgutil


def discover() -> list[str]:
    """Import every module of this package (those already imported are left as they are); their names."""
    names = [f"{__name__}.{module.name}" for module in pkgutil.iter_modules(__path__)]
    for name in names:
        importlib.import_module(name)
    return names


discover()
