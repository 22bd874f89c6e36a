"""The edge's names in the public zone: the ACM certificates' validation records and the aliases to the edge.

Nothing is looked up, and nothing DNS-related lives in an account this stack creates. The public zone
(`network.dns`) already exists in an account that exists before the run (the management account or an adopted
one); the edge writes its records there through that account's provider: the ACM validation CNAME (ACM in the edge's
account validates it by resolving public DNS, whichever account owns the zone) and the alias to the edge's ALB
(Route 53 aliases may target a load balancer of another account). A certificate is used only once validated.
Why not a delegated zone per edge: Route 53 writes a public zone's query logs (X-16) only to a log group in
us-east-1 *of the zone's own account*, which would give every edge account a us-east-1 footprint outside
organization.allowed_regions (an SCP exemption for CloudWatch Logs there, plus the security baseline of a fifth
region in each account); the parent zone's own query logging is its owner's, outside this stack.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountComponent


@dataclass(frozen=True)
class EdgeDns:
    """The existing public zone the edge's records go into, and a provider of the account that owns it (never one
    of an account this stack creates: validation checks network.dns.account)."""

    zone_id: str
    zone_name: str
    owner_provider: aws.Provider


def _in_zone(edge: AccountComponent, dns: EdgeDns) -> pulumi.ResourceOptions:
    """A record is the edge's child, written through the zone owner's provider."""
    return pulumi.ResourceOptions(provider=dns.owner_provider, parent=edge)


def validated_certificate(edge: AccountComponent, dns: EdgeDns, purpose: str, domain: str) -> pulumi.Output[str]:
    """An RSA-2048 ACM certificate for one exact name, DNS-validated in the public zone; the ARN after issue."""
    cert = aws.acm.Certificate(
        edge.child_name(purpose), domain_name=domain, validation_method="DNS", key_algorithm="RSA_2048",
        options={"certificate_transparency_logging_preference": "ENABLED"},
        opts=edge.child_opts())
    option = cert.domain_validation_options[0]  # one name per certificate: exactly one validation record
    # in the zone owner's account; allow_overwrite: a re-created certificate of the same name reuses the record
    record = aws.route53.Record(
        edge.child_name(f"{purpose}-validation"), zone_id=dns.zone_id, name=option.resource_record_name,
        type=option.resource_record_type, records=[option.resource_record_value], ttl=60, allow_overwrite=True,
        opts=_in_zone(edge, dns))
    validation = aws.acm.CertificateValidation(
        edge.child_name(f"{purpose}-validation"), certificate_arn=cert.arn, validation_record_fqdns=[record.fqdn],
        opts=edge.child_opts())
    return validation.certificate_arn  # listeners wait until the certificate is issued


def alias(edge: AccountComponent, dns: EdgeDns, purpose: str, domain: str, target: pulumi.Input[str],
          target_zone: pulumi.Input[str], failover: Failover | None = None) -> None:
    """`domain` -> the edge's load balancer or API domain (an alias, checked against the target's health); with
    `failover`, one of the name's two failover records (the primary answers while its health check passes)."""
    routing: dict = {}
    opts = _in_zone(edge, dns)
    if failover is not None:
        routing = {"set_identifier": failover.role.lower(), "failover_routing_policies": [{"type": failover.role}],
                   "health_check_id": failover.health_check_id}
        # Route 53 refuses a failover record beside a simple one of the same name: the simple alias goes first
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True))
    aws.route53.Record(
        edge.child_name(purpose), zone_id=dns.zone_id, name=domain, type="A",
        aliases=[{"name": target, "zone_id": target_zone, "evaluate_target_health": True}], opts=opts, **routing)


@dataclass(frozen=True)
class Failover:
    """A record's part in DNS failover: PRIMARY (home region, with the health check) or SECONDARY (DR region)."""

    role: str  # PRIMARY | SECONDARY
    health_check_id: pulumi.Input[str] | None = None


HEALTH_INTERVAL, HEALTH_THRESHOLD = 10, 3  # fast checks: failover within ~30 s of the primary going down


def health_check(edge: AccountComponent, dns: EdgeDns, purpose: str, fqdn: pulumi.Input[str], path: str) -> pulumi.Output[str]:
    """An HTTPS health check of the edge's load balancer itself (never the public name: after a failover that name
    answers from the DR region), in the zone owner's account: a record may only use its own account's checks."""
    check = aws.route53.HealthCheck(
        edge.child_name(purpose), type="HTTPS", fqdn=fqdn, port=443, resource_path=path,
        request_interval=HEALTH_INTERVAL, failure_threshold=HEALTH_THRESHOLD,
        tags={"Name": edge.child_name(purpose)}, opts=_in_zone(edge, dns))
    return check.id
