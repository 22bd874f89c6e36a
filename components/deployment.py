"""The deployment role of a workload account: what an app team's CI pipeline assumes, through OIDC, to ship.

No long-lived keys: the CI system's OIDC issuer (GitHub Actions by default, GitLab per `workloads.deployment.provider`)
is an IAM identity provider of the account, and the role trusts tokens of that issuer only for the audience AWS
expects and only for the configured subjects (repositories/branches). Its permissions are what a deployment needs and
nothing more: push images to the account's repositories, register task definitions and roll the account's ECS
services, pass only the services' task/execution roles (to ECS only), describe its EKS cluster, and read the
landing-zone contract published in the account's Parameter Store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.context import AccountContext
from landing_zone.models import Deployment

CONTRACT_PARAMETER_PREFIX = "/landing-zone/"


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
        partition = aws.get_partition_output(opts=pulumi.InvokeOptions(provider=account.providers[region])).partition
        policy = pulumi.Output.all(
            partition, account.account_id, pulumi.Output.all(*targets.ecr_repository_arns),
            targets.ecs_cluster_arn, targets.ecs_cluster_name, pulumi.Output.all(*targets.pass_role_arns),
            targets.eks_cluster_name,
        ).apply(lambda v: permissions_policy(
            partition=v[0], region=region, account_id=v[1], repository_arns=list(v[2]), ecs_cluster_arn=v[3],
            ecs_cluster_name=v[4], pass_role_arns=list(v[5]), eks_cluster_name=v[6]))
        aws.iam.RolePolicy(account.resource_name(region, "deploy-policy"), role=role.id, policy=policy, opts=child)
        self.provider_arn, self.role_arn, self.role_name = oidc.arn, role.arn, role.name
        self.register_outputs({"roleArn": self.role_arn, "providerArn": self.provider_arn})


def deployment_targets(workloads) -> DeploymentTargets:
    """What a Workloads component (components/workloads) lets a pipeline deploy to."""
    if workloads is None:
        return DeploymentTargets()
    ecs, repos, eks = workloads.ecs, workloads.repositories, workloads.eks
    pass_roles = [*(ecs.task_role_arns.values() if ecs else []),
                  # execution roles, when the ECS component exposes them (new task definitions name both roles)
                  *(getattr(ecs, "execution_role_arns", {}).values() if ecs else [])]
    return DeploymentTargets(
        ecr_repository_arns=list(repos.arns.values()) if repos else [],
        ecs_cluster_arn=ecs.cluster_arn if ecs else None,
        ecs_cluster_name=ecs.cluster_name if ecs else None,
        pass_role_arns=pass_roles,
        eks_cluster_name=eks.cluster_name if eks else None,
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
