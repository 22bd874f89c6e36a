"""DEP-04 and DEP-05: settings AWS refuses together, and credentials (certificates, SAML) in place in the right account."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..graph import Res
from ..rules import CaseResource, StackCase, StackRule
from ..stack_helpers import Unknowns, is_true, label
from ..types import (
    CERTIFICATE,
    CERTIFICATE_VALIDATION,
    CLIENT_VPN,
    LISTENER_CERTIFICATES,
    LISTENERS,
    PROVIDER,
    RDS_CLUSTER,
    RDS_GLOBAL_CLUSTER,
    REDIS_GROUP,
    SAML_PROVIDER,
)
from ..values import UNKNOWN, is_unknown
from .common import Deps, account_case, case_in_account, decoded_items, known, provider_case


# --------------------------------------------------------------------------- DEP-04 incompatible settings
def _references_cluster(deps: Deps, res: Res, prop: str, cluster: Res) -> bool:
    return cluster in deps.refs(res, prop, (RDS_CLUSTER,))


def _set(res: Res, prop: str) -> bool:
    value = res.get(prop)
    return bool(res.property_dependencies.get(prop)) or is_unknown(value) or bool(value)


def _managed_password_conflicts(deps: Deps, cluster: Res) -> list[str]:
    conflicts = []
    if _set(cluster, "globalClusterIdentifier"):
        conflicts.append("it is part of a global database (globalClusterIdentifier)")
    if any(_references_cluster(deps, gc, "sourceDbClusterIdentifier", cluster) for gc in deps.g.of_type(RDS_GLOBAL_CLUSTER)):
        conflicts.append("it is the source of an rds/globalCluster")
    if _set(cluster, "replicationSourceIdentifier"):
        conflicts.append("it is a cross-Region read replica (replicationSourceIdentifier)")
    replicas = [r.name for r in deps.g.of_type(RDS_CLUSTER)
                if r is not cluster and _references_cluster(deps, r, "replicationSourceIdentifier", cluster)]
    if replicas:
        conflicts.append(f"it is the replication source of {', '.join(replicas)}")
    if str(cluster.get("engineMode") or "").lower() == "serverless":
        conflicts.append("it is Aurora Serverless v1 (engineMode serverless)")
    return conflicts


def settings_compatible(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    deps = Deps.of(g)
    for cluster in g.of_type(RDS_CLUSTER):
        managed = cluster.get("manageMasterUserPassword")
        if is_unknown(managed):
            unknowns.add(cluster, "manageMasterUserPassword")
        elif is_true(managed):
            for conflict in _managed_password_conflicts(deps, cluster):
                yield cluster.urn, (f"{label(cluster)}: manageMasterUserPassword is not supported when {conflict} "
                                    "(Aurora User Guide, Limitations for Secrets Manager integration); RDS refuses "
                                    "it. Use a master password from a Secrets Manager secret you create (replicated "
                                    "to the other Region, with rotation)")
    for group in g.of_type(REDIS_GROUP):
        if _set(group, "globalReplicationGroupId"):
            if _set(group, "authToken"):  # TLS and AUTH are the datastore's: the request carries no TLS setting
                yield group.urn, (f"{label(group)}: an AUTH token on a global datastore secondary: the secondary "
                                  "takes AUTH and in-transit encryption from the datastore, and ElastiCache takes "
                                  "AuthToken only on a group whose request enables TransitEncryptionEnabled, which "
                                  "pulumi-aws refuses beside globalReplicationGroupId; drop authToken (clients use "
                                  "the primary's token)")
            continue
        if _set(group, "authToken") and not is_true(group.get("transitEncryptionEnabled")):
            if is_unknown(group.get("transitEncryptionEnabled")):
                unknowns.add(group, "transitEncryptionEnabled")
                continue
            yield group.urn, (f"{label(group)}: an AUTH token needs transitEncryptionEnabled=true (ElastiCache "
                              "refuses AuthToken without in-transit encryption); enable TLS")
    unknowns.raise_if_any()


# --------------------------------------------------------------------------- DEP-05 credentials in place
CREDENTIAL_REFS: dict[str, tuple[tuple[str, str | None, str], ...]] = {
    # type -> (property, nested key inside each item of the property or None, kind: acm (account+region) | iam)
    CLIENT_VPN: (("serverCertificateArn", None, "acm"),
                 ("authenticationOptions", "rootCertificateChainArn", "acm"),
                 ("authenticationOptions", "samlProviderArn", "iam"),
                 ("authenticationOptions", "selfServiceSamlProviderArn", "iam")),
    **{t: (("certificateArn", None, "acm"),) for t in (*LISTENERS, *LISTENER_CERTIFICATES)},
}
KIND_TYPES = {"acm": (CERTIFICATE,), "iam": (SAML_PROVIDER,)}


def _credential_values(res: Res, prop: str, key: str | None) -> list[Any]:
    value = res.get(prop)
    if key is None:
        return [value] if value is not None else []
    return [item.get(key) for item in decoded_items(value) if isinstance(item, Mapping) and item.get(key) is not None]


def _arn_problem(deps: Deps, res: Res, arn: str, kind: str, unknowns: Unknowns, field: str) -> str | None:
    parts = arn.split(":")
    if len(parts) < 6:
        return None
    arn_region, arn_account = parts[3], parts[4]
    account_id, region = deps.account_id(res), deps.g.region(res)
    created = deps.created_account_of(res)
    if account_id is None and created is None:
        unknowns.add(res, f"{field} (account of its provider)")
        return None
    if account_id is None or arn_account != account_id:
        where = f"account {account_id}" if account_id else f"{created.name}, which this stack creates"
        return f"{field} {arn} is in account {arn_account}, but {label(res)} is in {where}"
    if kind == "acm" and region and arn_region != region:
        return f"{field} {arn} is in {arn_region}, but {label(res)} is in {region} (ACM certificates are regional)"
    return None


def _resource_problem(deps: Deps, res: Res, other: Res, kind: str, field: str) -> str | None:
    g = deps.g
    if g.account(other) != g.account(res):
        return f"{field} names {label(other)} of account {g.account(other)}, but {label(res)} is in {g.account(res)}"
    if kind == "acm" and g.region(other) != g.region(res):
        return (f"{field} names {label(other)} in {g.region(other)}, but {label(res)} is in {g.region(res)} "
                "(ACM certificates are regional)")
    return None


def _credential_targets(deps: Deps, res: Res, prop: str, kind: str) -> list[Res]:
    """What an output-valued credential property comes from; a certificate's validation stands for the certificate
    (listeners take the ARN from the validation, so they wait until it is issued)."""
    found = deps.refs(res, prop, (*KIND_TYPES[kind], CERTIFICATE_VALIDATION))
    targets = [t for t in found if t.type != CERTIFICATE_VALIDATION]
    for validation in (t for t in found if t.type == CERTIFICATE_VALIDATION):
        targets += [c for c in deps.refs(validation, "certificateArn", KIND_TYPES[kind]) if c not in targets]
    return targets


def credentials_in_place(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    deps = Deps.of(g)
    for res_type, refs in CREDENTIAL_REFS.items():
        for res in g.of_type(res_type):
            for prop, key, kind in refs:
                field = f"{prop}.{key}" if key else prop
                for problem in _credential_problems(deps, res, prop, key, kind, field, unknowns):
                    yield res.urn, (f"{problem}: a credential or certificate must live in the account (and, for ACM, "
                                    "the Region) of the resource that uses it; create or import it there in the "
                                    "program")
    unknowns.raise_if_any()


def _credential_problems(deps: Deps, res: Res, prop: str, key: str | None, kind: str, field: str,
                         unknowns: Unknowns) -> Iterator[str]:
    for value in _credential_values(res, prop, key):
        if isinstance(value, str) and known(value):
            problem = _arn_problem(deps, res, value, kind, unknowns, field)
        else:
            targets = _credential_targets(deps, res, prop, kind)
            if not targets:
                unknowns.add(res, field)
                continue
            problem = next((p for t in targets if (p := _resource_problem(deps, res, t, kind, field))), None)
        if problem:
            yield problem


def _cluster(name: str, managed: Any = True, **props: Any) -> CaseResource:
    return case_in_account(RDS_CLUSTER, name, {"engine": "aurora-mysql", "manageMasterUserPassword": managed, **props}, account="app")


DEP04_CASES = (
    StackCase((_cluster("primary"), _cluster("dr", managed=False, replicationSourceIdentifier="arn:aws:rds:x")),
              violates=False, note="managed password on a cluster nothing replicates (the DR one has its own)"),
    StackCase((_cluster("dr", replicationSourceIdentifier="arn:aws:rds:eu-west-1:1:cluster:primary"),),
              violates=True, note="cross-Region replica with a managed password"),
    StackCase((_cluster("primary", arn="arn:aws:rds:eu-west-1:1:cluster:primary"),
               _cluster("dr", managed=False, replicationSourceIdentifier="arn:aws:rds:eu-west-1:1:cluster:primary")),
              violates=True, note="the source of a cross-Region replica"),
    StackCase((_cluster("member", globalClusterIdentifier="global-1"),), violates=True, note="global database member"),
    StackCase((_cluster("member", managed=False, globalClusterIdentifier="global-1"),), violates=False),
    StackCase((case_in_account(REDIS_GROUP, "redis", {"authToken": "[secret]", "transitEncryptionEnabled": False}, account="app"),),
              violates=True, note="AUTH without TLS"),
    StackCase((case_in_account(REDIS_GROUP, "redis", {"authToken": "[secret]", "transitEncryptionEnabled": True}, account="app"),),
              violates=False),
    StackCase((case_in_account(REDIS_GROUP, "redis", {"authToken": "[secret]", "globalReplicationGroupId": "ldgnf-redis"},
                               account="app"),), violates=True, note="global datastore secondary with its own AUTH token"),
    StackCase((case_in_account(REDIS_GROUP, "redis", {"globalReplicationGroupId": "ldgnf-redis"}, account="app"),),
              violates=False, note="global datastore secondary: TLS and AUTH from the datastore"),
    StackCase((_cluster("primary", managed=UNKNOWN),), violates=False, unknown=True),
)


def _vpn(**props: Any) -> CaseResource:
    return case_in_account(CLIENT_VPN, "client-vpn", {"clientCidrBlock": "100.64.0.0/22", **props}, account="network")


NETWORK_ACCOUNT = "444444444444"


def _network_provider(created: bool = False) -> CaseResource:
    if created:
        return provider_case("network", "eu-west-1", created="acct-network")
    return case_in_account(PROVIDER, "network-eu-west-1-provider",
              {"region": "eu-west-1", "allowedAccountIds": f'["{NETWORK_ACCOUNT}"]'})


DEP05_CASES = (
    StackCase((_network_provider(), _vpn(
        serverCertificateArn="arn:aws:acm:eu-west-1:333333333333:certificate/server",
        authenticationOptions=[{"type": "federated-authentication",
                                "samlProviderArn": "arn:aws:iam::333333333333:saml-provider/idp"}])),
              violates=True, note="certificate and SAML provider in another account"),
    StackCase((_network_provider(), _vpn(
        serverCertificateArn=f"arn:aws:acm:eu-west-1:{NETWORK_ACCOUNT}:certificate/server",
        authenticationOptions=[{"type": "federated-authentication",
                                "samlProviderArn": f"arn:aws:iam::{NETWORK_ACCOUNT}:saml-provider/idp"}])),
              violates=False),
    StackCase((_network_provider(), _vpn(
        serverCertificateArn=f"arn:aws:acm:us-east-1:{NETWORK_ACCOUNT}:certificate/server")),
              violates=True, note="certificate in another Region"),
    StackCase((account_case("acct-network"), _network_provider(created=True), _vpn(
        serverCertificateArn=f"arn:aws:acm:eu-west-1:{NETWORK_ACCOUNT}:certificate/server")),
              violates=True, note="a literal ARN cannot be in an account this run creates"),
    StackCase((case_in_account(CERTIFICATE, "server-cert", {"privateKey": "[secret]"}, account="network"),
               case_in_account(LISTENERS[0], "https", {"protocol": "HTTPS"}, refs={"certificateArn": "server-cert"}, account="app")),
              violates=True, note="listener using another account's certificate (by reference)"),
    StackCase((case_in_account(CERTIFICATE, "server-cert", {"privateKey": "[secret]"}, account="network"),
               case_in_account(CLIENT_VPN, "client-vpn", {"serverCertificateArn": UNKNOWN}, refs={"serverCertificateArn": "server-cert"},
                  account="network")),
              violates=False, note="certificate created in the endpoint's account and region"),
    StackCase((case_in_account(CERTIFICATE, "cert", {"validationMethod": "DNS"}, account="network"),
               case_in_account(CERTIFICATE_VALIDATION, "cert-validation", refs={"certificateArn": "cert"}, account="network"),
               case_in_account(LISTENERS[0], "https", {"protocol": "HTTPS"}, refs={"certificateArn": "cert-validation"},
                  account="app")),
              violates=True, note="another account's certificate, through its validation (preview)"),
)


RULES = [
    StackRule(
        id="DEP-04", name="dep-04-compatible-settings",
        title="No combination of settings AWS refuses",
        description="An RDS-managed master password (manageMasterUserPassword) is not used on a cluster in a global "
                    "database, a cross-Region read replica, the source of one, or Aurora Serverless v1; an "
                    "ElastiCache AUTH token comes with in-transit encryption, and never on a global datastore "
                    "secondary (which takes both from the datastore).",
        refs="https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-secrets-manager.html; "
             "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html; ElastiCache API Reference, "
             "CreateReplicationGroup (AuthToken); pulumi-aws elasticache.ReplicationGroup (auth_token)",
        checks=(settings_compatible,), cases=DEP04_CASES),
    StackRule(
        id="DEP-05", name="dep-05-credentials-in-place",
        title="Certificates and identity providers a resource names live in its account and region",
        description="Client VPN server and root certificates and load-balancer listener certificates are ACM "
                    "certificates of the same account and region; Client VPN SAML providers are IAM SAML providers of "
                    "the same account. Compared by ARN with the account of the resource's provider (allowedAccountIds "
                    "or assumed role), or, for an output, with the referenced resource's provider.",
        refs="https://docs.aws.amazon.com/acm/latest/userguide/acm-regions.html; "
             "https://docs.aws.amazon.com/vpn/latest/clientvpn-admin/client-authentication.html",
        checks=(credentials_in_place,), cases=DEP05_CASES),
]
