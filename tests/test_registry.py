"""The model registry: built-ins, and a user TOML whose broken entries are reported, never fatal."""
from generation.registry import DEFAULT_MODEL_ID, load_models


def write(tmp_path, text):
    path = tmp_path / "models.toml"
    path.write_text(text)
    return path


def test_builtins_are_there_with_sha256_and_backends():
    catalog = load_models()
    assert DEFAULT_MODEL_ID in catalog.models
    for spec in catalog.models.values():
        if not spec.path and spec.format == "gguf":
            assert len(spec.sha256) == 64 and spec.parts
    assert catalog.get("smollm2-135m").backends == ("llama.cpp", "transformers", "mlx", "llama-server")


def test_user_models_are_added(tmp_path):
    catalog = load_models(write(tmp_path, """
[[model]]
id = "mine"
gguf = "~/models/mine.Q4.gguf"
context_length = 2048

[[model]]
id = "class-server"
openai_base_url = "http://127.0.0.1:8000/v1/"
openai_model = "qwen"
api_key_env = "CLASS_KEY"

[[model]]
id = "hf-folder"
hf = "/models/hf"
"""))
    assert not catalog.problems
    assert catalog.get("mine").format == "gguf" and catalog.get("mine").context_length == 2048
    server = catalog.get("class-server")
    assert server.backends == ("openai",) and server.base_url == "http://127.0.0.1:8000/v1"
    assert catalog.get("hf-folder").backends == ("transformers", "mlx")


def test_broken_entries_are_reported_and_skipped(tmp_path):
    catalog = load_models(write(tmp_path, """
[[model]]
gguf = "/x.gguf"

[[model]]
id = "two-sources"
gguf = "/x.gguf"
hf = "/y"

[[model]]
id = "no-name"
openai_base_url = "http://127.0.0.1:1/v1"

[[model]]
id = "qwen2.5-coder-1.5b"
gguf = "/x.gguf"

[[model]]
id = "ok"
gguf = "/fine.gguf"
"""))
    text = "\n".join(catalog.problems)
    assert "needs an id" in text and "exactly one of" in text and "openai_model" in text and "is taken" in text
    assert "ok" in catalog.models and "two-sources" not in catalog.models


def test_unreadable_toml_is_one_problem_not_a_crash(tmp_path):
    catalog = load_models(write(tmp_path, "[[model]\nid = "))
    assert len(catalog.problems) == 1 and "cannot read" in catalog.problems[0]
    assert DEFAULT_MODEL_ID in catalog.models
