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

# The offline main job: validate, plan under mocks, policy-check over the Analyzer protocol (exit 1 on a mandatory
# violation). Writes out/$(STACK)/plan.json and check.{txt,json,sarif,junit.xml}.
plan: validate
	$(PY) -m landing_zone plan --stack $(STACK) --out out/$(STACK)/plan.json
	$(PY) -m landing_zone check --stack $(STACK) --plan out/$(STACK)/plan.json --reports out/$(STACK) \
		--output out/$(STACK)/check.txt; status=$$?; cat out/$(STACK)/check.txt; exit $$status

bench: $(STAMP)
	$(PY) -m bench.validate
	$(PY) -m bench.scale --accounts 10 50

clean:
	rm -rf out .hypothesis
