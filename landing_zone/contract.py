"""The app-team contract: typed, versioned stack outputs of the landing zone.

App teams read the landing zone through ``pulumi.StackReference("org/landing-zone/prod")``. Instead of untyped
strings they get these pydantic models::

    from landing_zone import contract
    lz = pulumi.StackReference("org/landing-zone/prod")
    apps = contract.account(lz, "prod-apps")                      # Output[contract.Account]
    subnets = apps.apply(lambda a: a.region("ap-south-1").vpc.subnet_ids["private"])

Other languages validate the same outputs with the JSON Schema (``lz contract --schema``, contract/schema.json).

Versioning (``contract_version`` is ``MAJOR.MINOR``):
- a MINOR bump only adds optional fields: a reader of 1.2 reads a 1.0 stack (the new fields are None/empty) and a
  1.5 stack (fields it does not know are ignored; it warns so the team knows an upgrade would show them more);
- anything else (a field removed, renamed, retyped, made optional, a new required field) is a MAJOR bump, and a
  reader refuses another major with a message saying which side to upgrade.
contract/released/<version>.json keeps the schema of every released version; tests/landing_zone/test_contract.py
fails when the live schema breaks one of them without a major bump.

Stack outputs (top-level keys): contract_version, organization, accounts, network, logging, and kubeconfigs — a
secret kept apart so that reading a subnet id never turns your own outputs into secrets.
Nothing here registers resources; pulumi is imported only by the functions that take a StackReference.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from landing_zone.wire import unwrap_secrets

if TYPE_CHECKING:  # pragma: no cover
    import pulumi

CONTRACT_VERSION = "1.2"
SCHEMA_ID = "https://example.com/landing-zone/contract.schema.json"
SECRET_OUTPUTS = ("kubeconfigs",)
_VERSION = re.compile(r"^(\d+)\.(\d+)$")


class ContractError(ValueError):
    """The outputs of the referenced stack do not match the contract (each line names the field)."""


class ContractVersionError(ContractError):
    """The referenced stack publishes a contract version this reader cannot read."""


class ContractVersionWarning(UserWarning):
    """The referenced stack is newer (same major): readable, but its new fields are ignored."""


# --- the models -------------------------------------------------------------------------------------------------


class Model(BaseModel):
    # extra="ignore": a newer minor version may add fields; an older reader simply does not see them.
    model_config = ConfigDict(extra="ignore", frozen=True)


Arn = Annotated[str, Field(pattern=r"^arn:aws[a-z-]*:", description="an ARN")]
AccountId = Annotated[str, Field(pattern=r"^\d{12}$", description="12-digit AWS account id")]


class Vpc(Model):
    id: str
    cidr: str
    subnet_ids: dict[str, list[str]] = Field(description="tier (public|private|data|transit) -> one subnet id per AZ")
    route_table_ids: dict[str, list[str]] = Field(default={}, description="tier -> route table ids")
    tgw_attachment_id: str | None = None


class Eks(Model):
    cluster_name: str
    endpoint: str
    oidc_provider_arn: Arn  # kubeconfig: secret, in the top-level `kubeconfigs` output (see kubeconfig())


class Ecs(Model):
    cluster_arn: Arn
    cluster_name: str
    service_names: list[str] = []


class Aurora(Model):
    writer_endpoint: str
    reader_endpoint: str
    master_secret_arn: Arn | None = Field(description="Secrets Manager secret of the RDS-managed master password")
    port: int = 3306


class Redis(Model):
    endpoint: str
    port: int = 6379
    auth_secret_arn: Arn | None = Field(default=None, description="Secrets Manager secret of the AUTH token")


class Alb(Model):
    dns_name: str
    https_listener_arn: Arn
    security_group_id: str | None = None  # allow ingress from it on your task's port
    domain_name: str | None = None


class Workloads(Model):
    eks: Eks | None = None
    ecs: Ecs | None = None
    ecr_repository_urls: dict[str, str] = Field(default={}, description="repository name -> URL")
    aurora: Aurora | None = None
    redis: Redis | None = None
    queue_urls: dict[str, str] = Field(default={}, description="queue name -> URL")
    dead_letter_queue_urls: dict[str, str] = Field(default={}, description="queue name -> its dead-letter queue URL")
    alb: Alb | None = None
    app_security_group_id: str | None = Field(
        default=None, description="the application tier's security group: the ALB reaches it, the data stores admit it")


class Region(Model):
    vpc: Vpc | None = None
    kms_key_arns: dict[str, Arn] = Field(default={}, description="purpose -> KMS key ARN")
    alarm_topic_arn: Arn | None = None
    workloads: Workloads = Workloads()


class PrivateZone(Model):
    id: str = Field(description="Route 53 hosted zone id")
    name: str = Field(description="the zone's domain, e.g. prod.example.internal")


class Account(Model):
    name: str
    id: AccountId
    environment: str = Field(description="prod | nonprod | sandbox | core")
    ou: str
    role: str = Field(description="log-archive | security | network | workload")
    segment: str = Field(description="the Transit Gateway segment its VPCs attach to")
    deployment_role_arn: Arn | None = Field(
        default=None, description="role app-team pipelines assume (OIDC), when the account has one repository")
    deployment_role_arns: dict[str, Arn] = Field(
        default={}, description="repository (OWNER/NAME) -> the role its pipeline assumes (OIDC); since 1.1")
    private_zone: PrivateZone | None = Field(
        default=None, description="its environment's private hosted zone, associated with its VPCs; since 1.2")
    regions: dict[str, Region] = {}

    def region(self, name: str) -> Region:
        if name not in self.regions:
            known = ", ".join(sorted(self.regions)) or "none"
            raise ContractError(f"accounts.{self.name}.regions: no region {name!r} (this account has: {known})")
        return self.regions[name]


class TransitGateway(Model):
    id: str
    route_table_ids: dict[str, str] = Field(description="segment -> Transit Gateway route table id")


class Resolver(Model):
    inbound_endpoint_id: str | None = None
    inbound_ip_addresses: list[str] = Field(default=[], description="where on-premises DNS forwards AWS names")
    outbound_endpoint_id: str | None = None
    forwarding_rule_ids: dict[str, str] = Field(default={}, description="on-premises domain -> resolver rule id")


class Network(Model):
    transit_gateways: dict[str, TransitGateway] = Field(default={}, description="region -> Transit Gateway")
    resolvers: dict[str, Resolver] = Field(default={}, description="region -> Route 53 Resolver endpoints; since 1.2")
    private_zones: dict[str, PrivateZone] = Field(
        default={}, description="environment -> private hosted zone; since 1.2")
    client_vpn_endpoint_id: str | None = None
    vpn_connection_ids: dict[str, str] = Field(default={}, description="customer gateway name -> VPN connection id")
    direct_connect_gateway_id: str | None = None


class Logging(Model):
    bucket_name: str
    bucket_arn: Arn
    kms_key_arn: Arn
    trail_arn: Arn | None = None


class Organization(Model):
    name: str
    home_region: str
    dr_region: str | None = None


class Contract(Model):
    """The landing zone's stack outputs."""

    model_config = ConfigDict(
        extra="ignore", frozen=True, title="LandingZoneContract",
        json_schema_extra={"$id": SCHEMA_ID, "x-contract-version": CONTRACT_VERSION},
    )

    contract_version: str = Field(pattern=r"^\d+\.\d+$", description="MAJOR.MINOR of this contract")
    organization: Organization
    accounts: dict[str, Account]
    network: Network = Network()
    logging: Logging | None = None
    kubeconfigs: dict[str, dict[str, SecretStr]] = Field(
        default={}, description="account -> region -> kubeconfig of its EKS cluster (a secret output)")

    def account(self, name: str) -> Account:
        if name not in self.accounts:
            raise ContractError(f"accounts: no account {name!r} (the landing zone has: {', '.join(sorted(self.accounts))})")
        return self.accounts[name]


# --- versions ---------------------------------------------------------------------------------------------------


def parse_version(version: Any) -> tuple[int, int]:
    match = _VERSION.match(version) if isinstance(version, str) else None
    if not match:
        raise ContractVersionError(
            f"contract_version: {version!r} is not MAJOR.MINOR; is the referenced stack a landing zone "
            f"(contract {CONTRACT_VERSION} or later publishes it)?")
    return int(match[1]), int(match[2])


def check_version(found: Any, supported: str = CONTRACT_VERSION) -> str | None:
    """Raise ContractVersionError when unreadable; return a warning when readable but newer, else None."""
    major, minor = parse_version(found)
    our_major, our_minor = parse_version(supported)
    if major > our_major:
        raise ContractVersionError(
            f"contract_version: the stack publishes contract {found}, this reader supports {our_major}.x: "
            f"upgrade the landing-zone package your program imports (pip install -U landing-zone)")
    if major < our_major:
        raise ContractVersionError(
            f"contract_version: the stack publishes contract {found}, older than the {our_major}.x this reader "
            f"supports: update the landing-zone stack (pulumi up), or pin a landing-zone package that reads {major}.x")
    if minor > our_minor:
        return (f"contract_version: the stack publishes contract {found}, newer than {supported}: readable, but "
                f"fields added since {supported} are ignored (upgrade the landing-zone package to use them)")
    return None


# --- reading outputs --------------------------------------------------------------------------------------------


def parse(outputs: Mapping[str, Any], warn: Callable[[str], None] | None = None) -> Contract:
    """Typed contract from a plain dict of stack outputs (e.g. `pulumi stack output --json --show-secrets`, a plan).

    Secrets may be plain or in Pulumi's secret envelope. Raises ContractVersionError / ContractError.
    """
    if not isinstance(outputs, Mapping):
        raise ContractError(f"stack outputs: expected a mapping, got {type(outputs).__name__}")
    outputs = {k: unwrap_secrets(v) for k, v in outputs.items()}
    message = check_version(outputs.get("contract_version"))
    if message:
        (warn or _python_warning)(message)
    try:
        return Contract.model_validate(outputs)
    except ValidationError as e:
        lines = [f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()]
        raise ContractError("stack outputs do not match the landing-zone contract:\n" + "\n".join(lines)) from None


def read(stack_ref: pulumi.StackReference, secrets: bool = False) -> pulumi.Output[Contract]:
    """The referenced stack's outputs as an Output[Contract].

    secrets=False (default) leaves `kubeconfigs` empty so that nothing derived from the result is a secret;
    use kubeconfig() for a cluster's kubeconfig.
    """
    import pulumi

    keys = [k for k in Contract.model_fields if secrets or k not in SECRET_OUTPUTS]
    values = pulumi.Output.all(*[stack_ref.get_output(k) for k in keys])
    return values.apply(lambda vs: parse({k: v for k, v in zip(keys, vs, strict=True) if v is not None},
                                         warn=pulumi.log.warn))


def account(stack_ref: pulumi.StackReference, name: str) -> pulumi.Output[Account]:
    """One account of the referenced landing zone; a clear error naming the known accounts when it does not exist."""
    return read(stack_ref).apply(lambda c: c.account(name))


def kubeconfig(stack_ref: pulumi.StackReference, account_name: str, region: str) -> pulumi.Output[str]:
    """The kubeconfig of an account's EKS cluster in a region, as a secret Output."""
    import pulumi

    def pick(configs: Mapping[str, Any] | None) -> str:
        found = ((configs or {}).get(account_name) or {}).get(region)
        if found is None:
            raise ContractError(f"kubeconfigs: no EKS cluster for account {account_name!r} in {region!r}")
        return found

    return pulumi.Output.secret(stack_ref.get_output("kubeconfigs").apply(pick))


def _python_warning(message: str) -> None:
    warnings.warn(message, ContractVersionWarning, stacklevel=3)


# --- the JSON Schema and its compatibility ------------------------------------------------------------------------


def schema() -> dict[str, Any]:
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **Contract.model_json_schema()}


def schema_json() -> str:
    """The JSON Schema of the stack outputs (what `lz contract --schema` prints), canonical and stable."""
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"


def released_schemas(root: Path = Path(".")) -> dict[str, dict]:
    """contract/released/<version>.json: the schema of every released version (never edited)."""
    folder = Path(root) / "contract" / "released"
    return {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}


def breaking_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What in `new` breaks readers or writers of `old`, one line each naming the field path.

    Breaking: a property removed (or renamed), its type changed, a required property made optional (old readers
    expect it), a new required property (old stacks of the same major lack it). A new optional property is not.
    """
    found: list[str] = []
    _compare(old, new, "$", old, new, found)
    return found


def compatibility_errors(released: Mapping[str, Mapping], live: Mapping[str, Any]) -> list[str]:
    """Breaking changes of `live` against each released schema of the same major version."""
    live_major, _ = parse_version(live.get("x-contract-version"))
    errors = []
    for version, old in released.items():
        if parse_version(old.get("x-contract-version", version))[0] != live_major:
            continue
        errors += [f"breaks contract {version} without a major bump: {line}" for line in breaking_changes(old, live)]
    return errors


def _compare(old: Any, new: Any, path: str, old_root: Mapping, new_root: Mapping, out: list[str]) -> None:
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    old_types, new_types = _types(old, old_root), _types(new, new_root)
    if old_types != new_types:
        out.append(f"{path}: type changed from {'|'.join(sorted(old_types))} to {'|'.join(sorted(new_types))}")
        return
    old, new = _non_null(old, old_root), _non_null(new, new_root)
    if "object" in old_types:
        _compare_objects(old, new, path, old_root, new_root, out)
    elif "map" in old_types:
        _compare(old["additionalProperties"], new["additionalProperties"], f"{path}.*", old_root, new_root, out)
    elif "array" in old_types:
        _compare(old.get("items", {}), new.get("items", {}), f"{path}[]", old_root, new_root, out)


def _compare_objects(old: Mapping, new: Mapping, path: str, old_root: Mapping, new_root: Mapping,
                     out: list[str]) -> None:
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_req, new_req = set(old.get("required", [])), set(new.get("required", []))
    added = sorted(set(new_props) - set(old_props))
    for name in sorted(old_props):
        if name not in new_props:
            hint = f" (renamed to {', '.join(added)}?)" if added else ""
            out.append(f"{path}.{name}: removed{hint}")
            continue
        if name in old_req and name not in new_req:
            out.append(f"{path}.{name}: was required, now optional (readers of the old version rely on it)")
        _compare(old_props[name], new_props[name], f"{path}.{name}", old_root, new_root, out)
    out += [f"{path}.{name}: new required field (stacks of the old version lack it; give it a default)"
            for name in added if name in new_req]


def _resolve(node: Any, root: Mapping) -> Any:
    while isinstance(node, Mapping) and "$ref" in node:
        node = root.get("$defs", {})[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _branches(node: Mapping, root: Mapping) -> list[Mapping]:
    return [_resolve(b, root) for b in node.get("anyOf", node.get("oneOf", [node]))]


def _types(node: Any, root: Mapping) -> set[str]:
    """The kinds a value may have: JSON types, with an object of free keys (a dict) as "map"."""
    kinds: set[str] = set()
    for branch in _branches(node, root) if isinstance(node, Mapping) else []:
        kind = branch.get("type")
        if kind == "object" and "properties" not in branch and "additionalProperties" in branch:
            kind = "map"
        kinds.add(kind if isinstance(kind, str) else "any")
    return kinds


def _non_null(node: Mapping, root: Mapping) -> Mapping:
    branches = [b for b in _branches(node, root) if b.get("type") != "null"]
    return branches[0] if len(branches) == 1 else node
