"""Organization defaults from the landing-zone stack config (PULUMI_CONFIG), as the engine and `lz check` pass it."""

import json

import pytest
from harness import analyze, run_case, servicer, violations
from lz_policies import all_rules
from lz_policies.facts import DEFAULT_INTENT
from lz_policies.stack_config import landing_zone_defaults, stack_defaults
from test_pack_grpc import PACK, plan

from landing_zone import check

RULES = {rule.id: rule for rule in all_rules()}
SG = "aws:ec2/securityGroup:SecurityGroup"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
CLIENT_VPN = "172.20.0.0/22"
NETWORK_VPC = "10.64.0.0/22"
OPEN_INTENT = {**DEFAULT_INTENT, "prod": ["shared", "hybrid", "nonprod"]}


def stack_config(reachability=None, retention=731, client_vpn=CLIENT_VPN, regions=("eu-west-1",)) -> dict:
    """A stack config as the engine puts it in PULUMI_CONFIG: full keys, non-string values JSON-encoded."""
    network = {"client_vpn": {"cidr": client_vpn, "server_certificate_arn": "arn:aws:acm:eu-west-1:111111111111:certificate/x"}}
    if reachability is not None:
        network["reachability"] = reachability
    accounts = [{"name": "network", "role": "network", "vpcs": {"eu-west-1": {"cidr": NETWORK_VPC},
                                                                "eu-central-1": {"cidr": "10.96.0.0/22"}}},
                {"name": "workload", "role": "workload", "vpcs": {"eu-west-1": {"cidr": "10.65.0.0/20"}}}]
    return {
        "aws:region": "eu-west-1",
        "landing-zone:organization": json.dumps({"name": "lz", "home_region": "eu-west-1", "allowed_regions": list(regions)}),
        "landing-zone:network": json.dumps(network),
        "landing-zone:accounts": json.dumps(accounts),
        "landing-zone:security": json.dumps({"log_retention_days": retention, "alarm_email": "sec@example.com"}),
    }


@pytest.fixture
def set_stack_config(monkeypatch):
    def setter(config: dict) -> None:
        monkeypatch.setenv("PULUMI_CONFIG", json.dumps(config))
    return setter


def _ssh_from(cidr: str, port: int = 22) -> dict:
    return {"description": "admin", "ingress": [{"protocol": "tcp", "fromPort": port, "toPort": port, "cidrBlocks": [cidr],
                                                 "description": "ssh"}]}


def _net01(props: dict, config: dict | None = None) -> list:
    rule = RULES["NET-01"]
    return violations(analyze(servicer(rule.policies(), config), SG, props))


def _log13(days: int, env: str = "prod", config: dict | None = None) -> list:
    rule = RULES["LOG-13"]
    return violations(analyze(servicer(rule.policies(), config), LOG_GROUP, {"name": "app", "retentionInDays": days},
                              env=env))


# --- reading the stack config --------------------------------------------------------------------------------------
def test_defaults_are_derived_from_the_engine_encoding_of_the_stack_config():
    derived = landing_zone_defaults(stack_config(reachability=OPEN_INTENT))
    assert derived == {"intent": OPEN_INTENT, "adminCidrs": [CLIENT_VPN, NETWORK_VPC], "logRetentionDays": 731,
                       "allowedRegions": ["eu-west-1"]}


def test_without_landing_zone_config_nothing_is_derived(set_stack_config):
    assert stack_defaults() == {}  # PULUMI_CONFIG unset
    set_stack_config({"aws:region": "eu-west-1"})
    assert stack_defaults() == {}


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '"a string"', ""])
def test_an_unreadable_pulumi_config_keeps_the_defaults(monkeypatch, raw):
    # (pulumi-policy's own Analyze json-parses PULUMI_CONFIG too; the engine always sends a JSON object)
    monkeypatch.setenv("PULUMI_CONFIG", raw)
    assert stack_defaults() == {}
    assert RULES["LOG-13"].merged_config(None)["retentionDays"] == 365


@pytest.mark.parametrize(("key", "value", "lost"), [
    ("landing-zone:network", "{not json", "adminCidrs"),
    ("landing-zone:network", json.dumps({"client_vpn": {"cidr": "10.0.0.300/22"}}), "adminCidrs"),
    ("landing-zone:network", json.dumps({"client_vpn": {"cidr": CLIENT_VPN}, "reachability": {"prod": "shared"}}),
     "intent"),
    ("landing-zone:security", json.dumps({"log_retention_days": -5}), "logRetentionDays"),
    ("landing-zone:security", json.dumps({"log_retention_days": True}), "logRetentionDays"),
    ("landing-zone:organization", json.dumps({"allowed_regions": "eu-west-1"}), "allowedRegions"),
])
def test_a_malformed_value_is_ignored_not_fatal(key, value, lost):
    config = {**stack_config(reachability=OPEN_INTENT), key: value}
    derived = landing_zone_defaults(config)
    assert lost not in derived
    assert derived  # the other sections still count


def test_admin_cidrs_without_a_network_account_vpc_are_the_client_range_alone():
    config = {**stack_config(), "landing-zone:accounts": json.dumps([{"name": "network", "role": "network"}])}
    assert landing_zone_defaults(config)["adminCidrs"] == [CLIENT_VPN]


# --- the rules use them ------------------------------------------------------------------------------------------
def test_log_retention_threshold_comes_from_the_stack(set_stack_config):
    assert not _log13(400)  # 400 >= 365, the pack's default
    set_stack_config(stack_config(retention=731))
    found = _log13(400)
    assert found and "under 731 days" in found[0].message
    assert not _log13(731)


def test_a_short_stack_retention_relaxes_sandbox_no_further_than_prod(set_stack_config):
    set_stack_config(stack_config(retention=14))
    assert not _log13(14, env="prod")
    assert not _log13(14, env="sandbox")  # sandbox threshold: min(30, 14)
    set_stack_config(stack_config(retention=731))
    assert not _log13(30, env="sandbox")  # sandbox keeps its own 30 when the stack asks for more


def test_admin_cidrs_come_from_the_client_vpn_and_its_nat_range(set_stack_config):
    assert not _net01(_ssh_from("10.1.0.0/16"))  # any private range, by default
    set_stack_config(stack_config())
    found = _net01(_ssh_from("10.1.0.0/16"))
    assert found and CLIENT_VPN in found[0].message
    assert not _net01(_ssh_from(CLIENT_VPN))
    assert not _net01(_ssh_from("10.64.0.0/25"))  # a Client VPN subnet of the network VPC (source NAT)


def with_admin_ports(config: dict, ports: dict) -> dict:
    network = {**json.loads(config["landing-zone:network"]), "admin_ports": ports}
    return {**config, "landing-zone:network": json.dumps(network)}


def test_admin_ports_come_from_the_stack_with_the_program_defaults():
    assert "adminPorts" not in landing_zone_defaults(stack_config())
    assert landing_zone_defaults(with_admin_ports(stack_config(), {"ssh": 2222}))["adminPorts"] == [2222, 3389]
    assert "adminPorts" not in landing_zone_defaults(with_admin_ports(stack_config(), {"ssh": "2222"}))


def test_a_custom_admin_port_is_checked_like_ssh(set_stack_config):
    world = _ssh_from("0.0.0.0/0", port=2222)
    assert not _net01(world)  # no stack config: 2222 is no admin port for NET-01 (NET-02 still flags it)
    set_stack_config(with_admin_ports(stack_config(), {"ssh": 2222, "rdp": 13389}))
    found = _net01(world)
    assert found and "port 2222 (SSH/RDP)" in found[0].message
    assert _net01(_ssh_from("10.1.0.0/16", port=13389))  # the custom RDP port from outside the Client VPN ranges
    assert not _net01(_ssh_from(CLIENT_VPN, port=2222))
    assert _net01(_ssh_from("0.0.0.0/0"))  # 22 stays closed to the internet


def test_x04_admin_exception_uses_the_stack_admin_cidrs(set_stack_config):
    rule = RULES["X-04"]
    case = next(c for c in rule.cases if c.config == {"adminCidrs": ["10.255.0.0/16"]})
    stack_case = type(case)(case.resources, violates=True)  # the same graph, without the explicit config
    assert not violations(run_case(rule, stack_case))  # SSH from 172.16.0.0/22: private, fine by default
    set_stack_config(stack_config(client_vpn="172.16.0.0/22"))
    assert not violations(run_case(rule, stack_case))
    set_stack_config(stack_config(client_vpn="10.255.0.0/16"))
    found = violations(run_case(rule, stack_case))
    assert found and "10.255.0.0/16" in found[0].message


def test_reachability_intent_comes_from_the_stack(set_stack_config):
    rule = RULES["X-17"]
    case = next(c for c in rule.cases if c.config and "intent" in c.config)
    bare = type(case)(case.resources, violates=True)  # prod <-> nonprod propagate, no explicit intent
    assert violations(run_case(rule, bare))
    set_stack_config(stack_config(reachability=OPEN_INTENT))
    assert not violations(run_case(rule, bare))


def test_explicit_policy_config_beats_the_stack(set_stack_config):
    set_stack_config(stack_config(reachability=OPEN_INTENT, retention=731))
    assert not _log13(400, config={"log-13-log-retention": {"retentionDays": 365}})
    assert not _net01(_ssh_from("10.1.0.0/16"),
                      config={"net-01-admin-ports-closed-to-internet": {"adminCidrs": ["10.0.0.0/8"]}})
    rule = RULES["X-17"]
    case = next(c for c in rule.cases if c.config and "intent" in c.config)
    assert violations(run_case(rule, type(case)(case.resources, violates=True), {"intent": DEFAULT_INTENT}))


def test_derived_parameters_carry_no_schema_default():
    """The engine copies schema defaults into the policy config it sends: a default there would beat the stack."""
    for rule_id, key in (("NET-01", "adminCidrs"), ("X-04", "adminCidrs"), ("X-17", "intent"),
                         ("LOG-13", "retentionDays"), ("LOG-13", "sandboxRetentionDays")):
        schema = RULES[rule_id].params[key].schema()
        assert "default" not in schema and "landing-zone:" in schema["description"], (rule_id, key)
    assert RULES["DAT-02"].params["backupRetentionDays"].schema()["default"] == 15  # not derived


# --- through the Analyzer gRPC protocol, as `lz check` runs the pack ------------------------------------------------
@pytest.fixture(scope="module")
def stack_root(tmp_path_factory):
    """A project root whose Pulumi.test.yaml sets the organization defaults (lz check reads it into PULUMI_CONFIG)."""
    root = tmp_path_factory.mktemp("stack")
    (root / "Pulumi.test.yaml").write_text(
        "config:\n"
        "  aws:region: eu-west-1\n"
        "  landing-zone:security:\n"
        "    log_retention_days: 731\n"
        "    alarm_email: sec@example.com\n"
        "  landing-zone:network:\n"
        "    client_vpn: {cidr: 172.20.0.0/22, server_certificate_arn: 'arn:aws:acm:eu-west-1:111111111111:certificate/x'}\n")
    return root


def test_lz_check_passes_the_stack_config_to_the_pack(stack_root):
    env = check.pack_environment(plan(), "test", stack_root)
    assert json.loads(dict(env.config)["landing-zone:security"]) == {"log_retention_days": 731,
                                                                      "alarm_email": "sec@example.com"}
    with check.PolicyPackProcess(PACK, env) as pack:
        derived = check.run_check(plan(ssh_cidr="10.1.0.0/16", retention=400), PACK, None, "test", pack=pack)
        explicit = check.run_check(plan(ssh_cidr="10.1.0.0/16", retention=400), PACK,
                                   {"log-13-log-retention": {"retentionDays": 365},
                                    "net-01-admin-ports-closed-to-internet": {"adminCidrs": ["10.0.0.0/8"]}},
                                   "test", pack=pack)
    assert [v.policy for v in derived.violations if v.policy.startswith(("log-13", "net-01"))] == [
        "log-13-log-retention", "net-01-admin-ports-closed-to-internet"]
    assert "731" in next(v.message for v in derived.violations if v.policy == "log-13-log-retention")
    assert not [v for v in explicit.violations if v.policy.startswith(("log-13", "net-01"))]


# --- IAM-10 and NET-11 --------------------------------------------------------------------------------------------
def _with_environments(config: dict) -> dict:
    """The stack_config accounts with environments, the management account id and an adopted account."""
    accounts = [{"name": "network", "role": "network", "environment": "core",
                 "vpcs": {"eu-west-1": {"cidr": NETWORK_VPC}}},
                {"name": "prod-apps", "environment": "prod", "vpcs": {"eu-west-1": {"cidr": "10.65.0.0/20"}}},
                {"name": "dev-apps", "environment": "nonprod", "account_id": "444444444444",
                 "vpcs": {"eu-west-1": {"cidr": "10.67.0.0/20"}}}]
    organization = {**json.loads(config["landing-zone:organization"]), "management_account_id": "111111111111"}
    return {**config, "landing-zone:accounts": json.dumps(accounts),
            "landing-zone:organization": json.dumps(organization)}


def test_organization_accounts_and_protected_ranges_come_from_the_stack():
    derived = landing_zone_defaults(_with_environments(stack_config()))
    assert derived["organizationAccountIds"] == ["111111111111", "444444444444"]
    assert derived["protectedCidrs"] == [NETWORK_VPC, "10.65.0.0/20"]  # core and prod, not nonprod


def _net11(cidr: str) -> list:
    rule = RULES["NET-11"]
    return violations(analyze(servicer(rule.policies()), "aws:ec2clientvpn/authorizationRule:AuthorizationRule",
                              {"clientVpnEndpointId": "cvpn", "targetNetworkCidr": cidr, "authorizeAllGroups": True},
                              env="core"))


def test_client_vpn_all_groups_is_judged_against_the_stack_prod_and_core_ranges(set_stack_config):
    assert _net11("10.67.0.0/20")  # without stack config every private range is protected
    set_stack_config(_with_environments(stack_config()))
    assert not _net11("10.67.0.0/20")  # nonprod: all groups may go there
    found = _net11("10.65.0.0/20")
    assert found and "10.65.0.0/20" in found[0].message and "accessGroupId" in found[0].message


def test_a_trust_of_the_management_account_is_inside_the_organization(set_stack_config):
    from harness import analyze_stack
    from lz_policies.rules import CaseResource

    role = CaseResource("aws:iam/role:Role", "support", {"assumeRolePolicy": json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]})})
    rule = RULES["IAM-10"]
    other = {rule.name: {"organizationAccountIds": ["222222222222"]}}  # an organization without that account
    assert violations(analyze_stack(servicer(rule.policies(), other), [role]))
    assert not violations(analyze_stack(servicer(rule.policies()), [role]))  # no organization known: not applicable
    set_stack_config(_with_environments(stack_config()))
    assert not violations(analyze_stack(servicer(rule.policies()), [role]))
