"""The session's current dataset: one typed value, its key saying whether it is a sample or an upload."""
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
