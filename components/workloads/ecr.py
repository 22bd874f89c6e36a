"""ECR repositories, one per service (CTR-01, CTR-02, CTR-03, X-16).

Images are promoted, never rebuilt: the prod account pulls the exact digest that passed in non-prod. So a
non-prod repository grants pull to its prod peer accounts, by account id (never Principal "*").
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components.context import AccountContext

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


class Repositories(pulumi.ComponentResource):
    """``urls[service]`` and ``arns[service]`` of the account's service repositories in one region."""

    urls: dict[str, pulumi.Output[str]]
    arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, *, account: AccountContext, region: str, services: Sequence[str],
                 kms_key_arn: pulumi.Input[str], pull_account_ids: Sequence[pulumi.Input[str]] = (),
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("landing-zone:workloads:Repositories", name, None, opts)
        self.urls, self.arns = {}, {}
        for service in services:
            repo = aws.ecr.Repository(
                account.resource_name(region, f"ecr-{service}"),
                name=service,
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
                encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                    encryption_type="KMS", kms_key=kms_key_arn)],
                opts=account.opts(region, parent=self),
            )
            aws.ecr.LifecyclePolicy(
                account.resource_name(region, f"ecr-{service}-lifecycle"),
                repository=repo.name,
                policy=json.dumps(LIFECYCLE_POLICY),
                opts=account.opts(region, parent=self),
            )
            if pull_account_ids:
                aws.ecr.RepositoryPolicy(
                    account.resource_name(region, f"ecr-{service}-promotion"),
                    repository=repo.name,
                    policy=pulumi.Output.all(*pull_account_ids).apply(lambda ids: json.dumps(pull_policy(ids))),
                    opts=account.opts(region, parent=self),
                )
            self.urls[service] = repo.repository_url
            self.arns[service] = repo.arn
        self.register_outputs({"urls": self.urls})
