"""The deployment role of a workload account: what an app team's CI pipeline assumes, through OIDC, to ship.

No long-lived keys: the CI system's OIDC issuer (GitHub Actions by default, GitLab per `workloads.deployment.provider`)
is an IAM identity provider of the account, and the role trusts tokens of that issuer only for the audience AWS
expects and only for the configured subjects (repositories/branches). Its permissions are what a deployment needs and
nothing more: push images to the account's repositories, register task definitions and roll the account's ECS
services, pass only the services' task/execution roles (to ECS only), describe its EKS cluster and edit (EKS access
entry, AmazonEKSEditPolicy) only its own namespaces in it, and read the landing-zone contract published in the
account's Parameter Store.

EKS namespaces: one per repository named in the subjects (`repo:example-org/payments:ref:refs/heads/main` ->
`payments`, GitLab `project_path:group/payments:...` likewise); a subject whose repository is a wildcard or not a
valid namespace name maps to the default namespace `apps`. The edit policy cannot create namespaces: a cluster
administrator creates them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.context import AccountContext
from components.lookups import lookup
from landing_zone.models import Deployment

CONTRACT_PARAMETER_PREFIX = "/landing-zone/"
DEFAULT_NAMESPACE = "apps"
EKS_EDIT_POLICY = "AmazonEKSEditPolicy"
_NAMESPACE = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")  # a Kubernetes namespace (DNS-1123 label)


@dataclass(frozen=True)
class Issuer:
    url: str
    audience: str

    @property
    def host(self) -> str:
        return self.url.removeprefix("https://")


ISSUERS = {
    "github": Issuer("https://token.actions.githubusercontent.com", "sts.amazonaws.com"),
    "gitlab": Issuer("https://gitlab.com", "https://gitlab.com"),
}


@dataclass(frozen=True)
class DeploymentTargets:
    """What the pipeline may touch in the account (all optional: an account without ECS gets no ECS rights)."""

    ecr_repository_arns: list[pulumi.Input[str]] = field(default_factory=list)
    ecs_cluster_arn: pulumi.Input[str] | None = None
    ecs_cluster_name: pulumi.Input[str] | None = None
    pass_role_arns: list[pulumi.Input[str]] = field(default_factory=list)  # the ECS services' task/execution roles
    eks_cluster_name: pulumi.Input[str] | None = None
    eks_cluster: pulumi.Resource | None = None  # what creates the cluster: its access entries wait for it


def eks_namespace(subject: str) -> str:
    """The namespace a pipeline subject deploys to: its repository's name, or DEFAULT_NAMESPACE."""
    parts = subject.split(":")
    repository = parts[1].rsplit("/", 1)[-1].lower() if len(parts) > 1 else ""
    return repository if _NAMESPACE.match(repository) else DEFAULT_NAMESPACE


def eks_namespaces(subjects: Iterable[str]) -> list[str]:
    return sorted({eks_namespace(s) for s in subjects})


def trust_policy(issuer: Issuer, provider_arn: str, subjects: list[str]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "PipelineOidc",
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {f"{issuer.host}:aud": issuer.audience},
            "StringLike": {f"{issuer.host}:sub": sorted(subjects)},
        },
    }]})


def permissions_policy(*, partition: str, region: str, account_id: str, repository_arns: list[str],
                       ecs_cluster_arn: str | None, ecs_cluster_name: str | None, pass_role_arns: list[str],
                       eks_cluster_name: str | None) -> str:
    """Least privilege for a deployment; Resource "*" only where the action has no resource type."""
    arn = f"arn:{partition}:{{service}}:{region}:{account_id}:{{resource}}"
    statements: list[dict] = [{
        "Sid": "ReadContract",
        "Effect": "Allow",
        "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
        "Resource": [arn.format(service="ssm", resource=f"parameter{CONTRACT_PARAMETER_PREFIX}*")],
    }]
    if repository_arns:
        statements += [
            {"Sid": "EcrLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
            {"Sid": "EcrPush", "Effect": "Allow", "Resource": sorted(repository_arns), "Action": [
                "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
                "ecr:DescribeImages", "ecr:DescribeRepositories", "ecr:GetDownloadUrlForLayer",
                "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"]},
        ]
    if ecs_cluster_arn and ecs_cluster_name:
        statements += [
            # task definitions have no resource-level permissions for these actions
            {"Sid": "EcsTaskDefinitions", "Effect": "Allow", "Resource": "*",
             "Action": ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"]},
            {"Sid": "EcsServices", "Effect": "Allow",
             "Action": ["ecs:DescribeServices", "ecs:UpdateService"],
             "Resource": [arn.format(service="ecs", resource=f"service/{ecs_cluster_name}/*")]},
            {"Sid": "EcsCluster", "Effect": "Allow", "Action": ["ecs:DescribeClusters"], "Resource": [ecs_cluster_arn]},
        ]
    if pass_role_arns:
        statements.append({
            "Sid": "PassServiceRolesToEcs", "Effect": "Allow", "Action": ["iam:PassRole"],
            "Resource": sorted(pass_role_arns),
            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        })
    if eks_cluster_name:
        statements.append({
            "Sid": "EksDescribe", "Effect": "Allow", "Action": ["eks:DescribeCluster"],
            "Resource": [arn.format(service="eks", resource=f"cluster/{eks_cluster_name}")],
        })
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class DeploymentRole(pulumi.ComponentResource):
    """OIDC identity provider + deployment role of one account. Attributes: role_arn, role_name, provider_arn."""

    role_arn: pulumi.Output[str]

    def __init__(self, name: str, *, account: AccountContext, region: str, config: Deployment,
                 targets: DeploymentTargets, role_name: str = "landing-zone-deploy",
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("landing-zone:deployment:DeploymentRole", name, None, opts)
        issuer = ISSUERS[config.provider]
        child = account.opts(region, parent=self)  # IAM is global; the home-region provider reaches it
        oidc = aws.iam.OpenIdConnectProvider(
            account.resource_name(region, f"{config.provider}-oidc"),
            url=issuer.url,
            client_id_lists=[issuer.audience],
            opts=child,
        )
        role = aws.iam.Role(
            account.resource_name(region, "deploy-role"),
            name=role_name,
            description=f"{config.provider} pipelines of {', '.join(sorted(config.subjects))} deploy to {account.name}",
            assume_role_policy=oidc.arn.apply(lambda arn: trust_policy(issuer, arn, list(config.subjects))),
            max_session_duration=3600,
            opts=child,
        )
        partition = lookup(aws.get_partition_output, account=account, region=region, parent=self).partition
        policy = pulumi.Output.all(
            partition, account.account_id, pulumi.Output.all(*targets.ecr_repository_arns),
            targets.ecs_cluster_arn, targets.ecs_cluster_name, pulumi.Output.all(*targets.pass_role_arns),
            targets.eks_cluster_name,
        ).apply(lambda v: permissions_policy(
            partition=v[0], region=region, account_id=v[1], repository_arns=list(v[2]), ecs_cluster_arn=v[3],
            ecs_cluster_name=v[4], pass_role_arns=list(v[5]), eks_cluster_name=v[6]))
        aws.iam.RolePolicy(account.resource_name(region, "deploy-policy"), role=role.id, policy=policy, opts=child)
        if targets.eks_cluster_name is not None:
            self._eks_access(account, region, role, targets, eks_namespaces(config.subjects), partition)
        self.provider_arn, self.role_arn, self.role_name = oidc.arn, role.arn, role.name
        self.register_outputs({"roleArn": self.role_arn, "providerArn": self.provider_arn})

    def _eks_access(self, account: AccountContext, region: str, role: aws.iam.Role, targets: DeploymentTargets,
                    namespaces: list[str], partition: pulumi.Output[str]) -> None:
        """Kubernetes rights of the role: AmazonEKSEditPolicy in the pipelines' namespaces, nothing cluster-wide."""
        entry = aws.eks.AccessEntry(
            account.resource_name(region, "deploy-eks-access"), cluster_name=targets.eks_cluster_name,
            principal_arn=role.arn, type="STANDARD",
            opts=account.opts(region, parent=self, depends_on=[targets.eks_cluster] if targets.eks_cluster else []))
        aws.eks.AccessPolicyAssociation(
            account.resource_name(region, "deploy-eks-edit"), cluster_name=entry.cluster_name,
            principal_arn=entry.principal_arn,
            policy_arn=pulumi.Output.concat("arn:", partition, ":eks::aws:cluster-access-policy/", EKS_EDIT_POLICY),
            access_scope={"type": "namespace", "namespaces": namespaces},
            opts=account.opts(region, parent=self))


def deployment_targets(workloads) -> DeploymentTargets:
    """What a Workloads component (components/workloads) lets a pipeline deploy to."""
    if workloads is None:
        return DeploymentTargets()
    ecs, repos, eks = workloads.ecs, workloads.repositories, workloads.eks
    # registering a task definition passes both of a service's roles
    pass_roles = [*ecs.task_role_arns.values(), *ecs.execution_role_arns.values()] if ecs else []
    return DeploymentTargets(
        ecr_repository_arns=list(repos.arns.values()) if repos else [],
        ecs_cluster_arn=ecs.cluster_arn if ecs else None,
        ecs_cluster_name=ecs.cluster_name if ecs else None,
        pass_role_arns=pass_roles,
        eks_cluster_name=eks.cluster_name if eks else None,
        eks_cluster=eks.cluster if eks else None,
    )


def build_deployment_roles(cfg, accounts: dict[str, AccountContext], workloads: dict) -> dict[str, DeploymentRole]:
    """One DeploymentRole per workload account whose config has `workloads.deployment`, in config order."""
    home = cfg.organization.home_region
    return {
        a.name: DeploymentRole(accounts[a.name].resource_name(home, "deployment"), account=accounts[a.name],
                               region=home, config=a.workloads.deployment,
                               targets=deployment_targets(workloads.get(a.name)))
        for a in cfg.accounts if a.role == "workload" and a.workloads.deployment is not None
    }
