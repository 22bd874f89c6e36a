"""Encryption in transit (CONTROLS.md §1, EIT-01..EIT-06): listeners, load balancers, Redis, S3, API GW, ACM."""

from __future__ import annotations

import json
from collections.abc import Iterator

from .iam import statements
from .rules import Case, Param, ResourceRule
from .types import (
    ALB_LISTENER,
    ALB_LOAD_BALANCER,
    API_DOMAIN,
    BUCKET,
    BUCKET_POLICY,
    CERTIFICATE,
    LISTENERS,
    LOAD_BALANCERS,
    REDIS_GROUP,
)
from .values import as_list, dig, is_set, truthy
from .views import Subject

CERT_ARN = "arn:aws:acm:eu-west-1:111111111111:certificate/00000000-0000-0000-0000-000000000001"

TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
]


# EIT-01 ---------------------------------------------------------------------------------------------------------
def _redirects_to_https(action) -> bool:
    return dig(action, "type") == "redirect" and str(dig(action, "redirect", "protocol", default="")).upper() == "HTTPS"


def http_redirects_to_https(r: Subject) -> Iterator[str]:
    if str(r.get("protocol", default="")).upper() != "HTTP":
        return
    actions = as_list(r.get("defaultActions"))
    if not any(_redirects_to_https(a) for a in actions):
        yield ("HTTP listener does not redirect to HTTPS; set defaultActions to "
               "[{type: \"redirect\", redirect: {protocol: \"HTTPS\", port: \"443\", statusCode: \"HTTP_301\"}}]")


# EIT-02 ---------------------------------------------------------------------------------------------------------
def tls_policy_modern(r: Subject) -> Iterator[str]:
    if str(r.get("protocol", default="")).upper() not in ("HTTPS", "TLS"):
        return
    policy = r.get("sslPolicy")
    allowed = list(r.cfg["allowedSslPolicies"])
    if policy not in allowed:
        yield (f"sslPolicy={policy or 'unset (provider default)'} is not an approved TLS 1.2+ policy; set sslPolicy "
               f"to one of {allowed[:2]}... (see allowedSslPolicies)")
    if not r.get("certificateArn"):
        yield "TLS listener without certificateArn; attach an ACM certificate"


# EIT-03 ---------------------------------------------------------------------------------------------------------
def alb_drops_invalid_headers(r: Subject) -> Iterator[str]:
    if r.get("loadBalancerType", default="application") != "application":
        return
    if not truthy(r.get("dropInvalidHeaderFields", default=False)):
        yield "dropInvalidHeaderFields is not true; set dropInvalidHeaderFields=true (HTTP desync/smuggling)"
    mode = r.get("desyncMitigationMode", default="defensive")
    if mode not in ("defensive", "strictest"):
        yield f"desyncMitigationMode={mode}; use \"defensive\" or \"strictest\""


# EIT-04 ---------------------------------------------------------------------------------------------------------
def redis_in_transit(r: Subject) -> Iterator[str]:
    # a global datastore secondary has the datastore's TLS and AUTH, i.e. its primary's (checked here); AWS refuses
    # an AuthToken on the secondary itself (DEP-04)
    if is_set(r.get("globalReplicationGroupId")):
        return
    if not truthy(r.get("transitEncryptionEnabled", default=False)):
        yield "transitEncryptionEnabled is not true; set transitEncryptionEnabled=true"
    if not r.get("authToken") and not as_list(r.get("userGroupIds")):
        yield "no authToken and no userGroupIds; require AUTH (authToken from Secrets Manager) or RBAC user groups"


# EIT-05 ---------------------------------------------------------------------------------------------------------
def _denies_insecure_transport(statement) -> bool:
    if statement.get("Effect") != "Deny":
        return False
    condition = statement.get("Condition") or {}
    for operator in ("Bool", "BoolIfExists"):
        value = dig(condition, operator, "aws:SecureTransport")
        if value is not None and str(as_list(value)[0]).lower() == "false":
            return True
    return False


def bucket_policy_requires_tls(r: Subject) -> Iterator[str]:
    document = r.get("policy")
    if r.type == BUCKET and document is None:
        return  # the standalone BucketPolicy carries it
    if not any(_denies_insecure_transport(s) for s in statements(document)):
        yield ("the bucket policy has no Deny for aws:SecureTransport=false; add a statement "
               "{Effect: Deny, Principal: \"*\", Action: \"s3:*\", Condition: {Bool: {\"aws:SecureTransport\": \"false\"}}}")


# EIT-06 ---------------------------------------------------------------------------------------------------------
def api_domain_tls12(r: Subject) -> Iterator[str]:
    if r.type != API_DOMAIN:
        return
    policy = str(r.get("securityPolicy", default="TLS_1_0"))
    if policy == "TLS_1_0" or "TLS_1_0" in policy or "TLS_1_1" in policy:
        yield f"securityPolicy={policy}; set securityPolicy=\"TLS_1_2\""


def certificate_strong(r: Subject) -> Iterator[str]:
    if r.type != CERTIFICATE:
        return
    algorithm = str(r.get("keyAlgorithm", default="RSA_2048"))
    if algorithm.startswith("RSA_") and int(algorithm.split("_")[1]) < 2048:
        yield f"keyAlgorithm={algorithm}; use RSA_2048 or an EC key"
    if not r.cfg["allowWildcard"]:
        names = [str(r.get("domainName", default=""))] + [str(n) for n in as_list(r.get("subjectAlternativeNames"))]
        wildcards = [n for n in names if n.startswith("*")]
        if wildcards:
            yield f"wildcard names {wildcards}; issue certificates for the exact host names"


def _listener(protocol, port=443, **extra):
    return {"loadBalancerArn": "arn:lb", "protocol": protocol, "port": port, **extra}


def _policy(*statements_):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements_)})


DENY_TLS = {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::b/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
ALLOW = {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}

RULES = [
    ResourceRule(
        id="EIT-01", name="eit-01-http-redirects-to-https",
        title="HTTP listeners only redirect to HTTPS",
        description="A load balancer listener on HTTP has a default redirect action to HTTPS (ALB and the alb/ "
                    "aliases; NLB TCP listeners are not HTTP).",
        refs="SH ELB.1; CKV_AWS_2, CKV2_AWS_20",
        types=LISTENERS, checks=(http_redirects_to_https,),
        cases=(
            Case(_listener("HTTP", 80, defaultActions=[{"type": "forward", "targetGroupArn": "tg"}]), violates=True),
            Case(_listener("HTTP", 80, defaultActions=[{"type": "redirect", "redirect": {"protocol": "HTTP"}}]),
                 type=ALB_LISTENER, violates=True),
            Case(_listener("HTTP", 80, defaultActions=[{"type": "redirect", "redirect": {
                "protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}}]), violates=False),
            Case(_listener("TCP", 5432), violates=False, note="NLB TCP listener"),
        ),
    ),
    ResourceRule(
        id="EIT-02", name="eit-02-tls-policy-modern",
        title="HTTPS/TLS listeners use an approved TLS 1.2+ policy and an ACM certificate",
        description="ALB HTTPS and NLB TLS listeners set sslPolicy to one of `allowedSslPolicies` (TLS 1.3/1.2 "
                    "policies without weak ciphers) and a certificateArn.",
        refs="SH ELB.17; CKV_AWS_103, CKV2_AWS_74",
        types=LISTENERS, checks=(tls_policy_modern,),
        params={"allowedSslPolicies": Param("array", TLS_POLICIES, "approved ELB security policies", items="string")},
        cases=(
            Case(_listener("HTTPS", sslPolicy="ELBSecurityPolicy-2016-08", certificateArn=CERT_ARN), violates=True),
            Case(_listener("TLS", sslPolicy="ELBSecurityPolicy-TLS-1-1-2017-01", certificateArn=CERT_ARN),
                 violates=True, note="NLB TLS listener"),
            Case(_listener("HTTPS", certificateArn=CERT_ARN), type=ALB_LISTENER, violates=True),
            Case(_listener("HTTPS", sslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06"), violates=True,
                 note="no certificate"),
            Case(_listener("HTTPS", sslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06", certificateArn=CERT_ARN),
                 violates=False),
            Case(_listener("TLS", sslPolicy="ELBSecurityPolicy-TLS-1-2-2017-01", certificateArn=CERT_ARN),
                 violates=False),
            Case(_listener("HTTPS", sslPolicy="ELBSecurityPolicy-TLS-1-2-2017-01", certificateArn=CERT_ARN),
                 config={"allowedSslPolicies": ["ELBSecurityPolicy-TLS13-1-3-2021-06"]}, violates=True,
                 note="narrower allow list"),
        ),
    ),
    ResourceRule(
        id="EIT-03", name="eit-03-alb-drops-invalid-headers",
        title="ALBs drop invalid headers and mitigate HTTP desync",
        description="Application load balancers set dropInvalidHeaderFields=true and keep desyncMitigationMode "
                    "defensive or strictest.",
        refs="SH ELB.4, ELB.12; CKV_AWS_131, CKV_AWS_328",
        types=LOAD_BALANCERS, checks=(alb_drops_invalid_headers,),
        cases=(
            Case({"loadBalancerType": "application"}, violates=True),
            Case({"dropInvalidHeaderFields": True, "desyncMitigationMode": "monitor"},
                 type=ALB_LOAD_BALANCER, violates=True),
            Case({"loadBalancerType": "application", "dropInvalidHeaderFields": True}, violates=False),
            Case({"loadBalancerType": "network"}, violates=False),
        ),
    ),
    ResourceRule(
        id="EIT-04", name="eit-04-redis-in-transit-auth",
        title="ElastiCache encrypts in transit and requires AUTH",
        description="transitEncryptionEnabled=true and an authToken (or RBAC userGroupIds) on every replication "
                    "group; a global datastore secondary takes both from the datastore, i.e. its primary (checked "
                    "here as a group of its own).",
        refs="SH ElastiCache.5, ElastiCache.6; CKV_AWS_30, CKV_AWS_31",
        types=(REDIS_GROUP,), checks=(redis_in_transit,),
        cases=(
            Case({"description": "c", "transitEncryptionEnabled": False}, violates=True),
            Case({"description": "c", "transitEncryptionEnabled": True}, violates=True, note="no AUTH"),
            Case({"description": "c", "transitEncryptionEnabled": True, "authToken": "from-secrets-manager"},
                 violates=False),
            Case({"description": "dr", "globalReplicationGroupId": "ldgnf-c"}, violates=False,
                 note="global datastore secondary: TLS and AUTH of the datastore (its primary)"),
        ),
    ),
    ResourceRule(
        id="EIT-05", name="eit-05-s3-requires-tls",
        title="Bucket policies deny requests without TLS",
        description="Every bucket policy has a Deny statement conditioned on aws:SecureTransport=false. Buckets "
                    "without a policy are left to the stack rules.",
        refs="CIS 2.1.2 (v1.5) / 2.1.1 (v3.0); SH S3.5; CKV_AWS_379",
        types=(BUCKET_POLICY, BUCKET), checks=(bucket_policy_requires_tls,),
        cases=(
            Case({"bucket": "b", "policy": _policy(ALLOW)}, violates=True),
            Case({"bucket": "b", "policy": {"Version": "2012-10-17", "Statement": ALLOW}}, violates=True,
                 note="policy as an object, Statement as a dict"),
            Case({"bucket": "b", "policy": _policy(ALLOW, DENY_TLS)}, violates=False),
            Case({"bucket": "b"}, type=BUCKET, violates=False),
        ),
    ),
    ResourceRule(
        id="EIT-06", name="eit-06-tls12-domains-strong-certificates",
        title="API Gateway domains use TLS 1.2; ACM certificates are strong and not wildcard",
        description="apigateway.DomainName securityPolicy TLS_1_2; acm.Certificate keys of at least RSA 2048 and "
                    "no wildcard names (unless `allowWildcard`).",
        refs="SH ACM.2; CKV_AWS_206, CKV2_AWS_71",
        types=(API_DOMAIN, CERTIFICATE), checks=(api_domain_tls12, certificate_strong),
        params={"allowWildcard": Param("boolean", False, "accept wildcard certificates")},
        cases=(
            Case({"domainName": "api.example.com", "securityPolicy": "TLS_1_0"}, violates=True),
            Case({"domainName": "*.example.com", "validationMethod": "DNS"}, type=CERTIFICATE, violates=True),
            Case({"domainName": "app.example.com", "keyAlgorithm": "RSA_1024"}, type=CERTIFICATE, violates=True),
            Case({"domainName": "api.example.com", "securityPolicy": "TLS_1_2"}, violates=False),
            Case({"domainName": "app.example.com", "validationMethod": "DNS"}, type=CERTIFICATE, violates=False),
            Case({"domainName": "*.example.com"}, type=CERTIFICATE, config={"allowWildcard": True}, violates=False),
        ),
    ),
]
