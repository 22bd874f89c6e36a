"""DEP-03: the ordering table - what each resource needs in place before it is created, and whether it waits for it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..graph import Res
from ..rules import CaseResource, StackCase, StackRule
from ..stack_helpers import Unknowns, is_true, label
from ..types import (
    ACCOUNT_ASSIGNMENT,
    BUCKET_LOGGING,
    BUCKET_POLICY,
    BUCKETS,
    CERTIFICATE,
    CERTIFICATE_VALIDATION,
    CONFIG_RECORDER,
    CUSTOMER_MANAGED_POLICY_ATTACHMENT,
    DELIVERY_CHANNEL,
    DETECTIVE_ORGANIZATION_ADMIN_ACCOUNT,
    ECS_CAPACITY_PROVIDERS,
    ECS_CLUSTER,
    ECS_SERVICE,
    FLOW_LOG,
    GUARDDUTY_ADMIN,
    INSPECTOR_ADMIN,
    KMS_KEY,
    KMS_KEY_POLICY,
    LISTENER_CERTIFICATES,
    LISTENERS,
    LOAD_BALANCERS,
    LOG_RESOURCE_POLICY,
    ORG_DELEGATED_ADMIN,
    ORG_POLICY,
    ORG_POLICY_ATTACHMENT,
    ORG_UNIT,
    ORGANIZATION,
    ORGANIZATION_ADMIN_ACCOUNT,
    PERMISSION_SET,
    PERMISSIONS_BOUNDARY_ATTACHMENT,
    QUERY_LOG,
    RAM_ORG_SHARING,
    RAM_PRINCIPAL,
    RAM_RESOURCE,
    RAM_SHARE,
    RECORDER_STATUS,
    SECURITY_HUB_ADMIN,
    SSO_INLINE,
    SSO_MANAGED,
    TGW,
    TRAIL,
    VPC_ATTACHMENT,
    short_type,
)
from ..values import UNKNOWN
from .common import Deps, case_in_account, decoded_items, known

PERMISSION_SET_PARTS = (
    SSO_MANAGED,
    CUSTOMER_MANAGED_POLICY_ATTACHMENT,
    SSO_INLINE,
    PERMISSIONS_BOUNDARY_ATTACHMENT,
)
DELEGATED_ADMINS = {  # type -> the service principal whose trusted access it needs (None: its servicePrincipal)
    GUARDDUTY_ADMIN: "guardduty.amazonaws.com",
    SECURITY_HUB_ADMIN: "securityhub.amazonaws.com",
    INSPECTOR_ADMIN: "inspector2.amazonaws.com",
    ORGANIZATION_ADMIN_ACCOUNT: "macie.amazonaws.com",
    DETECTIVE_ORGANIZATION_ADMIN_ACCOUNT: "detective.amazonaws.com",
    ORG_DELEGATED_ADMIN: None,
}


# --------------------------------------------------------------------------- DEP-03 ordering table
@dataclass(frozen=True)
class Need:
    """The dependent must wait for one of `candidates`; none in the stack is a violation when `required`."""

    what: str
    candidates: tuple[Res, ...]
    required: bool = True
    fix: str = ""


@dataclass(frozen=True)
class Ordering:
    """One row of the table: what `types` must wait for, why, and where AWS says so."""

    types: tuple[str, ...]
    needs: Callable[[Deps, Res, Unknowns], list[Need]]
    prerequisite: str
    why: str
    doc: str


def _policies_of_bucket(deps: Deps, bucket: Res) -> tuple[Res, ...]:
    index = deps.g.memo.get("deploy-readiness-bucket-policies")
    if index is None:
        index = deps.g.memo["deploy-readiness-bucket-policies"] = {}
        for policy in deps.g.of_type(BUCKET_POLICY):
            for target in deps.refs(policy, "bucket", BUCKETS):
                index.setdefault(target.urn, []).append(policy)
    return tuple(index.get(bucket.urn, ()))


def _bucket_policy_needs(deps: Deps, res: Res, prop: str, unknowns: Unknowns, value: Any = None,
                         required: bool = True) -> list[Need]:
    buckets = deps.refs(res, prop, BUCKETS, value)
    if not buckets:
        if not known(res.get(prop) if value is None else value) and not res.property_dependencies.get(prop):
            unknowns.add(res, prop)
        return []  # a bucket outside the stack: `lz preflight` territory
    return [Need(f"the bucket policy of {label(b)}", _policies_of_bucket(deps, b), required,
                 f"add an s3/bucketPolicy granting the delivery service to {b.name}") for b in buckets]


def _key_policy_needs(deps: Deps, res: Res, prop: str) -> list[Need]:
    needs = []
    for key in deps.refs(res, prop, (KMS_KEY,)):
        policies = tuple(p for p in deps.g.of_type(KMS_KEY_POLICY) if key in deps.refs(p, "keyId", (KMS_KEY,)))
        if policies:  # an inline `policy` is part of the key itself, which the reference already waits for
            needs.append(Need(f"the key policy of {label(key)}", policies))
    return needs


def _same_scope(deps: Deps, res: Res, types: Iterable[str]) -> tuple[Res, ...]:
    account, region = deps.g.account(res), deps.g.region(res)
    return tuple(r for r in deps.g.of_type(*types) if deps.g.account(r) == account and deps.g.region(r) == region)


def _flow_log_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    if str(res.get("logDestinationType") or "cloud-watch-logs") != "s3":
        return []
    return _bucket_policy_needs(deps, res, "logDestination", unknowns)


def _trail_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    return _bucket_policy_needs(deps, res, "s3BucketName", unknowns) + _key_policy_needs(deps, res, "kmsKeyId")


def _delivery_channel_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    recorder = Need("a cfg/recorder in its account and region", _same_scope(deps, res, (CONFIG_RECORDER,)), True,
                    "create the configuration recorder first")
    return [recorder, *_bucket_policy_needs(deps, res, "s3BucketName", unknowns),
            *_key_policy_needs(deps, res, "s3KmsKeyArn")]


def _recorder_status_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    if not is_true(res.get("isEnabled")):
        return []
    return [Need("a cfg/deliveryChannel in its account and region", _same_scope(deps, res, (DELIVERY_CHANNEL,)),
                 True, "create the delivery channel first")]


def _organizations(deps: Deps) -> list[Res]:
    return deps.g.of_type(ORGANIZATION)


def _delegated_admin_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    principal = DELEGATED_ADMINS[res.type] or res.get("servicePrincipal")
    if not known(principal):
        unknowns.add(res, "servicePrincipal")
        return []
    return _organization_lists(deps, "awsServiceAccessPrincipals", principal, f"trusted access for {principal}",
                               unknowns)


def _share_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    tgws = deps.refs(res, "transitGatewayId", (TGW,))
    if not tgws:
        return []
    tgw = tgws[0]
    if deps.g.account(res) == deps.g.account(tgw):
        return []
    resource_links = tuple(r for r in deps.g.of_type(RAM_RESOURCE) if tgw in deps.refs(r, "resourceArn", (TGW,)))
    shares = {s.urn for r in resource_links for s in deps.refs(r, "resourceShareArn", (RAM_SHARE,))}
    principals = tuple(p for p in deps.g.of_type(RAM_PRINCIPAL)
                       if shares & {s.urn for s in deps.refs(p, "resourceShareArn", (RAM_SHARE,))})
    return [Need(f"the ram/resourceAssociation sharing {label(tgw)}", resource_links, True,
                 "share the transit gateway with ram.ResourceShare + ResourceAssociation"),
            Need(f"a ram/principalAssociation of the share of {label(tgw)}", principals, True,
                 "associate the attachment's account (or the organization) with the share")]


def _org_sharing_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    principal = res.get("principal")
    if known(principal):
        if not str(principal).startswith("arn:") or ":organizations:" not in str(principal):
            return []
    elif not deps.refs(res, "principal", (ORGANIZATION, ORG_UNIT)):  # during preview: what the value comes from
        if not res.property_dependencies.get("principal"):
            unknowns.add(res, "principal")
        return []
    return [Need("ram/sharingWithOrganization", tuple(deps.g.of_type(RAM_ORG_SHARING)), False)]


def _capacity_provider_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    if not decoded_items(res.get("capacityProviderStrategies")):
        return []
    clusters = deps.refs(res, "cluster", (ECS_CLUSTER,))
    if not clusters:
        return []
    linked = tuple(c for c in deps.g.of_type(ECS_CAPACITY_PROVIDERS)
                   if clusters[0] in deps.refs(c, "clusterName", (ECS_CLUSTER,)))
    return [Need(f"the ecs/clusterCapacityProviders of {label(clusters[0])}", linked, True,
                 "register the capacity providers on the cluster (ecs.ClusterCapacityProviders) first")]


def _certificate_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    needs = []
    for cert in deps.refs(res, "certificateArn", (CERTIFICATE,)):
        validations = tuple(v for v in deps.g.of_type(CERTIFICATE_VALIDATION)
                            if cert in deps.refs(v, "certificateArn", (CERTIFICATE,)))
        if validations or str(cert.get("validationMethod") or "").upper() == "DNS":
            needs.append(Need(f"the acm/certificateValidation of {label(cert)}", validations, True,
                              "wait for the certificate to be ISSUED: use the CertificateValidation's "
                              "certificate_arn output"))
    return needs


def _query_log_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    account = deps.g.account(res)
    policies = tuple(p for p in deps.g.of_type(LOG_RESOURCE_POLICY)
                     if deps.g.account(p) == account and "route53.amazonaws.com" in str(p.get("policyDocument")))
    return [Need("a cloudwatch/logResourcePolicy letting route53.amazonaws.com write (us-east-1)", policies, True,
                 "add a cloudwatch.LogResourcePolicy for route53.amazonaws.com in us-east-1")]


def _lb_logs_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    needs = []
    for prop in ("accessLogs", "connectionLogs"):
        logs = res.get(prop)
        if isinstance(logs, Mapping) and is_true(logs.get("enabled")):
            needs += _bucket_policy_needs(deps, res, prop, unknowns, value=logs.get("bucket"))
    return needs


def _bucket_logging_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    return _bucket_policy_needs(deps, res, "targetBucket", unknowns, required=False)


def _assignment_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    needs = []
    for permission_set in deps.refs(res, "permissionSetArn", (PERMISSION_SET,)):
        needs.append(Need(label(permission_set), (permission_set,)))
        for part in deps.g.of_type(*PERMISSION_SET_PARTS):
            if permission_set in deps.refs(part, "permissionSetArn", (PERMISSION_SET,)):
                needs.append(Need(f"{label(part)} of {permission_set.name}", (part,)))
    return needs


def _policy_type_needs(deps: Deps, res: Res, unknowns: Unknowns) -> list[Need]:
    needs = []
    for policy in deps.refs(res, "policyId", (ORG_POLICY,)):
        policy_type = policy.get("type") or "SERVICE_CONTROL_POLICY"
        if not known(policy_type):
            unknowns.add(policy, "type")
            continue
        needs += _organization_lists(deps, "enabledPolicyTypes", policy_type, f"{policy_type} enabled on the root",
                                     unknowns)
    return needs


def _organization_lists(deps: Deps, prop: str, item: str, what: str, unknowns: Unknowns) -> list[Need]:
    """The organization must list `item` in `prop` (trusted access, policy types) before the dependent is created."""
    needs = []
    for org in _organizations(deps):
        listed = org.get(prop)
        if not known(listed):
            unknowns.add(org, prop)
        elif item not in decoded_items(listed):
            needs.append(Need(f"{what} on {label(org)}", (), True, f"add {item} to the organization's {prop}"))
        else:
            needs.append(Need(f"{what} ({label(org)})", (org,)))
    return needs


DOC_FLOW_LOGS = "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-permissions.html"
ORDERINGS = (
    Ordering((FLOW_LOG,), _flow_log_needs, "the destination bucket's s3/bucketPolicy",
             "CreateFlowLogs checks log delivery's write permission on the bucket when the flow log is created",
             DOC_FLOW_LOGS),
    Ordering((TRAIL,), _trail_needs, "its bucket's s3/bucketPolicy and its KMS key's policy",
             "CreateTrail fails with InsufficientS3BucketPolicyException / InsufficientEncryptionPolicyException",
             "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html"),
    Ordering((DELIVERY_CHANNEL,), _delivery_channel_needs, "cfg/recorder, its bucket's policy (and key policy)",
             "PutDeliveryChannel needs an existing recorder (NoAvailableConfigurationRecorderException) and checks "
             "bucket access (InsufficientDeliveryPolicyException)",
             "https://docs.aws.amazon.com/config/latest/APIReference/API_PutDeliveryChannel.html"),
    Ordering((RECORDER_STATUS,), _recorder_status_needs, "cfg/deliveryChannel",
             "StartConfigurationRecorder fails with NoAvailableDeliveryChannelException",
             "https://docs.aws.amazon.com/config/latest/APIReference/API_StartConfigurationRecorder.html"),
    Ordering(tuple(DELEGATED_ADMINS), _delegated_admin_needs,
             "organizations/organization listing the service in awsServiceAccessPrincipals",
             "a delegated administrator needs trusted access for the service; an organization resource that does "
             "not list it would also disable it again on the next update",
             "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services.html"),
    Ordering((VPC_ATTACHMENT,), _share_needs, "ram/resourceAssociation and ram/principalAssociation of the share",
             "an account can attach to another account's transit gateway only once it is shared with it",
             "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-transit-gateways.html#tgw-sharing"),
    Ordering((RAM_PRINCIPAL,), _org_sharing_needs, "ram/sharingWithOrganization (when in the stack)",
             "sharing with an organization or OU needs sharing with AWS Organizations enabled",
             "https://docs.aws.amazon.com/ram/latest/userguide/getting-started-sharing.html#getting-started-sharing-orgs"),
    Ordering((ECS_SERVICE,), _capacity_provider_needs, "ecs/clusterCapacityProviders of its cluster",
             "CreateService refuses a capacity provider strategy naming providers not associated with the cluster",
             "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html"),
    Ordering((*LISTENERS, *LISTENER_CERTIFICATES), _certificate_needs,
             "acm/certificateValidation of a DNS-validated certificate",
             "a listener accepts only an ISSUED certificate; a DNS-validated one is PENDING_VALIDATION until the "
             "validation completes",
             "https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html"),
    Ordering((QUERY_LOG,), _query_log_needs, "cloudwatch/logResourcePolicy for route53.amazonaws.com",
             "CreateQueryLoggingConfig fails with InsufficientCloudWatchLogsResourcePolicy",
             "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/query-logs.html"),
    Ordering(LOAD_BALANCERS, _lb_logs_needs, "the access-log bucket's s3/bucketPolicy",
             "enabling access logs writes a test object and fails with Access Denied without the bucket policy",
             "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html"),
    Ordering(BUCKET_LOGGING, _bucket_logging_needs, "the target bucket's s3/bucketPolicy (when it has one)",
             "server access logs are delivered under the target bucket's policy for logging.s3.amazonaws.com",
             "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html"),
    Ordering((ACCOUNT_ASSIGNMENT,), _assignment_needs, "the permission set and its policy attachments",
             "the assignment provisions the permission set into the account; parts attached later leave it out of "
             "date until it is provisioned again",
             "https://docs.aws.amazon.com/singlesignon/latest/userguide/howtoupdatepermissionset.html"),
    Ordering((ORG_POLICY_ATTACHMENT,), _policy_type_needs, "the policy type enabled on the root",
             "AttachPolicy fails with PolicyTypeNotEnabledException",
             "https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html"),
)


def creation_order_respected(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    deps = Deps.of(g)
    for row in ORDERINGS:
        for res in g.of_type(*row.types):
            for need in row.needs(deps, res, unknowns):
                message = _need_problem(deps, res, need, row)
                if message:
                    yield res.urn, message
    unknowns.raise_if_any()


def _need_problem(deps: Deps, res: Res, need: Need, row: Ordering) -> str | None:
    if not need.candidates:
        if not need.required:
            return None
        return (f"{label(res)} needs {need.what}, which the stack does not create: {row.why}. Fix: {need.fix} "
                f"({row.doc})")
    if any(deps.waits(res, c) for c in need.candidates):
        return None
    return (f"{label(res)} does not wait for {need.what} ({label(need.candidates[0])}): {row.why}. Add it to "
            f"depends_on ({row.doc})")


def _bucket(name: str = "logs", account: str = "log-archive") -> CaseResource:
    return case_in_account(BUCKETS[0], name, {"bucket": f"lz-{name}", "arn": f"arn:aws:s3:::lz-{name}"}, account=account)


def _bucket_policy(bucket: str = "logs", account: str = "log-archive") -> CaseResource:
    return case_in_account(BUCKET_POLICY, f"{bucket}-policy", {"bucket": f"lz-{bucket}", "policy": "{}"}, account=account)


def _flow_log(**kwargs: Any) -> CaseResource:
    return case_in_account(FLOW_LOG, "vpc-flow-log", {"logDestinationType": "s3", "logDestination": "arn:aws:s3:::lz-logs/vpc",
                                         "trafficType": "ALL"}, account="app", **kwargs)


def _org(**props: Any) -> CaseResource:
    return case_in_account(ORGANIZATION, "org", {"featureSet": "ALL", **props})


DEP03_CASES = (
    StackCase((_bucket(), _bucket_policy(), _flow_log()), violates=True,
              note="flow log created before the bucket policy that lets log delivery write"),
    StackCase((_bucket(), _bucket_policy(), _flow_log(depends_on=("logs-policy",))), violates=False),
    StackCase((_org(awsServiceAccessPrincipals=["config.amazonaws.com"]),
               case_in_account(GUARDDUTY_ADMIN, "gd-admin", {"adminAccountId": "2"},
                  depends_on=("org",))), violates=True, note="trusted access for GuardDuty not enabled"),
    StackCase((_org(awsServiceAccessPrincipals=["guardduty.amazonaws.com"]),
               case_in_account(GUARDDUTY_ADMIN, "gd-admin", {"adminAccountId": "2"},
                  depends_on=("org",))), violates=False),
    StackCase((_org(enabledPolicyTypes=["TAG_POLICY"]), case_in_account(ORG_POLICY, "scp", {"type": "SERVICE_CONTROL_POLICY"}),
               case_in_account(ORG_POLICY_ATTACHMENT, "scp-root", refs={"policyId": "scp"}, depends_on=("org",))),
              violates=True, note="SCPs not enabled on the root"),
    StackCase((case_in_account(ECS_CLUSTER, "cluster", {"name": "apps"}, account="app"),
               case_in_account(ECS_CAPACITY_PROVIDERS, "cluster-cps", {"capacityProviders": ["FARGATE"]}, refs={"clusterName": "cluster"},
                  account="app"),
               case_in_account(ECS_SERVICE, "svc", {"capacityProviderStrategies": [{"capacityProvider": "FARGATE", "weight": 1}]},
                  refs={"cluster": "cluster"}, account="app")),
              violates=True, note="service before the cluster's capacity providers"),
    StackCase((case_in_account(ECS_CLUSTER, "cluster", {"name": "apps"}, account="app"),
               case_in_account(ECS_CAPACITY_PROVIDERS, "cluster-cps", {"capacityProviders": ["FARGATE"]}, refs={"clusterName": "cluster"},
                  account="app"),
               case_in_account(ECS_SERVICE, "svc", {"capacityProviderStrategies": [{"capacityProvider": "FARGATE", "weight": 1}]},
                  refs={"cluster": "cluster"}, account="app", depends_on=("cluster-cps",))), violates=False),
    StackCase((case_in_account(TGW, "tgw", account="network"),
               case_in_account(RAM_SHARE, "share", account="network"),
               case_in_account(RAM_RESOURCE, "share-tgw", refs={"resourceArn": "tgw", "resourceShareArn": "share"}, account="network"),
               case_in_account(RAM_PRINCIPAL, "share-org", {"principal": "arn:aws:organizations::111111111111:organization/o-example"},
                  refs={"resourceShareArn": "share"}, account="network"),
               case_in_account(VPC_ATTACHMENT, "att", refs={"transitGatewayId": "tgw"}, account="app", depends_on=("share-tgw",))),
              violates=True, note="spoke attachment before the share reaches its account"),
    StackCase((_org(), case_in_account(RAM_ORG_SHARING, "ram-sharing", {"enable": True}),
               case_in_account(RAM_PRINCIPAL, "share-org", refs={"principal": "org", "resourceShareArn": "org"}, account="network")),
              violates=True, note="organization principal (unknown during preview) before sharing is enabled"),
    StackCase((case_in_account(CERTIFICATE, "cert", {"validationMethod": "DNS", "arn": "arn:aws:acm:eu-west-1:1:certificate/x"},
                  account="app"),
               case_in_account(CERTIFICATE_VALIDATION, "cert-validation", refs={"certificateArn": "cert"}, account="app"),
               case_in_account(LISTENERS[0], "https", {"protocol": "HTTPS", "certificateArn": "arn:aws:acm:eu-west-1:1:certificate/x"},
                  account="app")), violates=True, note="listener before its certificate is issued"),
    StackCase((case_in_account(CERTIFICATE, "cert", {"validationMethod": "DNS", "arn": "arn:aws:acm:eu-west-1:1:certificate/x"},
                  account="app"),
               case_in_account(CERTIFICATE_VALIDATION, "cert-validation", refs={"certificateArn": "cert"}, account="app"),
               case_in_account(LISTENERS[0], "https", {"protocol": "HTTPS"}, refs={"certificateArn": "cert-validation"},
                  account="app")), violates=False, note="certificate ARN taken from the validation"),
    StackCase((case_in_account(QUERY_LOG, "zone-queries", {"cloudwatchLogGroupArn": "arn:aws:logs:us-east-1:1:log-group:q"},
                  account="dns"),), violates=True, note="no log resource policy for Route 53"),
    StackCase((case_in_account(LOG_RESOURCE_POLICY, "route53-logs", {"policyDocument": '{"Principal": "route53.amazonaws.com"}'},
                  account="dns"),
               case_in_account(QUERY_LOG, "zone-queries", {"cloudwatchLogGroupArn": "arn:aws:logs:us-east-1:1:log-group:q"},
                  account="dns", depends_on=("route53-logs",))), violates=False),
    StackCase((case_in_account(DELIVERY_CHANNEL, "channel", {"s3BucketName": "lz-logs"}, account="app"),
               case_in_account(CONFIG_RECORDER, "recorder", account="app"),
               case_in_account(RECORDER_STATUS, "recorder-on", {"isEnabled": True}, account="app", depends_on=("recorder",))),
              violates=True, note="channel before its recorder, recorder started before the channel"),
    StackCase((case_in_account(FLOW_LOG, "vpc-flow-log", {"logDestinationType": "s3", "logDestination": UNKNOWN}),),
              violates=False, unknown=True, note="destination unknown during preview"),
)


RULES = [
    StackRule(
        id="DEP-03", name="dep-03-creation-order",
        title="Resources wait for what AWS checks when they are created",
        description="A table of (dependent, prerequisite, why, documentation) rows checked against the dependency "
                    "graph: " + "; ".join(f"{'/'.join(short_type(t) for t in row.types[:2])} -> {row.prerequisite}"
                                          for row in ORDERINGS) + ". See docs/deploy-readiness.md.",
        refs="; ".join(dict.fromkeys(row.doc for row in ORDERINGS)),
        checks=(creation_order_respected,), cases=DEP03_CASES),
]
