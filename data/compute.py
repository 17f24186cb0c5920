"""Where the values of lazy (dask-backed) arrays are computed: the one place that picks the scheduler.

Every read of values in the app (the encoders' one-pass statistics, the dataset tools, area weights)
goes through :func:`compute` (a nest of lazy objects, like ``dask.compute``) or :func:`load` (one
xarray object, like its ``.compute()``):

* without ``GEOLLM_DASK_SCHEDULER``: dask's threaded scheduler in this process, stopped at the
  caller's :func:`data.budgets.time_limit` by a callback before each task;
* with ``GEOLLM_DASK_SCHEDULER=tcp://host:8786`` naming a dask.distributed scheduler: the same
  graphs run there through one ``distributed.Client`` per process (connected at the first compute,
  then reused).  Dask's local callbacks do not run on a cluster, so the time limit is a timeout on
  the futures: past it they are cancelled and the same :class:`data.budgets.WorkTimeout` is raised.

What travels is the lazily opened dataset: xarray's file-backed arrays pickle as their path and
open options, never their values, so every worker must read the file at the SAME path (one machine:
always; several machines: a shared filesystem mounted at the same path, with ``TMPDIR`` on it for
uploads, which ``data.registry`` saves to a temporary file).  The size budgets of ``data.budgets``
are checked from metadata before any of this, and only the results come back to the app.
"""
from __future__ import annotations

import os
import threading
from typing import Any

from . import budgets
from .errors import DataLoadError

SCHEDULER_ENV = "GEOLLM_DASK_SCHEDULER"
CONNECT_SECONDS = 5.0

_clients: dict[str, Any] = {}
_lock = threading.Lock()


class SchedulerError(DataLoadError):
    """``GEOLLM_DASK_SCHEDULER`` names a scheduler that cannot be reached (or stopped answering)."""


def scheduler_address() -> str | None:
    """The dask.distributed scheduler named by ``GEOLLM_DASK_SCHEDULER``; ``None``: the threaded scheduler."""
    return os.environ.get(SCHEDULER_ENV, "").strip() or None


def compute(*lazy: Any) -> tuple[Any, ...]:
    """``dask.compute(*lazy)`` on the chosen scheduler, within the current time limit: the nests of lazy
    objects with their values, read in one pass."""
    address = scheduler_address()
    if address is None:
        import dask

        return dask.compute(*lazy, callbacks=budgets.deadline_callbacks())
    return _on_cluster(client(address), address, lazy)


def load(obj: Any) -> Any:
    """``obj.compute()`` for an xarray object (values still lazy without dask are read here)."""
    (done,) = compute(obj)
    return done.compute() if hasattr(done, "compute") else done


def client(address: str) -> Any:
    """The process's Client of the scheduler at ``address``, connected at its first use."""
    with _lock:
        found = _clients.get(address)
        if found is not None and found.status == "running":
            return found
        try:
            from distributed import Client

            _clients[address] = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, ValueError, TypeError) as exc:  # distributed raises OSError when nothing answers
            raise SchedulerError(f"{SCHEDULER_ENV}={address} : no dask scheduler answers there "
                                 f"({_reason(exc)}); start one (`dask scheduler`) or unset {SCHEDULER_ENV} "
                                 "to compute in this process.") from exc
        return _clients[address]


def close() -> None:
    """Close every Client of this process (tests, and a clean exit)."""
    with _lock:
        for c in _clients.values():
            c.close()
        _clients.clear()


def _on_cluster(c: Any, address: str, lazy: tuple[Any, ...]) -> tuple[Any, ...]:
    """``lazy`` computed on the cluster: its futures waited for until the time limit, then cancelled."""
    from concurrent.futures import CancelledError

    from dask.base import unpack_collections
    from distributed.comm.core import CommClosedError

    collections, repack = unpack_collections(*lazy)
    if not collections:
        return lazy
    budgets.check_time()
    futures = c.compute(collections)
    try:
        return repack([f.result(timeout=budgets.seconds_left()) for f in futures])
    except TimeoutError:
        c.cancel(futures)
        raise budgets.timed_out() from None
    except (CommClosedError, CancelledError) as exc:  # the scheduler went away mid-way
        c.cancel(futures)
        raise SchedulerError(f"{SCHEDULER_ENV}={address} : the dask scheduler stopped answering "
                             f"({_reason(exc)}); try again, or unset {SCHEDULER_ENV}.") from exc
    except (RuntimeError, ImportError) as exc:
        if not isinstance(exc, ImportError) and not isinstance(exc.__cause__, ImportError):
            raise
        c.cancel(futures)
        cause = exc if isinstance(exc, ImportError) else exc.__cause__
        raise SchedulerError(f"{SCHEDULER_ENV}={address} : the dask scheduler or a worker cannot import the "
                             f"app's code ({_reason(cause)}): start them from the app's folder with its "
                             "packages importable (`PYTHONPATH=. .venv/bin/dask scheduler`, the same for "
                             "`dask worker`).") from exc
    except FileNotFoundError as exc:  # a worker on another machine cannot see the file
        c.cancel(futures)
        raise DataLoadError(f"a dask worker of {SCHEDULER_ENV}={address} could not open the file "
                            f"({_reason(exc)}): every worker must see it at the same path (a shared "
                            "filesystem; for uploads, TMPDIR on it).") from exc


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__
