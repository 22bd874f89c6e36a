"""ORG-01: the organization policies beyond SCPs reach every account, and the root enables every type used.

A management policy (tag, backup, AI opt-out, EC2 declarative) applies to an account when it is attached to the
root, to one of the account's OUs or to the account; AWS refuses the attachment (and the policy does nothing) until
its type is enabled on the root (`enabledPolicyTypes` of the organization).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from .graph import Res
from .rules import CaseResource, Param, StackCase, StackRule
from .stack_helpers import case_resource
from .stack_organization import ROOT, _lineage, _parents, _scp_targets
from .types import ORG_ACCOUNT, ORG_POLICY, ORG_POLICY_ATTACHMENT, ORG_UNIT, ORGANIZATION
from .values import UNKNOWN, as_list, cannot_verify, dig, is_unknown

REQUIRED_TYPES = ["TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY", "DECLARATIVE_POLICY_EC2"]
BACKUP_FLOOR_DAYS = 15
# EC2 declarative attributes and the value each must be assigned (the VPC BPA mode must be anything but "off")
DECLARATIVE_VALUES = {
    ("snapshot_block_public_access", "state"): ("block_all_sharing",),
    ("image_block_public_access", "state"): ("block_new_sharing",),
    ("serial_console_access", "status"): ("disabled",),
    ("instance_metadata_defaults", "http_tokens"): ("required",),
    ("vpc_block_public_access", "internet_gateway_block", "mode"): ("block_ingress", "block_bidirectional"),
}


def organization_policies_everywhere(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, cfg = stack.graph(), stack.cfg
    organizations = g.of_type(ORGANIZATION)
    if not organizations:
        return  # the stack does not manage the organization
    org, unknown = organizations[0], []
    policies = [p for p in g.of_type(ORG_POLICY) if p.get("type", "SERVICE_CONTROL_POLICY") != "SERVICE_CONTROL_POLICY"]
    enabled = org.get("enabledPolicyTypes")
    if is_unknown(enabled):
        unknown.append(f"{org.name}.enabledPolicyTypes")
    else:
        used = sorted({str(p.get("type")) for p in policies} | set(cfg["requiredTypes"]))
        missing = [t for t in used if t not in as_list(enabled)]
        if missing:
            yield org.urn, (f"{org.name}: the root does not enable {', '.join(missing)}; add them to "
                            "enabledPolicyTypes (AWS refuses an attachment of a type the root has not enabled)")
    attached = _scp_targets(g, policies, unknown)
    parents = _parents(g)
    for target, name in [(ROOT, "the root (and the management account)")] + [(a.urn, a.name) for a in g.of_type(ORG_ACCOUNT)]:
        lineage = _lineage(target, parents)
        reached = {p.get("type") for p in policies if attached.get(p.urn, set()) & lineage}
        missing = [t for t in cfg["requiredTypes"] if t not in reached]
        if missing and not unknown:
            yield (org.urn if target == ROOT else target), (
                f"{name}: no {', '.join(missing)} attached to it or any OU above it; attach the organization "
                "policies at the root (organization.policies) so that every account, suspended ones too, has them")
    yield from _contents(policies, cfg, unknown)
    if unknown:
        raise cannot_verify(unknown)


def _contents(policies: list[Res], cfg: Any, unknown: list[str]) -> Iterator[tuple[str, str]]:
    for policy in policies:
        content = policy.get("content")
        if is_unknown(content):
            unknown.append(f"{policy.name}.content")
            continue
        document = json.loads(content) if isinstance(content, str) else content
        if policy.get("type") == "BACKUP_POLICY":
            yield from _backup_floor(policy, document, int(cfg["minBackupDays"]))
        elif policy.get("type") == "DECLARATIVE_POLICY_EC2":
            yield from _declarative(policy, document)


def _backup_floor(policy: Res, document: dict, floor: int) -> Iterator[tuple[str, str]]:
    for plan_name, plan in (document.get("plans") or {}).items():
        for rule_name, rule in (plan.get("rules") or {}).items():
            days = dig(rule, "lifecycle", "delete_after_days", "@@assign")
            if days is None or not str(days).isdigit() or int(days) < floor:
                kept = "forever (no lifecycle.delete_after_days)" if days is None else f"{days} days"
                yield policy.urn, (f"{policy.name}: plan {plan_name} rule {rule_name} keeps recovery points {kept}; "
                                   f"the organization's floor is {floor}: set lifecycle.delete_after_days >= {floor}")


def _declarative(policy: Res, document: dict) -> Iterator[tuple[str, str]]:
    attributes = document.get("ec2_attributes") or {}
    for path, allowed in DECLARATIVE_VALUES.items():
        value = dig(attributes, *path, "@@assign")
        if value not in allowed:
            yield policy.urn, (f"{policy.name}: ec2_attributes.{'.'.join(path)} is {value!r}, not "
                               f"{' or '.join(allowed)} (public snapshots and AMIs, the serial console, IMDSv1 and "
                               "internet gateways of default VPCs stay open otherwise)")


# --- cases -----------------------------------------------------------------------------------------------------
def _declarative_content() -> dict:
    attributes: dict = {}
    for path, allowed in DECLARATIVE_VALUES.items():
        node = attributes
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = {"@@assign": allowed[0]}
    return {"ec2_attributes": attributes}


def _backup_content(days: str) -> dict:
    return {"plans": {"p": {"rules": {"daily": {"lifecycle": {"delete_after_days": {"@@assign": days}}}}}}}


def _policy(type_: str, content: Any = None) -> CaseResource:
    defaults = {"BACKUP_POLICY": _backup_content("15"), "DECLARATIVE_POLICY_EC2": _declarative_content()}
    content = defaults.get(type_, {}) if content is None else content
    return case_resource(ORG_POLICY, type_.lower(), {"type": type_, "content": json.dumps(content)})


def _at(type_: str, target: str = "org") -> CaseResource:
    return case_resource(ORG_POLICY_ATTACHMENT, f"{type_.lower()}-{target}",
                         refs={"policyId": type_.lower(), "targetId": target})


_ORG = case_resource(ORGANIZATION, "org", {"featureSet": "ALL", "enabledPolicyTypes": [
    "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", *REQUIRED_TYPES]})
_OU = case_resource(ORG_UNIT, "suspended", {"name": "Suspended"}, {"parentId": "org"})
_ACCOUNT = case_resource(ORG_ACCOUNT, "retired", {"name": "retired"}, {"parentId": "suspended"})
_ALL = tuple(r for t in REQUIRED_TYPES for r in (_policy(t), _at(t)))
ORG01_CASES = (
    StackCase((_ORG, _OU, _ACCOUNT, *_ALL), violates=False, note="every type at the root reaches a suspended account"),
    StackCase((_ORG, _OU, _ACCOUNT, *_ALL[:-2]), violates=True, note="EC2 declarative policy missing"),
    StackCase((_ORG, _OU, _ACCOUNT, *_ALL[:-1]), violates=True, note="declarative policy created but not attached"),
    StackCase((_ORG, _OU, _ACCOUNT, *_ALL[:-1], _at("DECLARATIVE_POLICY_EC2", "suspended")), violates=True,
              note="attached to one OU only: the root (management account) lacks it"),
    StackCase((case_resource(ORGANIZATION, "org", {"featureSet": "ALL", "enabledPolicyTypes": [
        "SERVICE_CONTROL_POLICY", *REQUIRED_TYPES[:-1]]}), *_ALL), violates=True, note="type not enabled on the root"),
    StackCase((_ORG, *_ALL[:2], _policy("BACKUP_POLICY", _backup_content("7")), _at("BACKUP_POLICY"), *_ALL[4:]), violates=True,
        note="backup plan keeps 7 days"),
    StackCase((_ORG, *_ALL[:6], _policy("DECLARATIVE_POLICY_EC2", {"ec2_attributes": {
        "serial_console_access": {"status": {"@@assign": "enabled"}}}}), _at("DECLARATIVE_POLICY_EC2")),
        violates=True, note="declarative policy leaves the serial console on and VPC BPA off"),
    StackCase((_ORG, _OU, _ACCOUNT, *_ALL[:6]), violates=False, config={"requiredTypes": REQUIRED_TYPES[:3]},
              note="a type left out by policy config"),
    StackCase((_ORG, *_ALL[:2], case_resource(ORG_POLICY, "backup_policy", {"type": "BACKUP_POLICY",
                                                                           "content": UNKNOWN}),
               *_ALL[3:]), violates=False, unknown=True, note="preview: content not known yet"),
    StackCase(tuple(_policy(t) for t in REQUIRED_TYPES), violates=False,
              note="a stack that does not manage the organization"),
)

RULES = [
    StackRule(
        id="ORG-01", name="org-01-organization-policies-everywhere",
        title="Every account has the organization policies, and the root enables their types",
        description="When the stack manages the organization: each `requiredTypes` management policy type (tag, "
                    "backup, AI services opt-out, EC2 declarative) is attached to the root or, for every "
                    "organizations/account, to the account or an OU above it; the organization's "
                    "enabledPolicyTypes lists every type used; backup plans keep recovery points at least "
                    "`minBackupDays`; the EC2 declarative policy blocks public snapshot and AMI sharing, turns the "
                    "serial console off, requires IMDSv2 and sets VPC block public access (default VPCs included).",
        refs="LZA organization-config (tagPolicies, backupPolicies, declarativePolicies); AWS Organizations "
             "management policies",
        checks=(organization_policies_everywhere,), cases=ORG01_CASES,
        params={"requiredTypes": Param("array", REQUIRED_TYPES, "management policy types every account must have",
                                       items="string"),
                "minBackupDays": Param("integer", BACKUP_FLOOR_DAYS, "least retention of an organization backup plan")}),
]
