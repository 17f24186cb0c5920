"""GEOLLM_DASK_SCHEDULER: the encoders' one-pass statistics and the dataset tools run unchanged on a real
dask.distributed LocalCluster (2 worker processes on 127.0.0.1, started here), the time budget stops work
there with the same message, and an address where nothing answers is one clear line."""
from __future__ import annotations

import socket
import time
import warnings
from pathlib import Path

import dask.array as da
import numpy as np
import pytest
import xarray as xr
from helpers import REALDATA

import encoders
from data import DataLoadError, budgets
from data import compute as scheduler
from data.registry import open_path, open_upload
from tools import default_registry

FILE = "TREFHT.B06.66.atm.1890-1999ANN.nc"  # 3.6 MB: lat x lon x 110 years
pytestmark = pytest.mark.skipif(not (REALDATA / FILE).exists(), reason=f"no real data files in {REALDATA}")


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as local:
        yield local
        scheduler.close()


@pytest.fixture
def on_cluster(cluster, monkeypatch):
    monkeypatch.setenv(scheduler.SCHEDULER_ENV, cluster.scheduler_address)
    return cluster


def opened(path: Path = REALDATA / FILE):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return open_path(path)


def tasks_done(cluster) -> int:
    """Transitions the cluster's scheduler has made: it grows only when work ran there."""
    return cluster.scheduler.transition_counter


def tool_results(ds) -> dict:
    registry = default_registry(ds)
    calls = {"statistic": {"variable": "TREFHT", "stat": "max"},
             "area_weighted_mean": {"variable": "TREFHT", "time_start": "1950", "time_end": "1959"}}
    out = {}
    for name, args in calls.items():
        res = registry.call(name, args)
        assert res.ok, res.error
        out[name] = res.value
    return out


def test_the_encoder_facts_of_a_real_file_are_the_threaded_schedulers(on_cluster, monkeypatch):
    ds = opened()
    before = tasks_done(on_cluster)
    remote = encoders.encode(ds, "stats", 1500)
    assert tasks_done(on_cluster) > before  # the statistics were computed on the cluster
    monkeypatch.delenv(scheduler.SCHEDULER_ENV)
    local = encoders.encode(ds, "stats", 1500)
    assert remote.text == local.text and len(remote.facts) > 10
    assert [(f.key, f.value) for f in remote.facts] == [(f.key, f.value) for f in local.facts]


def test_dataset_tools_give_the_threaded_schedulers_results(on_cluster, monkeypatch):
    ds = opened()
    before = tasks_done(on_cluster)
    remote = tool_results(ds)
    assert tasks_done(on_cluster) > before
    monkeypatch.delenv(scheduler.SCHEDULER_ENV)
    assert remote == tool_results(ds)
    assert remote["statistic"]["value"] == pytest.approx(float(xr.open_dataset(REALDATA / FILE).TREFHT.max()), rel=1e-5)


def test_an_upload_is_read_by_the_workers_from_its_saved_path(on_cluster):
    ds = open_upload(FILE, (REALDATA / FILE).read_bytes())  # saved to a temp file, opened lazily from it
    before = tasks_done(on_cluster)
    value = tool_results(ds)["statistic"]["value"]
    assert tasks_done(on_cluster) > before
    assert value == pytest.approx(float(xr.open_dataset(REALDATA / FILE).TREFHT.max()), rel=1e-5)


def test_the_time_budget_stops_a_slow_computation_on_the_cluster_with_the_same_message(on_cluster):
    def slow(block):
        time.sleep(0.25)
        return block

    # 160 x 0.25 s on 2 workers: ~20 s of work; the 3 s limit leaves a loaded machine time to send the graph
    values = da.ones((160, 8), chunks=(1, 8)).map_blocks(slow)
    ds = xr.Dataset({"t": (("lat", "lon"), values)},
                    coords={"lat": np.linspace(-80, 80, 160), "lon": np.arange(8.0) * 45})
    before = tasks_done(on_cluster)
    with budgets.time_limit(3.0), pytest.raises(budgets.WorkTimeout) as exc:
        encoders.encode(ds, budget=800)
    assert tasks_done(on_cluster) > before  # stopped on the cluster, not by the threaded scheduler's callback
    assert str(exc.value).startswith("reading its values stopped at the 3 s time budget for one step in the app")
    assert "geollm summarize" in str(exc.value)
    for _ in range(100):  # the cancelled tasks leave the cluster (a running one finishes its 0.25 s first)
        if not on_cluster.scheduler.tasks:
            break
        time.sleep(0.1)
    assert not on_cluster.scheduler.tasks
    assert "t" in encoders.encode(ds.isel(lat=slice(0, 4)), budget=800).text  # no limit: the same work completes


def test_an_address_where_no_scheduler_answers_is_one_clear_line(monkeypatch):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    monkeypatch.setenv(scheduler.SCHEDULER_ENV, address)
    monkeypatch.setattr(scheduler, "CONNECT_SECONDS", 1.0)
    with pytest.raises(scheduler.SchedulerError) as exc:
        encoders.encode(opened(), "stats", 1500)
    msg = str(exc.value)
    assert msg.startswith(f"GEOLLM_DASK_SCHEDULER={address} : no dask scheduler answers there (")
    assert "\n" not in msg and "unset GEOLLM_DASK_SCHEDULER" in msg
    res = default_registry(opened()).call("statistic", {"variable": "TREFHT", "stat": "max"})
    assert not res.ok and "no dask scheduler answers there" in res.error  # a tool says so, the chat goes on


def test_an_unreachable_scheduler_on_the_summarize_page_is_one_error_line(monkeypatch):
    from helpers import SMALL, open_page

    tiny = xr.Dataset({"sst": (("lat", "lon"), np.full((7, 12), 20.0))},
                      coords={"lat": np.linspace(-60, 60, 7), "lon": np.arange(12) * 30.0}).to_netcdf()
    monkeypatch.setenv("GEOLLM_MODEL", SMALL)
    monkeypatch.setenv(scheduler.SCHEDULER_ENV, "tcp://127.0.0.1:9")  # the discard port: nothing answers
    monkeypatch.setattr(scheduler, "CONNECT_SECONDS", 1.0)
    at = open_page("pages/summarize.py", timeout=600)
    at.radio(key="sum_source").set_value("Upload a file").run()
    at.file_uploader(key="sum_upload").upload("tiny.nc", tiny).run()
    assert not at.exception, at.exception
    errors = [e.value.replace("\\", "") for e in at.error]  # the page escapes markdown
    assert any("GEOLLM_DASK_SCHEDULER=tcp://127.0.0.1:9 : no dask scheduler answers there" in e for e in errors), errors
    assert all("\n" not in e and "Traceback" not in e for e in errors)


def test_a_file_the_workers_cannot_see_at_its_path_says_so(on_cluster, tmp_path):
    copy = tmp_path / FILE
    copy.write_bytes((REALDATA / FILE).read_bytes())
    ds = opened(copy)  # the app holds it open; the workers open it by path, as on another machine
    copy.unlink()
    with pytest.raises(DataLoadError) as exc:
        encoders.encode(ds, "stats", 1500)
    assert "every worker must see it at the same path" in str(exc.value) and str(copy) in str(exc.value)
