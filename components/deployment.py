"""The deployment roles of a workload account: what app teams' CI pipelines assume, through OIDC, to ship.

No long-lived keys: the CI system's OIDC issuer (GitHub Actions by default, GitLab per `workloads.deployment.provider`)
is an IAM identity provider of the account. Each repository in `workloads.deployment.repositories` gets a role of its
own that trusts tokens of that issuer only for the audience AWS expects and only for that repository's subjects
(StringEquals, no wildcards): in prod its GitHub environment (`repo:ORG/REPO:environment:prod`, so the deploy sits
behind the environment's reviewers), elsewhere its environment or branches. Its permissions cover only what the
repository owns: push to its services' ECR repositories, register task definitions and roll its own ECS services,
pass only its services' task/execution roles (to ECS only), describe the EKS cluster and edit (EKS access entry,
AmazonEKSEditPolicy) only its namespaces, and read the landing-zone contract in the account's Parameter Store. One
repository can neither deploy another's service nor pass another's task role (which may read another's secrets).

EKS namespaces: the repository's `namespaces`, by default its name (`example-org/payments` -> `payments`; a name that
is not a valid namespace maps to `apps`). The edit policy cannot create namespaces: a cluster administrator does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.context import AccountContext
from components.lookups import lookup
from landing_zone.models import Deployment, PipelineRepository
from landing_zone.promotion import deploy_role_name

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
    """What pipelines may touch in the account, per service (all optional: an account without ECS gets no ECS rights)."""

    ecr_repository_arns: dict[str, pulumi.Input[str]] = field(default_factory=dict)  # service -> its repository
    ecs_cluster_arn: pulumi.Input[str] | None = None
    ecs_cluster_name: pulumi.Input[str] | None = None
    pass_role_arns: dict[str, list[pulumi.Input[str]]] = field(default_factory=dict)  # service -> task + execution role
    eks_cluster_name: pulumi.Input[str] | None = None
    eks_cluster: pulumi.Resource | None = None  # what creates the cluster: its access entries wait for it

    def owned_by(self, repository: PipelineRepository) -> DeploymentTargets:
        """Only the repository's own services: another repository's images, services and roles stay out of reach."""
        own = set(repository.services)
        return DeploymentTargets(
            ecr_repository_arns={s: a for s, a in self.ecr_repository_arns.items() if s in own},
            ecs_cluster_arn=self.ecs_cluster_arn if own else None,
            ecs_cluster_name=self.ecs_cluster_name if own else None,
            pass_role_arns={s: a for s, a in self.pass_role_arns.items() if s in own},
            eks_cluster_name=self.eks_cluster_name, eks_cluster=self.eks_cluster)


def repository_name(repository: str) -> str:
    return repository.rsplit("/", 1)[-1].lower()


def eks_namespace(repository: str) -> str:
    """The default namespace of a repository: its name, or DEFAULT_NAMESPACE when that is no valid namespace."""
    name = repository_name(repository)
    return name if _NAMESPACE.match(name) else DEFAULT_NAMESPACE


def eks_namespaces(repository: PipelineRepository) -> list[str]:
    return sorted(set(repository.namespaces)) or [eks_namespace(repository.repo)]


def subjects(provider: str, repository: PipelineRepository) -> list[str]:
    """The exact `sub` claims the repository's role trusts: its environment, or (non-prod) its branches."""
    if provider == "gitlab":  # GitLab's sub has no environment (validation refuses one)
        return [f"project_path:{repository.repo}:ref_type:branch:ref:{b}" for b in sorted(repository.branches)]
    if repository.environment:
        return [f"repo:{repository.repo}:environment:{repository.environment}"]
    return [f"repo:{repository.repo}:ref:refs/heads/{b}" for b in sorted(repository.branches)]


def trust_policy(issuer: Issuer, provider_arn: str, subjects: list[str]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "PipelineOidc",
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        # StringEquals on both: a StringLike would let a pattern (another branch, environment or repository) in
        "Condition": {"StringEquals": {f"{issuer.host}:aud": issuer.audience, f"{issuer.host}:sub": sorted(subjects)}},
    }]})


def permissions_policy(*, partition: str, region: str, account_id: str, repository_arns: list[str],
                       ecs_cluster_arn: str | None, ecs_cluster_name: str | None, pass_role_arns: list[str],
                       eks_cluster_name: str | None, services: list[str] = ()) -> str:
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
    if ecs_cluster_arn and ecs_cluster_name and services:
        statements += [
            # task definitions have no resource-level permissions for these actions
            {"Sid": "EcsTaskDefinitions", "Effect": "Allow", "Resource": "*",
             "Action": ["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"]},
            {"Sid": "EcsServices", "Effect": "Allow",
             "Action": ["ecs:DescribeServices", "ecs:UpdateService"],
             "Resource": [arn.format(service="ecs", resource=f"service/{ecs_cluster_name}/{svc}") for svc in sorted(services)]},
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


@dataclass(frozen=True, kw_only=True)
class DeploymentRolesArgs(AccountArgs):
    """region: the home region (IAM is global; the home-region provider reaches it)."""

    config: Deployment
    targets: DeploymentTargets


class DeploymentRoles(AccountComponent[DeploymentRolesArgs]):
    """OIDC identity provider + one deployment role per repository of one account.

    Attributes: provider_arn; role_arns (repository -> role ARN); role_arn (the role when there is exactly one
    repository, else None: contract 1.0's single `deployment_role_arn`).
    """

    # the type of 1.0's single-role component: its children (the OIDC provider) keep their URNs, so an update never
    # replaces the provider (a second provider of the same URL is refused by IAM)
    TOKEN = "deployment:DeploymentRole"
    role_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: DeploymentRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        config, targets = args.config, args.targets
        issuer = ISSUERS[config.provider]
        oidc = aws.iam.OpenIdConnectProvider(
            self.child_name(f"{config.provider}-oidc"),
            url=issuer.url,
            client_id_lists=[issuer.audience],
            opts=self.child_opts(),
        )
        partition = lookup(aws.get_partition_output, account=self.account, region=self.region, parent=self).partition
        self.provider_arn, self.role_arns = oidc.arn, {}
        for repository in config.repositories:
            role = self._role(config.provider, issuer, oidc, repository, targets.owned_by(repository), partition)
            self.role_arns[repository.repo] = role.arn
        self.role_arn = next(iter(self.role_arns.values())) if len(self.role_arns) == 1 else None
        self.register_outputs({"roleArns": self.role_arns, "providerArn": self.provider_arn})

    def _role(self, provider: str, issuer: Issuer, oidc: aws.iam.OpenIdConnectProvider,
              repository: PipelineRepository, targets: DeploymentTargets, partition: pulumi.Output[str]) -> aws.iam.Role:
        account, region, slug = self.account, self.region, repository_name(repository.repo)
        child = self.child_opts()
        trusted = subjects(provider, repository)
        role = aws.iam.Role(
            self.child_name(f"deploy-{slug}-role"),
            name=deploy_role_name(repository.repo),
            description=f"{provider} pipeline of {repository.repo} ({', '.join(trusted)}) deploys to {account.name}",
            assume_role_policy=oidc.arn.apply(lambda arn: trust_policy(issuer, arn, trusted)),
            max_session_duration=3600,
            opts=child,
        )
        services = sorted(repository.services)
        policy = pulumi.Output.all(
            partition, account.account_id, pulumi.Output.all(*targets.ecr_repository_arns.values()),
            targets.ecs_cluster_arn, targets.ecs_cluster_name,
            pulumi.Output.all(*[arn for arns in targets.pass_role_arns.values() for arn in arns]),
            targets.eks_cluster_name,
        ).apply(lambda v: permissions_policy(
            partition=v[0], region=region, account_id=v[1], repository_arns=list(v[2]), ecs_cluster_arn=v[3],
            ecs_cluster_name=v[4], pass_role_arns=list(v[5]), eks_cluster_name=v[6], services=services))
        aws.iam.RolePolicy(self.child_name(f"deploy-{slug}-policy"), role=role.id, policy=policy,
                           opts=child)
        if targets.eks_cluster_name is not None:
            self._eks_access(slug, role, targets, eks_namespaces(repository), partition)
        return role

    def _eks_access(self, slug: str, role: aws.iam.Role, targets: DeploymentTargets, namespaces: list[str],
                    partition: pulumi.Output[str]) -> None:
        """Kubernetes rights of the role: AmazonEKSEditPolicy in its namespaces, nothing cluster-wide."""
        entry = aws.eks.AccessEntry(
            self.child_name(f"deploy-{slug}-eks-access"), cluster_name=targets.eks_cluster_name,
            principal_arn=role.arn, type="STANDARD",
            opts=self.child_opts(depends_on=[targets.eks_cluster] if targets.eks_cluster else []))
        aws.eks.AccessPolicyAssociation(
            self.child_name(f"deploy-{slug}-eks-edit"), cluster_name=entry.cluster_name,
            principal_arn=entry.principal_arn,
            policy_arn=pulumi.Output.concat("arn:", partition, ":eks::aws:cluster-access-policy/", EKS_EDIT_POLICY),
            access_scope={"type": "namespace", "namespaces": namespaces},
            opts=self.child_opts())


def deployment_targets(workloads) -> DeploymentTargets:
    """What a Workloads component (components/workloads) lets pipelines deploy to, per service."""
    if workloads is None:
        return DeploymentTargets()
    ecs, repos, eks = workloads.ecs, workloads.repositories, workloads.eks
    # registering a task definition passes both of a service's roles
    pass_roles = {s: [ecs.task_role_arns[s], ecs.execution_role_arns[s]] for s in ecs.task_role_arns} if ecs else {}
    return DeploymentTargets(
        ecr_repository_arns=dict(repos.arns) if repos else {},
        ecs_cluster_arn=ecs.cluster_arn if ecs else None,
        ecs_cluster_name=ecs.cluster_name if ecs else None,
        pass_role_arns=pass_roles,
        eks_cluster_name=eks.cluster_name if eks else None,
        eks_cluster=eks.cluster if eks else None,
    )


def build_deployment_roles(cfg, accounts: dict[str, AccountContext], workloads: dict) -> dict[str, DeploymentRoles]:
    """The DeploymentRoles of each workload account whose config has `workloads.deployment`, in config order."""
    home = cfg.organization.home_region
    return {
        a.name: DeploymentRoles(accounts[a.name].resource_name(home, "deployment"), DeploymentRolesArgs(
            account=accounts[a.name], region=home, config=a.workloads.deployment,
            targets=deployment_targets(workloads.get(a.name))))
        for a in cfg.accounts if a.role == "workload" and a.workloads.deployment is not None and a.name in accounts
    }
