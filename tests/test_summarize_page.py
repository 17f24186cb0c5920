"""AppTest of the Summarize page: samples, uploads (good and bad), strategies, prompt preview, summary,
follow-ups that hit the prompt cache, the numbers check and the download."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest
import xarray as xr
from helpers import SMALL, open_page

@pytest.fixture(autouse=True)
def small_model(monkeypatch):
    monkeypatch.setenv("GEOLLM_MODEL", SMALL)


def summarize_page():
    return open_page("pages/summarize.py", timeout=600)


def captions(at) -> str:
    return "\n".join(c.value for c in at.caption)


def upload(at, name: str, content: bytes):
    at.radio(key="sum_source").set_value("Upload a file").run()
    at.file_uploader(key="sum_upload").upload(name, content).run()
    assert not at.exception, at.exception
    return at


def small_netcdf() -> bytes:
    lat = np.linspace(-60, 60, 7)
    lon = np.linspace(0, 330, 12)
    sst = 20 + 5 * np.cos(np.deg2rad(lat))[:, None] + np.zeros((7, 12))
    ds = xr.Dataset({"sst": (("lat", "lon"), sst, {"units": "degC", "long_name": "sea surface temperature"})},
                    coords={"lat": lat, "lon": lon}, attrs={"title": "Tiny test SST"})
    return ds.to_netcdf()  # NetCDF3 bytes (scipy)


def test_sample_summary_follow_up_uses_the_cache_and_numbers_are_checked():
    at = summarize_page()
    at.selectbox(key="sum_sample").set_value("seattle-weather").run()
    assert "Prompt uses" in captions(at)
    assert any("1,461 rows" in c.value for c in at.caption)
    preview = at.expander[1].code[0].value if at.expander[1].code else ""
    assert "1461 rows" in preview and "<|im_start|>system" in preview
    at.number_input(key="sum_max_new").set_value(48)
    at.button(key="sum_go").click().run()
    assert not at.exception and not at.error
    chat = at.session_state["sum_chat"]
    assert chat[0]["role"] == "assistant" and chat[0]["content"].strip()
    at.chat_input(key="sum_question").set_value("What was the highest temp_max?").run()
    chat = at.session_state["sum_chat"]
    assert [m["role"] for m in chat] == ["assistant", "user", "assistant"]
    assert "from cache" in chat[2]["stats"]  # the follow-up reused the dataset prefix
    assert "Numbers check" in captions(at) or not any(ch.isdigit() for m in chat for ch in m["content"])
    assert at.get("download_button")


def test_strategy_switch_changes_the_prompt_and_compare_lists_all():
    at = summarize_page()
    at.selectbox(key="sum_sample").set_value("mauna-loa-co2").run()
    stats_caption = next(c.value for c in at.caption if "Prompt uses" in c.value)
    at.selectbox(key="sum_strategy").set_value("json").run()
    json_caption = next(c.value for c in at.caption if "Prompt uses" in c.value)
    assert stats_caption != json_caption
    assert '"co2"' in at.expander[1].code[0].value
    at.button(key="sum_compare").click().run()
    table = at.dataframe[-1].value
    assert set(table["strategy"]) == {"head", "stats", "markdown", "json", "grid"}


def test_upload_netcdf_shows_a_map_and_summarizes():
    at = upload(summarize_page(), "tiny.nc", small_netcdf())
    assert at.session_state["dataset"]["name"] == "tiny.nc"
    assert at.get("image"), "the map of the uploaded field is drawn"
    assert '"Tiny test SST"' in at.expander[1].code[0].value
    at.number_input(key="sum_max_new").set_value(32)
    at.button(key="sum_go").click().run()
    assert not at.exception and not at.error and at.session_state["sum_chat"]


def test_upload_csv_table():
    df = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=30), "rain_mm": np.arange(30.0)})
    at = upload(summarize_page(), "rain.csv", df.to_csv(index=False).encode())
    assert at.session_state["dataset"]["obj"].shape == (30, 2)
    assert any("30 rows" in c.value for c in at.caption)


@pytest.mark.parametrize("name, content, words", [
    ("empty.csv", b"", "empty"),
    ("garbage.nc", bytes(range(256)) * 40, ""),
    ("picture.csv", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, ""),
    ("truncated.nc", small_netcdf()[:200], ""),
    ("data.xyz", b"1,2,3\n", "xyz"),
])
def test_bad_uploads_are_explained_and_the_previous_dataset_and_chat_are_kept(name, content, words):
    at = summarize_page()
    at.selectbox(key="sum_sample").set_value("elnino-sst").run()
    at.session_state["sum_chat"] = [{"role": "assistant", "content": "kept summary", "stats": ""}]
    upload(at, name, content)
    assert at.error, "a bad upload must say what is wrong"
    message = at.error[0].value
    assert name in message and "still showing" in message and words.lower() in message.lower()
    assert at.session_state["dataset"]["key"] == "sample:elnino-sst"
    assert at.session_state["sum_chat"][0]["content"] == "kept summary"


def test_upload_over_the_limit_is_refused():
    at = summarize_page()
    at.selectbox(key="sum_sample").set_value("elnino-sst").run()
    big = b"a,b\n" + b"1,2\n" * 70_000_000  # 280 MB, over the 200 MB limit
    upload(at, "big.csv", big)
    assert at.error and "upload limit" in at.error[0].value
