# The two commands of the README: `make serve` starts elbd, `make test` runs the whole suite.
# Both first build the project's virtualenv (.venv) from pyproject.toml when it is missing or stale.
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: serve test

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/elbd serve

test: $(STAMP)
	$(VENV)/bin/pytest
