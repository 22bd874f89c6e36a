"""EC2 vCPU quota (Running On-Demand Standard instances, L-1216C47A) of existing accounts against what the config
runs there: EKS node groups at their max size and data hosts. Fargate, RDS and ElastiCache do not count."""

from __future__ import annotations

from collections.abc import Iterator

from botocore.exceptions import ClientError

from landing_zone.models import Account
from landing_zone.preflight.core import Context, Finding, check, error_code

QUOTA_CODE = "L-1216C47A"  # Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances, in vCPUs
STANDARD_FAMILIES = ("a", "c", "d", "h", "i", "m", "r", "t", "z")
SIZE_VCPUS = {"nano": 2, "micro": 2, "small": 2, "medium": 1, "large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16,
              "8xlarge": 32, "12xlarge": 48, "16xlarge": 64, "24xlarge": 96, "32xlarge": 128, "48xlarge": 192}
# Burstable sizes differ: t2 nano-small have 1 vCPU, every other T nano-medium 2 (a non-T "medium" is 1 vCPU).
EXCEPTIONS = {"t2.nano": 1, "t2.micro": 1, "t2.small": 1}


def vcpus(instance_type: str) -> int | None:
    """vCPUs of a current-generation standard instance type (EC2 "Instance types" specifications), else None."""
    if instance_type in EXCEPTIONS:
        return EXCEPTIONS[instance_type]
    family, _, size = instance_type.partition(".")
    if not family or family[0] not in STANDARD_FAMILIES or size not in SIZE_VCPUS:
        return None  # another quota (P, G, X, F, Inf...) or a size we do not know: reported, never guessed
    if family.startswith("t") and size == "medium":
        return 2
    return SIZE_VCPUS[size]


def vcpu_need(account: Account) -> tuple[int, list[str]]:
    """(vCPUs the account's home-region workloads can run at their maximum, instance types we could not size)."""
    wl, need, unknown = account.workloads, 0, []
    groups = [(g.max_size, t) for g in (wl.eks.node_groups if wl and wl.eks else []) for t in g.instance_types[:1]]
    hosts = [(h.count, h.instance_type) for h in (wl.data_hosts if wl else [])]
    for count, instance_type in groups + hosts:
        size = vcpus(instance_type)
        if size is None:
            unknown.append(instance_type)
        else:
            need += count * size
    return need, unknown


@check("vcpu-quota")
def vcpu_quota(ctx: Context) -> Iterator[Finding]:
    for account in ctx.cfg.accounts:
        need, unknown = vcpu_need(account)
        if unknown:
            yield Finding("vcpu-quota", "warn", f"{account.name}: unknown instance types {', '.join(unknown)} "
                          "(not counted)", "check their quota by hand (Service Quotas, EC2)")
        if not need:
            continue
        account_id = ctx.existing_accounts.get(account.name)
        if account_id is None:
            yield Finding("vcpu-quota", "warn", f"{account.name}: new account needs {need} vCPUs in {ctx.home}; "
                          "new accounts start with low default quotas",
                          f"after the account exists, request {QUOTA_CODE} >= {need} (Service Quotas)")
            continue
        yield _quota_finding(ctx, account.name, account_id, need)


def _quota_finding(ctx: Context, name: str, account_id: str, need: int) -> Finding:
    client = ctx.client("service-quotas", ctx.home, account_id)
    if client is None:
        return Finding("vcpu-quota", "warn", f"{name} ({account_id}): cannot assume "
                       f"{ctx.cfg.organization.access_role_name} to read its quota (needs {need} vCPUs)",
                       "check the EC2 On-Demand Standard vCPU quota in that account by hand")
    try:
        quota = client.get_service_quota(ServiceCode="ec2", QuotaCode=QUOTA_CODE)["Quota"]["Value"]
    except ClientError as exc:
        if error_code(exc) != "NoSuchResourceException":
            raise
        quota = client.get_aws_default_service_quota(ServiceCode="ec2", QuotaCode=QUOTA_CODE)["Quota"]["Value"]
    where = f"{name} ({account_id}) {ctx.home}: quota {quota:g} vCPUs, the config needs {need}"
    if quota < need:
        return Finding("vcpu-quota", "fail", where, f"request {QUOTA_CODE} >= {need} in Service Quotas before `pulumi up`")
    return Finding("vcpu-quota", "pass", where)


ORG_ACCOUNTS_QUOTA = "L-E619E033"  # Organizations: maximum number of accounts (default 10, lower for new orgs)


@check("account-quota")
def account_quota(ctx: Context) -> Iterator[Finding]:
    """Every account the organization lists counts (closed ones until they leave it), plus the ones to create."""
    if ctx.organization is None:
        return
    to_create = [a.name for a in ctx.cfg.accounts if a.name not in ctx.existing_accounts]
    need = len(ctx.org_accounts) + len(to_create)
    quotas = ctx.client("service-quotas", "us-east-1")  # Organizations' quotas live in us-east-1
    try:
        quota = quotas.get_service_quota(ServiceCode="organizations", QuotaCode=ORG_ACCOUNTS_QUOTA)["Quota"]["Value"]
    except ClientError as exc:
        if error_code(exc) != "NoSuchResourceException":
            raise
        quota = quotas.get_aws_default_service_quota(ServiceCode="organizations",
                                                     QuotaCode=ORG_ACCOUNTS_QUOTA)["Quota"]["Value"]
    detail = (f"{len(ctx.org_accounts)} accounts in the organization + {len(to_create)} to create = {need}; "
              f"quota {quota:g}")
    if need > quota:
        yield Finding("account-quota", "fail", detail, f"request {ORG_ACCOUNTS_QUOTA} >= {need} (Service Quotas, "
                      "us-east-1, from the management account) before `pulumi up`")
    else:
        yield Finding("account-quota", "pass", detail)
