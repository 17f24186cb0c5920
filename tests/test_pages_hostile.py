"""Broken and hostile files on the pages and the CLI (issue 13): every failure is one clear message, never a
traceback; a refused file keeps the previous dataset and chat; an upload survives a visit to another page;
strings from a file are shown as plain text (no markdown image, no HTML); plot labels are cut; in LAN mode the
Images & text page reads CLIP files only from the allowed folder."""
from __future__ import annotations

import re
import subprocess
import sys

import netCDF4
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from helpers import REALDATA, ROOT, SMALL, open_page

from geollm.failures import cause
from pages import _ui

HOSTILE_IMAGE = "![x](http://203.0.113.5/a.png)"
HOSTILE_HTML = "<img src=http://203.0.113.5/b.png>"
HOSTILE_FRAME = "<iframe src=http://203.0.113.5/c.html></iframe>"
KEPT = [{"role": "assistant", "content": "kept summary", "stats": ""}]


@pytest.fixture(autouse=True)
def small_model(monkeypatch):
    monkeypatch.setenv("GEOLLM_MODEL", SMALL)


def with_sample_and_chat():
    """The Summarize page on a sample, with a chat to keep."""
    at = open_page("pages/summarize.py", timeout=600)
    at.selectbox(key="sum_sample").set_value("elnino-sst").run()
    at.session_state["sum_chat"] = [dict(m) for m in KEPT]
    return at.run()


def upload(at, name: str, content: bytes):
    at.radio(key="sum_source").set_value("Upload a file").run()
    at.file_uploader(key="sum_upload").upload(name, content).run()
    assert not at.exception, at.exception
    return at


def assert_kept(at) -> str:
    """The previous dataset and chat are still there; the one error line, returned."""
    assert not at.exception
    assert at.session_state["dataset"].key == "sample:elnino-sst"
    assert at.session_state["sum_chat"][0]["content"] == "kept summary"
    assert len(at.error) == 1, [e.value for e in at.error]
    message = at.error[0].value
    assert "Traceback" not in message and "Error:" not in message and "\n" not in message
    assert "still showing" in message
    return message


def corrupt_chunk_netcdf(path) -> bytes:
    """A NetCDF4 file whose header is intact but whose one compressed chunk is garbage: it opens lazily and
    fails only when its values are read."""
    with netCDF4.Dataset(path, "w") as nc:
        nc.createDimension("lat", 90)
        nc.createDimension("lon", 180)
        nc.createVariable("lat", "f4", ("lat",))[:] = np.linspace(-89, 89, 90)
        nc.createVariable("lon", "f4", ("lon",))[:] = np.linspace(0, 358, 180)
        t = nc.createVariable("t", "f4", ("lat", "lon"), zlib=True, chunksizes=(90, 180))
        t[:] = np.random.default_rng(0).normal(280, 10, (90, 180))
    raw = bytearray(path.read_bytes())
    for i in range(len(raw) // 2, len(raw) // 2 + 200):
        raw[i] ^= 0xFF
    path.write_bytes(bytes(raw))
    return bytes(raw)


# --- broken uploads: one message, the previous dataset and chat kept -------------------------------------

def test_corrupt_bytes_under_a_hostile_name_are_refused_as_plain_text():
    name = f"{HOSTILE_IMAGE}.nc"
    at = upload(with_sample_and_chat(), name, bytes(range(256)) * 40)
    message = assert_kept(at)
    assert _ui.plain(name) in message and "![" not in message


def test_a_corrupt_compressed_chunk_is_refused_before_it_replaces_anything(tmp_path):
    at = upload(with_sample_and_chat(), "corrupt_chunk.nc", corrupt_chunk_netcdf(tmp_path / "c.nc"))
    message = assert_kept(at)
    assert "corrupt\\_chunk.nc" in message and "variable 't'" in message and "corrupt" in message


def test_integers_beyond_64_bits_open_or_are_refused_never_a_traceback():
    table = b"id,value\n" + str(2**70).encode() + b",1.5\n3,2.5\n"
    at = upload(with_sample_and_chat(), "huge_ints.csv", table)
    assert not at.exception
    if at.error:
        assert_kept(at)
    else:
        assert at.session_state["dataset"].name == "huge_ints.csv"
        assert at.dataframe  # the table is shown


def test_a_table_arrow_cannot_show_is_refused_and_the_chat_kept(monkeypatch):
    import data

    at = with_sample_and_chat()
    monkeypatch.setattr(data, "open_upload", lambda *a, **k: pd.DataFrame({"n": [2**70, 1]}, dtype=object))
    message = assert_kept(upload(at, "objects.csv", b"n\n1\n"))
    assert "objects.csv could not be drawn" in message and "64 bits" in message


def test_a_runtime_error_while_encoding_names_the_new_file_and_keeps_the_old(monkeypatch):
    import encoders

    at = with_sample_and_chat()
    real = encoders.encode

    def failing(obj, *args, title="", **kwargs):
        if title == "tiny.csv":
            raise RuntimeError("NetCDF: HDF error")
        return real(obj, *args, title=title, **kwargs)

    monkeypatch.setattr(encoders, "encode", failing)
    message = assert_kept(upload(at, "tiny.csv", b"a,b\n1,2\n3,4\n"))
    assert message.startswith("The values of tiny.csv could not be read: NetCDF: HDF error")
    at.run()  # drawn again: the same one line, still the old dataset
    assert_kept(at)


def test_a_real_file_too_slow_to_read_stops_at_the_time_budget_and_keeps_the_old(monkeypatch):
    from data import budgets

    real = REALDATA / "hgt.nc"
    if not real.is_file():
        pytest.skip("../shared/realdata is not here")
    at = with_sample_and_chat()
    monkeypatch.setattr(budgets, "MAX_WORK_SECONDS", 1e-6)  # any read is past it, as a huge file would be
    message = assert_kept(upload(at, "hgt.nc", real.read_bytes()))
    assert message.startswith("The values of hgt.nc could not be read: "
                              "reading its values stopped at the 1e-06 s time budget")
    assert "subset" in message and "geollm summarize" in message
    monkeypatch.setattr(budgets, "MAX_WORK_SECONDS", 60.0)
    at.file_uploader(key="sum_upload").upload("hgt.nc", real.read_bytes()).run()  # within the limit: it opens
    assert not at.exception and at.session_state["dataset"].name == "hgt.nc"


def test_out_of_memory_while_drawing_is_one_message(monkeypatch):
    from geollm import plots

    at = with_sample_and_chat()

    def no_memory(*args, **kwargs):
        raise MemoryError()

    monkeypatch.setattr(plots, "grid_png", no_memory)
    grid = xr.Dataset({"v": (("y", "x"), np.ones((3, 4)))}).to_netcdf()
    message = assert_kept(upload(at, "grid.nc", grid))
    assert "grid.nc could not be drawn: there is not enough memory" in message


# --- an upload survives navigation; hostile names stay text ---------------------------------------------

def test_an_upload_stays_the_dataset_after_a_visit_to_the_tools_page():
    at = upload(open_page("pages/summarize.py", timeout=600), "rain.csv", b"day,rain_mm\n1,0.5\n2,3.0\n3,1.25\n")
    key = at.session_state["dataset"].key
    at.session_state["sum_chat"] = [dict(m) for m in KEPT]
    at.switch_page("pages/tool_calls.py").run()
    box = at.selectbox(key="tools_dataset")
    assert not at.exception and box.options[box.index] == "loaded: rain.csv" and box.value == "loaded:" + key
    at.switch_page("pages/summarize.py").run()
    assert not at.exception and not at.error
    assert at.radio(key="sum_source").value == "Upload a file"
    assert at.session_state["dataset"].key == key
    assert at.session_state["sum_chat"][0]["content"] == "kept summary"
    assert any("Showing your upload **rain.csv**" in c.value for c in at.caption)
    assert "rain.csv" in at.expander[0].label


def test_a_sample_stays_the_dataset_after_a_visit_to_another_page():
    at = with_sample_and_chat()
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/summarize.py").run()
    assert not at.exception
    assert at.selectbox(key="sum_sample").value == "elnino-sst"
    assert at.session_state["sum_chat"][0]["content"] == "kept summary"


def rendered_markdown(at) -> list[str]:
    """Every text the page renders as markdown (not code blocks, not the app's own HTML answers)."""
    texts = [e.value for kind in ("markdown", "caption", "error", "warning", "info", "success") for e in at.get(kind)]
    return texts + [e.label for e in at.expander] + [w.label for w in at.get("slider")]


def assert_inert(texts: list[str]) -> None:
    for text in texts:
        assert "![" not in text and not re.search(r"(?<!\\)<(img|iframe)", text), text


def test_hostile_column_names_and_attributes_render_as_plain_text():
    table = pd.DataFrame({HOSTILE_IMAGE: [1.0, 2.0], HOSTILE_HTML: [3.0, 4.0], HOSTILE_FRAME: [5.0, 6.0]})
    at = upload(open_page("pages/summarize.py", timeout=600), f"{HOSTILE_IMAGE}.csv",
                table.to_csv(index=False).encode())
    assert at.session_state["dataset"].obj.shape == (2, 3) and not at.error
    texts = rendered_markdown(at)
    assert any("\\!\\[x\\]" in t for t in texts)  # the file name is shown, escaped
    assert_inert(texts)
    grid = xr.Dataset({"v": (("step", "y", "x"), np.ones((2, 3, 4)), {"long_name": HOSTILE_IMAGE})},
                      attrs={"title": HOSTILE_HTML}).rename({"step": HOSTILE_FRAME})
    upload(at, "grid.nc", grid.to_netcdf(engine="scipy"))
    assert at.session_state["dataset"].name == "grid.nc" and not at.error
    texts = rendered_markdown(at)
    assert any("\\<iframe" in t for t in texts)  # the step slider names the dimension, escaped
    assert_inert(texts)


def test_plain_escapes_markup_and_keeps_the_words():
    text = _ui.plain(f"{HOSTILE_IMAGE} {HOSTILE_HTML}\n*b* _i_ `c` $x$ a&b | ~s~ #h")
    assert "\n" not in text and "![" not in text and not re.search(r"(?<![\\])[<>\[\]()*_`$&|~#]", text)
    assert re.sub(r"\\(.)", r"\1", text) == f"{HOSTILE_IMAGE} {HOSTILE_HTML} *b* _i_ `c` $x$ a&b | ~s~ #h"


def test_plot_labels_are_cut_so_a_huge_attribute_cannot_make_a_huge_canvas():
    from io import BytesIO

    from PIL import Image

    from geollm import plots

    ds = xr.Dataset({"v": (("lat", "lon"), np.random.rand(5, 6), {"long_name": "x" * 100_000 + "$\\frac{",
                                                                 "units": "u" * 100_000})},
                    coords={"lat": np.linspace(-10, 10, 5), "lon": np.linspace(0, 50, 6)})
    ds.lat.attrs["long_name"] = "L" * 100_000
    flat = xr.Dataset({"v": (("y", "x"), np.random.rand(5, 6), {"long_name": "$\\frac{a" * 1000})})
    flat.y.attrs["long_name"] = "Y" * 10_000
    for grid in (ds, flat):
        width, height = Image.open(BytesIO(plots.grid_png(grid, "v"))).size
        assert width < 2000 and height < 1200


def test_failures_are_worded_without_class_names():
    assert cause(MemoryError()).startswith("there is not enough memory")
    assert "64 bits" in cause(OverflowError("Python int too large to convert to C long"))
    assert cause(KeyError("unknown model 'x'")) == "unknown model 'x'" and cause(KeyError("v")) == "'v' is missing"
    assert cause(RuntimeError("")) and "Error" not in cause(RuntimeError(""))
    assert len(cause(ValueError("y" * 5000))) <= 240


# --- LAN mode: CLIP files only from the allowed folder ----------------------------------------------------

@pytest.fixture
def lan(monkeypatch, tmp_path):
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", "0.0.0.0")
    monkeypatch.setenv("GEOLLM_WEIGHTS_DIR", str(tmp_path / "weights"))
    yield tmp_path / "weights"
    config.set_option("server.address", before)


def test_on_a_lan_only_the_weights_folder_may_be_read(lan, tmp_path):
    assert _ui.weights_folder() == lan.resolve()
    _ui.check_readable(str(lan / "open_clip.bin"))
    for outside in ("/etc/passwd", str(lan / ".." / "secret.bin"), str(tmp_path / "x.bin"), "~/.ssh/id_rsa"):
        with pytest.raises(ValueError, match="served on the network.*GEOLLM_WEIGHTS_DIR"):
            _ui.check_readable(outside)


def test_on_localhost_any_path_may_be_read():
    assert _ui.weights_folder() is None
    _ui.check_readable("/etc/passwd")


@pytest.mark.slow
def test_the_images_page_refuses_a_path_outside_the_folder_on_a_lan(lan):
    at = open_page("pages/multimodal.py", timeout=900)
    at.radio(key="mm_source").set_value("open_clip model from disk").run()
    assert any("reads them only from" in i.value for i in at.info)
    at.text_input(key="mm_oc_file").set_value("/etc/passwd")
    at.button[-1].click().run()  # the form's Load button
    assert not at.exception
    assert any("Could not load it: this app is served on the network" in e.value for e in at.error)


# --- the command line: one line, never a traceback ---------------------------------------------------------

def test_cli_says_one_line_for_a_corrupt_chunk(tmp_path):
    path = tmp_path / "corrupt_chunk.nc"
    corrupt_chunk_netcdf(path)
    result = subprocess.run([sys.executable, "-m", "geollm", "summarize", str(path), "--model", SMALL,
                             "--prompt-only"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    last = [line for line in result.stderr.splitlines() if line.strip()][-1]
    assert last.startswith("error: ") and "variable 't'" in last and "corrupt" in last


def test_cli_turns_any_unexpected_failure_into_one_line(monkeypatch, capsys):
    from geollm import cli

    def broken(args):
        raise MemoryError()

    monkeypatch.setattr(cli, "run_summary", broken)
    assert cli.main(["summarize", "x.csv"]) == cli.EXIT_FAILED
    err = capsys.readouterr().err.strip()
    assert err == "error: there is not enough memory for it here; try a smaller subset of the file, or the command line"


def test_a_series_on_a_noleap_calendar_is_drawn_in_decimal_years():
    """nc-time-axis is not installed: cftime dates are drawn as decimal years instead of failing the upload."""
    import numpy as np
    import xarray as xr

    from geollm import plots

    times = xr.date_range("2000-01-01", periods=24, freq="MS", calendar="noleap", use_cftime=True)
    ds = xr.Dataset({"tas": ("time", np.arange(24.0))}, coords={"time": times})
    assert plots.grid_png(ds, "tas").startswith(b"\x89PNG")
