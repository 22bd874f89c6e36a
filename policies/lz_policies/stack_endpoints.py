"""Stack rule X-14: VPCs that run compute have private endpoints, and every endpoint a policy that keeps it in the organization."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from . import iam
from .graph import Graph, Res
from .iam import resources as statement_resources
from .iam import statements
from .rules import CaseResource, Param, StackCase, StackRule
from .stack_helpers import Unknowns, case_resource, label, vpc_case
from .types import (
    ASG,
    ECS_SERVICE,
    EKS_CLUSTER,
    EKS_COMPONENT,
    EKS_NODE_GROUP,
    INSTANCE,
    SUBNET,
    VPC,
    VPC_ENDPOINT,
    VPC_ENDPOINT_POLICY,
)
from .values import UNKNOWN, is_unknown

# --------------------------------------------------------------------------- X-14 endpoints for compute VPCs
COMPUTE_SUBNET_PROPS = {INSTANCE: ("subnetId",), EKS_CLUSTER: ("vpcConfig",), ECS_SERVICE: ("networkConfiguration",),
                        ASG: ("vpcZoneIdentifiers",), EKS_NODE_GROUP: ("subnetIds",),
                        EKS_COMPONENT: ("vpcId", "privateSubnetIds", "publicSubnetIds", "subnetIds")}


def _compute_vpcs(g: Graph) -> dict[str, str]:
    """VPC URN -> a compute resource running in it."""
    found: dict[str, str] = {}
    for res in g.of_type(*COMPUTE_SUBNET_PROPS):
        for prop in COMPUTE_SUBNET_PROPS[res.type]:
            vpcs = g.resolve(res, prop, (VPC,))
            for subnet in g.resolve(res, prop, (SUBNET,)):
                vpcs += g.resolve(subnet, "vpcId", (VPC,))
            for vpc in vpcs:
                found.setdefault(vpc.urn, label(res))
    return found


def compute_vpcs_have_private_endpoints(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns, required = stack.graph(), Unknowns(), list(stack.cfg["requiredEndpoints"])
    services: dict[str, set[str]] = {}
    for endpoint in g.of_type(VPC_ENDPOINT):
        if unknowns.check(endpoint, "serviceName"):
            continue
        name = str(endpoint.get("serviceName") or "")
        for vpc in g.resolve(endpoint, "vpcId", (VPC,)):
            services.setdefault(vpc.urn, set()).update(s for s in required if name.endswith("." + s))
    for vpc_urn, user in _compute_vpcs(g).items():
        missing = [s for s in required if s not in services.get(vpc_urn, set())]
        if missing and not unknowns:
            yield vpc_urn, (f"VPC {g.by_urn[vpc_urn].name} runs {user} but has no interface endpoint for "
                            f"{', '.join(missing)}: add aws.ec2.VpcEndpoint (Interface, private DNS) for each")
    unknowns.raise_if_any()


# Where a task's data lands: their endpoints also pin the resource side (not ECR, SSM or STS: AWS-owned images,
# documents and federation).
RESOURCE_PERIMETER_SERVICES = ["s3", "dynamodb", "secretsmanager", "kms", "logs", "sqs", "sns", "kinesis-streams",
                               "firehose"]
POLICY_ENDPOINT_TYPES = ("Gateway", "Interface")  # GatewayLoadBalancer, Resource, ServiceNetwork take no policy
# Conditions with which an endpoint statement open to every principal still stays inside the organization: the
# caller's (IAM-11's caller keys) or the resource's organization / account.
ENDPOINT_LIMITING_KEYS = ("aws:resourceorgid", "aws:resourceorgpaths", "aws:resourceaccount")


def endpoints_have_policies(stack: Any) -> Iterator[tuple[str | None, str]]:
    """Without a policy (or with AWS's default one, what the endpoint reports after creation) an endpoint lets any
    principal reach any resource of the service: a data subnet writes to any bucket of any account through the S3
    gateway endpoint."""
    g, unknowns = stack.graph(), Unknowns()
    exempt = {str(x) for x in stack.cfg["policyUnsupportedServices"]}
    data_services = {str(x) for x in stack.cfg["resourcePerimeterServices"]}
    separate: dict[str, list[Res]] = {}
    for policy in g.of_type(VPC_ENDPOINT_POLICY):
        for endpoint in g.resolve(policy, "vpcEndpointId", (VPC_ENDPOINT,)):
            separate.setdefault(endpoint.urn, []).append(policy)
    for endpoint in g.of_type(VPC_ENDPOINT):
        if unknowns.check(endpoint, "serviceName") or unknowns.check(endpoint, "vpcEndpointType"):
            continue
        kind, service = endpoint.get("vpcEndpointType") or "Gateway", _endpoint_service(endpoint.get("serviceName"))
        if kind not in POLICY_ENDPOINT_TYPES or service is None or service in exempt:
            continue
        carriers = [endpoint, *separate.get(endpoint.urn, [])]
        verdict = _endpoint_policy_verdict(carriers, unknowns)
        if verdict is None and service in data_services and _reaches_outside(carriers):
            yield endpoint.urn, (f"VPC endpoint {endpoint.name} ({service}, {kind}) lets callers reach {service} "
                                 "resources of any account: a task exfiltrates with its own credentials to an outside "
                                 "bucket, key or secret; add aws:ResourceOrgID of the organization to every statement "
                                 "on Resource \"*\" (resource-side data perimeter)")
        if verdict is not None:
            yield endpoint.urn, (f"VPC endpoint {endpoint.name} ({service}, {kind}) {verdict}: AWS's default endpoint "
                                 "policy lets every principal reach every resource of the service; set `policy` "
                                 "allowing only aws:PrincipalOrgID (and, for S3/DynamoDB gateways, aws:ResourceOrgID) "
                                 "of the organization")
    unknowns.raise_if_any()


def _endpoint_service(name: Any) -> str | None:
    """'com.amazonaws.eu-west-1.ecr.api' -> 'ecr.api'; None for PrivateLink services of other owners."""
    match = re.match(r"^com\.amazonaws\.[a-z0-9-]+\.(?P<service>.+)$", str(name or ""))
    return match["service"] if match and not match["service"].startswith("vpce-svc-") else None


def _endpoint_policy_verdict(carriers: list[Res], unknowns: Unknowns) -> str | None:
    """None when one of the endpoint's policies (inline, or an ec2/vpcEndpointPolicy) limits it, else why not."""
    found = False
    for carrier in carriers:
        document = carrier.get("policy")
        if is_unknown(document):
            unknowns.check(carrier, "policy")
            return None
        if not document:
            continue
        found = True
        if statements(document) and not any(_open_to_all(st) for st in statements(document)):
            return None
    return "has only a policy that allows everyone everything" if found else "has no endpoint policy"


def _reaches_outside(carriers: list[Res]) -> bool:
    """An Allow on every resource that pins no resource organization/account (data services: the resource side)."""
    for carrier in carriers:
        document = carrier.get("policy")
        for st in statements(document) if document and not is_unknown(document) else []:
            if st.get("Effect") == "Allow" and "*" in statement_resources(st) and not any(
                    iam.pins(st, k) for k in ENDPOINT_LIMITING_KEYS):
                return True
    return False


def _open_to_all(statement: Mapping[str, Any]) -> bool:
    """An Allow to every principal on every resource with no condition limiting the caller or the resource."""
    if not iam.allows_everyone(statement) or iam.limits_callers(statement):
        return False
    return "*" in statement_resources(statement) and not any(iam.pins(statement, k) for k in ENDPOINT_LIMITING_KEYS)


_ORG_ONLY_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}}}]})
_ORG_ONLY_BOTH_SIDES = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*",
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1", "aws:ResourceOrgID": "o-exampleorg1"}}}]})
_FULL_ACCESS_POLICY = json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]})


def _endpoint(service: str, policy: Any = _ORG_ONLY_POLICY, kind: str = "Interface") -> CaseResource:
    props = {"serviceName": f"com.amazonaws.eu-west-1.{service}", "vpcEndpointType": kind}
    return case_resource(VPC_ENDPOINT, f"ep-{service}", props | ({"policy": policy} if policy is not None else {}),
                 {"vpcId": "prod-vpc"})


_COMPUTE = (vpc_case(), case_resource(SUBNET, "app-a", {"cidrBlock": "10.1.0.0/24"}, {"vpcId": "prod-vpc"}),
            case_resource(EKS_CLUSTER, "cluster", {"vpcConfig": {"subnetIds": [UNKNOWN]}}, {"vpcConfig": "app-a"}))
X14_CASES = (
    StackCase(_COMPUTE + (_endpoint("ecr.api"),), violates=True, note="ecr.dkr and ssm missing"),
    StackCase(_COMPUTE + tuple(_endpoint(s) for s in ("ecr.api", "ecr.dkr", "ssm")), violates=False),
    StackCase((vpc_case(),), violates=False, note="VPC without compute"),
    StackCase((vpc_case(), _endpoint("s3", policy=None, kind="Gateway")), violates=True,
              note="gateway endpoint without a policy"),
    StackCase((vpc_case(), _endpoint("s3", policy=_FULL_ACCESS_POLICY, kind="Gateway")), violates=True,
              note="AWS's default full-access policy (what the endpoint reports after creation)"),
    StackCase((vpc_case(), _endpoint("kms", policy=None)), violates=True, note="interface endpoint without a policy"),
    StackCase((vpc_case(), _endpoint("ssmmessages", policy=None), _endpoint("ec2messages", policy=None)),
              violates=False, note="services without custom endpoint policies"),
    StackCase((vpc_case(), _endpoint("dynamodb", policy=None, kind="Gateway"),
               case_resource(VPC_ENDPOINT_POLICY, "ddb-policy", {"policy": _ORG_ONLY_BOTH_SIDES}, {"vpcEndpointId": "ep-dynamodb"})),
              violates=False, note="policy as a separate ec2/vpcEndpointPolicy"),
    StackCase((vpc_case(), _endpoint("s3", policy=UNKNOWN, kind="Gateway")), violates=False, unknown=True),
    StackCase((vpc_case(), _endpoint("s3", kind="Gateway")), violates=True,
              note="S3 gateway: organization callers, but to any account's bucket"),
    StackCase((vpc_case(), _endpoint("secretsmanager")), violates=True, note="data service: caller side only"),
    StackCase((vpc_case(), _endpoint("s3", policy=_ORG_ONLY_BOTH_SIDES, kind="Gateway"),
               _endpoint("secretsmanager", policy=_ORG_ONLY_BOTH_SIDES)), violates=False,
              note="both sides of the perimeter"),
)


RULES = [
    StackRule(
        id="X-14", name="x-14-compute-vpcs-have-endpoints",
        title="VPCs running ECS, EKS or EC2 have ECR and SSM endpoints; endpoints have organization policies",
        description="A VPC with instances, Auto Scaling groups, EKS clusters or node groups, or ECS services has "
                    "interface endpoints for ecr.api, ecr.dkr and ssm, so images and management traffic stay private. "
                    "Every Gateway or Interface endpoint of an AWS service (but `policyUnsupportedServices`) has a "
                    "policy (inline or ec2/vpcEndpointPolicy) that is not open to everyone: its statements for "
                    "Principal \"*\" name resources or pin the caller's or the resource's organization/account "
                    "(IAM-11 checks each statement). AWS's default policy, which an endpoint created without one "
                    "reports, allows everything and fails. Endpoints of `resourcePerimeterServices` (where data "
                    "lands) also pin the resource's organization (aws:ResourceOrgID) on every statement over "
                    "Resource \"*\".",
        refs="SH EC2.55, EC2.56, EC2.57; AWS whitepaper 'Building a data perimeter on AWS' (VPC endpoint policies)",
        checks=(compute_vpcs_have_private_endpoints, endpoints_have_policies), cases=X14_CASES,
        params={"requiredEndpoints": Param("array", ["ecr.api", "ecr.dkr", "ssm"], "required endpoint services",
                                           items="string"),
                "policyUnsupportedServices": Param("array", ["ssmmessages", "ec2messages"], "endpoint services "
                                                   "that accept only AWS's default policy (no custom policy)",
                                                   items="string"),
                "resourcePerimeterServices": Param("array", RESOURCE_PERIMETER_SERVICES, "endpoint services whose "
                                                   "policies must pin the resource's organization", items="string")}),
]
