"""ECR repositories, one per service (CTR-01, CTR-02, CTR-03, X-16), and their replication to the DR region.

Images are promoted, never rebuilt, and never pulled across environments: the prod deploy job copies the digest
that passed in non-prod into the prod repository after approval (landing_zone/promotion.py). A prod repository's
policy denies image writes (and policy changes) to everyone but its service's deploy roles and the landing zone.

DR compute (pilot-light, warm-standby) pulls from replicas in the DR region: a registry-level replication rule in the
home region copies every image pushed to the services' repositories, and ECR creates the DR repositories on the
first copy. What it creates them with is a repository creation template (applied for REPLICATION) in the DR region:
without one a replica would not keep the source's CMK (a key is regional), so the template names the DR region's data
CMK, immutable tags and the same lifecycle. A template with a KMS key needs a role ECR assumes to create the
repository and its key grant (Amazon ECR User Guide, "Create an IAM role for repository creation templates").
Replication copies what is pushed after it exists: images pushed before it must be pushed again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.lookups import lookup
from components.workloads.registry import BuildContext, Piece
from landing_zone.models import Ecs
from landing_zone.promotion import WRITE_ACTIONS, WRITE_PROTECTED_ENVIRONMENTS, image_writers

PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]

# Untagged layers go after a week; at most 50 tagged images stay (immutable tags make old ones dead weight).
LIFECYCLE_POLICY = {
    "rules": [
        {"rulePriority": 1, "description": "expire untagged images after 7 days",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": "keep the 50 most recent images",
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 50},
         "action": {"type": "expire"}},
    ]
}


def writers_policy(writer_arns: Sequence[str]) -> dict:
    """Repository policy: only `writer_arns` push, delete images or change the repository's policy."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "OnlyThePipelineWrites", "Effect": "Deny", "Principal": "*", "Action": list(WRITE_ACTIONS),
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": sorted(writer_arns)}},
    }]}


@dataclass(frozen=True, kw_only=True)
class RepositoriesArgs(AccountArgs):
    services: tuple[str, ...]
    kms_key_arn: pulumi.Input[str]
    # service -> role names that alone write its repository (prod: the owning deploy roles and the access role);
    # a service missing here gets no writers policy
    writers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class Repositories(AccountComponent[RepositoriesArgs]):
    """``urls[service]`` and ``arns[service]`` of the account's service repositories in one region."""

    urls: dict[str, pulumi.Output[str]]
    arns: dict[str, pulumi.Output[str]]

    TOKEN = "workloads:Repositories"

    def __init__(self, name: str, args: RepositoriesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        kms_key_arn = args.kms_key_arn
        self.urls, self.arns = {}, {}
        for service in args.services:
            repo = aws.ecr.Repository(
                self.child_name(f"ecr-{service}"),
                name=service,
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
                encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                    encryption_type="KMS", kms_key=kms_key_arn)],
                opts=self.child_opts(),
            )
            aws.ecr.LifecyclePolicy(
                self.child_name(f"ecr-{service}-lifecycle"),
                repository=repo.name,
                policy=json.dumps(LIFECYCLE_POLICY),
                opts=self.child_opts(),
            )
            if service in args.writers:
                self._writers_policy(service, repo, args.writers[service])
            self.urls[service] = repo.repository_url
            self.arns[service] = repo.arn
        self.register_outputs({"urls": self.urls})

    def _writers_policy(self, service: str, repo: aws.ecr.Repository, roles: tuple[str, ...]) -> None:
        partition = lookup(aws.get_partition_output, account=self.account, region=self.region, parent=self).partition
        arns = pulumi.Output.all(partition, self.account.account_id).apply(
            lambda v: [f"arn:{v[0]}:iam::{v[1]}:role/{role}" for role in roles])
        aws.ecr.RepositoryPolicy(self.child_name(f"ecr-{service}-writers"), repository=repo.name,
                                 policy=arns.apply(lambda a: json.dumps(writers_policy(a))), opts=self.child_opts())


ASSUME_ECR = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecr.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
TEMPLATE_PREFIX = "ROOT"  # every repository ECR creates in the DR registry: only replication creates any there


def template_role_policy(partition: str, region: str, account_id: str, key_arn: str) -> str:
    """What ECR does as the template's role: create the DR repositories and replicate into them, grant on the key."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "CreateReplicas", "Effect": "Allow", "Action": ["ecr:CreateRepository", "ecr:ReplicateImage",
                                                                 "ecr:TagResource"],
         "Resource": f"arn:{partition}:ecr:{region}:{account_id}:repository/*"},
        {"Sid": "RepositoryKey", "Effect": "Allow", "Action": ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"],
         "Resource": key_arn},
    ]})


@dataclass(frozen=True, kw_only=True)
class ReplicationArgs(AccountArgs):
    """region: the home region (the replication rule lives in the source registry); destination: the DR region."""

    services: tuple[str, ...]
    destination: str
    kms_key_arn: pulumi.Input[str]  # the data CMK in the destination region


class Replicas(AccountComponent[ReplicationArgs]):
    """The services' repositories replicated to the DR region: ``urls[service]`` and ``arns[service]`` there (the
    same shape as Repositories, so ECS builds from either)."""

    urls: dict[str, pulumi.Output[str]]
    arns: dict[str, pulumi.Output[str]]

    TOKEN = "workloads:Replicas"

    def __init__(self, name: str, args: ReplicationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        account, dr = args.account, args.destination
        partition = lookup(aws.get_partition_output, account=account, region=dr, parent=self)
        role = aws.iam.Role(self.child_name("ecr-template-role", dr), assume_role_policy=ASSUME_ECR,
                            description="ECR creates the DR replicas with the DR data key", opts=self.child_opts(dr))
        policy = aws.iam.RolePolicy(
            self.child_name("ecr-template-policy", dr), role=role.id,
            policy=pulumi.Output.all(partition.partition, account.account_id, args.kms_key_arn).apply(
                lambda a: template_role_policy(a[0], dr, a[1], a[2])),
            opts=self.child_opts(dr))
        template = aws.ecr.RepositoryCreationTemplate(
            self.child_name("ecr-replica-template", dr), prefix=TEMPLATE_PREFIX, applied_fors=["REPLICATION"],
            description="DR replicas of the landing zone's service repositories", custom_role_arn=role.arn,
            image_tag_mutability="IMMUTABLE", lifecycle_policy=json.dumps(LIFECYCLE_POLICY),
            encryption_configurations=[{"encryption_type": "KMS", "kms_key": args.kms_key_arn}],
            opts=self.child_opts(dr, depends_on=[policy]))
        aws.ecr.ReplicationConfiguration(
            self.child_name("ecr-replication"),
            replication_configuration={"rules": [{
                "destinations": [{"region": dr, "registry_id": account.account_id}],
                "repository_filters": [{"filter": s, "filter_type": "PREFIX_MATCH"} for s in args.services]}]},
            opts=self.child_opts(depends_on=[template]))  # the first copy creates its repository from the template
        self.urls = {s: pulumi.Output.all(account.account_id, partition.dns_suffix).apply(
            lambda a, s=s: f"{a[0]}.dkr.ecr.{dr}.{a[1]}/{s}") for s in args.services}
        self.arns = {s: pulumi.Output.all(partition.partition, account.account_id).apply(
            lambda a, s=s: f"arn:{a[0]}:ecr:{dr}:{a[1]}:repository/{s}") for s in args.services}
        self.register_outputs({"urls": self.urls})


# --- the pieces (ECS brings them: one repository per service, replicated for DR compute) ---------------------------------------------------------


def build(ctx: BuildContext, config: Ecs) -> Repositories:
    """The service repositories; in prod only the pipeline writes them."""
    account = ctx.account.config
    writers = {}
    if account.environment in WRITE_PROTECTED_ENVIRONMENTS:
        writers = {s.name: (*image_writers(account, s.name), ctx.args.key_admin_role) for s in config.services}
    return Repositories(ctx.name("ecr"), RepositoriesArgs(
        account=ctx.account, region=ctx.region, services=tuple(s.name for s in config.services),
        kms_key_arn=ctx.keys["data"], writers=writers), ctx.opts)


def build_replicas(ctx: BuildContext, config: Ecs) -> Replicas:
    """In the DR context: the home repositories replicated there, encrypted with its data key."""
    return Replicas(ctx.name("ecr"), ReplicationArgs(
        account=ctx.account, region=ctx.args.region, destination=ctx.region,
        services=tuple(s.name for s in config.services), kms_key_arn=ctx.keys["data"]), ctx.opts)


DR_PIECE = Piece(name="repositories", field="ecs", build=build_replicas)
PIECE = Piece(
    name="repositories", field="ecs", build=build,
    outputs=lambda repositories: {"ecrRepositoryUrls": repositories.urls},
    contract=lambda repositories: {"ecr_repository_urls": dict(repositories.urls)},
)
