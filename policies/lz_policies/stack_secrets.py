"""Stack rule X-23: every secret a workload reads exists in the plan or is declared external.

A task definition's `secrets[].valueFrom` (and `repositoryCredentials.credentialsParameter`) or a Lambda function's
environment value that is a Secrets Manager / SSM parameter ARN must name a secretsmanager/secret (or a replica of
one in the reader's region) or an ssm/parameter of the same account and region, or a name the stack config declares
provided by the app team (`externalSecrets`: accounts[].workloads.ecs.external_secrets). Otherwise the task stops at
start-up with ResourceNotFoundException, long after the deploy succeeded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from .graph import Graph, Res
from .rules import Param, StackCase, StackRule
from .stack_helpers import Unknowns, case_resource, items_of
from .types import SECRET, SSM_PARAMETER, TASK_DEFINITION
from .values import is_unknown

LAMBDA_FUNCTION = "aws:lambda/function:Function"
# arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME[-6 chars][:json-key:stage:version]
_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]*):(\d*):secret:([^:]+)")
_PARAMETER_ARN = re.compile(r"^arn:aws[a-z-]*:ssm:([a-z0-9-]*):(\d*):parameter(/.+)$")


def _reference(value: str, region: str | None) -> tuple[str, str | None, str] | None:
    """(kind, region, name) of a secret reference; None for a value that is not one."""
    if m := _SECRET_ARN.match(value):
        return "secret", m[1] or region, m[3]
    if m := _PARAMETER_ARN.match(value):
        return "parameter", m[1] or region, m[3]
    return None


def _task_references(task: Res, unknowns: Unknowns) -> Iterator[str]:
    raw = task.get("containerDefinitions")
    if unknowns.check(task, "containerDefinitions"):
        return
    try:
        containers = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return
    for container in items_of(containers):
        if not isinstance(container, Mapping):
            continue
        for secret in items_of(container.get("secrets")):
            if isinstance(secret, Mapping) and isinstance(secret.get("valueFrom"), str):
                yield secret["valueFrom"]
        credentials = container.get("repositoryCredentials")
        if isinstance(credentials, Mapping) and isinstance(credentials.get("credentialsParameter"), str):
            yield credentials["credentialsParameter"]


def _lambda_references(function: Res) -> Iterator[str]:
    variables = function.get("environment")
    variables = variables.get("variables") if isinstance(variables, Mapping) else None
    for value in (variables or {}).values() if isinstance(variables, Mapping) else ():
        if isinstance(value, str) and _reference(value, None):
            yield value


def _planned(g: Graph, unknowns: Unknowns) -> set[tuple[str, str | None, str | None, str]]:
    """(kind, account, region, name) of every secret (and its replicas) and parameter the plan creates."""
    found = set()
    for secret in g.of_type(SECRET):
        name, account = secret.get("name"), g.account(secret)
        if unknowns.check(secret, "name") or not isinstance(name, str):
            continue
        regions = {g.region(secret)} | {r.get("region") for r in items_of(secret.get("replicas")) if isinstance(r, Mapping)}
        found |= {("secret", account, region, name) for region in regions}
    for parameter in g.of_type(SSM_PARAMETER):
        name = parameter.get("name")
        if isinstance(name, str) and not is_unknown(name):
            found.add(("parameter", g.account(parameter), g.region(parameter), "/" + name.lstrip("/")))
    return found


def _exists(ref: tuple[str, str | None, str], account: str | None, planned: set) -> bool:
    kind, region, name = ref
    if kind == "parameter":
        return (kind, account, region, "/" + name.lstrip("/")) in planned
    # the ARN may carry Secrets Manager's random 6-character suffix
    names = {name, re.sub(r"-[A-Za-z0-9]{6}$", "", name)}
    return any(("secret", account, region, n) in planned for n in names)


def secrets_read_exist(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    external = stack.cfg["externalSecrets"] or {}
    planned = _planned(g, unknowns)
    readers = [(t, list(_task_references(t, unknowns))) for t in g.of_type(TASK_DEFINITION)]
    readers += [(f, list(_lambda_references(f))) for f in g.of_type(LAMBDA_FUNCTION)]
    for reader, values in readers:
        account, region = g.account(reader), g.region(reader)
        declared = set(external.get(account, [])) if isinstance(external, Mapping) else set()
        for value in values:
            ref = _reference(value, region) or ("parameter", region, value)  # a bare name is an SSM parameter
            if _exists(ref, account, planned) or ref[2] in declared or ref[2].lstrip("/") in declared:
                continue
            yield reader.urn, (f"{reader.name} reads {ref[0]} {ref[2]} ({value}), which nothing in the plan creates "
                               f"in account {account} region {ref[1]} and the config does not declare external: "
                               f"create it (KMS, rotation) or list it in accounts[{account}].workloads.ecs."
                               "external_secrets")
    unknowns.raise_if_any()


def _task(secret_arn: str, name: str = "api-task") -> Any:
    containers = [{"name": "api", "secrets": [{"name": "DB", "valueFrom": secret_arn}]}]
    return case_resource(TASK_DEFINITION, name, {"containerDefinitions": json.dumps(containers)}, env="prod")


_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:los-api/db"
_EXTERNAL = {"landing-zone:accounts": json.dumps([{"name": "prod-account", "workloads": {"ecs": {
    "external_secrets": ["los-api/db"]}}}])}
X19_CASES = (
    StackCase((_task(_ARN),), violates=True, note="secret neither planned nor external"),
    StackCase((_task(_ARN), case_resource(SECRET, "other", {"name": "los-api/other"}, env="prod")), violates=True,
              note="another secret exists"),
    StackCase((_task(_ARN), case_resource(SECRET, "db", {"name": "los-api/db"}, env="prod")), violates=False,
              note="created in the same account and region"),
    StackCase((_task(_ARN + "-AbCdEf"), case_resource(SECRET, "db", {"name": "los-api/db"}, env="prod")),
              violates=False, note="full ARN with the random suffix"),
    StackCase((_task(_ARN),), violates=False, stack_config=_EXTERNAL, note="declared external"),
    StackCase((_task(_ARN),), violates=True, stack_config={"landing-zone:accounts": json.dumps([
        {"name": "other-account", "workloads": {"ecs": {"external_secrets": ["los-api/db"]}}}])},
              note="declared external by another account"),
)

RULES = [
    StackRule(
        id="X-23", name="x-23-secrets-read-exist", title="Every secret a workload reads exists or is declared external",
        description="Each Secrets Manager / SSM parameter reference of an ECS task definition (secrets[].valueFrom, "
                    "repositoryCredentials) or a Lambda function's environment names a secret (or its replica) or "
                    "parameter the plan creates in the reader's account and region, or a name the account's config "
                    "declares external (ecs.external_secrets, provided by the app team). EKS pods read secrets "
                    "through Kubernetes objects the plan does not hold: not judged.",
        refs="deploy readiness (ECS ResourceInitializationError: unable to pull secrets)",
        checks=(secrets_read_exist,), cases=X19_CASES,
        params={"externalSecrets": Param("object", {}, "account name -> secret names the app team provides",
                                         stack="externalSecrets")}),
]
