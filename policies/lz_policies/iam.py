"""IAM policy documents: their statements, and what a statement means, for the trust, resource-policy and SCP rules (IAM-04, IAM-09..IAM-11, X-18).

Condition semantics (IAM User Guide, "IAM JSON policy elements: Condition operators"): condition keys are
case-insensitive; an `...IfExists` operator, a `ForAllValues:` set operator and a negated operator (StringNotEquals,
ArnNotLike...) all MATCH when the key is absent from the request, so none of them limits who may call; only a
positive operator (StringEquals/Like, ArnEquals/Like) with a value that is not a bare "*" does.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping
from typing import Any

from .values import as_list, decode_json


def statements(document: Any) -> list[dict[str, Any]]:
    """The statements of an IAM policy document given as a JSON string or an object (Statement dict or list)."""
    doc = decode_json(document)
    if not isinstance(doc, Mapping):
        return []
    return [s for s in as_list(doc.get("Statement")) if isinstance(s, Mapping)]


def allows(statement: Mapping[str, Any]) -> bool:
    return statement.get("Effect") == "Allow"


def actions(statement: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in as_list(statement.get("Action"))]


def resources(statement: Mapping[str, Any]) -> list[str]:
    return [str(a) for a in as_list(statement.get("Resource"))]


def principals(statement: Mapping[str, Any]) -> list[str]:
    """Every principal value of a statement ("*" for `Principal: "*"` or `{"AWS": "*"}`)."""
    principal = statement.get("Principal")
    if principal is None:
        return []
    if isinstance(principal, str):
        return [principal]
    values: list[str] = []
    if isinstance(principal, Mapping):
        for value in principal.values():
            values.extend(str(v) for v in as_list(value))
    return values


def action_matches(pattern: str, action: str) -> bool:
    """IAM wildcard match of an action pattern ("s3:*", "*", "kms:Decr*") against an action (case-insensitive)."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


POSITIVE_OPERATORS = frozenset({
    "stringequals", "stringlike", "stringequalsignorecase", "arnequals", "arnlike",
})
NEGATED_OPERATORS = frozenset({"stringnotequals", "stringnotlike", "stringnotequalsignorecase", "arnnotequals",
                               "arnnotlike"})
# Keys that pin the caller (or the AWS service acting for it) to an account, organization, principal or network.
CALLER_KEYS = frozenset({
    "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount", "aws:principalarn", "aws:sourceaccount",
    "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths", "aws:sourceowner", "aws:sourcevpc", "aws:sourcevpce",
    "aws:userid",
})


def condition_entries(statement: Mapping[str, Any]) -> Iterator[tuple[str, str, list[str]]]:
    """(operator, key, values) of every condition of a statement; operator and key lower-cased."""
    condition = statement.get("Condition")
    if not isinstance(condition, Mapping):
        return
    for operator, block in condition.items():
        if not isinstance(block, Mapping):
            continue
        for key, values in block.items():
            yield str(operator).lower(), str(key).lower(), [str(v) for v in as_list(values)]


def base_operator(operator: str) -> tuple[str, bool]:
    """("stringlike", limiting?) for "ForAnyValue:StringLike"; IfExists / ForAllValues never limit."""
    limiting = not operator.endswith("ifexists") and not operator.startswith("forallvalues:")
    base = operator.split(":", 1)[-1].removesuffix("ifexists")
    return base, limiting


def positive_values(statement: Mapping[str, Any], key: str) -> list[str] | None:
    """Values a positive, limiting condition on `key` requires (None: no such condition)."""
    found: list[str] | None = None
    for operator, k, values in condition_entries(statement):
        base, limiting = base_operator(operator)
        if k == key.lower() and limiting and base in POSITIVE_OPERATORS:
            found = (found or []) + values
    return found


def pins(statement: Mapping[str, Any], key: str) -> bool:
    """True when a positive condition requires `key` to match values none of which is a bare wildcard."""
    values = positive_values(statement, key)
    return bool(values) and not any(v.strip() in ("*", "") for v in values)


def limits_callers(statement: Mapping[str, Any], extra_keys: tuple[str, ...] = ()) -> bool:
    """True when a condition limits who can use the statement (an organization, account, principal, source...).

    kms:CallerAccount counts only together with kms:ViaService (the pattern of AWS managed keys: one account, through
    one service); `extra_keys` adds keys that limit in a given context (sts:ExternalId in a trust policy).
    """
    if any(pins(statement, key) for key in (*CALLER_KEYS, *extra_keys)):
        return True
    return pins(statement, "kms:calleraccount") and pins(statement, "kms:viaservice")


def principal_values(statement: Mapping[str, Any], kind: str | None = None) -> list[str]:
    """Principal values of a statement, of one kind (AWS, Federated, Service...) or all; "*" for Principal "*"."""
    principal = statement.get("Principal")
    if principal is None:
        return []
    if isinstance(principal, str):
        return [principal]
    if not isinstance(principal, Mapping):
        return []
    kinds = [kind] if kind else list(principal)
    return [str(v) for k in kinds for v in as_list(principal.get(k))]


def allows_everyone(statement: Mapping[str, Any]) -> str | None:
    """What makes an Allow statement open to everyone ('Principal "*"', 'NotPrincipal'), or None."""
    if statement.get("Effect") != "Allow":
        return None
    if statement.get("NotPrincipal") is not None:
        return "NotPrincipal (everyone except the principals named)"
    if "*" in principal_values(statement):
        return "Principal \"*\""
    return None


def deny_exemptions(statement: Mapping[str, Any]) -> list[str]:
    """aws:PrincipalArn patterns a Deny statement exempts (negated ARN/string conditions on aws:PrincipalArn)."""
    if statement.get("Effect") != "Deny":
        return []
    exempt: list[str] = []
    for operator, key, values in condition_entries(statement):
        base = operator.split(":", 1)[-1].removesuffix("ifexists")
        if key == "aws:principalarn" and base in NEGATED_OPERATORS:
            exempt.extend(values)
    return exempt


def covers_action(statement: Mapping[str, Any], action: str) -> bool:
    """True when the statement applies to `action` (Action patterns, or NotAction not matching it)."""
    if statement.get("NotAction") is not None:
        return not any(_match(action, p) for p in as_list(statement.get("NotAction")))
    return any(_match(action, str(p)) for p in as_list(statement.get("Action")))


def covers_resource(statement: Mapping[str, Any], arn_pattern: str) -> bool:
    """True when the statement's Resource patterns cover every ARN `arn_pattern` (itself a pattern) can match."""
    if statement.get("NotResource") is not None:
        return not any(_match(arn_pattern, str(p)) or _match(str(p), arn_pattern)
                       for p in as_list(statement.get("NotResource")))
    return any(_match(arn_pattern, str(p)) for p in as_list(statement.get("Resource")))


def _match(value: str, pattern: str) -> bool:
    """IAM wildcard match, case-insensitive ("*" and "?"; a "*" inside `value` is matched literally by "*").

    The partition of an ARN is compared as "aws" whatever it says ("arn:*:iam::..." and "arn:aws:iam::..." name the
    same principals in the one partition an organization lives in).
    """
    return fnmatch.fnmatchcase(_partitionless(value), _partitionless(pattern).replace("[", "[[]"))


def _partitionless(arn: str) -> str:
    parts = arn.lower().split(":", 2)
    if len(parts) == 3 and parts[0] == "arn":
        parts[1] = "aws"
    return ":".join(parts)
