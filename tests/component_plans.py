"""Plan a small program -- a function that builds a few components -- under the shared recording mocks.

    from component_plans import account, plan_program

    def test_spoke(record):        # or plan_program(...) directly, e.g. from a functools.cache'd helper
        rec = record(lambda: SpokeVpc("spoke", SpokeVpcArgs(account=account("dev-apps"), region="ap-south-1", ...)))
        assert rec.one("aws:ec2/vpc:Vpc")["inputs"]["cidrBlock"] == "10.0.0.0/16"

`plan_program` runs the callable under landing_zone.plan_monitor's RecordingMonitor with the landing_zone.mocks
tables -- the same code `lz plan` uses -- and returns a Recording over the plan JSON. The handle builders (`account`,
`management`, `ORGANIZATION`, `LOG_ARCHIVE`) give a component the small typed args it needs without an Organization
component or a whole stack config; call them inside the program (an account's providers are resources).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from components.context import AccountContext, LogArchive
from components.providers import account_providers, management_providers
from landing_zone import plan as plan_mod
from landing_zone.mocks import fake_account_id
from landing_zone.models import Account, Organization, Vpc
from landing_zone.plan_index import account_of, index_by_urn
from landing_zone.plan_monitor import RecordingMonitor

HOME, DR = "ap-south-1", "ap-south-2"
MANAGEMENT_ACCOUNT_ID = "111111111111"
ORGANIZATION = Organization(name="test", management_account_id=MANAGEMENT_ACCOUNT_ID)
LOG_ARCHIVE = LogArchive(
    bucket_name="lz-log-archive-test", bucket_arn="arn:aws:s3:::lz-log-archive-test",
    kms_key_arn=f"arn:aws:kms:{HOME}:{MANAGEMENT_ACCOUNT_ID}:key/00000000-0000-4000-8000-00000000000a",
    elb_logs_bucket_by_region={HOME: f"lz-log-archive-elb-test-{HOME}"})


class Recording:
    """The plan of one run plus the lookups tests need (resources as the engine received them)."""

    def __init__(self, plan: dict, monitor: RecordingMonitor):
        self.plan = plan
        self.monitor = monitor
        self.resources: list[dict] = plan["resources"]
        self.outputs: dict = plan["outputs"]
        self.invokes: list[tuple[str, dict]] = monitor.mocks.invokes
        self.logs: list[tuple[str, str]] = monitor.log_messages
        self.index = index_by_urn(plan)

    def of_type(self, type_token: str, account: str | None = None) -> list[dict]:
        """Resources of a type, optionally only those in one account (by their provider's `account` tag)."""
        return [r for r in self.resources if r["type"] == type_token
                and (account is None or self.account_of(r) == account)]

    def one(self, type_token: str) -> dict:
        found = self.of_type(type_token)
        assert len(found) == 1, f"expected one {type_token}, found {[r['name'] for r in found]}"
        return found[0]

    def named(self, name: str) -> dict:
        found = [r for r in self.resources if r["name"] == name]
        assert len(found) == 1, f"expected one resource named {name}, found {len(found)}"
        return found[0]

    def by_urn(self, urn: str) -> dict:
        return self.index[urn]

    def account_of(self, resource: Mapping[str, Any]) -> str:
        return account_of(self.index, resource)

    def region_of(self, resource: Mapping[str, Any]) -> str:
        provider = self.index.get(resource["provider"].rsplit("::", 1)[0], {})
        return provider.get("inputs", {}).get("region", "")


def plan_program(program: Callable[[], Any] | Path, *, stack: str = "test", config: Mapping[str, Any] | None = None,
                 secret_keys: tuple[str, ...] = (), preview: bool = False, region: str = HOME) -> Recording:
    """Run `program` (a callable, or a path to a `__main__.py`) under the recording mocks; `config`: stack config
    values by key (`aws:region` is `region`)."""
    values = {"aws:region": region, **(config or {})}
    encoded = plan_mod.encode_config(values)
    secrets = [k if ":" in k else f"{plan_mod.PROJECT}:{k}" for k in secret_keys]
    monitor = plan_mod.run_program(program, stack, encoded, secrets, preview=preview)
    return Recording(plan_mod.build_plan(monitor), monitor)


def account_config(name: str, *, environment: str = "nonprod", role: str = "workload", segment: str | None = None,
                   vpcs: Mapping[str, Vpc] | None = None, account_id: str | None = None, **fields: Any) -> Account:
    """A valid Account of the config (ou `Workloads`, e-mail from the name)."""
    return Account(name=name, email=f"{name}@example.com", ou="Workloads", environment=environment, role=role,
                   segment=segment, vpcs=dict(vpcs or {}), account_id=account_id, **fields)


def account(name: str | Account, *, regions: tuple[str, ...] = (HOME, DR), organization: Organization = ORGANIZATION,
            **fields: Any) -> AccountContext:
    """The handle of a member account (an Account, or a name and account_config's fields): its id (adopted, or the
    mocks' stable fake id) and a provider per region. Call it inside the program."""
    config = name if isinstance(name, Account) else account_config(name, **fields)
    account_id = config.account_id or fake_account_id(config.name)
    return AccountContext(config, account_id, account_providers(config, account_id, organization, list(regions)))


def management(*, regions: tuple[str, ...] = (HOME,), organization: Organization = ORGANIZATION) -> AccountContext:
    """The management account's handle (providers without a role to assume), as the Organization component makes it."""
    from components.organization import management_account

    config = management_account(organization)
    return AccountContext(config, organization.management_account_id,
                          management_providers(organization, list(regions)))
