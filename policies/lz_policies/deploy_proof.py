"""The deploy-permission proof: may each stack's pipeline do what its plan asks? Evaluated offline with iam_eval over
the facts landing_zone/deploy_facts.py generates (who each stack runs as, its identity policies, the SCPs and RCPs on
every account) and the table of actions per resource type and invoke (deploy_actions.json).

For every stack of the plan (a merged plan holds several; the stack is the URN's):
- assume: each provider's role chain, from the stack's deploy role: the caller's identity policy allows sts:AssumeRole
  on the role, the role's trust admits the caller (the access role: Organizations' trust; a role this plan creates:
  its assumeRolePolicy), no SCP of the caller's account and no RCP of the role's account denies it;
- call: every resource created and every invoke made with the stack's own credentials (a provider that assumes no
  role): the deploy role's identity policy allows each action;
- guardrail: every resource created and every invoke made in a member account (through an assumed role): the
  landing zone's SCPs (caller's account) and RCPs (resource's account) deny none of its actions, and the assumed
  role's identity policy (when known: the access role has AdministratorAccess) allows them.
Shared by pack rules DEP-06..DEP-08 and `lz permissions`; stdlib only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .facts import DEPLOY_FACTS
from .graph import Graph, Res
from .iam_eval import Decision, Request, Unsupported, evaluate, evaluate_levels
from .tags import provider_default_tags
from .types import LOOKUP, PROVIDER
from .values import decode_json_string, is_unknown

ACTIONS = json.loads(Path(__file__).with_name("deploy_actions.json").read_text())
ASSUME, CALL, GUARDRAIL = "assume", "call", "guardrail"
# Services whose API is global: aws:RequestedRegion is us-east-1 whatever the provider's region.
GLOBAL_SERVICES = frozenset({"iam", "organizations", "route53", "cloudfront", "budgets", "ce", "account", "waf",
                             "globalaccelerator", "health", "support"})
_PLACEHOLDER = re.compile(r"\{\{([^{}]+)\}\}")


@dataclass(frozen=True)
class Row:
    check: str  # ASSUME | CALL | GUARDRAIL
    stack: str
    principal: str  # who makes the call
    via: str  # the provider (and the role it assumes)
    action: str
    target: str  # the resource or invoke the call is for
    decision: Decision
    urn: str | None = None

    @property
    def verdict(self) -> str:
        return "allow" if self.decision.allowed else "deny"

    def message(self) -> str:
        why = f" ({self.decision.reason})" if self.decision.reason else ""
        return (f"stack {self.stack}: {self.principal} may not call {self.action} for {self.target} through "
                f"{self.via}: denied by {self.decision.by}{why}")


def stack_of(urn: str) -> str:
    return urn.removeprefix("urn:pulumi:").split("::", 1)[0]


@dataclass
class Principal:
    arn: str
    policies: list[tuple[str, Any]] | None  # identity policies; None when not known here


@dataclass
class Chain:
    """A provider's credentials: who its calls run as, the role assumptions on the way, where they go."""

    who: Principal
    assumptions: list[Row]
    label: str
    region: str | None
    stack: str = ""  # the stack whose pipeline holds these credentials (the provider's URN says)
    unknown: bool = False  # the roles it assumes are unknown (preview): its calls cannot be verified


class Proof:
    """The rows of one plan (a Graph), against `facts` (facts.json's "deploy" section unless given)."""

    def __init__(self, g: Graph, facts: Mapping[str, Any] | None = None):
        self.g = g
        self.facts = facts or DEPLOY_FACTS
        self.ids = self._account_ids()
        self.missing: set[str] = set()
        self.unknown: list[str] = []  # providers whose assumed roles are unknown during preview

    # ---- facts ---------------------------------------------------------------------------------------------
    def _account_ids(self) -> dict[str, str]:
        """Account name -> id: from the facts (adopted accounts) and the plan's providers (default tag + allowed id)."""
        ids: dict[str, str] = {}
        for org in self.facts.get("organizations", {}).values():
            ids.update({name: a["id"] for name, a in org.get("accounts", {}).items() if a.get("id")})
        for res in self.g.resources:
            props = res.props if res.type == PROVIDER else res.provider_props
            name = provider_default_tags(props).get("account") if props else None
            allowed = decode_json_string((props or {}).get("allowedAccountIds"))
            if name and isinstance(allowed, list) and len(allowed) == 1 and isinstance(allowed[0], str):
                ids.setdefault(name, allowed[0])
        return ids

    def resolved(self, document: Any) -> Any:
        text = _PLACEHOLDER.sub(lambda m: self.ids.get(m.group(1), m.group(0)), json.dumps(document))
        return json.loads(text)

    def stack_facts(self, stack: str) -> Mapping[str, Any] | None:
        return self.facts.get("stacks", {}).get(stack)

    def org(self, stack: str) -> Mapping[str, Any]:
        return self.facts.get("organizations", {}).get(self.stack_facts(stack)["organization"], {})

    def deployer(self, stack: str) -> Principal:
        facts = self.stack_facts(stack)
        return Principal(facts["principal"], [(n, self.resolved(d)) for n, d in facts["policies"].items()])

    def _levels(self, org: Mapping[str, Any], account_id: str, kind: str) -> list[tuple[str, list]]:
        """SCP or RCP levels of a member account by id (none for the management account or an unknown account)."""
        if account_id == org.get("managementAccountId"):
            return []
        name = next((n for n, i in self.ids.items() if i == account_id), None)
        account = org.get("accounts", {}).get(name or "")
        if account is None:
            return []
        docs = {**org.get("policies", {}), **org.get("scps", {}), **org.get("rcps", {})}
        return [(target, [(n, docs[n]) for n in names if n in docs]) for target, names in account[kind]]

    def _context(self, org: Mapping[str, Any], principal: str, action: str, region: str | None, res: Res | None,
                 ) -> dict[str, Any]:
        service = action.split(":", 1)[0].lower()
        context: dict[str, Any] = {
            "aws:PrincipalArn": principal, "aws:PrincipalAccount": _account(principal),
            "aws:PrincipalOrgID": org.get("organizationId", ""), "aws:PrincipalIsAWSService": "false",
            "aws:SecureTransport": "true",
            "aws:RequestedRegion": "us-east-1" if service in GLOBAL_SERVICES or not region else region,
        }
        if res is not None:
            context.update(resource_keys(res, action))
        return context

    # ---- one request ---------------------------------------------------------------------------------------------
    def decide(self, stack: str, who: Principal, action: str, resource: str, region: str | None,
               res: Res | None = None, trust: Any = None, identity: bool = True) -> Decision:
        """SCPs of the caller's account, RCPs of the resource's account, the identity policy, then the trust."""
        org = self.org(stack)
        context = self._context(org, who.arn, action, region, res)
        owner = _account(resource) or _account(who.arn)
        if owner == org.get("managementAccountId") or owner in self.ids.values():
            context["aws:ResourceOrgID"] = org.get("organizationId", "")  # AWS sets it for a member's resources
        request = Request(who.arn, action, resource, context)
        service_linked = ":role/aws-service-role/" in who.arn  # neither SCPs nor RCPs apply to them
        try:
            checks = []
            if not service_linked:
                checks.append(evaluate_levels(self._levels(org, _account(who.arn), "scps"), request, "SCP"))
            if not service_linked and (resource_account := _account(resource) or _account(who.arn)):
                checks.append(evaluate_levels(self._levels(org, resource_account, "rcps"), request, "RCP"))
            if identity and who.policies is not None:
                checks.append(evaluate(who.policies, request, f"the identity policy of {who.arn}"))
            if trust is not None:
                checks.append(evaluate([("trust policy", trust)], request, f"the trust policy of {resource}",
                                       resource_policy=True))
        except Unsupported as e:
            return Decision(False, "iam_eval", reason=f"cannot evaluate: {e}")
        denied = next((d for d in checks if not d.allowed), None)
        return denied or (checks[-1] if checks else Decision(True, "no policy applies"))

    # ---- the plan --------------------------------------------------------------------------------------------
    def chains(self) -> dict[str, Chain]:
        """Provider URN -> (the principal its calls run as, the assumption rows, a label) for every provider."""
        out: dict[str, Chain] = {}
        providers = {r.urn: r for r in self.g.of_type(PROVIDER)}
        for res in self.g.resources:  # providers only known through their resources (the engine's view)
            if res.provider_urn and res.provider_urn not in providers and res.provider_props is not None:
                providers[res.provider_urn] = Res(res.provider_urn, PROVIDER, res.provider_urn.rsplit("::", 1)[-1],
                                                  dict(res.provider_props))
        for urn, provider in providers.items():
            stack = stack_of(urn)
            if self.stack_facts(stack) is None:
                self.missing.add(stack)
                continue
            out[urn] = self._chain(stack, provider)
        return out

    def _chain(self, stack: str, provider: Res) -> Chain:
        who, rows = self.deployer(stack), []
        org = self.org(stack)
        region = _known(decode_json_string(provider.get("region")))
        raw = provider.get("assumeRoles")
        roles = decode_json_string(provider.get("assumeRole") if raw is None else raw)
        roles = [roles] if isinstance(roles, Mapping) else [] if roles is None else roles
        label = provider.name
        if not isinstance(roles, list) or any(
                not isinstance(r, Mapping) or not isinstance(_known(r.get("roleArn")), str) for r in roles):
            self.unknown.append(f"{provider.name}.assumeRoles")
            return Chain(who, rows, label, region, stack, unknown=True)
        for role in roles:
            arn = role["roleArn"]
            trust = self.trust_of(org, arn)
            if trust is None:
                decision = self.decide(stack, who, "sts:AssumeRole", arn, region)
                if decision.allowed:
                    decision = Decision(True, decision.policy, decision.sid,
                                        reason="trust not in this plan: checked where the role is created")
            else:
                decision = self.decide(stack, who, "sts:AssumeRole", arn, region, trust=trust)
            rows.append(Row(ASSUME, stack, who.arn, label, "sts:AssumeRole", arn, decision, provider.urn))
            who = Principal(arn, self.role_policies(org, arn))
            label = f"{provider.name} as {arn}"
        return Chain(who, rows, label, region, stack)

    def trust_of(self, org: Mapping[str, Any], role_arn: str) -> Any:
        name = role_arn.rsplit("/", 1)[-1]
        if name == org.get("accessRole"):
            return self.resolved(org.get("accessRoleTrust"))
        for role in self.g.of_type("aws:iam/role:Role"):
            allowed = decode_json_string((role.provider_props or {}).get("allowedAccountIds"))
            elsewhere = isinstance(allowed, list) and allowed and _account(role_arn) not in allowed
            if role.get("name") == name and not elsewhere:  # a role of that name in the role's account
                return decode_json_string(role.get("assumeRolePolicy"))
        return None

    def role_policies(self, org: Mapping[str, Any], role_arn: str) -> list[tuple[str, Any]] | None:
        if role_arn.rsplit("/", 1)[-1] == org.get("accessRole"):
            return [("AdministratorAccess", org.get("policies", {}).get("AdministratorAccess"))]
        return None

    def rows(self) -> Iterator[Row]:
        chains = self.chains()
        for chain in chains.values():
            yield from chain.assumptions
        chains = {urn: chain for urn, chain in chains.items() if not chain.unknown}
        for res in self.g.resources:
            if res.type == LOOKUP:
                yield from self._invoke_rows(res, chains)
            elif res.type.startswith("aws:") and res.provider_urn in chains:
                yield from self._resource_rows(res, chains[res.provider_urn])

    def _calls(self, res: Res, chain: Chain, actions: list[str], target: str,
               ) -> Iterator[Row]:
        who, region, stack = chain.who, chain.region, chain.stack  # a merged plan renames resources, not providers
        if any(not a.decision.allowed for a in chain.assumptions):
            return  # the assumption row already fails
        check = GUARDRAIL if chain.assumptions else CALL
        for action in actions:
            resource = arn_of(res, _account(who.arn), region, action)
            yield Row(check, stack, who.arn, chain.label, action, target,
                      self.decide(stack, who, action, resource, region, res), res.urn)

    def _resource_rows(self, res: Res, chain: Chain) -> Iterator[Row]:
        row = ACTIONS["resources"].get(res.type)
        if row is None:
            yield Row(GUARDRAIL if chain.assumptions else CALL, chain.stack, chain.who.arn, chain.label, "?", res.name,
                      Decision(False, "deploy_actions.json", reason=f"no row for {res.type}: add its create, tag "
                                                                      "and update actions"), res.urn)
            return
        actions = list(dict.fromkeys(row["create"] + row["tag"] + row["update"]))
        yield from self._calls(res, chain, actions, f"{res.name} ({res.type})")

    def _invoke_rows(self, marker: Res, chains: Mapping[str, Chain]) -> Iterator[Row]:
        token, provider = marker.get("token"), marker.get("provider")
        urn = provider.rsplit("::", 1)[0] if isinstance(provider, str) and provider.count("::") > 3 else provider
        chain = chains.get(urn) if isinstance(urn, str) else None
        if chain is None or not isinstance(token, str):
            return
        actions = ACTIONS["invokes"].get(token)
        if actions is None:
            yield Row(GUARDRAIL if chain.assumptions else CALL, chain.stack, chain.who.arn, chain.label, "?", token,
                      Decision(False, "deploy_actions.json", reason=f"no row for the invoke {token}"), marker.urn)
            return
        yield from self._calls(marker, chain, actions, f"{marker.name} (invoke {token})")


def _known(value: Any) -> Any:
    return None if value is None or is_unknown(value) else value


def _account(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 and parts[4].isdigit() else ""


def arn_of(res: Res, account: str, region: str | None, action: str = "") -> str:
    """The ARN `action` acts on for `res`, as far as the statements that name resources need it."""
    service = res.type.split(":")[1].split("/")[0] if res.type.count(":") >= 2 else ""
    name = res.get("name") if isinstance(res.get("name"), str) else res.name
    if action == "route53:GetChange":
        return "arn:aws:route53:::change/*"
    if res.type == "aws:route53/record:Record" and isinstance(res.get("zoneId"), str):
        return f"arn:aws:route53:::hostedzone/{res.get('zoneId')}"
    if res.type == "aws:iam/role:Role":
        return f"arn:aws:iam::{account}:role{res.get('path') or '/'}{name}"
    bucket = res.get("bucket")
    if res.type.startswith("aws:s3/bucket") and isinstance(bucket, str) and not is_unknown(bucket):
        return f"arn:aws:s3:::{bucket}"
    if res.type == "aws:kms/alias:Alias":
        return f"arn:aws:kms:{region or '*'}:{account}:{name}"
    return f"arn:aws:{service}:{region or ''}:{account}:{name}"


def resource_keys(res: Res, action: str) -> dict[str, Any]:
    """Condition keys a create request carries, from the resource's inputs (those our SCPs test)."""
    keys: dict[str, Any] = {}
    if action == "ec2:RunInstances":
        options = res.get("metadataOptions") if isinstance(res.get("metadataOptions"), Mapping) else {}
        if options.get("httpTokens") is not None:
            keys["ec2:MetadataHttpTokens"] = options.get("httpTokens")
        if options.get("httpPutResponseHopLimit") is not None:
            keys["ec2:MetadataHttpPutResponseHopLimit"] = options.get("httpPutResponseHopLimit")
    if action in ("rds:CreateDBCluster", "rds:CreateDBInstance") and res.get("storageEncrypted") is not None:
        keys["rds:StorageEncrypted"] = res.get("storageEncrypted")
    if action == "elasticfilesystem:CreateFileSystem" and res.get("encrypted") is not None:
        keys["elasticfilesystem:Encrypted"] = res.get("encrypted")
    if action == "route53:ChangeResourceRecordSets" and isinstance(res.get("name"), str):
        keys["route53:ChangeResourceRecordSetsNormalizedRecordNames"] = [res.get("name").lower().rstrip(".")]
    return {k: v for k, v in keys.items() if not is_unknown(v)}
