"""Each SCP denies a whole class of actions, not the examples someone remembered: the classes are read from
botocore's operation lists (an IAM action is named like its API operation), so a new route-table or suppression
API AWS adds shows up here as a gap. Reads and the app teams' own work (security groups, instances) stay allowed."""

import fnmatch
import re

import botocore.session
import pytest
from core_harness import REPO_ROOT

from landing_zone import scp_documents as scp
from landing_zone.config import load_stack
from landing_zone.models import OrganizationalUnit

MUTATING = r"^(Accept|Allocate|Associate|Attach|Create|Delete|Detach|Disable|Disassociate|Enable|Modify|Reject|Replace)"
# EC2: whatever changes where a subnet's traffic goes (routes, route tables and their associations, gateways,
# endpoints, peering, Transit Gateway, network ACLs, DHCP options) or what a subnet/VPC is.
NETWORK_NOUNS = (r"Route(?!Server)|RouteTable|Subnet|VpcEndpoint|VpcPeering|VpcAttribute|VpcCidr|InternetGateway|"
                 r"NatGateway|VpnGateway|CarrierGateway|TransitGateway|NetworkAcl|DhcpOptions|Ipam(?!Byoasn)")
# the network account's Client VPN routes (the network account is in no workload OU)
NETWORK_EXCEPTIONS = {"CreateClientVpnRoute", "DeleteClientVpnRoute"}
# Security services: what disables, disassociates, deletes, filters, archives or reconfigures a detector, a
# standard, an analyzer, a DNS Firewall association or a query-log association.
SECURITY_CLASSES = {
    "guardduty": r"^(Accept|Archive|Create(Filter|IPSet|Members)|Decline|Delete|Disable|Disassociate|Invite|"
                 r"StopMonitoring|Update)",
    "securityhub": r"^(Accept|BatchDelete|BatchDisable|BatchUpdate|Create(AutomationRule|ConfigurationPolicy|Members)|"
                   r"Decline|Delete|Disable|Disassociate|Invite|StartConfigurationPolicy|Update(?!ActionTarget|Insight))",
    "inspector2": r"^(Create(Filter)|Disable|Disassociate|EnableDelegatedAdmin|Update(Configuration|Filter|"
                  r"OrganizationConfiguration))",
    "accessanalyzer": r"^(ApplyArchiveRule|CreateArchiveRule|DeleteAnalyzer|DeleteArchiveRule|UpdateArchiveRule|"
                      r"UpdateFindings)$",
    "route53resolver": r"^(DisassociateFirewallRuleGroup|DisassociateResolverQueryLogConfig|UpdateFirewall|"
                       r"DeleteFirewall|DeleteResolverQueryLogConfig)",
}
IAM_PREFIX = {"accessanalyzer": "access-analyzer"}


def _operations(service: str, pattern: str) -> list[str]:
    ops = botocore.session.get_session().get_service_model(service).operation_names
    found = [f"{IAM_PREFIX.get(service, service)}:{op}" for op in ops if re.search(pattern, op)]
    assert found, (service, pattern)  # an empty class would pass anything
    return found


def _denied(action: str, statement: dict) -> bool:
    return any(fnmatch.fnmatchcase(action.lower(), p.lower()) for p in statement["Action"])


@pytest.fixture(scope="module")
def cfg():
    return load_stack("prod", REPO_ROOT)


def test_network_lockdown_denies_every_route_association_endpoint_and_subnet_change(cfg):
    (stmt,) = scp.network_lockdown(cfg)["Statement"]
    ops = [op for op in _operations("ec2", MUTATING) if re.search(NETWORK_NOUNS, op)
           and op.split(":")[1] not in NETWORK_EXCEPTIONS]
    assert len(ops) > 100
    assert [op for op in ops if not _denied(op, stmt)] == []


def test_network_lockdown_leaves_reads_security_groups_and_instances_to_the_account(cfg):
    (stmt,) = scp.network_lockdown(cfg)["Statement"]
    for action in ("ec2:DescribeRouteTables", "ec2:DescribeSubnets", "ec2:AuthorizeSecurityGroupIngress",
                   "ec2:CreateSecurityGroup", "ec2:RunInstances", "ec2:CreateNetworkInterface",
                   "ec2:ReplaceIamInstanceProfileAssociation", "ec2:GetTransitGatewayRouteTableAssociations"):
        assert not _denied(action, stmt), action


@pytest.mark.parametrize("service", SECURITY_CLASSES)
def test_security_services_cannot_be_blinded(cfg, service):
    (stmt,) = scp.security_services(cfg)["Statement"]
    assert [op for op in _operations(service, SECURITY_CLASSES[service]) if not _denied(op, stmt)] == []


def test_security_services_reads_stay_allowed(cfg):
    (stmt,) = scp.security_services(cfg)["Statement"]
    for action in ("guardduty:GetFindings", "guardduty:ListDetectors", "securityhub:GetFindings",
                   "inspector2:ListFindings", "access-analyzer:ListFindings", "route53resolver:ListFirewallRules"):
        assert not _denied(action, stmt), action


def test_identity_providers_and_alternate_contacts_only_by_the_pipeline(cfg):
    statements = {s["Sid"]: s for s in scp.guardrails(cfg)["Statement"]}
    idp = statements["DenyIdentityProviders"]
    ops = _operations("iam", r"^(Create|Update)(SAMLProvider|OpenIDConnectProvider)|^AddClientIDToOpenIDConnect")
    ops += _operations("rolesanywhere", r"^(Create|Update|Enable|Put|Import)")
    assert [op for op in ops if not _denied(op, idp)] == []
    assert idp["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": scp.exempted_principals(cfg)}}
    assert _denied("account:PutAlternateContact", statements["ProtectAccountBaseline"])


def test_every_scp_fits_and_no_target_holds_more_than_five(cfg):
    for name, text in scp.scp_documents(cfg).items():
        assert len(text) <= scp.SCP_MAX_CHARACTERS, name
    crowded = cfg.model_copy(update={"organizational_units": [
        *cfg.organizational_units,
        OrganizationalUnit(name="Crowded", scps=["data-protection", "network-lockdown", "protect-logs-and-backups",
                                                 "region-restriction", "security-services"])]})
    errors = list(scp.check_scp_sizes(crowded))
    assert errors == [f"organizational_units[{len(cfg.organizational_units)}].scps: 5 SCPs, AWS allows 5 per target "
                      "and FullAWSAccess holds one; attach at most 4 (move some to a parent OU or the root)"]
    assert list(scp.check_scp_sizes(cfg)) == []
