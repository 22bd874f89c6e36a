"""The small typed handles components pass each other (DESIGN.md: components never import each other's internals).

Each handle can be built in the same stack (from the component that creates the thing) or from another stack's
outputs, so the same components run as one stack per account when an organization outgrows one stack.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from landing_zone.models import Account, Organization


@dataclass(frozen=True)
class AccountContext:
    """One account: who it is, its id, and the provider to use in each of its regions."""

    config: Account
    account_id: pulumi.Input[str]
    providers: dict[str, aws.Provider]  # region -> provider of this account

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def environment(self) -> str:
        return self.config.environment

    @property
    def segment(self) -> str:
        return self.config.network_segment

    @property
    def regions(self) -> list[str]:
        return list(self.providers)

    def opts(self, region: str, **kwargs) -> pulumi.ResourceOptions:
        """Options that put a resource in this account and region (kwargs: parent, depends_on, protect, ...)."""
        return pulumi.ResourceOptions(provider=self.providers[region], **kwargs)

    def resource_name(self, region: str, purpose: str) -> str:
        return f"{self.name}-{region}-{purpose}"

    @classmethod
    def from_account_id(cls, account: Account, account_id: pulumi.Input[str], org: Organization, regions: list[str],
                        opts: pulumi.ResourceOptions | None = None, role_name: str | None = None) -> AccountContext:
        """A handle for an account created elsewhere (e.g. read from the organization stack's outputs)."""
        from components.providers import account_providers

        return cls(account, account_id, account_providers(account, account_id, org, regions, opts,
                                                          role_name=role_name))


def organization_stack() -> str:
    """The stack name that stands for the whole organization: this stack in single mode, `<base>` of a split
    organization's `<base>.<part>` stacks (landing_zone/stacks.py)."""
    from landing_zone.stacks import base_of, parse_role

    stack = pulumi.get_stack()
    role = parse_role(pulumi.Config("landing-zone").get("stack"))
    return base_of(stack, role) if role else stack


def elb_logs_prefix(account: str, region: str) -> str:
    """Key prefix of one account's load balancer logs in its region's ELB log bucket (the bucket policy grants
    exactly `<prefix>/AWSLogs/<account id>/*`, so writer and policy must agree on it)."""
    return f"alb/{account}/{region}"


@dataclass(frozen=True)
class LogArchive:
    """Where logs go: the log-archive bucket and its KMS key (flow logs, trail, Config), and the SSE-S3 buckets
    load balancers write to (ELB access logs support only SSE-S3, in a bucket of the load balancer's region)."""

    bucket_name: pulumi.Input[str]
    bucket_arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]
    elb_logs_bucket_by_region: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    # Every bucket of the log archive (log, server access log and ELB log buckets), by exact ARN: what the
    # organization trail records no data events for (a name prefix would exempt any account's look-alike bucket).
    bucket_arns: tuple[pulumi.Input[str], ...] = ()
    # What a log writer must wait for: AWS checks delivery permissions when the writer is created (CreateFlowLogs,
    # CreateTrail, PutDeliveryChannel), so writers depend on the bucket's policy, not only on the bucket.
    ready: tuple[pulumi.Resource, ...] = ()


@dataclass(frozen=True)
class VpcHandle:
    """A spoke VPC as workloads see it."""

    account: str
    region: str
    cidr: str
    vpc_id: pulumi.Input[str]
    subnet_ids: dict[str, list[pulumi.Input[str]]]  # tier (public|private|data|transit) -> one per AZ
    route_table_ids: dict[str, list[pulumi.Input[str]]] = field(default_factory=dict)
    tgw_attachment_id: pulumi.Input[str] | None = None
    admin_security_group_id: pulumi.Input[str] | None = None  # SSH/RDP from the Client VPN range only
    endpoints_security_group_id: pulumi.Input[str] | None = None
