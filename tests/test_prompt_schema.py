"""The tools as the model reads them: short schemas, the shared arguments said once, calls still validated in full."""
from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from helpers import REALDATA

from tools import default_registry
from tools.prompt_schema import compact_variables


@pytest.fixture(autouse=True)
def short(monkeypatch):
    monkeypatch.setenv("GEOLLM_TOOL_SCHEMAS", "short")


def grid() -> xr.Dataset:
    time = pd.date_range("2000-01-01", periods=24, freq="MS")
    return xr.Dataset({"sst": (("time", "lat", "lon"), np.random.default_rng(0).normal(290, 5, (24, 3, 4)),
                               {"units": "K"})},
                      coords={"time": time, "lat": [-10.0, 0.0, 10.0], "lon": [0.0, 90.0, 180.0, 270.0]})


def signature(function: dict) -> tuple[str, list[str]]:
    """The name and the parameters a short schema's description writes: ``name(a, b?: x|y): summary``."""
    head, _, _ = function["description"].partition("): ")
    name, _, params = head.partition("(")
    return name, [p for p in re.split(r", (?=[a-z_]+\??(?::|,|$))", params) if p]


def test_each_tool_is_one_signature_with_every_parameter_and_its_short_enums():
    registry = default_registry(grid())
    full = {s["function"]["name"]: s["function"] for s in registry.schemas()}
    short = {s["function"]["name"]: s["function"] for s in registry.prompt_schemas()}
    assert list(short) == list(full)
    for name, function in short.items():
        written, params = signature(function)
        required = full[name]["parameters"].get("required", [])
        assert written == name and function["parameters"] == {"type": "object"}
        assert [p.split(":")[0].rstrip("?") for p in params] == list(full[name]["parameters"]["properties"])
        assert [p.split(":")[0] for p in params if not p.split(":")[0].endswith("?")] == required, params
    stat = signature(short["statistic"])[1]
    assert "stat: mean|min|max|std|sum|median|quantile|count" in stat and "time_start?" in stat  # shared: bare
    assert "anomaly(variable, time: The month, YYYY-MM," in short["anomaly"]["description"]  # a format it shows
    assert "(" not in short["count_threshold"]["description"].partition("): ")[2]  # the summary's parentheses go
    assert len(json.dumps(list(short.values()))) < len(json.dumps(list(full.values()))) / 3


def test_the_short_schemas_are_the_default_and_full_ones_are_a_setting(monkeypatch):
    monkeypatch.delenv("GEOLLM_TOOL_SCHEMAS")
    registry = default_registry(grid())
    assert registry.prompt_schemas() != registry.schemas()
    assert "Arguments the tools share" in registry.system_message()["content"]
    monkeypatch.setenv("GEOLLM_TOOL_SCHEMAS", "full")
    assert registry.prompt_schemas() == registry.schemas()
    assert "Arguments the tools share" not in registry.system_message()["content"]


def test_the_shared_arguments_are_explained_once_in_the_system_message():
    registry = default_registry(grid())
    text = registry.system_message()["content"]
    assert text.count("lat_min=-15, lat_max=15") == 1 and "season: DJF, MAM, JJA or SON" in text
    assert text.count("leave out") == 1  # the rule on arguments a question does not name is said once
    assert all("lat_min=-15" not in json.dumps(s) for s in registry.prompt_schemas())
    units = default_registry(grid().assign(sst=grid()["sst"].assign_attrs(units="degC")))
    assert "to_units: other units for the result (K, degC, degF)" in units.system_message()["content"]


def test_a_call_is_still_checked_against_the_full_schema():
    """The short schema drops bounds and the variable enum; the registry still refuses what breaks them."""
    registry = default_registry(grid())
    assert "sst" not in json.dumps(registry.prompt_schemas({"statistic"}))
    wrong_name = registry.call("statistic", {"variable": "tas", "stat": "mean"})
    out_of_range = registry.call("statistic", {"variable": "sst", "stat": "mean", "lat_min": -120, "lat_max": 10})
    right = registry.call("statistic", {"variable": "sst", "stat": "max"})
    assert not wrong_name.ok and "sst" in wrong_name.text
    assert not out_of_range.ok and right.ok
    assert abs(right.value["value"] - float(grid()["sst"].max())) < 0.01  # results are rounded for the model


def test_numbered_names_are_written_as_ranges_and_a_long_list_is_cut_with_a_count():
    variables = [{"name": f"PRECT_{state}_CD{n}", "units": "inches", "dims": ["time"]}
                 for state in ("AL", "AZ") for n in range(1, 9)] + [{"name": "date", "units": None, "dims": ["time"]}]
    out = compact_variables(variables)
    assert out[0] == {"names": ["PRECT_AL_CD{1..8}", "PRECT_AZ_CD{1..8}"], "units": "inches", "dims": ["time"]}
    assert out[1] == {"name": "date", "dims": ["time"]}
    assert compact_variables([{"name": n, "dims": ["x"]} for n in ("a1", "a2", "b07")]) == \
        [{"names": ["a1", "a2", "b07"], "dims": ["x"]}]  # two in a row stay as written, and a zero-padded count
    many = [{"name": f"v{chr(97 + i % 26)}{i // 26}x", "dims": ["t"]} for i in range(100)]
    cut = compact_variables(many, limit=10)
    assert len(cut[0]["names"]) == 10 and cut[0]["more"].startswith("90 more names")
    past = compact_variables([{"name": "a", "dims": ["x"]}, {"name": "b", "dims": ["y"]}], limit=1)
    assert past == [{"name": "a", "dims": ["x"]}, {"names": [], "more": "1 more name (list_variables lists them all)",
                                                   "dims": ["y"]}]  # past the limit a lone name is counted, not shown


def test_a_long_variable_enum_is_not_repeated_in_every_full_schema(monkeypatch):
    """climdiv_prcp has 345 variables: their enum in every tool made a 29,000-token Tools prompt."""
    monkeypatch.setenv("GEOLLM_TOOL_SCHEMAS", "full")
    many = xr.Dataset({f"v{i}": (("time",), np.arange(3.0)) for i in range(60)},
                      coords={"time": pd.date_range("2000-01-01", periods=3, freq="D")})
    registry = default_registry(many)
    offered = registry.prompt_schemas({"statistic"})[0]["function"]["parameters"]["properties"]["variable"]
    assert "enum" not in offered and "extent lists" in offered["description"]
    assert len(registry.schemas({"statistic"})[0]["function"]["parameters"]["properties"]["variable"]["enum"]) == 60
    assert not registry.call("statistic", {"variable": "v99", "stat": "mean"}).ok
    assert registry.call("statistic", {"variable": "v59", "stat": "mean"}).ok
    few = default_registry(grid()).prompt_schemas({"statistic"})[0]["function"]["parameters"]["properties"]
    assert few["variable"]["enum"] == ["sst"]  # a short enum stays


@pytest.mark.skipif(not REALDATA.is_dir(), reason="../shared/realdata is not here")
def test_every_real_files_tools_prompt_is_at_most_1500_tokens():
    """Issue 15: with every tool on, the whole short Tools prompt of each of the 20 real files, rendered with the
    0.5B's own chat template (the 1.5B's tokenizer and template are the same), fits in 1,500 tokens."""
    import data
    from generation import POOL, load_models

    backend = POOL.get(load_models().get("qwen2.5-coder-0.5b"), "llama.cpp").backend
    question = {"role": "user", "content": "What is the mean of the first variable over the whole file?"}
    counts = {}
    for path in sorted(REALDATA.glob("*.nc")):
        registry = default_registry(data.open_upload(path.name, path.read_bytes()))
        prompt = backend.apply_chat_template([registry.system_message(), question], registry.prompt_schemas())
        counts[path.name] = backend.count_tokens(prompt)
    assert len(counts) == 20 and max(counts.values()) <= 1500, counts
