"""Offline, a StackReference reads the planned outputs of the stack it names, secrets staying secret, and is recorded
in the plan as the engine keeps it; a reference to a stack not planned yet fails naming it."""

import pulumi
import pytest

from landing_zone.mocks import LandingZoneMocks
from landing_zone.plan import build_plan, run_program
from landing_zone.wire import is_secret, secret

UPSTREAM = {"lz_network": {"hubs": {"eu-west-1": "tgw-1"}}, "token": secret("s3cr3t-value")}


def program():
    ref = pulumi.StackReference("organization/landing-zone/acme.network")
    pulumi.export("hub", ref.require_output("lz_network").apply(lambda n: n["hubs"]["eu-west-1"]))
    pulumi.export("token", ref.get_output("token"))


def plan(outputs):
    mocks = LandingZoneMocks(region="eu-west-1", stack_outputs=outputs, seed_stack=("acme.app", "acme"))
    return build_plan(run_program(program, "acme.app", {}, [], mocks=mocks))


def test_a_reference_reads_the_upstream_plans_outputs_and_keeps_its_secrets():
    result = plan({"acme.network": UPSTREAM})
    assert result["outputs"]["hub"] == "tgw-1"
    assert is_secret(result["outputs"]["token"])
    [ref] = [r for r in result["resources"] if r["type"] == "pulumi:pulumi:StackReference"]
    assert ref["options"] == {"external": True} and ref["inputs"]["name"].endswith("/acme.network")


def test_a_reference_to_a_stack_not_planned_yet_names_it():
    with pytest.raises(Exception, match="stack 'acme.network' has no planned outputs"):
        plan({})


def test_one_stack_of_a_split_organization_plans_alone_from_its_upstreams_plans(tmp_path):
    from landing_zone.config import ConfigError
    from landing_zone.plan import run_plan
    from tests.split_plans import split_plans, split_root, write_split_root

    nodes = write_split_root("dev", tmp_path)
    sandbox = next(n for n in nodes if n.account == "sandbox")
    with pytest.raises(ConfigError, match="dev.sandbox reads dev.organization, dev.network: not planned yet"):
        run_plan(sandbox.name, tmp_path)
    planned = split_plans("dev")  # the graph's plans, as `lz plan --all` leaves them in out/
    (tmp_path / "out").symlink_to(split_root("dev")[0] / "out")
    assert run_plan(sandbox.name, tmp_path) == planned[sandbox.name]
