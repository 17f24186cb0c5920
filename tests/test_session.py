"""The session's current dataset (one typed value, its key saying sample or upload) and the one dataset picker
that offers it on the pages."""
from __future__ import annotations

import dataclasses

import pandas as pd
import pytest
import xarray as xr

from geollm.session import CurrentDataset


def test_a_sample_and_an_upload_are_told_apart_by_their_key():
    sample = CurrentDataset("sample:elnino-sst", "El Niño SST", pd.DataFrame({"a": [1]}), "CC-BY")
    upload = CurrentDataset("upload:abc", "rain.csv", xr.Dataset({"v": (("y", "x"), [[1.0]])}))
    assert (sample.sample_id, sample.is_upload, sample.is_grid) == ("elnino-sst", False, False)
    assert (upload.sample_id, upload.is_upload, upload.is_grid, upload.note) == (None, True, True, "")


def test_it_is_frozen_and_compared_by_identity():
    one = CurrentDataset("upload:abc", "rain.csv", pd.DataFrame({"a": [1]}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.name = "other.csv"
    assert one == one and one != CurrentDataset(one.key, one.name, one.obj)


def picker_script():
    import streamlit as st

    from data.catalog import SAMPLES
    from pages import _ui

    pick = _ui.pick_dataset("Dataset", "pick", [s for s in SAMPLES.values() if s.kind == "grid"], none="(none)",
                            offer_current=lambda current: current.is_grid)
    st.write(f"{pick.value}|{pick.key}|{pick.name}|{type(pick.open()).__name__}")


def test_the_picker_offers_the_current_grid_first_and_samples_by_id():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(picker_script)
    at.session_state["dataset"] = CurrentDataset("upload:f1", "my grid.nc", xr.Dataset({"v": (("y", "x"), [[1.0]])}))
    at.run()
    box = at.selectbox(key="pick")
    assert not at.exception and box.options[:2] == ["(none)", "loaded: my grid.nc"]
    assert box.value == "loaded:upload:f1" and at.markdown[0].value == "loaded:upload:f1|upload:f1|my grid.nc|Dataset"
    assert "sample: Synthetic monthly climate (tas, pr), 10 years" in box.options
    box.set_value("synthetic-climate").run()
    assert at.markdown[0].value.startswith("synthetic-climate|sample:synthetic-climate|Synthetic monthly climate")
    box.set_value("").run()
    assert at.markdown[0].value == "||" + "|NoneType"


def test_the_picker_leaves_out_a_current_dataset_it_does_not_accept():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(picker_script)
    at.session_state["dataset"] = CurrentDataset("upload:f2", "rain.csv", pd.DataFrame({"rain": [1.0]}))
    at.run()
    assert not at.exception and not any(o.startswith("loaded:") for o in at.selectbox(key="pick").options)
    assert at.selectbox(key="pick").value == ""
