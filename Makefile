# The two commands of the README: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-requirements

.PHONY: run test bench bytecode clean

$(STAMP): requirements.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	cp requirements.txt $(STAMP)

# The project's modules compiled ahead, as pip does for installed packages: where
# PYTHONDONTWRITEBYTECODE is set (as in many container images) every new process (the app, each
# command, each reading child) would otherwise compile them again, about 0.1 s each time.
bytecode: $(STAMP)
	$(PY) -m compileall -q pilotage_qualite tools

# The demo is loaded into a new base before the server starts (its progress in the terminal), so
# that the first visit shows the dashboard at once; the app still loads it itself into a new
# data folder it finds empty.
run: bytecode
	$(PY) -m pilotage_qualite demo --premier-demarrage
	@echo "Ouvrez http://127.0.0.1:8501 dans votre navigateur (Ctrl+C ici pour arrêter l'application)."
	$(PY) -m streamlit run app.py

test: bytecode
	$(PY) -m pytest

# Performance goals (docs/performance.md); generated inputs are cached in tools/bench/cache/.
bench: bytecode
	$(PY) -m tools.bench.run

clean:
	rm -rf $(VENV) data/local
