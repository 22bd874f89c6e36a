# Two commands on a fresh machine:  make plan STACK=prod  (offline main job)   make test  (lint + tests)
STACK ?= prod
PY := venv/bin/python
STAMP := venv/.installed

.PHONY: test plan validate lint bench clean

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	test -x $(PY) || python3 -m venv venv
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

lint: $(STAMP)
	$(PY) -m ruff check .

test: lint
	$(PY) -m pytest

validate: $(STAMP)
	$(PY) -m landing_zone validate --stack $(STACK)

plan: validate

bench: $(STAMP)
	$(PY) -m bench.validate

clean:
	rm -rf out .hypothesis
