# Two commands on a fresh machine:  make plan STACK=prod  (offline main job)   make test  (lint + tests)
# `make plan` installs the runtime only (requirements.txt); `make test` adds the test tools (requirements-dev.txt).
STACK ?= prod
PY := venv/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check
RUNTIME := venv/.installed-runtime
DEV := venv/.installed-dev

.PHONY: test plan validate lint bench figures clean compat

$(PY):
	@echo "make: creating the virtualenv venv/ (python3 -m venv)"
	@python3 -m venv venv

$(RUNTIME): requirements.txt pyproject.toml | $(PY)
	@echo "make: installing the runtime into venv/ (requirements.txt: pulumi, pulumi-aws, pulumi-eks, pulumi-policy, ...)"
	@$(PIP) -r requirements.txt
	@echo "make: installing landing-zone itself (pip install --no-deps -e .: the lz command)"
	@$(PIP) --no-deps -e .
	@touch $@

$(DEV): $(RUNTIME) requirements-dev.txt
	@echo "make: installing the test tools into venv/ (requirements-dev.txt: pytest, ruff, hypothesis, moto, zizmor)"
	@$(PIP) -r requirements-dev.txt
	@touch $@

lint: $(DEV)
	$(PY) -m ruff check .

# Two workers: CI and these machines have 2 cores (pytest-xdist; each worker plans the shared stacks once).
test: lint
	$(PY) -m pytest -n 2

validate: $(RUNTIME)
	$(PY) -m landing_zone validate --stack $(STACK)

# The offline main job: validate, plan under mocks, policy-check over the Analyzer protocol (exit 1 on a mandatory
# violation). Writes out/<stack>/plan.json and out/$(STACK)/check.{txt,json,sarif,junit.xml}. STACK may be a stack
# of a split organization (e.g. prod.organization): every stack of it is planned and checked, then its merged plan.
# It ends by naming its reports and what to run next (lz reach / dr / cost / diagram, which reuse the fresh plan).
plan: validate
	$(PY) -m landing_zone check --stack $(STACK) --all --reports out/$(STACK)

bench: $(RUNTIME)
	$(PY) -m bench.validate
	$(PY) -m bench.scale --accounts 10 50
	$(PY) -m bench.stacks --accounts 200 1000

# Judge an SDK upgrade in one command (not part of `make test`): a fresh .compat-venv with the newest pulumi,
# pulumi-aws, pulumi-eks and pulumi-policy (everything else as pinned) runs the plan and pack tests, which exercise
# the two adapters to the SDKs' private internals (landing_zone/engine.py, policies/lz_policies/sdk.py).
COMPAT := .compat-venv
UPGRADED := pulumi pulumi-aws pulumi-eks pulumi-policy
COMPAT_TESTS := tests/landing_zone/test_engine.py tests/landing_zone/test_plan.py tests/landing_zone/test_plan_io.py \
	tests/landing_zone/test_preview.py tests/landing_zone/test_check.py tests/policies
compat:
	rm -rf $(COMPAT) && python3 -m venv $(COMPAT)
	grep -v -E '^($(subst $() ,|,$(UPGRADED)))==' requirements.txt > $(COMPAT)/requirements.txt
	grep -v -E '^-r ' requirements-dev.txt >> $(COMPAT)/requirements.txt
	$(COMPAT)/bin/pip install -q --disable-pip-version-check -r $(COMPAT)/requirements.txt $(UPGRADED)
	$(COMPAT)/bin/pip install -q --disable-pip-version-check --no-deps -e .
	@echo "compat: pinned:    $$(grep -E '^($(subst $() ,|,$(UPGRADED)))==' requirements.txt | tr '\n' ' ')"
	@echo "compat: installed: $$($(COMPAT)/bin/pip freeze | grep -i -E '^pulumi' | tr '\n' ' ')"
	LZ_COMPAT=1 $(COMPAT)/bin/python -m pytest -q -p no:cacheprovider $(COMPAT_TESTS); status=$$?; \
	if [ $$status -eq 0 ]; then echo "compat: PASS with the newest SDKs"; else echo "compat: FAIL (exit $$status)"; fi; \
	exit $$status

# Every figure README.md and docs/ quote (cost, resource and policy counts, the topology), from the tools.
figures: $(RUNTIME)
	$(PY) -m bench.readme_figures

clean:
	rm -rf out .hypothesis $(COMPAT)
