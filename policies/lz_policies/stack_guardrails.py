"""Stack rules of the guardrails an attacker reaches first (issue 22): what the SCPs effective in every workload
account deny (X-20), that the SCPs fit AWS's limits, that no data-perimeter RCP statement is missing (X-21), and
that prod images are written only by the pipeline, never pulled from non-prod (X-22)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from . import iam
from .graph import Graph, Res
from .iam import statements
from .rules import CaseResource, Param, StackCase, StackRule
from .stack_helpers import case_resource, own_tag
from .stack_organization import ROOT, _baseline_deny, _denies_everyone, _lineage, _parents, _scp_targets, _statements_of
from .types import (
    ECR_REPOSITORY,
    ORG_ACCOUNT,
    ORG_POLICY,
    ORG_POLICY_ATTACHMENT,
    ORG_UNIT,
    ORGANIZATION,
    REPOSITORY_POLICY,
)
from .values import UNKNOWN, cannot_verify, is_unknown

# ---------------------------------------------------------------------------
# One representative per class an account administrator must not reach (the SCP classes themselves are tested
# against botocore's operation lists in tests/components/test_scp_classes.py): moving a subnet's routes, opening an
# endpoint, blinding a detective service, registering an outside identity, removing backups.
WORKLOAD_DENIES = [
    "ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:ReplaceRouteTableAssociation", "ec2:AssociateRouteTable",
    "ec2:ModifyVpcEndpoint", "ec2:ModifySubnetAttribute", "ec2:CreateVpcPeeringConnection", "ec2:AttachInternetGateway",
    "guardduty:UpdateMemberDetectors", "guardduty:CreateIPSet", "guardduty:CreateFilter",
    "securityhub:CreateAutomationRule", "securityhub:BatchUpdateFindings", "securityhub:UpdateConfigurationPolicy",
    "securityhub:BatchUpdateStandardsControlAssociations", "inspector2:UpdateOrganizationConfiguration",
    "inspector2:EnableDelegatedAdminAccount", "access-analyzer:CreateArchiveRule",
    "config:DeleteOrganizationConfigRule", "route53resolver:DisassociateFirewallRuleGroup",
    "route53resolver:DisassociateResolverQueryLogConfig", "account:PutAlternateContact",
    "iam:CreateSAMLProvider", "iam:UpdateSAMLProvider", "iam:CreateOpenIDConnectProvider",
    "rolesanywhere:CreateTrustAnchor", "backup:DeleteRecoveryPoint", "backup:DeleteBackupVault",
]  # s3:BypassGovernanceRetention: X-18, without exemption, wherever a GOVERNANCE lock is
WORKLOAD_ENVIRONMENTS = ["prod", "nonprod", "sandbox"]
# The resource side of the data perimeter: writes only into resources of the organization.
RESOURCE_PERIMETER_ACTIONS = ["s3:PutObject", "sqs:SendMessage", "sns:Publish", "kinesis:PutRecord"]
SCP_MAX_CHARACTERS = 5120
SCPS_PER_TARGET = 4  # AWS allows 5 per root, OU or account; FullAWSAccess holds one


def workload_accounts_guarded(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, cfg = stack.graph(), stack.cfg
    if not g.of_type(ORGANIZATION):
        return  # the stack does not manage the organization
    unknown: list[str] = []
    policies = g.of_type(ORG_POLICY)
    scps = [p for p in policies if p.get("type", "SERVICE_CONTROL_POLICY") == "SERVICE_CONTROL_POLICY"]
    attached = _scp_targets(g, scps, unknown)
    parents = _parents(g)
    for account in g.of_type(ORG_ACCOUNT):
        if own_tag(account, "environment") not in cfg["workloadEnvironments"]:
            continue
        lineage = _lineage(account.urn, parents)
        effective = _statements_of([p for p in scps if attached.get(p.urn, set()) & lineage], unknown)
        if unknown:
            break
        missing = [a for a in cfg["workloadDenies"] if not any(_baseline_deny(st, a) for st in effective)]
        missing += [a for a in cfg["resourcePerimeterActions"] if not any(_resource_perimeter(st, a) for st in effective)]
        if missing:
            yield account.urn, (
                f"account {account.name} ({own_tag(account, 'environment')}): no SCP effective there (attached to "
                f"it, its OUs or the root) denies {', '.join(missing)} on Resource \"*\" with no condition but "
                "pipeline exemptions (writes: StringNotEqualsIfExists aws:ResourceOrgID); attach network-lockdown, "
                "security-services, data-protection and protect-logs-and-backups to its OU (or the root)")
    yield from _limits(g, scps, attached, unknown)
    if unknown:
        raise cannot_verify(unknown)


def _resource_perimeter(statement: Mapping, action: str) -> bool:
    """A Deny of `action` on every resource unless the resource belongs to the organization (aws:ResourceOrgID,
    negated); principal exemptions allowed, nothing else."""
    if statement.get("Effect") != "Deny" or not iam.covers_action(statement, action):
        return False
    if not iam.covers_resource(statement, "*"):
        return False
    pinned = False
    for operator, key, values in iam.condition_entries(statement):
        base = operator.split(":", 1)[-1].removesuffix("ifexists")
        if base not in iam.NEGATED_OPERATORS:
            return False
        if key == "aws:resourceorgid":
            pinned = pinned or any(v.strip() not in ("", "*") for v in values)
        elif key != "aws:principalarn":
            return False
    return pinned


def _limits(g: Graph, scps: list[Res], attached: dict[str, set[str]], unknown: list[str]) -> Iterator[tuple[str, str]]:
    """AWS refuses an SCP over 5,120 characters (minified) and a sixth SCP on a target (FullAWSAccess is one)."""
    for scp in scps:
        content = scp.get("content")
        if isinstance(content, str) and not is_unknown(content):
            size = len(json.dumps(json.loads(content), separators=(",", ":")))
            if size > SCP_MAX_CHARACTERS:
                yield scp.urn, (f"{scp.name} is {size} characters minified, over AWS's limit of {SCP_MAX_CHARACTERS}: "
                                "split it into two SCPs (mind the five SCPs per target)")
    per_target: dict[str, list[str]] = {}
    for scp in scps:
        for target in attached.get(scp.urn, set()):
            per_target.setdefault(target, []).append(scp.name)
    for target, names in sorted(per_target.items()):
        if len(names) > SCPS_PER_TARGET:
            res = g.by_urn.get(target)
            urn = res.urn if res is not None else g.of_type(ORGANIZATION)[0].urn
            where = res.name if res is not None else "the root"
            yield urn, (f"{where} has {len(names)} SCPs attached ({', '.join(sorted(names))}) besides FullAWSAccess: "
                        f"AWS allows 5 per target; attach at most {SCPS_PER_TARGET} (merge some, or move them to a "
                        "parent OU or the root)")


# ---------------------------------------------------------------------------
# Every statement of the data perimeter is required, not only TLS and organization identities: an RCP that
# lost its confused-deputy statement lets any AWS service act on the organization's data for an outside account.
CONFUSED_DEPUTY_ACTIONS = ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*"]


def rcp_perimeter_complete(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, cfg = stack.graph(), stack.cfg
    organizations = g.of_type(ORGANIZATION)
    if not organizations:
        return
    unknown: list[str] = []
    rcps = [p for p in g.of_type(ORG_POLICY) if p.get("type") == "RESOURCE_CONTROL_POLICY"]
    attached = _scp_targets(g, rcps, unknown)
    found = _statements_of([p for p in rcps if ROOT in attached.get(p.urn, set())], unknown)
    if unknown:
        raise cannot_verify(unknown)
    org = organizations[0]
    missing = [a for a in cfg["confusedDeputyActions"] if not any(_confused_deputy(st, a) for st in found)]
    if missing:
        yield org.urn, (f"no RCP attached to the root denies AWS services {', '.join(missing)} on behalf of accounts "
                        "outside the organization: add the EnforceConfusedDeputyProtection statement (Deny, Principal "
                        "\"*\", StringNotEqualsIfExists aws:SourceOrgID, Null aws:SourceAccount false, Bool "
                        "aws:PrincipalIsAWSService true)")
    role, assumers = cfg["accessRoleName"], cfg["accessRoleAssumers"]
    if assumers and not any(_restricts_assumption(st, role) for st in found):
        yield org.urn, (f"organization.access_role_assumers is set, but no RCP attached to the root denies "
                        f"sts:AssumeRole on role/{role} to other principals: add the RestrictAccessRoleAssumption "
                        "statement (Deny sts:AssumeRole on the access role, ArnNotLike aws:PrincipalArn the assumers)")


def _confused_deputy(statement: Mapping, action: str) -> bool:
    if not _denies_everyone(statement) or not iam.covers_action(statement, action):
        return False
    if not iam.covers_resource(statement, "*"):
        return False
    keys = {(op.split(":", 1)[-1].removesuffix("ifexists"), key) for op, key, _ in iam.condition_entries(statement)}
    return any(base in iam.NEGATED_OPERATORS and key == "aws:sourceorgid" for base, key in keys)


def _restricts_assumption(statement: Mapping, role: str) -> bool:
    if not _denies_everyone(statement) or not iam.covers_action(statement, "sts:AssumeRole"):
        return False
    if not iam.covers_resource(statement, f"arn:aws:iam::111111111111:role/{role}"):
        return False
    conditions = list(iam.condition_entries(statement))
    return bool(conditions) and all(key == "aws:principalarn" and op.removesuffix("ifexists") in iam.NEGATED_OPERATORS
                                    for op, key, _ in conditions)


# ---------------------------------------------------------------------------
# Promotion by digest into a repository only the pipeline writes: a prod repository's policy denies image writes
# (and policy changes) to all but named principals, and no repository outside prod lets another principal pull
# (prod pulling a non-prod tag fetches whatever a developer pushed there last).
ECR_WRITE_ACTIONS = ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                     "ecr:BatchDeleteImage", "ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy"]


def images_promoted_not_pulled(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, cfg, unknown = stack.graph(), stack.cfg, []
    policies: dict[str, list[Res]] = {}
    for policy in g.of_type(REPOSITORY_POLICY):
        for repo in g.resolve(policy, "repository", (ECR_REPOSITORY,)):
            policies.setdefault(repo.urn, []).append(policy)
    for repo in g.of_type(ECR_REPOSITORY):
        own = _policy_statements(policies.get(repo.urn, []), unknown)
        if g.environment(repo) in cfg["writeProtectedEnvironments"]:
            loose = [a for a in cfg["ecrWriteActions"] if not any(_pipeline_only(st, a) for st in own)]
            if loose and not unknown:
                yield repo.urn, (f"prod repository {repo.name}: no repository policy denies {', '.join(loose)} to "
                                 "everyone but named principals (Deny, Principal \"*\", ArnNotEquals "
                                 "aws:PrincipalArn <deploy roles and the access role>, no wildcards): only the pipeline "
                                 "may write prod images, copying the tested digest after approval")
        elif any(st.get("Effect") == "Allow" and iam.principal_values(st, "AWS") for st in own):
            yield repo.urn, (f"{g.environment(repo)} repository {repo.name} lets other principals pull: prod never pulls "
                             "from a non-prod repository (its tags can be deleted and pushed again); remove the "
                             "grant and promote by copying the digest into the prod repository after approval")
    if unknown:
        raise cannot_verify(unknown)


def _policy_statements(policies: list[Res], unknown: list[str]) -> list[dict]:
    found: list[dict] = []
    for policy in policies:
        if is_unknown(policy.get("policy")):
            unknown.append(f"{policy.name}.policy")
        else:
            found += statements(policy.get("policy"))
    return found


def _pipeline_only(statement: Mapping, action: str) -> bool:
    if not _denies_everyone(statement) or not iam.covers_action(statement, action):
        return False
    conditions = list(iam.condition_entries(statement))
    return all(key == "aws:principalarn" and op.removesuffix("ifexists") in iam.NEGATED_OPERATORS
               and not any("*" in v.split(":", 5)[-1] for v in values) for op, key, values in conditions)


# --------------------------------------------------------------------------- cases
_PIPELINE = {"ArnNotLike": {"aws:PrincipalArn": "arn:*:iam::*:role/OrganizationAccountAccessRole"}}
_ORG = case_resource(ORGANIZATION, "org", {"featureSet": "ALL"}, env="core")
_OU = case_resource(ORG_UNIT, "sandbox-ou", {"name": "Sandbox"}, {"parentId": "org"}, env="core")


def _policy(name: str, type_: str, *statements: Mapping) -> CaseResource:
    return case_resource(ORG_POLICY, name, {"type": type_, "content": json.dumps({
        "Version": "2012-10-17", "Statement": list(statements)})}, env="core")


def _attach(name: str, policy: str, target: str) -> CaseResource:
    return case_resource(ORG_POLICY_ATTACHMENT, name, {},
                         {"policyId": policy, "targetId": target}, env="core")


def _account(env: str = "sandbox") -> CaseResource:
    return case_resource(ORG_ACCOUNT, f"account-{env}", {"name": env, "tags": {"account": env, "environment": env}},
                         {"parentId": "sandbox-ou"}, env="core")


_WRITES = {"Sid": "DenyWritesOutsideOrganization", "Effect": "Deny", "Action": RESOURCE_PERIMETER_ACTIONS,
           "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:ResourceOrgID": "${aws:PrincipalOrgID}"}}}


def _guarded(denies: list[str] = WORKLOAD_DENIES, writes: Mapping | None = _WRITES, at: str = "sandbox-ou",
             extra: int = 0) -> tuple[CaseResource, ...]:
    statements = [{"Sid": "Guard", "Effect": "Deny", "Action": denies, "Resource": "*", "Condition": _PIPELINE}]
    scp = _policy("guard", "SERVICE_CONTROL_POLICY", *statements, *([writes] if writes else []))
    fillers = [_policy(f"filler-{i}", "SERVICE_CONTROL_POLICY", {"Effect": "Deny", "Action": "a:b", "Resource": "*"})
               for i in range(extra)]
    return (_ORG, _OU, _account(), scp, _attach("guard-at", "guard", at), *fillers,
            *[_attach(f"filler-{i}-at", f"filler-{i}", "sandbox-ou") for i in range(extra)])


X20_CASES = (
    StackCase(_guarded(), violates=False, note="every class denied at the account's OU, pipeline exempt"),
    StackCase(_guarded(at="org"), violates=False, note="denied at the root"),
    StackCase(_guarded(denies=[a for a in WORKLOAD_DENIES if a != "ec2:ReplaceRouteTableAssociation"]),
              violates=True, note="a data subnet can be moved onto the public route table"),
    StackCase(_guarded(denies=[a for a in WORKLOAD_DENIES if not a.startswith("securityhub:")]), violates=True,
              note="Security Hub automation rules can close findings"),
    StackCase(_guarded(denies=[a for a in WORKLOAD_DENIES if not a.startswith(("iam:", "rolesanywhere:"))]),
              violates=True, note="outside identity providers"),
    StackCase(_guarded(writes=None), violates=True, note="no resource-side perimeter"),
    StackCase(_guarded(writes=dict(_WRITES, Condition={"StringNotEqualsIfExists": {"aws:ResourceOrgID": "*"}})),
              violates=True, note="a perimeter that pins nothing"),
    StackCase(_guarded(extra=4), violates=True, note="five SCPs besides FullAWSAccess on one OU"),
    StackCase((_ORG, _OU, _account("core"), _policy("guard", "SERVICE_CONTROL_POLICY", {
        "Effect": "Deny", "Action": "a:b", "Resource": "*"}), _attach("guard-at", "guard", "sandbox-ou")),
              violates=False, note="core accounts are not workload accounts"),
    StackCase((_ORG, _OU, _account(), case_resource(ORG_POLICY, "guard", {"type": "SERVICE_CONTROL_POLICY",
                                                                          "content": UNKNOWN}, env="core"),
               _attach("guard-at", "guard", "sandbox-ou")), violates=False, unknown=True, note="preview"),
)

_TLS = {"Sid": "EnforceSecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}
_DEPUTY = {"Sid": "EnforceConfusedDeputyProtection", "Effect": "Deny", "Principal": "*",
           "Action": CONFUSED_DEPUTY_ACTIONS, "Resource": "*",
           "Condition": {"StringNotEqualsIfExists": {"aws:SourceOrgID": "o-exampleorg1"},
                         "Null": {"aws:SourceAccount": "false"}, "Bool": {"aws:PrincipalIsAWSService": "true"}}}
_ASSUMERS = ["arn:aws:iam::111111111111:role/landing-zone-deploy-prod"]
_RESTRICT = {"Sid": "RestrictAccessRoleAssumption", "Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole",
             "Resource": "arn:*:iam::*:role/OrganizationAccountAccessRole",
             "Condition": {"ArnNotLike": {"aws:PrincipalArn": _ASSUMERS}}}
_WITH_ASSUMERS = {"accessRoleAssumers": _ASSUMERS}


def _rcp(*statements: Mapping) -> tuple[CaseResource, ...]:
    return (_ORG, _policy("perimeter", "RESOURCE_CONTROL_POLICY", *statements), _attach("perimeter-at", "perimeter", "org"))


X21_CASES = (
    StackCase(_rcp(_TLS, _DEPUTY, _RESTRICT), violates=False, config=_WITH_ASSUMERS),
    StackCase(_rcp(_TLS, _DEPUTY), violates=False, note="no assumers configured: no restriction required"),
    StackCase(_rcp(_TLS, _RESTRICT), violates=True, config=_WITH_ASSUMERS, note="confused-deputy statement deleted"),
    StackCase(_rcp(_TLS, _DEPUTY), violates=True, config=_WITH_ASSUMERS, note="access-role restriction deleted"),
    StackCase(_rcp(_TLS, dict(_DEPUTY, Action=["s3:*"]), _RESTRICT), violates=True, config=_WITH_ASSUMERS,
              note="confused-deputy protection for S3 only"),
)


_ROLE = "arn:aws:iam::111111111111:role/"
_WRITERS = {"Sid": "OnlyThePipelineWrites", "Effect": "Deny", "Principal": "*", "Action": ECR_WRITE_ACTIONS,
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [_ROLE + "landing-zone-deploy-los", _ROLE + "Oaar"]}}}
_PULL = {"Sid": "PromotionPull", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::222222222222:root"]},
         "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}


def _repo(env: str, *statements: Mapping) -> tuple[CaseResource, ...]:
    repo = case_resource(ECR_REPOSITORY, f"{env}-los", {"name": "los"}, env=env)
    if not statements:
        return (repo,)
    return repo, case_resource(REPOSITORY_POLICY, f"{env}-los-policy", {"policy": json.dumps(
        {"Version": "2012-10-17", "Statement": list(statements)})}, {"repository": f"{env}-los"}, env=env)


X22_CASES = (
    StackCase(_repo("prod", _WRITERS) + _repo("nonprod"), violates=False, note="prod written by the pipeline only"),
    StackCase(_repo("prod"), violates=True, note="anyone with ecr:PutImage in the prod account pushes"),
    StackCase(_repo("prod", dict(_WRITERS, Condition={"ArnNotLike": {"aws:PrincipalArn": _ROLE + "*"}})),
              violates=True, note="every role of the account exempted"),
    StackCase(_repo("prod", _WRITERS) + _repo("nonprod", _PULL), violates=True,
              note="prod pulls from the non-prod repository (the *-promotion grant)"),
    StackCase(_repo("nonprod", {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                "Action": "ecr:BatchGetImage"}), violates=False, note="a service principal"),
)


RULES = [
    StackRule(
        id="X-22", name="x-22-images-promoted-by-the-pipeline",
        title="Prod repositories are written only by the pipeline; nothing pulls from a non-prod repository",
        description="Every ECR repository in a `writeProtectedEnvironments` account has a repository policy that "
                    "denies `ecrWriteActions` to Principal \"*\" except named principals (negated aws:PrincipalArn, "
                    "no wildcard in the role name); no repository elsewhere allows an AWS principal to pull "
                    "(promotion copies the approved digest into prod instead).",
        refs="AWS Prescriptive Guidance (ECR cross-account promotion); SLSA build provenance; issue 22",
        checks=(images_promoted_not_pulled,), cases=X22_CASES,
        params={"ecrWriteActions": Param("array", ECR_WRITE_ACTIONS, "actions only the pipeline may call on a prod "
                                         "repository", items="string"),
                "writeProtectedEnvironments": Param("array", ["prod"], "environments whose repositories only the "
                                                    "pipeline writes", items="string")}),
    StackRule(
        id="X-20", name="x-20-workload-account-guardrails",
        title="Every workload account's SCPs deny network, security-service, identity-provider and backup tampering",
        description="For every organizations/account whose environment tag is one of `workloadEnvironments`, the "
                    "SCPs effective there (attached to the account, its OUs or the root) deny every "
                    "`workloadDenies` action (route and route-table association changes, endpoint and subnet "
                    "changes, GuardDuty member detectors / IP sets / filters, Security Hub automation rules / "
                    "configuration policies / control associations / finding updates, Inspector delegated admin "
                    "and organization configuration, Access Analyzer archive rules, organization Config rules, "
                    "DNS Firewall and query-log disassociation, alternate contacts, SAML / OIDC / Roles Anywhere "
                    "identity providers, backups) on Resource \"*\" with no condition but "
                    "principal exemptions, and deny `resourcePerimeterActions` into resources outside the "
                    "organization (StringNotEqualsIfExists aws:ResourceOrgID). Every SCP fits in 5,120 characters "
                    "minified, and no root, OU or account has more than 4 SCPs besides FullAWSAccess.",
        refs="AWS SRA; LZA GRNETSEC2 and GRSEC; AWS data-perimeter resource_perimeter_scp; CONTROLS REQ-06",
        checks=(workload_accounts_guarded,), cases=X20_CASES,
        params={"workloadDenies": Param("array", WORKLOAD_DENIES, "actions an SCP effective in every workload "
                                        "account must deny", items="string"),
                "workloadEnvironments": Param("array", WORKLOAD_ENVIRONMENTS, "account environments the rule "
                                              "applies to", items="string"),
                "resourcePerimeterActions": Param("array", RESOURCE_PERIMETER_ACTIONS, "writes denied into "
                                                  "resources outside the organization", items="string")}),
    StackRule(
        id="X-21", name="x-21-rcp-perimeter-statements",
        title="The root RCP keeps every data-perimeter statement",
        description="When the stack manages the organization, an RCP attached to the root denies "
                    "`confusedDeputyActions` to AWS services acting for accounts outside the organization (negated "
                    "aws:SourceOrgID), and, when organization.access_role_assumers is set, denies sts:AssumeRole on "
                    "the access role to every other principal (ArnNotLike aws:PrincipalArn). X-18 requires the TLS "
                    "and organization-identity statements.",
        refs="AWS RCP examples; aws-samples data-perimeter-policy-examples; CONTROLS REQ-05",
        checks=(rcp_perimeter_complete,), cases=X21_CASES,
        params={"confusedDeputyActions": Param("array", CONFUSED_DEPUTY_ACTIONS, "actions a root RCP protects "
                                               "against confused deputies", items="string"),
                "accessRoleName": Param("string", "OrganizationAccountAccessRole", "the organization access role",
                                        stack="accessRoleName"),
                "accessRoleAssumers": Param("array", [], "principals that alone may assume the access role",
                                            items="string", stack="accessRoleAssumers")}),
]
