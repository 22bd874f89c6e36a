"""`lz preflight` against moto (in-process `mock_aws`, never real AWS): a ready organization passes, and each missing
prerequisite fails with its own message. APIs moto lacks are answered by botocore Stubbers on that one client:
account:GetRegionOptStatus (moto: "Not yet implemented"), service-quotas (moto has no EC2 quotas in ap-south-1), and
sso-admin ListInstances when there must be no instance (moto always has one)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from moto import mock_aws
from moto.iam.models import iam_backends
from moto.route53.models import HostedZoneIdentifier
from moto.utilities.id_generator import moto_id_manager
from stack_plans import ROOT, full_plan
from typer.testing import CliRunner

from landing_zone.cli import app
from landing_zone.config import namespaced, parse, stack_config
from landing_zone.preflight import CredentialsProblem, exit_code, preflight, render_json
from landing_zone.preflight.capacity import vcpu_need, vcpus
from landing_zone.preflight.core import credentials_problem

MGMT = "222222222222"  # the dev environment's management account: moto's caller
HOME, DR = "ap-south-1", "ap-south-2"
GROUPS = ("LZ-Dev-Admins", "LZ-Dev-Readers")
ZONE_NAME, ZONE_ID = "dev.example.com", "Z0EXAMPLE00DEV000001"  # the dev environment's network.dns
FIXTURES = Path(__file__).parent.parent / "fixtures" / "preflight"


@pytest.fixture
def aws(monkeypatch):
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", HOME)
    monkeypatch.delenv("MOTO_ACCOUNT_ID", raising=False)  # it would put every member account's call in MGMT too
    # the config's zone id (moto would make up another one)
    zone = HostedZoneIdentifier(MGMT, ZONE_NAME + ".", None)  # moto's name has the final dot
    moto_id_manager.set_custom_id(zone, ZONE_ID)
    try:
        with mock_aws():
            # the caller: an IAM user of the management account (moto maps each access key to its account, so the
            # sessions assumed into member accounts act there)
            iam = iam_backends[MGMT]["aws"]
            iam.create_user(HOME, "moto")
            key = iam.create_access_key("moto")
            yield boto3.Session(aws_access_key_id=key.access_key_id, aws_secret_access_key=key.secret_access_key,
                                region_name=HOME)
    finally:
        moto_id_manager.unset_custom_id(zone)


def _pem(days: int = 365, key=None) -> tuple[bytes, bytes]:
    """A self-signed test certificate (vpn.example.com) valid from now for `days`, and its key."""
    key = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vpn.example.com")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days)).sign(key, hashes.SHA256()))
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), private


def _certificate(session) -> str:
    pem, private = _pem()
    return session.client("acm").import_certificate(Certificate=pem, PrivateKey=private)["CertificateArn"]


def dev_values() -> dict:
    return namespaced(stack_config("dev", ROOT))


class World:
    """A ready organization for the dev stack in moto, and the knobs each test turns to break one prerequisite."""

    def __init__(self, session):
        self.session = session
        self.org = session.client("organizations")
        self.org.create_organization(FeatureSet="ALL")
        self.values = dev_values()
        self.store = session.client("sso-admin").list_instances()["Instances"][0]["IdentityStoreId"]
        for group in GROUPS:
            session.client("identitystore").create_group(IdentityStoreId=self.store, DisplayName=group)
        session.client("route53").create_hosted_zone(Name=ZONE_NAME, CallerReference="preflight-test")
        self.region_status = {(MGMT, DR): "ENABLED"}
        self.quotas: dict[str, float] = {}
        self.account_quota = 10.0
        self.stubbed: dict = {}

    def member(self, email: str, name: str = "member") -> str:
        status = self.org.create_account(Email=email, AccountName=name)["CreateAccountStatus"]
        return status["AccountId"]

    def adopt(self, name: str, account_id: str) -> None:
        """accounts[name].account_id = account_id (its opt-in region answered ENABLED)."""
        self.values["accounts"] = [dict(a, account_id=account_id) if a["name"] == name else a
                                   for a in self.values["accounts"]]
        self.region_status[(account_id, DR)] = "ENABLED"

    def client_vpn(self, **changes) -> dict:
        """network with client_vpn changed (a None value removes the field)."""
        vpn = {k: v for k, v in {**self.values["network"]["client_vpn"], **changes}.items() if v is not None}
        return {**self.values["network"], "client_vpn": vpn}

    def _account_client(self):
        client = self.session.client("account", region_name="us-east-1")
        stub = Stubber(client)
        for (account, region), status in self.region_status.items():
            params = {"RegionName": region} if account == MGMT else {"RegionName": region, "AccountId": account}
            stub.add_response("get_region_opt_status", {"RegionName": region, "RegionOptStatus": status}, params)
        stub.activate()
        return client

    def _quota_clients(self) -> dict:
        org_quota = self.session.client("service-quotas", region_name="us-east-1")
        stub = Stubber(org_quota)
        stub.add_response("get_service_quota", {"Quota": {"Value": self.account_quota, "QuotaCode": "L-E619E033"}},
                          {"ServiceCode": "organizations", "QuotaCode": "L-E619E033"})
        stub.activate()
        clients = {("service-quotas", "us-east-1", MGMT): org_quota}
        for account, value in self.quotas.items():
            client = self.session.client("service-quotas", region_name=HOME)
            stub = Stubber(client)
            stub.add_response("get_service_quota", {"Quota": {"Value": value, "QuotaCode": "L-1216C47A"}},
                              {"ServiceCode": "ec2", "QuotaCode": "L-1216C47A"})
            stub.activate()
            clients[("service-quotas", HOME, account)] = client
        return clients

    def run(self, session=None, **config_changes):
        values = {**self.values, **config_changes}
        clients = {("account", "us-east-1", MGMT): self._account_client(), **self._quota_clients(),
                   ("ce", "us-east-1", MGMT): anomaly_monitors(self.session), **self.stubbed}
        return preflight(parse(values), full_plan("dev"), session or self.session, ROOT, clients=clients)


def anomaly_monitors(session, *monitors: dict):
    """Cost Explorer (moto has no anomaly monitors) answering GetAnomalyMonitors with `monitors`."""
    client = session.client("ce", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_response("get_anomaly_monitors", {"AnomalyMonitors": list(monitors)}, {})
    stub.activate()
    return client


@pytest.fixture
def world(aws) -> World:
    return World(aws)


def failed(findings) -> list[str]:
    return [f"{f.check}: {f.detail}" for f in findings if f.status == "fail"]


def of(findings, check: str):
    return [f for f in findings if f.check == check]


# --- the ready organization -----------------------------------------------------------------------------------------


def test_a_ready_organization_passes(world):
    findings = world.run()
    assert failed(findings) == []
    assert exit_code(findings) == 0
    assert {"organization", "trusted-access", "delegated-admins", "access-role", "access-role-assumers",
            "identity-center", "identity-groups", "opt-in-regions", "dns-zone", "certificates", "saml", "account-quota",
            "vcpu-quota", "security-services", "cost-anomaly-monitor"} <= {f.check for f in findings}
    org_id = world.org.describe_organization()["Organization"]["Id"]
    [command] = [c for f in of(findings, "organization") for c in f.commands]
    assert command.startswith(f"pulumi import --stack dev aws:organizations/organization:Organization organization {org_id}")
    assert "--parent organization=urn:pulumi:dev::landing-zone::landing-zone:organization:Organization::organization" in command


# --- the organization -----------------------------------------------------------------------------------------------


def test_no_organization_fails(aws):
    findings = preflight(parse(dev_values()), full_plan("dev"), aws, ROOT,
                         clients=_stubbed_clients(aws))
    assert any("is in no organization" in f for f in failed(findings))
    assert exit_code(findings) == 1


def _stubbed_clients(session) -> dict:
    """The APIs moto lacks, answered for an organization without accounts yet."""
    account = session.client("account", region_name="us-east-1")
    stub = Stubber(account)
    stub.add_response("get_region_opt_status", {"RegionName": DR, "RegionOptStatus": "ENABLED"}, {"RegionName": DR})
    stub.activate()
    quotas = session.client("service-quotas", region_name="us-east-1")
    stub = Stubber(quotas)
    stub.add_response("get_service_quota", {"Quota": {"Value": 10.0}}, {"ServiceCode": "organizations",
                                                                       "QuotaCode": "L-E619E033"})
    stub.activate()
    return {("account", "us-east-1", MGMT): account, ("service-quotas", "us-east-1", MGMT): quotas,
            ("ce", "us-east-1", MGMT): anomaly_monitors(session)}


def test_consolidated_billing_only_fails(aws):
    aws.client("organizations").create_organization(FeatureSet="CONSOLIDATED_BILLING")
    findings = preflight(parse(dev_values()), full_plan("dev"), aws, ROOT,
                         clients=_stubbed_clients(aws))
    assert any("has feature set CONSOLIDATED_BILLING, not ALL" in f for f in failed(findings))


def test_another_management_account_in_config_fails(world):
    org = {**world.values["organization"], "management_account_id": "999999999999", "access_role_assumers": []}
    assert any(f"management account is {MGMT}, not organization.management_account_id 999999999999" in f
               for f in failed(world.run(organization=org)))


def test_trusted_access_enabled_outside_the_program_is_a_warning(world):
    world.org.enable_aws_service_access(ServicePrincipal="tagpolicies.tag.amazonaws.com")
    world.org.enable_aws_service_access(ServicePrincipal="sso.amazonaws.com")
    findings = of(world.run(), "trusted-access")
    assert any(f.status == "warn" and "tagpolicies.tag.amazonaws.com" in f.detail and "disables them" in f.detail
               for f in findings)
    assert any(f.status == "pass" and "1 of" in f.detail for f in findings)


def test_a_delegated_admin_that_is_not_the_security_account_fails(world):
    other = world.member("someone@example.com")
    world.org.register_delegated_administrator(AccountId=other, ServicePrincipal="access-analyzer.amazonaws.com")
    assert any(f"access-analyzer.amazonaws.com: delegated administrator is {other}, not the security account" in f
               for f in failed(world.run()))


def test_a_delegated_admin_already_registered_to_the_security_account_is_imported(world):
    security = world.member("lz-dev+security@example.com", "security")
    accounts = [dict(a, account_id=security) if a["name"] == "security" else a for a in world.values["accounts"]]
    world.org.register_delegated_administrator(AccountId=security, ServicePrincipal="access-analyzer.amazonaws.com")
    findings = of(world.run(accounts=accounts), "delegated-admins")
    assert all(f.status != "fail" for f in findings)
    commands = [c for f in findings for c in f.commands]
    assert any("aws:organizations/delegatedAdministrator:DelegatedAdministrator organization-delegated-admin-access-analyzer "
               f"{security}/access-analyzer.amazonaws.com" in c for c in commands)


# --- Identity Center --------------------------------------------------------------------------------------------------


def test_no_identity_center_instance_fails(world):
    client = world.session.client("sso-admin", region_name=HOME)
    stub = Stubber(client)
    stub.add_response("list_instances", {"Instances": []}, {})
    stub.activate()
    world.stubbed[("sso-admin", HOME, MGMT)] = client
    assert any("no IAM Identity Center instance in ap-south-1" in f for f in failed(world.run()))


def test_a_group_missing_from_the_identity_store_fails(world):
    identity = {"assignments": [*world.values["identity"]["assignments"],
                                {"group": "LZ-Dev-Auditors", "permission_set": "SecurityAudit", "ous": ["Workloads"]}]}
    assert failed(world.run(identity=identity)) == [
        f"identity-groups: group 'LZ-Dev-Auditors' (identity.assignments) is not in identity store {world.store}"]


# --- opt-in regions ---------------------------------------------------------------------------------------------------


def test_an_opt_in_home_region_disabled_in_the_management_account_fails(world, monkeypatch):
    from landing_zone.preflight import world as world_checks

    # the home region is where the program runs: the only region it cannot enable for itself
    monkeypatch.setattr(world_checks, "OPT_IN_REGIONS", {*world_checks.OPT_IN_REGIONS, HOME})
    world.region_status = {(MGMT, HOME): "DISABLED", (MGMT, DR): "ENABLED"}
    [finding] = [f for f in of(world.run(), "opt-in-regions") if f.status == "fail"]
    assert "ap-south-1 in management (222222222222): DISABLED" in finding.detail
    assert "aws account enable-region --region-name ap-south-1" in finding.action


def test_an_opt_in_dr_region_disabled_in_the_management_account_is_enabled_by_the_program(world):
    world.region_status[(MGMT, DR)] = "DISABLED"
    [finding] = [f for f in of(world.run(), "opt-in-regions") if "management" in f.detail]
    assert (finding.status, finding.detail) == ("warn", "ap-south-2 in management (222222222222): DISABLED")
    assert "program enables it" in finding.action


def test_an_opt_in_region_disabled_in_an_existing_member_is_enabled_by_the_program(world):
    sandbox = world.member("lz-dev+sandbox@example.com", "sandbox")  # found by e-mail
    world.region_status[(sandbox, DR)] = "DISABLED"
    findings = of(world.run(), "opt-in-regions")
    assert any(f.status == "warn" and f"sandbox ({sandbox}): DISABLED" in f.detail and "program enables" in f.action
               for f in findings)


def test_a_member_region_status_not_readable_is_a_warning(world):
    sandbox = world.member("lz-dev+sandbox@example.com", "sandbox")
    client = world.session.client("account", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_response("get_region_opt_status", {"RegionName": DR, "RegionOptStatus": "ENABLED"}, {"RegionName": DR})
    stub.add_client_error("get_region_opt_status", "AccessDeniedException", "trusted access is not enabled")
    stub.activate()
    world._account_client = lambda: client
    [finding] = [f for f in of(world.run(), "opt-in-regions") if sandbox in f.detail]
    assert (finding.status, finding.detail) == ("warn", f"ap-south-2 in sandbox ({sandbox}): status not readable "
                                                        "(AccessDeniedException)")


# --- the edges' zone -------------------------------------------------------------------------------------------------


def test_a_missing_hosted_zone_fails(world):
    world.session.client("route53").delete_hosted_zone(Id=ZONE_ID)
    assert failed(world.run()) == [f"dns-zone: network.dns.zone_id: hosted zone {ZONE_ID} (dev.example.com.) not "
                                   f"found in management ({MGMT})"]


def test_a_zone_id_of_another_name_fails(world):
    network = {**world.values["network"], "dns": {**world.values["network"]["dns"], "zone_name": "example.com"}}
    edge_apps = [dict(a, workloads={**a["workloads"], "edge": {"domain_name": "app.example.com"}})
                 if a["name"] == "prod-apps" else a for a in world.values["accounts"]]
    assert failed(world.run(network=network, accounts=edge_apps)) == [
        f"dns-zone: network.dns: zone {ZONE_ID} in management ({MGMT}) is dev.example.com., not zone_name example.com."]


def test_the_zone_is_read_in_the_adopted_account_network_dns_names(world):
    sandbox = world.member("lz-dev+sandbox@example.com", "sandbox")
    world.adopt("sandbox", sandbox)
    network = {**world.values["network"], "dns": {**world.values["network"]["dns"], "account": "sandbox"}}
    # the management account's zone of that id does not count: the records are written through sandbox's provider
    assert failed(world.run(network=network)) == [f"dns-zone: network.dns.zone_id: hosted zone {ZONE_ID} "
                                                  f"(dev.example.com.) not found in sandbox ({sandbox})"]
    world.session.client("route53").delete_hosted_zone(Id=ZONE_ID)
    zone = HostedZoneIdentifier(sandbox, ZONE_NAME + ".", None)
    moto_id_manager.set_custom_id(zone, ZONE_ID)
    try:
        member = boto3.Session(**_assumed(world.session, sandbox), region_name=HOME)
        member.client("route53").create_hosted_zone(Name=ZONE_NAME, CallerReference="sandbox")
    finally:
        moto_id_manager.unset_custom_id(zone)
    assert failed(world.run(network=network)) == []


def test_a_private_zone_fails(world):
    zones = world.session.client("route53")
    zones.delete_hosted_zone(Id=ZONE_ID)
    vpc = world.session.client("ec2").create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    zones.create_hosted_zone(Name=ZONE_NAME, CallerReference="private", HostedZoneConfig={"PrivateZone": True},
                             VPC={"VPCRegion": HOME, "VPCId": vpc})
    assert any("is private" in f for f in failed(world.run()))


# --- the Client VPN's credentials: imported by the program ------------------------------------------------------------


def _server_certificate(tmp_path, pem: bytes) -> dict:
    (tmp_path / "server.pem").write_bytes(pem)
    return {"certificate_file": str(tmp_path / "server.pem"), "private_key": {"secure": "v1:AAAAAAAAAAAAAAAAAAAAAA=="}}


def test_the_example_certificate_and_metadata_pass(world):
    findings = world.run()
    assert [f.status for f in of(findings, "certificates") + of(findings, "saml")] == ["pass", "pass"]
    detail = of(findings, "certificates")[0].detail
    assert "examples/client-vpn/server-cert.example.pem (" in detail and "CN=vpn.example.com) valid until 2036" in detail


def test_an_expired_server_certificate_fails(world, tmp_path):
    pem, _ = _pem(days=-1)
    network = world.client_vpn(server_certificate=_server_certificate(tmp_path, pem))
    [finding] = failed(world.run(network=network))
    assert finding.startswith("certificates: network.client_vpn.server_certificate.certificate_file")
    assert "expired on" in finding and "ACM refuses to import it" in finding


def test_a_server_certificate_expiring_within_30_days_is_a_warning(world, tmp_path):
    pem, _ = _pem(days=20)
    [finding] = of(world.run(network=world.client_vpn(server_certificate=_server_certificate(tmp_path, pem))),
                   "certificates")
    assert finding.status == "warn" and finding.detail.endswith("expires in 19 days")


def test_a_server_certificate_with_a_key_client_vpn_refuses_fails(world, tmp_path):
    pem, _ = _pem(key=ec.generate_private_key(ec.SECP256R1()))
    [finding] = failed(world.run(network=world.client_vpn(server_certificate=_server_certificate(tmp_path, pem))))
    assert "EC 256-bit key; a Client VPN endpoint accepts RSA 1024 or 2048 only" in finding


def test_a_server_certificate_that_is_no_pem_fails(world, tmp_path):
    pem = b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"
    [finding] = failed(world.run(network=world.client_vpn(server_certificate=_server_certificate(tmp_path, pem))))
    assert "is not a readable PEM certificate" in finding


def test_saml_metadata_without_a_signing_certificate_fails(world):
    network = world.client_vpn(saml_metadata_file=str(FIXTURES / "idp-metadata.xml"))
    [finding] = failed(world.run(network=network))
    assert finding.startswith("saml: network.client_vpn.saml_metadata_file:") and "has no signing certificate" in finding


def test_saml_metadata_shorter_than_iam_accepts_fails(world, tmp_path):
    short = ('<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
             'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml"><md:IDPSSODescriptor '
             'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing">'
             "<ds:KeyInfo><ds:X509Data><ds:X509Certificate>MIIB</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
             "</md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>")
    (tmp_path / "idp.xml").write_text(short)
    [finding] = failed(world.run(network=world.client_vpn(saml_metadata_file=str(tmp_path / "idp.xml"))))
    assert f"has {len(short)} characters; IAM wants at least 1000" in finding


# --- the Client VPN's credentials: adopted with the network account ---------------------------------------------------


def _adopt_network(world) -> tuple[str, boto3.Session]:
    network = world.member("lz-dev+network@example.com", "network")
    world.adopt("network", network)
    return network, boto3.Session(**_assumed(world.session, network), region_name=HOME)


def test_a_missing_adopted_certificate_fails(world):
    network, member = _adopt_network(world)
    provider = member.client("iam").create_saml_provider(SAMLMetadataDocument=(FIXTURES / "idp-metadata.xml")
                                                         .read_text(), Name="example-idp")["SAMLProviderArn"]
    missing = f"arn:aws:acm:{HOME}:{network}:certificate/00000000-0000-4000-8000-00000000dead"
    vpn = world.client_vpn(server_certificate=None, saml_metadata_file=None, saml_provider_arn=provider,
                           server_certificate_arn=missing)
    assert failed(world.run(network=vpn)) == [f"certificates: network.client_vpn.server_certificate_arn: {missing} "
                                              "not found"]
    issued = _certificate(member)
    assert failed(world.run(network={**vpn, "client_vpn": {**vpn["client_vpn"], "server_certificate_arn": issued}})) == []


def test_a_missing_adopted_saml_provider_fails(world):
    network, member = _adopt_network(world)
    arn = f"arn:aws:iam::{network}:saml-provider/example-idp"
    vpn = world.client_vpn(server_certificate=None, saml_metadata_file=None, saml_provider_arn=arn,
                           server_certificate_arn=_certificate(member))
    assert failed(world.run(network=vpn)) == [f"saml: network.client_vpn.saml_provider_arn: {arn} not found"]
    member.client("iam").create_saml_provider(SAMLMetadataDocument=(FIXTURES / "idp-metadata.xml").read_text(),
                                              Name="example-idp")
    assert failed(world.run(network=vpn)) == []


# --- the access role ------------------------------------------------------------------------------------------------


def test_an_adopted_account_without_the_access_role_fails(world, monkeypatch):
    from landing_zone.preflight.core import Context

    sandbox = world.member("lz-dev+sandbox@example.com", "sandbox")
    world.adopt("sandbox", sandbox)
    real = Context.member_session
    monkeypatch.setattr(Context, "member_session", lambda ctx, account_id: None if account_id == sandbox
                        else real(ctx, account_id))  # AssumeRole refused: moto assumes any role
    [finding] = [f for f in world.run() if f.check == "access-role"]
    assert (finding.status, finding.detail) == ("fail", f"sandbox ({sandbox}): cannot assume OrganizationAccountAccessRole"
                                                f" (missing, not trusting the management account {MGMT}, or denied)")
    assert "BEFORE the account joins" in finding.action


def test_an_adopted_account_outside_the_organization_fails(world):
    world.adopt("sandbox", "333333333333")
    [finding] = [f for f in world.run() if f.check == "access-role"]
    assert finding.status == "fail" and "not in the organization" in finding.detail


def test_a_caller_outside_the_access_role_assumers_is_warned(world):
    [finding] = of(world.run(), "access-role-assumers")
    assert finding.status == "warn"
    assert finding.detail.startswith(f"the caller arn:aws:iam::{MGMT}:user/moto is not in organization.access_role_assumers")
    assert "data-perimeter RCP" in finding.detail


def _session_of_role(world, name: str, path: str = "/") -> boto3.Session:
    world.session.client("iam").create_role(RoleName=name, Path=path, AssumeRolePolicyDocument="{}")
    creds = world.session.client("sts").assume_role(RoleArn=f"arn:aws:iam::{MGMT}:role{path}{name}",
                                                    RoleSessionName="preflight")["Credentials"]
    return boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                         aws_session_token=creds["SessionToken"], region_name=HOME)


def test_the_deploy_role_among_the_access_role_assumers_passes(world):
    session = _session_of_role(world, "landing-zone-deploy-dev")
    [finding] = of(world.run(session=session), "access-role-assumers")
    assert (finding.status, finding.detail) == ("pass", f"the caller arn:aws:iam::{MGMT}:role/landing-zone-deploy-dev is "
                                                        "in organization.access_role_assumers")


def test_an_sso_role_is_matched_with_its_path(world):
    # the session ARN leaves the path out; aws:PrincipalArn (what the RCP compares) has it
    path = "/aws-reserved/sso.amazonaws.com/ap-south-1/"
    session = _session_of_role(world, "AWSReservedSSO_Admin_0123456789abcdef", path)
    organization = {**world.values["organization"], "access_role_assumers": [
        f"arn:aws:iam::{MGMT}:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_Admin_*"]}
    [finding] = of(world.run(session=session, organization=organization), "access-role-assumers")
    assert finding.status == "pass"


# --- vCPU quotas ------------------------------------------------------------------------------------------------------


def test_vcpus_of_the_configs_instance_types():
    assert [vcpus(t) for t in ("t3.medium", "t3.large", "m6i.large", "m6i.xlarge", "r6i.xlarge", "m6g.medium")] == [
        2, 2, 2, 4, 4, 1]
    assert vcpus("p4d.24xlarge") is None and vcpus("m6i.huge") is None
    nonprod_data = parse(dev_values()).account("nonprod-data")
    assert vcpu_need(nonprod_data) == (2 * 2 + 2 + 2, [])  # t3.large node group at max 2, cassandra, kafka


def test_an_existing_account_with_a_low_vcpu_quota_fails(world):
    data = world.member("lz-dev+nonprod-data@example.com", "nonprod-data")
    world.quotas[data] = 4
    [finding] = [f for f in of(world.run(), "vcpu-quota") if f.status == "fail"]
    assert f"nonprod-data ({data}) ap-south-1: quota 4 vCPUs, the config needs 8" == finding.detail
    world.quotas[data] = 32
    assert all(f.status != "fail" for f in of(world.run(), "vcpu-quota"))


def test_an_organization_account_quota_too_small_for_the_new_accounts_fails(world):
    world.account_quota = 8  # dev: the management account + 8 accounts to create
    [finding] = [f for f in world.run() if f.check == "account-quota"]
    assert (finding.status, finding.detail) == ("fail", "1 accounts in the organization + 8 to create = 9; quota 8")
    assert "L-E619E033 >= 9" in finding.action


def test_a_new_account_reports_its_need(world):
    findings = of(world.run(), "vcpu-quota")
    assert any(f.status == "warn" and f.detail.startswith("nonprod-data: new account needs 8 vCPUs") for f in findings)


# --- security services in the management account ---------------------------------------------------------------------


def test_an_existing_guardduty_detector_prints_its_import(world):
    detector = world.session.client("guardduty", region_name=DR).create_detector(Enable=True)["DetectorId"]
    [finding] = [f for f in of(world.run(), "security-services") if "GuardDuty" in f.detail]
    assert finding.status == "warn"
    [command] = finding.commands
    assert command.startswith(f"pulumi import --stack dev aws:guardduty/detector:Detector management-{DR}-guardduty "
                              f"{detector} --yes")
    # the URN must be the program's: same parent component and provider, or the next `pulumi up` replaces it
    assert ("--parent 'security-guardduty=urn:pulumi:dev::landing-zone::landing-zone:security:SecurityBaseline"
            "$landing-zone:security:GuardDuty::security-guardduty'") in command
    # quoted: the provider's URN has a `$` the shell would expand
    assert (f"--provider 'management-{DR}=urn:pulumi:dev::landing-zone::landing-zone:organization:Organization"
            f"$pulumi:providers:aws::management-{DR}'") in command


def test_security_hub_enabled_prints_its_import(world):
    world.session.client("securityhub", region_name=HOME).enable_security_hub()
    commands = [c for f in of(world.run(), "security-services") for c in f.commands]
    assert any(f"aws:securityhub/account:Account management-{HOME}-securityhub {MGMT} --yes" in c for c in commands)


def test_a_detector_in_an_adopted_security_account_prints_its_import(world):
    security = world.member("lz-dev+security@example.com", "security")  # found by e-mail
    member = boto3.Session(**_assumed(world.session, security), region_name=HOME)
    detector = member.client("guardduty").create_detector(Enable=True)["DetectorId"]
    commands = [c for f in of(world.run(), "security-services") for c in f.commands]
    assert any(f"aws:guardduty/detector:Detector security-{HOME}-guardduty {detector} --yes" in c
               and f"--provider 'security-{HOME}=" in c for c in commands)


def _assumed(session, account_id: str) -> dict:
    creds = session.client("sts").assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
                                              RoleSessionName="test")["Credentials"]
    return {"aws_access_key_id": creds["AccessKeyId"], "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"]}


def test_an_organization_trail_of_the_program_prints_its_import(world):
    bucket = world.session.client("s3")
    bucket.create_bucket(Bucket="trail-logs-example", CreateBucketConfiguration={"LocationConstraint": HOME})
    trail = world.session.client("cloudtrail").create_trail(Name="lzdev-organization-trail", S3BucketName=
                                                            "trail-logs-example", IsOrganizationTrail=True,
                                                            IsMultiRegionTrail=True)
    [finding] = [f for f in of(world.run(), "security-services") if "organization trail" in f.detail]
    assert finding.status == "warn" and "creating it again fails" in finding.detail
    assert "aws:cloudtrail/trail:Trail management-ap-south-1-organization-trail " in finding.commands[0] and trail["TrailARN"] in finding.commands[0]


def test_a_config_recorder_with_another_name_fails(world):
    world.session.client("config", region_name=HOME).put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": f"arn:aws:iam::{MGMT}:role/config", "recordingGroup": {"allSupported": True}})
    assert any("Config recorder 'default' in management ap-south-1 exists; the program creates 'landing-zone'" in f
               for f in failed(world.run()))


# --- credentials and bad input ----------------------------------------------------------------------------------------


def test_expired_credentials_in_a_check_stop_the_run(world):
    client = world.session.client("account", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_client_error("get_region_opt_status", "ExpiredToken", "The security token included in the request is expired")
    stub.activate()
    world._account_client = lambda: client
    with pytest.raises(CredentialsProblem, match="refused \\(ExpiredToken"):
        world.run()


def test_access_denied_fails_that_check_only(world):
    client = world.session.client("account", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_client_error("get_region_opt_status", "AccessDeniedException", "not authorized")
    stub.activate()
    world._account_client = lambda: client
    findings = world.run()
    assert failed(findings) == ["opt-in-regions: access denied to GetRegionOptStatus: could not be checked"]
    assert json.loads(render_json(findings, "dev"))["ready"] is False


def test_a_check_that_crashes_fails_alone(world, monkeypatch):
    from landing_zone.preflight import capacity

    monkeypatch.setattr(capacity, "vcpu_need", lambda account: 1 / 0)
    assert failed(world.run()) == ["vcpu-quota: the check itself failed: ZeroDivisionError: division by zero"]


def test_credential_errors_are_recognised():
    assert credentials_problem(ClientError({"Error": {"Code": "InvalidClientTokenId"}}, "GetCallerIdentity"))
    assert credentials_problem(ClientError({"Error": {"Code": "AccessDenied"}}, "ListRoots")) is None


def test_cli_without_credentials_exits_2_without_a_traceback(monkeypatch, tmp_path):
    from landing_zone.plan_file import write_plan

    for key in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    plan = write_plan(full_plan("dev"), tmp_path / "plan.json")
    result = CliRunner().invoke(app, ["preflight", "--stack", "dev", "--plan", str(plan), "--root", str(ROOT)])
    assert result.exit_code == 2
    assert "no AWS credentials found" in result.output and "Traceback" not in result.output


def test_cli_rejects_an_unknown_format_and_another_stacks_plan(tmp_path):
    from landing_zone.plan_file import write_plan

    plan = write_plan(full_plan("dev"), tmp_path / "plan.json")
    bad = CliRunner().invoke(app, ["preflight", "--stack", "dev", "--plan", str(plan), "--format", "xml",
                                   "--root", str(ROOT)])
    assert bad.exit_code == 2 and "--format" in bad.output
    other = CliRunner().invoke(app, ["preflight", "--stack", "prod", "--plan", str(plan), "--root", str(ROOT)])
    assert other.exit_code == 2 and "this is a plan of stack 'dev', not of --stack 'prod'" in other.output


def test_cli_json_on_a_ready_organization(world, monkeypatch, tmp_path):
    from landing_zone import preflight as preflight_mod
    from landing_zone.plan_file import write_plan

    real = preflight_mod.preflight
    monkeypatch.setattr(preflight_mod, "preflight", lambda cfg, plan, session, root: real(
        parse(world.values), plan, world.session, root, clients={**_stubbed_clients(world.session)}))
    plan = write_plan(full_plan("dev"), tmp_path / "plan.json")
    result = CliRunner().invoke(app, ["preflight", "--stack", "dev", "--plan", str(plan), "--format", "json",
                                      "--root", str(ROOT)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ready"] is True
    assert report["commands"][0].startswith("pulumi up --stack dev --yes --target")
    assert report["commands"][1].startswith("pulumi import --stack dev aws:organizations/organization:Organization")
