"""Stack rules of the organization: SCP exemptions are protected and the baseline SCPs and RCPs sit at the root (X-18)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from . import iam
from .graph import Graph, Res
from .iam import statements
from .rules import CaseResource, Param, StackCase, StackRule
from .stack_helpers import case_resource, own_tag
from .types import (
    OBJECT_LOCK_CONFIGS,
    ORG_ACCOUNT,
    ORG_POLICY,
    ORG_POLICY_ATTACHMENT,
    ORG_UNIT,
    ORGANIZATION,
)
from .values import UNKNOWN, as_list, cannot_verify, dig, is_unknown

# ---------------------------------------------------------------------------
# A principal an SCP exempts (Deny ... unless aws:PrincipalArn is X) can switch the guardrails off; so X itself must
# be protected by an SCP that denies changing it (trust policy, policies, deletion), attached where the exemption
# applies, or an account administrator rewrites X's trust policy, assumes it and acts unguarded.
ROLE_PROTECTION_ACTIONS = [
    "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePolicy",
    "iam:DeleteRolePolicy", "iam:DeleteRole",
]
# IAM itself refuses changes to these roles by account principals (service-linked roles; Identity Center's
# AWSReservedSSO_ roles: "UnmodifiableEntity ... this role is only modifiable by AWS").
AWS_PROTECTED_ROLE_PATHS = (":role/aws-service-role/", ":role/aws-reserved/sso.amazonaws.com/")
ROOT = "root"


def scp_exemptions_protected(stack: Any) -> Iterator[tuple[str | None, str]]:
    g = stack.graph()
    unknown: list[str] = []
    scps = [p for p in g.of_type(ORG_POLICY) if p.get("type", "SERVICE_CONTROL_POLICY") == "SERVICE_CONTROL_POLICY"]
    attached = _scp_targets(g, scps, unknown)
    parents = _parents(g)
    required = list(stack.cfg["protectActions"])
    for scp in scps:
        content = scp.get("content")
        if is_unknown(content):
            unknown.append(f"{scp.name}.content")
            continue
        for principal, sids in _exemptions(content).items():
            missing = _unprotected(principal, attached.get(scp.urn, set()), scps, attached, parents, required)
            if missing:
                yield scp.urn, _exemption_message(scp, sids, principal, missing, g)
    if unknown:
        raise cannot_verify(unknown)


def _exemptions(content: Any) -> dict[str, list[str]]:
    """Exempted principal -> Sids (or indexes) of the statements exempting it (AWS-protected roles left out)."""
    found: dict[str, list[str]] = {}
    for i, statement in enumerate(_scp_statements(content)):
        for principal in iam.deny_exemptions(statement):
            if not any(path in principal.lower() for path in AWS_PROTECTED_ROLE_PATHS):
                found.setdefault(principal, []).append(str(statement.get("Sid") or i))
    return found


def _scp_statements(content: Any) -> list[dict]:
    return statements(content)


def _exemption_message(scp: Res, sids: list[str], principal: str, missing: dict[str, list[str]],
                       g: Graph) -> str:
    where = f"{scp.name} (statements {', '.join(sids)})"
    gaps = "; ".join(f"{_target_name(t, g)}: {', '.join(actions)}" for t, actions in missing.items())
    return (f"{where} exempts {principal}, but no SCP attached where the exemption applies denies changes to it "
            f"({gaps}); add a Deny of {', '.join(ROLE_PROTECTION_ACTIONS)} on Resource {principal}, exempting only "
            "that principal and the pipeline role, attached to the root (or every OU the exemption applies to)")


def _target_name(target: str, g: Graph) -> str:
    res = g.by_urn.get(target)
    return res.name if res is not None else target


def _unprotected(principal: str, targets: set[str], scps: list[Res], attached: dict[str, set[str]],
                 parents: dict[str, str], required: list[str]) -> dict[str, list[str]]:
    """Target -> actions on `principal` that no SCP effective at that target denies."""
    missing: dict[str, list[str]] = {}
    for target in sorted(targets):
        lineage = _lineage(target, parents)
        effective = [p for p in scps if attached.get(p.urn, set()) & lineage]
        gaps = [a for a in required if not any(_denies(p, a, principal) for p in effective)]
        if gaps:
            missing[target] = gaps
    return missing


def _denies(scp: Res, action: str, principal: str) -> bool:
    content = scp.get("content")
    if is_unknown(content):
        return False
    return any(_protects(statement, action, principal) for statement in _scp_statements(content))


def _protects(statement: Mapping, action: str, principal: str) -> bool:
    """A Deny of `action` on the principal's ARN whose only conditions are principal exemptions."""
    if statement.get("Effect") != "Deny" or not iam.covers_action(statement, action):
        return False
    if not iam.covers_resource(statement, principal):
        return False
    conditions = list(iam.condition_entries(statement))
    return all(key == "aws:principalarn" and op.split(":", 1)[-1].removesuffix("ifexists") in iam.NEGATED_OPERATORS
               for op, key, _ in conditions)


def _scp_targets(g: Graph, scps: list[Res], unknown: list[str]) -> dict[str, set[str]]:
    """SCP urn -> targets it is attached to (ROOT, or the URN of an OU / account, else the raw id)."""
    wanted = {p.urn for p in scps}
    attached: dict[str, set[str]] = {}
    for attachment in g.of_type(ORG_POLICY_ATTACHMENT):
        policies = [p for p in g.resolve(attachment, "policyId", (ORG_POLICY,)) if p.urn in wanted]
        target = _target(g, attachment, "targetId")
        if target is None:
            unknown.append(f"{attachment.name}.targetId")
            continue
        for policy in policies:
            attached.setdefault(policy.urn, set()).add(target)
    return attached


def _target(g: Graph, res: Res, prop: str) -> str | None:
    value = res.get(prop)
    if isinstance(value, str) and value.startswith("r-") and not is_unknown(value):
        return ROOT
    found = g.resolve(res, prop, (ORGANIZATION, ORG_UNIT, ORG_ACCOUNT))
    if found:
        return ROOT if found[0].type == ORGANIZATION else found[0].urn
    return value if isinstance(value, str) and value and not is_unknown(value) else None


def _parents(g: Graph) -> dict[str, str]:
    parents: dict[str, str] = {}
    for res in g.of_type(ORG_UNIT, ORG_ACCOUNT):
        parent = _target(g, res, "parentId")
        if parent is not None:
            parents[res.urn] = parent
    return parents


def _lineage(target: str, parents: dict[str, str]) -> set[str]:
    """The target, its OUs up to the root, and the root (every SCP of the root applies everywhere)."""
    lineage = {target, ROOT}
    while target in parents and parents[target] not in lineage:
        target = parents[target]
        lineage.add(target)
    return lineage


# X-18, second check: the organization's preventive baseline at the root (CONTROLS §3, the plan-visible part).
# Every action of `rootDenies` is denied by an SCP attached to the root, by a statement on Resource "*" whose only
# conditions are principal exemptions (those are protected by the first check) or, for RAM sharing, the "allows
# external principals" flag. s3:BypassGovernanceRetention is denied, with no exemption at all, by an SCP effective in
# every account holding a GOVERNANCE-mode Object Lock default (that lock holds only if nobody may bypass it). An RCP
# attached to the root denies plain-HTTP calls and callers outside the organization (aws:PrincipalOrgID).
ROOT_DENIES = [
    "organizations:LeaveOrganization", "iam:CreateUser", "iam:CreateAccessKey",
    "cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors",
    "config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel",
    "guardduty:DeleteDetector", "guardduty:UpdateDetector", "guardduty:DisassociateFromAdministratorAccount",
    "securityhub:DisableSecurityHub", "securityhub:BatchDisableStandards",
    "s3:PutAccountPublicAccessBlock", "ram:CreateResourceShare", "ram:UpdateResourceShare",
]
# Actions a deny may limit to one condition without losing its point: RAM shares are fine inside the organization.
CONDITIONAL_DENIES = {
    "ram:createresourceshare": "ram:requestedallowsexternalprincipals",
    "ram:updateresourceshare": "ram:requestedallowsexternalprincipals",
}
BYPASS_GOVERNANCE = "s3:BypassGovernanceRetention"
RCP_TLS_ACTIONS = ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:*"]
RCP_PERIMETER_ACTIONS = ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole"]


def organization_baseline_at_root(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, cfg = stack.graph(), stack.cfg
    organizations = g.of_type(ORGANIZATION)
    if not organizations:
        return  # the stack does not manage the organization
    org, unknown = organizations[0], []
    policies = g.of_type(ORG_POLICY)
    attached = _scp_targets(g, policies, unknown)
    scps = [p for p in policies if p.get("type", "SERVICE_CONTROL_POLICY") == "SERVICE_CONTROL_POLICY"]
    rcps = [p for p in policies if p.get("type") == "RESOURCE_CONTROL_POLICY"]
    at_root = _statements_of([p for p in scps if ROOT in attached.get(p.urn, set())], unknown)
    missing = [a for a in cfg["rootDenies"] if not any(_baseline_deny(st, a) for st in at_root)]
    if missing and not unknown:
        yield org.urn, (f"no SCP attached to the root denies {', '.join(missing)} (on Resource \"*\", with no "
                        "condition but principal exemptions): add the denies to an SCP attached to the root, so no "
                        "account can leave, create IAM users, switch off CloudTrail/Config/GuardDuty/Security Hub, "
                        "lift the account public access block or share resources outside the organization")
    yield from _governance_bypass(g, scps, attached, unknown)
    yield from _rcp_perimeter(org, [p for p in rcps if ROOT in attached.get(p.urn, set())], cfg, unknown)
    if unknown:
        raise cannot_verify(unknown)


def _statements_of(policies: list[Res], unknown: list[str]) -> list[dict]:
    found: list[dict] = []
    for policy in policies:
        content = policy.get("content")
        if is_unknown(content):
            unknown.append(f"{policy.name}.content")
        else:
            found += _scp_statements(content)
    return found


def _baseline_deny(statement: Mapping, action: str, strict: bool = False) -> bool:
    """A Deny of `action` on every resource; conditions only principal exemptions (none when strict) or the one
    condition CONDITIONAL_DENIES allows for the action."""
    if statement.get("Effect") != "Deny" or not iam.covers_action(statement, action):
        return False
    if not iam.covers_resource(statement, "*"):
        return False
    for operator, key, values in iam.condition_entries(statement):
        base = operator.split(":", 1)[-1].removesuffix("ifexists")
        if not strict and key == "aws:principalarn" and base in iam.NEGATED_OPERATORS:
            continue
        if key == CONDITIONAL_DENIES.get(action.lower()) and base == "bool" and values == ["true"]:
            continue
        return False
    return True


def _governance_bypass(g: Graph, scps: list[Res], attached: dict[str, set[str]],
                       unknown: list[str]) -> Iterator[tuple[str, str]]:
    parents = _parents(g)
    accounts = {own_tag(a, "account"): a.urn for a in g.of_type(ORG_ACCOUNT)}
    for lock in g.of_type(*OBJECT_LOCK_CONFIGS):
        mode = dig(lock.get("rule"), "defaultRetention", "mode")
        target = accounts.get(g.account(lock))
        if is_unknown(mode) or mode != "GOVERNANCE" or target is None:
            continue  # SCPs never apply to the management account (no organizations/account of its own)
        lineage = _lineage(target, parents)
        effective = _statements_of([p for p in scps if attached.get(p.urn, set()) & lineage], unknown)
        if not any(_baseline_deny(st, BYPASS_GOVERNANCE, strict=True) for st in effective) and not unknown:
            yield lock.urn, (f"{lock.name} sets a GOVERNANCE-mode Object Lock default in account {g.account(lock)}, "
                             f"but no SCP effective there denies {BYPASS_GOVERNANCE} without exemption: anyone with "
                             "that permission deletes the locked objects; deny it in an SCP attached to the root (or "
                             "use COMPLIANCE mode)")


def _rcp_perimeter(org: Res, rcps: list[Res], cfg: Mapping[str, Any],
                   unknown: list[str]) -> Iterator[tuple[str, str]]:
    found = _statements_of(rcps, unknown)
    if unknown:
        return
    if not any(_tls_only(st, cfg["rcpTlsActions"]) for st in found):
        yield org.urn, (f"no RCP attached to the root denies {', '.join(cfg['rcpTlsActions'])} to Principal \"*\" "
                        "when aws:SecureTransport is false: add the TLS-only statement to a root RCP (enable the "
                        "RESOURCE_CONTROL_POLICY type on the organization)")
    outside = [a for a in cfg["rcpPerimeterActions"] if not any(_org_perimeter(st, a) for st in found)]
    if outside:
        yield org.urn, (f"no RCP attached to the root denies {', '.join(outside)} to principals outside the "
                        "organization (Deny, Principal \"*\", StringNotEqualsIfExists aws:PrincipalOrgID, AWS "
                        "services exempted with aws:PrincipalIsAWSService): add the organization perimeter statement")


def _denies_everyone(statement: Mapping) -> bool:
    return statement.get("Effect") == "Deny" and "*" in iam.principal_values(statement)


def _tls_only(statement: Mapping, wanted: list[str]) -> bool:
    if not _denies_everyone(statement) or not iam.covers_resource(statement, "*"):
        return False
    if not all(iam.covers_action(statement, a) for a in wanted):
        return False
    conditions = list(iam.condition_entries(statement))
    return bool(conditions) and all(key == "aws:securetransport" and op.removesuffix("ifexists") == "bool"
                                    and values == ["false"] for op, key, values in conditions)


def _org_perimeter(statement: Mapping, action: str) -> bool:
    """Deny `action` to everyone whose aws:PrincipalOrgID is not the organization's; other conditions may only
    exempt (negated or IfExists), never narrow the statement, and a NotResource may only carve out named resources."""
    if not _denies_everyone(statement) or not iam.covers_action(statement, action):
        return False
    not_resource = [str(r) for r in as_list(statement.get("NotResource"))]
    if not (iam.covers_resource(statement, "*") or (not_resource and "*" not in not_resource)):
        return False
    pinned = False
    for operator, key, values in iam.condition_entries(statement):
        base, exempting = operator.split(":", 1)[-1].removesuffix("ifexists"), operator.endswith("ifexists")
        if key == "aws:principalorgid" and base in iam.NEGATED_OPERATORS:
            pinned = pinned or any(v.strip() not in ("", "*") for v in values)
        elif base not in iam.NEGATED_OPERATORS and not exempting:
            return False
    return pinned


_OAAR = "arn:*:iam::*:role/OrganizationAccountAccessRole"
_PIPELINE = "arn:*:iam::*:role/landing-zone-pipeline"


def _scp(name: str, *statements: Mapping) -> CaseResource:
    return case_resource(ORG_POLICY, name, {"type": "SERVICE_CONTROL_POLICY", "content": json.dumps({
        "Version": "2012-10-17", "Statement": list(statements)})}, env="core")


def _attach(name: str, policy: str, target: str = "r-exam", target_ref: str | None = None) -> CaseResource:
    refs = {"policyId": policy} | ({"targetId": target_ref} if target_ref else {})
    props = {} if target_ref else {"targetId": target}
    return case_resource(ORG_POLICY_ATTACHMENT, name, props, refs, env="core")


_EXEMPTING = _scp("guardrails", {"Sid": "ProtectCloudTrail", "Effect": "Deny", "Action": "cloudtrail:StopLogging",
                                 "Resource": "*", "Condition": {"ArnNotLike": {"aws:PrincipalArn": _OAAR}}})


def _protecting(*resources: str) -> CaseResource:
    return _scp("protect-exempt-roles", {
        "Sid": "Zz", "Effect": "Deny", "Action": ROLE_PROTECTION_ACTIONS, "Resource": list(resources),
        "Condition": {"ArnNotLike": {"aws:PrincipalArn": [_OAAR, _PIPELINE]}}})


def _rcp(name: str, *statements: Mapping) -> CaseResource:
    return case_resource(ORG_POLICY, name, {"type": "RESOURCE_CONTROL_POLICY", "content": json.dumps({
        "Version": "2012-10-17", "Statement": list(statements)})}, env="core")


_TLS_STATEMENT = {"Sid": "EnforceSecureTransport", "Effect": "Deny", "Principal": "*", "Action": RCP_TLS_ACTIONS,
                  "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}
_PERIMETER_STATEMENT = {"Sid": "EnforceOrgIdentities", "Effect": "Deny", "Principal": "*",
                        "Action": ["s3:*", "sqs:*", "kms:*", "secretsmanager:*", "sts:AssumeRole"], "Resource": "*",
                        "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-exampleorg1"},
                                      "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}}}
_BASELINE_DENIES = [a for a in ROOT_DENIES if not a.startswith("ram:")]


def _baseline(denies: list[str] | None = None, tls: Mapping | None = _TLS_STATEMENT,
              perimeter: Mapping | None = _PERIMETER_STATEMENT) -> tuple[CaseResource, ...]:
    """An SCP with the baseline denies and an RCP with the TLS and perimeter statements, both attached to the root."""
    baseline = _scp("baseline", {"Sid": "Baseline", "Effect": "Deny", "Action": _BASELINE_DENIES if denies is None
                                 else denies, "Resource": "*"},
                    {"Sid": "NoExternalShares", "Effect": "Deny", "Action": ["ram:CreateResourceShare",
                                                                             "ram:UpdateResourceShare"],
                     "Resource": "*", "Condition": {"Bool": {"ram:RequestedAllowsExternalPrincipals": "true"}}},
                    {"Sid": "NoBypass", "Effect": "Deny", "Action": BYPASS_GOVERNANCE, "Resource": "*"})
    rcp = _rcp("perimeter", *[st for st in (tls, perimeter) if st is not None])
    return baseline, _attach("baseline-root", "baseline"), rcp, _attach("perimeter-root", "perimeter")


_BASELINE = _baseline()
_MEMBER = case_resource(ORG_ACCOUNT, "member", {"name": "member", "tags": {"account": "prod-account"}},
                {"parentId": "workloads"}, env="core")
_GOVERNANCE_LOCK = case_resource(OBJECT_LOCK_CONFIGS[0], "backups-lock", {"bucket": "backups", "rule": {
    "defaultRetention": {"mode": "GOVERNANCE", "days": 15}}}, env="prod")


_PROTECTING = _protecting("arn:aws:iam::*:role/Organization*", "arn:aws:iam::*:role/landing-zone-pipeline")
_OU = case_resource(ORG_UNIT, "workloads", {"name": "Workloads"}, {"parentId": "org"}, env="core")
_ORG = case_resource(ORGANIZATION, "org", {"featureSet": "ALL"}, env="core")
X18_CASES = (
    StackCase((*_BASELINE, _ORG, _EXEMPTING, _attach("guardrails-root", "guardrails")), violates=True,
              note="exempted role unprotected"),
    StackCase((*_BASELINE, _ORG, _OU, _EXEMPTING, _PROTECTING, _attach("guardrails-root", "guardrails"),
               _attach("protect-ou", "protect-exempt-roles", target_ref="workloads")), violates=True,
              note="protection attached to one OU, exemption applies at the root"),
    StackCase((*_BASELINE, _ORG, _EXEMPTING, _attach("guardrails-root", "guardrails"), _scp("partial", {
        "Effect": "Deny", "Action": ["iam:DeleteRole", "iam:AttachRolePolicy"], "Resource": "*"}),
        _attach("partial-root", "partial")), violates=True, note="trust policy changes still allowed"),
    StackCase((*_BASELINE, _ORG, _EXEMPTING, _attach("guardrails-root", "guardrails"), _scp("conditional", {
        "Effect": "Deny", "Action": "iam:*", "Resource": "*",
        "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}), _attach("conditional-root", "conditional")),
        violates=True, note="a protection that only applies under another condition"),
    StackCase((*_BASELINE, _ORG, _EXEMPTING, _protecting("arn:aws:iam::*:role/OrganizationAccountAccessRole"),
               _attach("guardrails-root", "guardrails"), _attach("protect-root", "protect-exempt-roles")),
              violates=True, note="the pipeline role the protection exempts is itself unprotected"),
    StackCase((*_BASELINE, _ORG, _EXEMPTING, _PROTECTING, _attach("guardrails-root", "guardrails"),
               _attach("protect-root", "protect-exempt-roles")), violates=False),
    StackCase((*_BASELINE, _ORG, _OU, _EXEMPTING, _PROTECTING, _attach("guardrails-ou", "guardrails", target_ref="workloads"),
               _attach("protect-root", "protect-exempt-roles", target_ref="org")), violates=False,
              note="order and Sid do not matter; a root attachment protects every OU"),
    StackCase((*_BASELINE, _ORG, _scp("sso", {"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {
        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*"}}}),
        _attach("sso-root", "sso")), violates=False, note="roles only AWS can modify"),
    StackCase((*_baseline(denies=[a for a in _BASELINE_DENIES if a != "iam:CreateUser"]), _ORG), violates=True,
              note="baseline: iam:CreateUser not denied at the root"),
    StackCase((*_baseline()[:1], _attach("baseline-ou", "baseline", target_ref="workloads"), *_baseline()[2:], _ORG,
               _OU), violates=True, note="baseline SCP attached to an OU only"),
    StackCase((*_baseline(tls=None), _ORG), violates=True, note="no TLS-only RCP statement"),
    StackCase((*_baseline(perimeter=dict(_PERIMETER_STATEMENT, Action=["s3:*"])), _ORG), violates=True,
              note="perimeter covers S3 only"),
    StackCase((*_baseline(perimeter=dict(_PERIMETER_STATEMENT, Condition={
        "StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-exampleorg1"},
        "StringEquals": {"aws:RequestedRegion": "eu-west-1"}})), _ORG), violates=True,
        note="perimeter narrowed to one region"),
    StackCase((_scp("baseline", {"Effect": "Deny", "Action": ROOT_DENIES, "Resource": "*"}),
               _attach("baseline-root", "baseline"), *_BASELINE[2:], _ORG, _OU, _MEMBER, _GOVERNANCE_LOCK),
              violates=True, note="GOVERNANCE lock in a member account, bypass not denied"),
    StackCase((*_BASELINE, _ORG, _OU, _MEMBER, _GOVERNANCE_LOCK), violates=False,
              note="baseline at the root, RAM denied only for external shares, bypass denied"),
    StackCase((_scp("baseline", {"Effect": "Deny", "Action": ROOT_DENIES, "Resource": "*"}),
               _attach("baseline-root", "baseline"), *_BASELINE[2:], _ORG, _OU, _MEMBER, _GOVERNANCE_LOCK,
               _scp("no-bypass", {"Effect": "Deny", "Action": BYPASS_GOVERNANCE, "Resource": "*"}),
               _attach("no-bypass-ou", "no-bypass", target_ref="workloads")), violates=False,
              note="bypass denied at the account's OU"),
    StackCase((*_BASELINE[:2], case_resource(ORG_POLICY, "perimeter", {"type": "RESOURCE_CONTROL_POLICY", "content": UNKNOWN},
                                     env="core"), _BASELINE[3], _ORG), violates=False, unknown=True,
              note="preview: the RCP names the new organization's id"),
    StackCase((_scp("baseline", {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}),),
              violates=False, note="a stack that does not manage the organization"),
)


RULES = [
    StackRule(
        id="X-18", name="x-18-scp-exempt-principals-protected",
        title="The organization's guardrails sit at the root, and every principal an SCP exempts is protected",
        description="For each aws:PrincipalArn an SCP Deny statement exempts (ArnNotLike / ArnNotEquals / "
                    "StringNotLike / StringNotEquals, IfExists too), an SCP effective wherever the exempting SCP is "
                    "attached (attached to the root, or to that OU / account or one of its parent OUs) denies "
                    "`protectActions` (trust policy, attached and inline policies, deletion) on a Resource covering "
                    "that principal, with no condition but principal exemptions (which are themselves checked the "
                    "same way, so only the exempted principal and the pipeline may change it). Statement order and "
                    "Sids do not matter. Service-linked and Identity Center (aws-reserved/sso.amazonaws.com) roles "
                    "are protected by IAM itself. (Who may ASSUME the exempted role is its trust policy, outside the "
                    "stack for OrganizationAccountAccessRole.) When the stack manages the organization: an SCP "
                    "attached to the root denies every `rootDenies` action (leaving, IAM users, switching off "
                    "CloudTrail, Config, GuardDuty, Security Hub, the account public access block, RAM shares that "
                    "allow external principals) on Resource \"*\" with no condition but principal exemptions; "
                    "s3:BypassGovernanceRetention is denied without exemption by an SCP effective in every member "
                    "account with a GOVERNANCE-mode Object Lock default; an RCP attached to the root denies "
                    "`rcpTlsActions` without aws:SecureTransport and `rcpPerimeterActions` to principals outside "
                    "aws:PrincipalOrgID (exemptions only by negated or IfExists conditions).",
        refs="Control Tower's role-protection SCPs (aws-controltower-*); CONTROLS X-18",
        checks=(scp_exemptions_protected, organization_baseline_at_root), cases=X18_CASES,
        params={"protectActions": Param("array", ROLE_PROTECTION_ACTIONS, "IAM actions an SCP must deny on every "
                                        "exempted principal", items="string"),
                "rootDenies": Param("array", ROOT_DENIES, "actions an SCP attached to the root must deny",
                                    items="string"),
                "rcpTlsActions": Param("array", RCP_TLS_ACTIONS, "actions a root RCP denies without TLS",
                                       items="string"),
                "rcpPerimeterActions": Param("array", RCP_PERIMETER_ACTIONS, "actions a root RCP denies to "
                                             "principals outside the organization", items="string")}),
]
