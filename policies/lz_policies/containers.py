"""Containers (CONTROLS.md §1, CTR-01..CTR-08): ECR, ECS task definitions (containerDefinitions JSON), EKS.

Note: pulumi-eks defaults to endpointPublicAccess=true and no control-plane logging, so the eks:index:Cluster
component fails CTR-07 (and LOG-10) unless those inputs are set explicitly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from .iam import allows, principals, statements
from .rules import Case, Param, ResourceRule
from .secret_detection import looks_secret_name, looks_secret_value
from .types import (
    ECR_REPOSITORY,
    ECS_SERVICE,
    EKS_CLUSTER,
    EKS_COMPONENT,
    EKS_NODE_GROUP,
    REGISTRY_POLICY,
    REPOSITORY_POLICY,
    TASK_DEFINITION,
)
from .values import UNKNOWN, as_list, decode_json, dig, require_known, truthy
from .views import Subject

ROOT_USERS = ("root", "0", "0:0")
SUPPORTED_EKS = ["1.31", "1.32", "1.33", "1.34"]


def containers(r: Subject) -> list[dict]:
    """The container definitions of a task definition (a JSON string on the wire)."""
    definitions = decode_json(r.get("containerDefinitions"))
    return [c for c in definitions if isinstance(c, dict)] if isinstance(definitions, list) else []


# CTR-01 / CTR-02 ------------------------------------------------------------------------------------------------
def scan_on_push(r: Subject) -> Iterator[str]:
    if not truthy(r.get("imageScanningConfiguration", "scanOnPush", default=False)):
        yield "imageScanningConfiguration.scanOnPush is not true; set scanOnPush=true"


def immutable_and_kms(r: Subject) -> Iterator[str]:
    if not str(r.get("imageTagMutability", default="MUTABLE")).startswith("IMMUTABLE"):
        yield "image tags are mutable; set imageTagMutability=\"IMMUTABLE\""
    types = [dig(e, "encryptionType") for e in as_list(r.get("encryptionConfigurations"))]
    if "KMS" not in types:
        yield "the repository is not KMS-encrypted; set encryptionConfigurations=[{encryptionType: \"KMS\", kmsKey: ...}]"


# CTR-03 ---------------------------------------------------------------------------------------------------------
def repository_policy_not_public(r: Subject) -> Iterator[str]:
    for i, statement in enumerate(statements(r.get("policy"))):
        if allows(statement) and "*" in principals(statement) and not statement.get("Condition"):
            yield (f"policy Statement[{i}] allows Principal \"*\"; name the accounts, or restrict with "
                   "aws:PrincipalOrgID")


# CTR-04 ---------------------------------------------------------------------------------------------------------
def not_privileged(r: Subject) -> Iterator[str]:
    for c in containers(r):
        if c.get("privileged") is True:
            yield f"container {c.get('name')!r} is privileged; remove privileged=true"
    if r.get("pidMode") == "host":
        yield "pidMode=\"host\" shares the host's process namespace; remove pidMode"


def read_only_root_filesystem(r: Subject) -> Iterator[str]:
    for c in containers(r):
        if c.get("readonlyRootFilesystem") is not True:
            yield f"container {c.get('name')!r} has a writable root filesystem; set readonlyRootFilesystem=true"


def runs_as_non_root(r: Subject) -> Iterator[str]:
    for c in containers(r):
        user = str(c.get("user", "")).strip()
        if not user or user in ROOT_USERS or user.startswith("0:") or user.startswith("root:"):
            yield (f"container {c.get('name')!r} runs as root (user={user or 'unset'}); set user to a non-root "
                   "uid:gid such as \"1000:1000\"")


# CTR-05 ---------------------------------------------------------------------------------------------------------
def secrets_not_in_environment(r: Subject) -> Iterator[str]:
    for c in containers(r):
        for variable in as_list(c.get("environment")):
            name, value = str(dig(variable, "name", default="")), dig(variable, "value")
            if looks_secret_name(name) or looks_secret_value(value):
                yield (f"container {c.get('name')!r} passes {name!r} as a plain environment variable; move it to "
                       "`secrets` (valueFrom a Secrets Manager secret or SSM SecureString)")


def separate_task_and_execution_roles(r: Subject) -> Iterator[str]:
    task_role, execution_role = r.get("taskRoleArn"), r.get("executionRoleArn")
    if task_role and execution_role:
        require_known(task_role, "taskRoleArn")
        require_known(execution_role, "executionRoleArn")
        if task_role == execution_role:
            yield ("taskRoleArn equals executionRoleArn; give the application its own least-privilege task role "
                   "(the execution role pulls images and reads secrets)")


# CTR-06 ---------------------------------------------------------------------------------------------------------
def service_private_and_current(r: Subject) -> Iterator[str]:
    if truthy(r.get("networkConfiguration", "assignPublicIp", default=False)):
        yield "networkConfiguration.assignPublicIp=true; run tasks in private subnets with assignPublicIp=false"
    version = r.get("platformVersion")
    if r.get("launchType", default="FARGATE") == "FARGATE" and version not in (None, "LATEST"):
        yield f"platformVersion={version} is pinned; use \"LATEST\" to get platform security fixes"


# CTR-07 ---------------------------------------------------------------------------------------------------------
def eks_endpoint_private(r: Subject) -> Iterator[str]:
    if r.type == EKS_COMPONENT:
        public, cidrs = r.get("endpointPublicAccess", default=True), r.get("publicAccessCidrs")
    else:
        public, cidrs = r.get("vpcConfig", "endpointPublicAccess", default=True), r.get("vpcConfig", "publicAccessCidrs")
    cidrs = [str(c) for c in as_list(cidrs)]
    if truthy(public):
        yield ("the API endpoint is public (endpointPublicAccess defaults to true); set endpointPublicAccess=false "
               "and endpointPrivateAccess=true")
    if truthy(public) and (not cidrs or "0.0.0.0/0" in cidrs):
        yield "publicAccessCidrs is open to 0.0.0.0/0; restrict it (or disable public access)"


# CTR-08 ---------------------------------------------------------------------------------------------------------
def eks_version_supported(r: Subject) -> Iterator[str]:
    if r.type == EKS_NODE_GROUP:
        return
    version = r.get("version")
    supported = [str(v) for v in r.cfg["supportedVersions"]]
    if version is not None and str(version) not in supported:
        yield f"Kubernetes version {version} is not supported; upgrade to one of {supported}"


def node_group_remote_access_scoped(r: Subject) -> Iterator[str]:
    if r.type != EKS_NODE_GROUP or r.get("remoteAccess") is None:
        return
    if not as_list(r.get("remoteAccess", "sourceSecurityGroupIds")):
        yield ("remoteAccess without sourceSecurityGroupIds opens SSH to 0.0.0.0/0; set sourceSecurityGroupIds "
               "or drop remoteAccess (use SSM)")


def _task(*container_list, **props):
    return {"family": "app", "containerDefinitions": json.dumps(list(container_list)),
            "taskRoleArn": "arn:aws:iam::111111111111:role/app-task",
            "executionRoleArn": "arn:aws:iam::111111111111:role/app-exec", **props}


GOOD = {"name": "app", "image": "app:1", "user": "1000:1000", "readonlyRootFilesystem": True, "privileged": False,
        "logConfiguration": {"logDriver": "awslogs"},
        "environment": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "KMS_KEY_ID", "value": "k"}],
        "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:eu-west-1:111111111111:secret:db"}]}
PUBLIC_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"]}]})
ORG_POLICY = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage"],
     "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-example"}}}]})

RULES = [
    ResourceRule(
        id="CTR-01", name="ctr-01-ecr-scan-on-push",
        title="ECR repositories scan images on push",
        description="imageScanningConfiguration.scanOnPush=true on every repository.",
        refs="SH ECR.1; CKV_AWS_163",
        types=(ECR_REPOSITORY,), checks=(scan_on_push,),
        cases=(Case({"name": "app"}, violates=True),
               Case({"name": "app", "imageScanningConfiguration": {"scanOnPush": True}}, violates=False)),
    ),
    ResourceRule(
        id="CTR-02", name="ctr-02-ecr-immutable-kms",
        title="ECR tags are immutable and repositories KMS-encrypted",
        description="imageTagMutability IMMUTABLE and encryptionConfigurations with encryptionType KMS.",
        refs="SH ECR.2; CKV_AWS_51, CKV_AWS_136",
        types=(ECR_REPOSITORY,), checks=(immutable_and_kms,),
        cases=(
            Case({"name": "app", "imageTagMutability": "MUTABLE"}, violates=True),
            Case({"name": "app", "imageTagMutability": "IMMUTABLE",
                  "encryptionConfigurations": [{"encryptionType": "AES256"}]}, violates=True),
            Case({"name": "app", "imageTagMutability": "IMMUTABLE",
                  "encryptionConfigurations": [{"encryptionType": "KMS", "kmsKey": "k"}]}, violates=False),
        ),
    ),
    ResourceRule(
        id="CTR-03", name="ctr-03-ecr-policy-not-public",
        title="ECR repository policies are not public",
        description="No repository (or registry) policy statement allows Principal \"*\" without a Condition.",
        refs="CKV_AWS_32",
        types=(REPOSITORY_POLICY, REGISTRY_POLICY), checks=(repository_policy_not_public,),
        cases=(Case({"repository": "app", "policy": PUBLIC_POLICY}, violates=True),
               Case({"repository": "app", "policy": ORG_POLICY}, violates=False)),
    ),
    ResourceRule(
        id="CTR-04", name="ctr-04-containers-unprivileged-readonly-nonroot",
        title="Containers are unprivileged, read-only and non-root",
        description="In containerDefinitions (parsed JSON): no privileged container, readonlyRootFilesystem=true, "
                    "an explicit non-root `user`; the task does not use pidMode host.",
        refs="SH ECS.4, ECS.5, ECS.3; CKV_AWS_334, CKV_AWS_336, CKV_AWS_335",
        types=(TASK_DEFINITION,), checks=(not_privileged, read_only_root_filesystem, runs_as_non_root),
        cases=(
            Case(_task(GOOD | {"privileged": True}), violates=True),
            Case(_task(GOOD | {"readonlyRootFilesystem": False}), violates=True),
            Case(_task({k: v for k, v in GOOD.items() if k != "user"}), violates=True, note="user unset: root"),
            Case(_task(GOOD | {"user": "0:0"}), violates=True),
            Case(_task(GOOD, pidMode="host"), violates=True),
            Case(_task(GOOD), violates=False),
            Case({"family": "app", "containerDefinitions": UNKNOWN}, violates=False, unknown=True),
        ),
    ),
    ResourceRule(
        id="CTR-05", name="ctr-05-secrets-not-in-environment",
        title="Container secrets come from `secrets`, and task and execution roles differ",
        description="No container environment entry has a secret-like name (password, token, api key...) or a "
                    "credential-shaped value; taskRoleArn differs from executionRoleArn.",
        refs="SH ECS.8; CKV_AWS_249",
        types=(TASK_DEFINITION,), checks=(secrets_not_in_environment, separate_task_and_execution_roles),
        cases=(
            Case(_task(GOOD | {"environment": [{"name": "DB_PASSWORD", "value": "hunter2"}]}), violates=True),
            Case(_task(GOOD | {"environment": [{"name": "UPSTREAM", "value": "https://u:pw@example.com"}]}),
                 violates=True, note="credential in a URL value"),
            Case(_task(GOOD, executionRoleArn="arn:aws:iam::111111111111:role/app-task"), violates=True),
            Case(_task(GOOD), violates=False),
            Case(_task(GOOD, taskRoleArn=UNKNOWN), violates=False, unknown=True),
        ),
    ),
    ResourceRule(
        id="CTR-06", name="ctr-06-ecs-service-private-current",
        title="ECS services get no public IP and run the LATEST Fargate platform",
        description="networkConfiguration.assignPublicIp=false; Fargate platformVersion LATEST (or unset).",
        refs="SH ECS.2, ECS.10; CKV_AWS_333, CKV_AWS_332",
        types=(ECS_SERVICE,), checks=(service_private_and_current,),
        cases=(
            Case({"cluster": "c", "networkConfiguration": {"subnets": ["s"], "assignPublicIp": True}}, violates=True),
            Case({"cluster": "c", "launchType": "FARGATE", "platformVersion": "1.3.0"}, violates=True),
            Case({"cluster": "c", "launchType": "FARGATE", "platformVersion": "LATEST",
                  "networkConfiguration": {"subnets": ["s"], "assignPublicIp": False}}, violates=False),
        ),
    ),
    ResourceRule(
        id="CTR-07", name="ctr-07-eks-endpoint-private",
        title="EKS API endpoints are private",
        description="endpointPublicAccess=false (it defaults to true on aws.eks.Cluster vpcConfig and on the "
                    "pulumi-eks component); publicAccessCidrs never contains 0.0.0.0/0.",
        refs="SH EKS.1; CKV_AWS_39, CKV_AWS_38",
        types=(EKS_CLUSTER, EKS_COMPONENT), checks=(eks_endpoint_private,),
        cases=(
            Case({"roleArn": "r", "vpcConfig": {"subnetIds": ["s"]}}, violates=True, note="default is public"),
            Case({"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}, type=EKS_COMPONENT,
                 violates=True),
            Case({}, type=EKS_COMPONENT, violates=True, note="pulumi-eks default"),
            Case({"roleArn": "r", "vpcConfig": {"subnetIds": ["s"], "endpointPublicAccess": False,
                                                "endpointPrivateAccess": True}}, violates=False),
            Case({"endpointPublicAccess": False, "endpointPrivateAccess": True}, type=EKS_COMPONENT, violates=False),
        ),
    ),
    ResourceRule(
        id="CTR-08", name="ctr-08-eks-supported-version-scoped-ssh",
        title="EKS runs a supported version; node group SSH is scoped",
        description="Cluster `version` is one of `supportedVersions`; node groups with remoteAccess set "
                    "sourceSecurityGroupIds.",
        refs="SH EKS.2; CKV_AWS_339, CKV_AWS_100",
        types=(EKS_CLUSTER, EKS_COMPONENT, EKS_NODE_GROUP), checks=(eks_version_supported, node_group_remote_access_scoped),
        params={"supportedVersions": Param("array", SUPPORTED_EKS, "supported Kubernetes minor versions",
                                           items="string")},
        cases=(
            Case({"roleArn": "r", "version": "1.24"}, violates=True),
            Case({"version": "1.25"}, type=EKS_COMPONENT, violates=True),
            Case({"clusterName": "c", "remoteAccess": {"ec2SshKey": "k"}}, type=EKS_NODE_GROUP, violates=True),
            Case({"roleArn": "r", "version": "1.33"}, violates=False),
            Case({"clusterName": "c", "remoteAccess": {"ec2SshKey": "k", "sourceSecurityGroupIds": ["sg-1"]}},
                 type=EKS_NODE_GROUP, violates=False),
        ),
    ),
]
