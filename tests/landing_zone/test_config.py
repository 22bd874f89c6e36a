"""`lz validate`: valid stacks pass; each broken config exits 2 naming the field path and the offending value."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from landing_zone.cli import app
from landing_zone.config import load_stack, stack_config

ROOT = Path(__file__).resolve().parents[2]
PROD = {"config": stack_config("prod", ROOT)}


NETWORK_ID = "777777777777"
CERT_FIXTURE = "examples/client-vpn/server-cert.example.pem"
IDP_FIXTURE = "examples/client-vpn/idp-metadata.example.xml"
FAKE_KEY_TEXT = "-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----"


def validate(tmp_path: Path, text: str | None) -> tuple[int, str]:
    if text is not None:
        (tmp_path / "Pulumi.prod.yaml").write_text(text)
    result = CliRunner().invoke(app, ["validate", "--stack", "prod", "--root", str(tmp_path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def mutated(change: Callable[[dict], None]) -> str:
    doc = copy.deepcopy(PROD)
    change(doc["config"])
    return yaml.safe_dump(doc, sort_keys=False)


def acct(cfg: dict, name: str) -> dict:
    return next(a for a in cfg["landing-zone:accounts"] if a["name"] == name)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_sample_stacks_are_valid(stack):
    result = CliRunner().invoke(app, ["validate", "--stack", stack, "--root", str(ROOT)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_model_round_trips_the_stack_file(stack):
    raw = stack_config(stack, ROOT)
    cfg = load_stack(stack, ROOT)
    assert [a.name for a in cfg.accounts] == [a["name"] for a in raw["landing-zone:accounts"]]
    for account, raw_account in zip(cfg.accounts, raw["landing-zone:accounts"], strict=True):
        assert account.email == raw_account["email"]
        assert {r: v.cidr for r, v in account.vpcs.items()} == {r: v["cidr"] for r, v in raw_account.get("vpcs", {}).items()}
    assert cfg.organization.management_account_id == raw["landing-zone:organization"]["management_account_id"]
    assert cfg.network.on_premises_cidrs == raw["landing-zone:network"]["on_premises_cidrs"]
    # the same document, dumped and parsed again, is the same config
    again = type(cfg).model_validate(cfg.model_dump(mode="python"))
    assert again == cfg


def test_prod_has_the_seed_organization():
    cfg = load_stack("prod", ROOT)
    envs = [a.environment for a in cfg.accounts if a.role == "workload"]
    assert (envs.count("prod"), envs.count("nonprod"), envs.count("sandbox")) == (2, 2, 1)
    assert {a.role for a in cfg.accounts} == {"log-archive", "security", "network", "workload"}
    assert (cfg.organization.home_region, cfg.organization.dr_region) == ("ap-south-1", "ap-south-2")
    assert all(a.email.endswith("@example.com") for a in cfg.accounts)


def test_secure_values_stay_opaque():
    cfg = load_stack("prod", ROOT)
    key = cfg.network.vpn[0].tunnel_preshared_keys[0]
    assert "v1:" not in repr(key) and "v1:" not in str(cfg)
    assert key.get_secret_value().startswith("v1:")


# (description, mutation, substrings the error must contain: the field path and the offending value)
INVALID: list[tuple[str, Callable[[dict], None], list[str]]] = [
    ("duplicate account name", lambda c: acct(c, "sandbox").update(name="prod-apps"),
     ["accounts[7].name", "prod-apps", "accounts[3]"]),
    ("duplicate email", lambda c: acct(c, "sandbox").update(email="aws+prod-apps@example.com"),
     ["accounts[7].email", "aws+prod-apps@example.com"]),
    ("duplicate account id", lambda c: [acct(c, n).update(account_id="123456789012") for n in ("sandbox", "security")],
     ["accounts[7].account_id", "123456789012", "accounts[1]"]),
    ("adopting the management account", lambda c: acct(c, "sandbox").update(account_id="111111111111"),
     ["accounts[7].account_id", "111111111111", "management"]),
    ("bad email", lambda c: acct(c, "sandbox").update(email="not-an-email"),
     ["accounts[7].email", "not-an-email"]),
    ("account id too short", lambda c: acct(c, "sandbox").update(account_id="12345"),
     ["accounts[7].account_id", "12345", "12-digit"]),
    ("account id unquoted", lambda c: c["landing-zone:organization"].update(management_account_id=111111111111),
     ["organization.management_account_id", "quoted"]),
    ("unknown OU", lambda c: acct(c, "sandbox").update(ou="Sandboxes"),
     ["accounts[7].ou", "Sandboxes"]),
    ("unknown parent OU", lambda c: c["landing-zone:organizational_units"][3].update(parent="Workload"),
     ["organizational_units[3].parent", "Workload"]),
    ("OU cycle", lambda c: c["landing-zone:organizational_units"][2].update(parent="Prod"),
     ["organizational_units[2].parent", "cycle"]),
    ("two log-archive accounts", lambda c: acct(c, "security").update(role="log-archive"),
     ["role log-archive", "found 2"]),
    ("no network account", lambda c: acct(c, "network").update(role="workload", environment="core"),
     ["role network", "found 0"]),
    ("core account not core", lambda c: acct(c, "security").update(environment="prod"),
     ["accounts[1].environment", "prod"]),
    ("unknown region name", lambda c: c["landing-zone:organization"].update(home_region="ap-south-9"),
     ["organization.home_region", "ap-south-9"]),
    ("home region not allowed", lambda c: c["landing-zone:organization"].update(allowed_regions=["ap-south-2"]),
     ["organization.home_region", "ap-south-1", "allowed_regions"]),
    ("vpc outside home/dr region", lambda c: acct(c, "sandbox")["vpcs"].update({"eu-west-1": {"cidr": "10.99.0.0/16"}}),
     ["accounts[7].vpcs.eu-west-1"]),
    ("cidr syntax", lambda c: acct(c, "sandbox")["vpcs"]["ap-south-1"].update(cidr="10.21.0.300/20"),
     ["accounts[7].vpcs.ap-south-1.cidr", "10.21.0.300/20"]),
    ("cidr host bits", lambda c: acct(c, "sandbox")["vpcs"]["ap-south-1"].update(cidr="10.21.0.1/20"),
     ["accounts[7].vpcs.ap-south-1.cidr", "10.21.0.1/20", "host bits"]),
    ("vpc too large", lambda c: acct(c, "sandbox")["vpcs"]["ap-south-1"].update(cidr="10.32.0.0/12"),
     ["accounts[7].vpcs.ap-south-1.cidr", "10.32.0.0/12", "/16 to /24"]),
    ("vpc too small", lambda c: acct(c, "sandbox")["vpcs"]["ap-south-1"].update(cidr="10.21.0.0/26"),
     ["accounts[7].vpcs.ap-south-1.cidr", "10.21.0.0/26"]),
    ("overlap with a later account", lambda c: acct(c, "sandbox")["vpcs"]["ap-south-1"].update(cidr="10.1.16.0/20"),
     ["accounts[7].vpcs.ap-south-1.cidr: 10.1.16.0/20 overlaps accounts[3].vpcs.ap-south-1.cidr 10.1.0.0/16"]),
    ("overlap with an earlier, larger range", lambda c: acct(c, "network")["vpcs"]["ap-south-1"].update(cidr="10.2.0.0/20"),
     ["accounts[4].vpcs.ap-south-1.cidr: 10.2.0.0/16 overlaps accounts[2].vpcs.ap-south-1.cidr 10.2.0.0/20"]),
    ("overlap across regions", lambda c: acct(c, "prod-apps")["vpcs"]["ap-south-2"].update(cidr="10.12.0.0/16"),
     ["10.12.0.0/16 overlaps", "accounts[3].vpcs.ap-south-2.cidr"]),
    ("overlap with on-premises", lambda c: c["landing-zone:network"].update(on_premises_cidrs=["10.11.0.0/16"]),
     ["network.on_premises_cidrs[0]", "10.11.0.0/16", "accounts[5].vpcs.ap-south-1.cidr"]),
    ("overlap with client vpn", lambda c: c["landing-zone:network"]["client_vpn"].update(cidr="10.21.0.0/22"),
     ["network.client_vpn.cidr", "10.21.0.0/22"]),
    ("tiers do not fit", lambda c: acct(c, "sandbox")["vpcs"]["ap-south-1"].update(tiers={"private": 21}),
     ["accounts[7].vpcs.ap-south-1.tiers", "10.21.0.0/20"]),
    ("subnet below /28", lambda c: acct(c, "sandbox")["vpcs"]["ap-south-1"].update(tiers={"public": 29}),
     ["accounts[7].vpcs.ap-south-1.tiers.public", "29"]),
    ("too few AZs", lambda c: acct(c, "prod-apps")["vpcs"]["ap-south-1"].update(azs=1),
     ["accounts[3].vpcs.ap-south-1.azs", "1"]),
    ("too many AZs", lambda c: acct(c, "prod-apps")["vpcs"]["ap-south-1"].update(azs=7),
     ["accounts[3].vpcs.ap-south-1.azs", "7"]),
    ("public ASN", lambda c: c["landing-zone:network"].update(transit_gateway_asn=16509),
     ["network.transit_gateway_asn", "16509"]),
    ("reachability names unknown segment", lambda c: c["landing-zone:network"].update(reachability={"prod": ["dmz"]}),
     ["network.reachability.prod", "dmz"]),
    ("reachability not symmetric", lambda c: c["landing-zone:network"].update(
        reachability={"prod": ["shared"], "shared": [], "nonprod": [], "sandbox": [], "hybrid": []}),
     ["network.reachability.shared", "must list prod"]),
    ("unknown top-level key", lambda c: c.update({"landing-zone:acounts": []}),
     ["landing-zone:acounts", "did you mean 'landing-zone:accounts'"]),
    ("unknown nested key", lambda c: acct(c, "sandbox")["vpcs"]["ap-south-1"].update(nats="single"),
     ["accounts[7].vpcs.ap-south-1.nats", "did you mean 'nat'"]),
    ("unknown workload key", lambda c: acct(c, "prod-apps")["workloads"].update(aurorra={}),
     ["accounts[3].workloads.aurorra", "did you mean 'aurora'"]),
    ("wrong type", lambda c: acct(c, "prod-apps")["vpcs"]["ap-south-1"].update(azs="three"),
     ["accounts[3].vpcs.ap-south-1.azs", "three"]),
    ("bad environment", lambda c: acct(c, "sandbox").update(environment="staging"),
     ["accounts[7].environment", "staging"]),
    ("not dns-safe name", lambda c: acct(c, "sandbox").update(name="Sand_Box"),
     ["accounts[7].name", "Sand_Box"]),
    ("missing required field", lambda c: acct(c, "sandbox").pop("email"),
     ["accounts[7].email", "required"]),
    ("too many SCPs on an OU", lambda c: c["landing-zone:organizational_units"][0].update(
        scps=["guardrails", "region-restriction", "data-protection", "protect-logs-and-backups", "network-lockdown"]),
     ["organizational_units[0].scps", "limit of 5"]),
    ("unknown permission set", lambda c: c["landing-zone:identity"]["assignments"][0].update(permission_set="God"),
     ["identity.assignments[0].permission_set", "God"]),
    ("assignment to unknown account", lambda c: c["landing-zone:identity"]["assignments"][1].update(accounts=["netwrok"]),
     ["identity.assignments[1].accounts", "netwrok"]),
    ("private customer gateway ip", lambda c: c["landing-zone:network"]["vpn"][0].update(ip_address="10.200.0.1"),
     ["network.vpn[0].ip_address", "10.200.0.1"]),
    ("workloads without a vpc", lambda c: acct(c, "sandbox").pop("vpcs"),
     ["accounts[7].workloads", "vpcs.ap-south-1"]),
    ("ecs scaling bounds", lambda c: acct(c, "prod-apps")["workloads"]["ecs"]["services"][0].update(desired_count=20),
     ["accounts[3].workloads.ecs.services[0]", "3/20/12"]),
    ("prod backup retention under 15 days", lambda c: acct(c, "prod-apps")["workloads"]["aurora"].update(backup_retention_days=7),
     ["accounts[3].workloads.aurora.backup_retention_days", "7"]),
    ("saml without metadata or provider", lambda c: cvpn(c).pop("saml_metadata_file"),
     ["network.client_vpn", "saml_metadata_file", "saml_provider_arn"]),
    ("saml metadata file missing", lambda c: cvpn(c).update(saml_metadata_file="examples/client-vpn/nope.xml"),
     ["network.client_vpn.saml_metadata_file", "nope.xml not found"]),
    ("saml metadata not xml", lambda c: cvpn(c).update(saml_metadata_file=CERT_FIXTURE),
     ["network.client_vpn.saml_metadata_file", "is not XML"]),
    ("server certificate not pem", lambda c: cvpn(c)["server_certificate"].update(certificate_file=IDP_FIXTURE),
     ["network.client_vpn.server_certificate.certificate_file", "not a PEM certificate"]),
    ("server certificate twice", lambda c: cvpn(c).update(server_certificate_arn=acm_arn(NETWORK_ID)),
     ["network.client_vpn", "exactly one of server_certificate"]),
    ("no server certificate", lambda c: cvpn(c).pop("server_certificate"),
     ["network.client_vpn", "exactly one of server_certificate"]),
    ("private key in plaintext", lambda c: cvpn(c)["server_certificate"].update(private_key=FAKE_KEY_TEXT),
     ["network.client_vpn.server_certificate.private_key", "secure:"]),
    ("adopted certificate in a created network account", lambda c: adopt(c, certificate=acm_arn(NETWORK_ID), account=None),
     ["network.client_vpn.server_certificate_arn", "adopted network account"]),
    ("adopted certificate in another account", lambda c: adopt(c, certificate=acm_arn("333333333333")),
     ["network.client_vpn.server_certificate_arn", "333333333333", f"not the network account {NETWORK_ID}"]),
    ("adopted certificate in another region", lambda c: adopt(c, certificate=acm_arn(NETWORK_ID, "ap-south-2")),
     ["network.client_vpn.server_certificate_arn", "ap-south-2", "home region ap-south-1"]),
    ("adopted saml provider in another account", lambda c: adopt(c, saml="arn:aws:iam::333333333333:saml-provider/idp"),
     ["network.client_vpn.saml_provider_arn", "333333333333"]),
    ("adopted certificate not an acm arn", lambda c: adopt(c, certificate="arn:aws:iam::777777777777:server-certificate/x"),
     ["network.client_vpn.server_certificate_arn", "not an ACM certificate ARN"]),
    ("no client vpn authorization", lambda c: cvpn(c).update(authorization=[]),
     ["network.client_vpn.authorization", "at least 1"]),
    ("client vpn group to an unknown segment", lambda c: cvpn(c)["authorization"][1].update(segments=["nonprod", "prodd"]),
     ["network.client_vpn.authorization[1].segments", "prodd is not a segment"]),
    ("client vpn group reaching nothing", lambda c: cvpn(c)["authorization"][1].update(segments=[]),
     ["network.client_vpn.authorization[1]", "name the segments or cidrs"]),
    ("client vpn group twice", lambda c: cvpn(c)["authorization"][1].update(group="AWS-Platform-Admins"),
     ["network.client_vpn.authorization[1].group", "listed twice"]),
    ("every vpn user to prod", lambda c: cvpn(c)["authorization"][0].update(group="*"),
     ["network.client_vpn.authorization[0].segments", "may not reach prod"]),
    ("every vpn user to a core range", lambda c: cvpn(c)["authorization"][1].update(group="*", cidrs=["10.1.0.0/16"]),
     ["network.client_vpn.authorization[1].cidrs", "10.1.0.0/16", "prod or core range"]),
    ("admin port among the hosts' ephemeral ports", lambda c: c["landing-zone:network"].update(admin_ports={"ssh": 40000}),
     ["network.admin_ports.ssh", "40000", "1024-32767"]),
    ("admin port a data host listens on", lambda c: c["landing-zone:network"].update(admin_ports={"rdp": 9094}),
     ["network.admin_ports.rdp", "9094 is taken by kafka"]),
    ("admin port an ECS service listens on", lambda c: c["landing-zone:network"].update(admin_ports={"ssh": 3000}),
     ["network.admin_ports.ssh", "3000 is taken by the ECS service prod-apps/web"]),
    ("ssh and rdp on one port", lambda c: c["landing-zone:network"].update(admin_ports={"ssh": 2222, "rdp": 2222}),
     ["network.admin_ports", "both 2222"]),
    ("groups with certificate authentication", lambda c: cvpn(c).update(authentication="certificate"),
     ["network.client_vpn.authorization[0].group", "certificate authentication sends no groups",
      "saml_metadata_file and saml_provider_arn need authentication: saml"]),
]

def cvpn(c: dict) -> dict:
    return c["landing-zone:network"]["client_vpn"]


def acm_arn(account: str, region: str = "ap-south-1") -> str:
    return f"arn:aws:acm:{region}:{account}:certificate/00000000-0000-4000-8000-000000000001"


def adopt(c: dict, certificate: str | None = None, saml: str | None = None, account: str | None = NETWORK_ID) -> None:
    """Adopt the network account (by id) and its existing Client VPN credentials instead of creating them."""
    if account:
        acct(c, "network")["account_id"] = account
    if certificate:
        cvpn(c).pop("server_certificate")
        cvpn(c)["server_certificate_arn"] = certificate
    if saml:
        cvpn(c).pop("saml_metadata_file")
        cvpn(c)["saml_provider_arn"] = saml


@pytest.mark.parametrize(("change", "expected"), [(c, e) for _, c, e in INVALID], ids=[d for d, _, _ in INVALID])
def test_invalid_config_exits_2_naming_field_and_value(tmp_path, change, expected):
    stack_text = mutated(change)
    names = [a.get("name") for a in yaml.safe_load(stack_text)["config"]["landing-zone:accounts"]]
    code, output = validate(tmp_path, stack_text)
    assert code == 2, output
    assert "Traceback" not in output
    for text in expected:
        text = re.sub(r"accounts\[(\d+)\]", lambda m: f"accounts[{m[1]}] ({names[int(m[1])]})", text)
        assert text in output, f"{text!r} not in:\n{output}"
    assert all(re.match(r"error: Pulumi\.prod\.yaml:\d+: ", line) for line in output.splitlines()), output


def test_there_are_at_least_30_distinct_invalid_cases():
    assert len({d for d, _, _ in INVALID}) >= 30


def test_a_plaintext_private_key_is_never_echoed(tmp_path):
    code, output = validate(tmp_path, mutated(lambda c: cvpn(c)["server_certificate"].update(private_key=FAKE_KEY_TEXT)))
    assert code == 2 and "not-a-key" not in output


def test_an_adopted_network_account_with_its_own_credentials_is_valid(tmp_path):
    def adopt_all(c):
        adopt(c, certificate=acm_arn(NETWORK_ID), saml=f"arn:aws:iam::{NETWORK_ID}:saml-provider/example-idp")

    code, output = validate(tmp_path, mutated(adopt_all))
    assert code == 0, output


@pytest.mark.parametrize(("content", "expected"), [
    ("<notSaml/>", "is not SAML 2.0 metadata"),
    ("<md:EntityDescriptor xmlns:md='urn:oasis:names:tc:SAML:2.0:metadata'>", "is not XML"),
], ids=["xml but not saml", "truncated xml"])
def test_saml_metadata_must_be_saml_xml(tmp_path, content, expected):
    metadata = tmp_path / "idp.xml"
    metadata.write_text(content)
    code, output = validate(tmp_path, mutated(lambda c: cvpn(c).update(saml_metadata_file=str(metadata))))
    assert code == 2 and "network.client_vpn.saml_metadata_file" in output and expected in output, output


def test_all_errors_are_reported_at_once(tmp_path):
    def two_problems(c):
        acct(c, "sandbox").update(email="nope")
        acct(c, "prod-apps")["vpcs"]["ap-south-1"].update(azs=9)

    code, output = validate(tmp_path, mutated(two_problems))
    assert code == 2
    assert "accounts[7] (sandbox).email" in output and "accounts[3] (prod-apps).vpcs.ap-south-1.azs" in output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "stack file not found"),
        ("", "no `config:` mapping"),
        ("config:\n  landing-zone:accounts: [\n", "invalid YAML"),
        ("config:\n  aws:region: ap-south-1\n", "organization: required"),
    ],
    ids=["missing file", "empty file", "bad yaml", "no landing-zone keys"],
)
def test_unreadable_stack_files_exit_2_without_traceback(tmp_path, text, expected):
    code, output = validate(tmp_path, text)
    assert code == 2
    assert expected in output and "Traceback" not in output
