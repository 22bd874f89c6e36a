"""ECR repositories, one per service (CTR-01, CTR-02, CTR-03, X-16).

Images are promoted, never rebuilt: the prod account pulls the exact digest that passed in non-prod. So a
non-prod repository grants pull to its prod peer accounts, by account id (never Principal "*").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.workloads.registry import BuildContext, Piece
from landing_zone.models import Ecs

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


def pull_policy(account_ids: Sequence[str], partition: str = "aws") -> dict:
    """Repository policy letting the given accounts (their IAM principals, via their own IAM policies) pull."""
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PromotionPull",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:{partition}:iam::{a}:root" for a in sorted(account_ids)]},
            "Action": PULL_ACTIONS,
        }],
    }


@dataclass(frozen=True, kw_only=True)
class RepositoriesArgs(AccountArgs):
    services: tuple[str, ...]
    kms_key_arn: pulumi.Input[str]
    pull_account_ids: tuple[pulumi.Input[str], ...] = ()  # accounts allowed to pull (image promotion)


class Repositories(AccountComponent[RepositoriesArgs]):
    """``urls[service]`` and ``arns[service]`` of the account's service repositories in one region."""

    urls: dict[str, pulumi.Output[str]]
    arns: dict[str, pulumi.Output[str]]

    TOKEN = "workloads:Repositories"

    def __init__(self, name: str, args: RepositoriesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        kms_key_arn, pull_account_ids = args.kms_key_arn, args.pull_account_ids
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
            if pull_account_ids:
                aws.ecr.RepositoryPolicy(
                    self.child_name(f"ecr-{service}-promotion"),
                    repository=repo.name,
                    policy=pulumi.Output.all(*pull_account_ids).apply(lambda ids: json.dumps(pull_policy(ids))),
                    opts=self.child_opts(),
                )
            self.urls[service] = repo.repository_url
            self.arns[service] = repo.arn
        self.register_outputs({"urls": self.urls})


# --- the piece (ECS brings it: one repository per service) ---------------------------------------------------------


def build(ctx: BuildContext, config: Ecs) -> Repositories:
    """The service repositories; a non-prod account's may be pulled by its prod promotion peers."""
    return Repositories(ctx.name("ecr"), RepositoriesArgs(
        account=ctx.account, region=ctx.region, services=tuple(s.name for s in config.services),
        kms_key_arn=ctx.keys["data"], pull_account_ids=tuple(ctx.args.image_pullers.values())), ctx.opts)


PIECE = Piece(
    name="repositories", field="ecs", build=build,
    outputs=lambda repositories: {"ecrRepositoryUrls": repositories.urls},
    contract=lambda repositories: {"ecr_repository_urls": dict(repositories.urls)},
)
