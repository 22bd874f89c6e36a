"""Image promotion between environments (pure, no pulumi): where an account's images go, and who writes them.

An image is built once, tested in non-prod and promoted to the prod account with the same stem (`nonprod-apps` ->
`prod-apps`) unchanged: after the prod environment's approval, the repository's deploy job copies the tested image
BY DIGEST from the non-prod repository (with the non-prod deploy role) into the prod repository (with the prod
deploy role). Prod never pulls from a non-prod repository: there, developers push (PowerUserAccess) and IMMUTABLE
tags do not stop a delete-then-push of the same tag, so a pull by tag could fetch a poisoned image. A prod
repository is written only by the deploy roles of the repository that owns the service and by the landing zone's
access role (WRITE_ACTIONS denied to everyone else in its repository policy; pack rule X-22).
"""

from __future__ import annotations

from landing_zone.models import Account, LandingZoneConfig

PROMOTION_SOURCE = {"nonprod": "prod"}  # a non-prod repository may be pulled by its prod peers (image promotion)


def environment_stem(name: str, environment: str) -> str:
    """`prod-apps` -> `apps`, `nonprod-data` -> `data`: accounts with the same stem are promotion peers."""
    return name.removeprefix(f"{environment}-")


def promotion_peers(cfg: LandingZoneConfig, account: str) -> list[str]:
    """Accounts allowed to pull this account's images: prod accounts with the same stem as a non-prod account."""
    me = cfg.account(account)
    target_env = PROMOTION_SOURCE.get(me.environment)
    stem = environment_stem(me.name, me.environment)
    return sorted(a.name for a in cfg.accounts
                  if a.environment == target_env and environment_stem(a.name, a.environment) == stem)


# What changes the images of a repository or who may: denied in a prod repository to all but its writers.
WRITE_ACTIONS = (
    "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:BatchDeleteImage",
    "ecr:SetRepositoryPolicy", "ecr:DeleteRepositoryPolicy", "ecr:PutImageTagMutability", "ecr:DeleteRepository",
)  # fmt: skip
WRITE_PROTECTED_ENVIRONMENTS = ("prod",)


def deploy_role_name(repository: str) -> str:
    """The IAM role of a CI repository's deployments (`example-org/payments` -> `landing-zone-deploy-payments`)."""
    return f"landing-zone-deploy-{repository.rsplit('/', 1)[-1].lower()}"[:64]


def image_writers(account: Account, service: str) -> list[str]:
    """Role names that may write `service`'s prod repository: the deploy roles of the CI repositories owning it."""
    deployment = account.workloads.deployment
    repositories = deployment.repositories if deployment else []
    return sorted(deploy_role_name(r.repo) for r in repositories if service in r.services)
