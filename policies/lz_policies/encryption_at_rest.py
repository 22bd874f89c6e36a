"""Encryption at rest (CONTROLS.md §1, EAR-01..EAR-13).

EAR-02 is about presence (EBS default encryption in every account and region the stack deploys to), so it is a
stack rule here rather than a per-resource check.
"""

from __future__ import annotations

from collections.abc import Iterator

from .graph import Graph, Res
from .iam import allows, principals, statements
from .rules import Case, CaseResource, Param, ResourceRule, StackCase, StackRule
from .secret_detection import looks_secret_name
from .types import (
    BACKUP_VAULT,
    BUCKET,
    BUCKET_LOGGING,
    BUCKET_V2,
    DSSE,
    EBS_DEFAULT_ENCRYPTION,
    EBS_VOLUME,
    EKS_CLUSTER,
    EKS_COMPONENT,
    INSTANCE,
    KMS_KEY,
    KMS_KEY_POLICY,
    LAUNCH_TEMPLATE,
    LOAD_BALANCERS,
    LOG_GROUP,
    RDS_CLUSTER,
    RDS_INSTANCE,
    REDIS_GROUP,
    S3_BUCKET_LOGGING,
    S3_SSE,
    SECRET,
    SQS,
    SSM_PARAMETER,
    TRAIL,
)
from .values import UNKNOWN, as_list, cannot_verify, dig, is_set, is_unknown, truthy
from .views import Stack, Subject

S3_BUCKETS = (BUCKET, BUCKET_V2)
KEY = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000001"


# EAR-01 ---------------------------------------------------------------------------------------------------------
def _block_devices(r: Subject) -> Iterator[tuple[str, object]]:
    """(path, ebs settings) of every block device a volume, instance or launch template defines."""
    if r.type == EBS_VOLUME:
        yield "this volume", r.props
    elif r.type == INSTANCE:
        yield "rootBlockDevice", r.get("rootBlockDevice", default={})
        for i, device in enumerate(as_list(r.get("ebsBlockDevices"))):
            yield f"ebsBlockDevices[{i}]", device
    else:
        for i, mapping in enumerate(as_list(r.get("blockDeviceMappings"))):
            if dig(mapping, "ebs") is not None:
                yield f"blockDeviceMappings[{i}].ebs", dig(mapping, "ebs")


def ebs_encrypted_with_cmk(r: Subject) -> Iterator[str]:
    for where, device in _block_devices(r):
        if not truthy(dig(device, "encrypted", default=False)):
            yield f"{where} is not encrypted; set encrypted=true with kmsKeyId of a customer managed key"
        elif r.cfg["requireCmk"] and not dig(device, "kmsKeyId"):
            yield f"{where} uses the AWS managed key; set kmsKeyId to a customer managed KMS key"


# EAR-02 (stack) -------------------------------------------------------------------------------------------------
def ebs_default_encryption_everywhere(s: Stack) -> Iterator[tuple[str | None, str]]:
    covered = set()
    for r in s.of_type(EBS_DEFAULT_ENCRYPTION):
        if r.get("enabled") is False or str(r.get("enabled")).lower() == "false":
            yield r.urn, "EBS default encryption is disabled; set enabled=true"
        else:
            covered.add((r.account, r.region))
    deployed = {(r.account, r.region) for r in s.resources if r.type.startswith("aws:") and r.account and r.region}
    for account, region in sorted(deployed - covered):
        yield None, (f"account {account} in {region} has no aws.ebs.EncryptionByDefault(enabled=True); add one to "
                     "its baseline")


# EAR-03 ---------------------------------------------------------------------------------------------------------
def rds_storage_encrypted(r: Subject) -> Iterator[str]:
    if not truthy(r.get("storageEncrypted", default=False)):
        yield "storageEncrypted is not true; set storageEncrypted=true and kmsKeyId to a customer managed key"
    elif not r.get("kmsKeyId"):
        yield "no kmsKeyId: the AWS managed key is used; set kmsKeyId to a customer managed KMS key"


# EAR-04 ---------------------------------------------------------------------------------------------------------
def redis_encrypted_at_rest(r: Subject) -> Iterator[str]:
    if is_set(r.get("globalReplicationGroupId")):
        return  # a global datastore secondary has the datastore's encryption, i.e. its primary's (checked here too)
    if not truthy(r.get("atRestEncryptionEnabled", default=False)):
        yield "atRestEncryptionEnabled is not true; set atRestEncryptionEnabled=true (and kmsKeyId)"


# EAR-05 ---------------------------------------------------------------------------------------------------------
def queue_encrypted(r: Subject) -> Iterator[str]:
    if not r.get("kmsMasterKeyId") and not truthy(r.get("sqsManagedSseEnabled", default=False)):
        yield "the queue is not encrypted; set kmsMasterKeyId (preferred) or sqsManagedSseEnabled=true"


# EAR-06 (stack) -------------------------------------------------------------------------------------------------
# S3 delivers server access logs, and ELB delivers access logs, only to buckets whose default encryption is SSE-S3
# (AES256): such log-delivery targets must use AES256, every other bucket aws:kms.
def bucket_sse_is_kms(s: Stack) -> Iterator[tuple[str | None, str]]:
    g = s.graph()
    targets, undecided = log_delivery_targets(g)
    unknown: list[str] = []
    for res, bucket, rules in _encryption_configurations(g):
        reason = targets.get(bucket.urn) if bucket is not None else None
        if not rules:
            yield res.urn, f"no server-side encryption rule; add rules[0].applyServerSideEncryptionByDefault with " \
                           f"sseAlgorithm={'AES256' if reason else 'aws:kms'}"
        for i, rule in enumerate(rules):
            algorithm = dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm", default="")
            if is_unknown(algorithm):
                unknown.append(f"{res.name}.rules[{i}].applyServerSideEncryptionByDefault.sseAlgorithm")
            elif reason and algorithm != "AES256":
                yield res.urn, (f"rules[{i}] uses sseAlgorithm={algorithm or 'unset'} on a log-delivery target "
                                f"({reason}): S3 server access logs and ELB access logs are only delivered to SSE-S3 "
                                "buckets; use sseAlgorithm=AES256")
            elif not reason and algorithm not in ("aws:kms", DSSE):
                if algorithm == "AES256" and undecided:
                    unknown.append(f"{undecided[0]} (is {res.name}'s bucket a log-delivery target?)")
                    continue
                yield res.urn, (f"rules[{i}] uses sseAlgorithm={algorithm or 'unset'}; use aws:kms with "
                                "kmsMasterKeyId of a customer managed key (only a bucket that an s3 BucketLogging "
                                "targets or a load balancer's accessLogs names keeps AES256)")
    if unknown:
        raise cannot_verify(unknown)


def _encryption_configurations(g: Graph) -> Iterator[tuple[Res, Res | None, list]]:
    """(resource carrying the configuration, its bucket, its rules): standalone configurations and inline ones."""
    for sse in g.of_type(S3_SSE):
        buckets = g.resolve(sse, "bucket", S3_BUCKETS)
        yield sse, (buckets[0] if buckets else None), _rules(sse.props)
    for bucket in g.of_type(*S3_BUCKETS):
        inline = bucket.get("serverSideEncryptionConfiguration")
        if inline is not None and not is_unknown(inline):  # else a standalone configuration carries it
            yield bucket, bucket, _rules(inline)


def _rules(config) -> list:
    return as_list(dig(config, "rules")) or as_list(dig(config, "rule"))


def log_delivery_targets(g: Graph) -> tuple[dict[str, str], list[str]]:
    """Buckets S3 server access logs and ELB access logs are delivered to, by URN with the reason, and the references
    that could not be resolved. From the graph only: a tag the bucket sets on itself never makes it a target (it would
    exempt the bucket from SSE-KMS here and from Object Lock in DAT-04)."""
    targets: dict[str, str] = {}
    undecided: list[str] = []
    for logging in g.of_type(*BUCKET_LOGGING):
        found = g.resolve(logging, "targetBucket", S3_BUCKETS)
        targets.update({b.urn: f"targetBucket of {logging.name}" for b in found if b.urn not in targets})
        if not found and is_unknown(logging.get("targetBucket")):
            undecided.append(f"{logging.name}.targetBucket")
    for lb in g.of_type(*LOAD_BALANCERS):
        access_logs = lb.get("accessLogs")
        if is_unknown(access_logs) or (isinstance(access_logs, dict) and is_unknown(access_logs.get("enabled"))):
            undecided.append(f"{lb.name}.accessLogs")
            continue
        name = access_logs.get("bucket") if isinstance(access_logs, dict) else None
        if not isinstance(access_logs, dict) or not truthy(access_logs.get("enabled", False)) or (
                not name and not is_unknown(name)):  # the unknown sentinel is falsy
            continue
        found = [b for b in g.by_id(name) if b.type in S3_BUCKETS] if not is_unknown(name) else []
        found = found or g.resolve(lb, "accessLogs", S3_BUCKETS)
        targets.update({b.urn: f"access-log bucket of {lb.name}" for b in found if b.urn not in targets})
        if not found and is_unknown(name):
            undecided.append(f"{lb.name}.accessLogs.bucket")
    return targets, undecided


# EAR-07 ---------------------------------------------------------------------------------------------------------
def kms_key_rotation(r: Subject) -> Iterator[str]:
    spec = r.get("customerMasterKeySpec") or r.get("keySpec") or "SYMMETRIC_DEFAULT"
    if spec == "SYMMETRIC_DEFAULT" and not truthy(r.get("enableKeyRotation", default=False)):
        yield "enableKeyRotation is not true on a symmetric key; set enableKeyRotation=true"


# EAR-08 ---------------------------------------------------------------------------------------------------------
def kms_policy_no_public_principal(r: Subject) -> Iterator[str]:
    for i, statement in enumerate(statements(r.get("policy"))):
        if allows(statement) and "*" in principals(statement) and not statement.get("Condition"):
            yield (f"policy Statement[{i}] allows Principal \"*\" without a Condition; name the account or roles, "
                   "or add a Condition (aws:PrincipalOrgID, kms:CallerAccount)")


# EAR-09 ---------------------------------------------------------------------------------------------------------
def eks_secrets_encrypted(r: Subject) -> Iterator[str]:
    if r.type == EKS_COMPONENT:
        if not r.get("encryptionConfigKeyArn"):
            yield "no encryptionConfigKeyArn; set it to a customer managed KMS key so Kubernetes secrets are encrypted"
        return
    config = r.get("encryptionConfig")
    if "secrets" not in [str(x) for x in as_list(dig(config, "resources"))] or not dig(config, "provider", "keyArn"):
        yield ("no encryptionConfig for \"secrets\"; set encryptionConfig={resources: [\"secrets\"], "
               "provider: {keyArn: <CMK>}}")


# EAR-10 ---------------------------------------------------------------------------------------------------------
def encrypted_with_cmk(r: Subject) -> Iterator[str]:
    if not r.get("kmsKeyId"):
        what = "log group" if r.type == LOG_GROUP else "secret"
        yield f"the {what} has no kmsKeyId; set kmsKeyId to a customer managed KMS key"


# EAR-11 ---------------------------------------------------------------------------------------------------------
def secret_parameters_secure(r: Subject) -> Iterator[str]:
    name = str(r.get("name", default=r.name))
    description = str(r.get("description", default=""))
    if not (looks_secret_name(name) or looks_secret_name(description)):
        return
    if r.get("type") != "SecureString":
        yield (f"parameter {name!r} looks like a secret but has type={r.get('type')!r}; use type=SecureString with "
               "keyId of a customer managed key (or Secrets Manager)")
    elif not r.get("keyId") or str(r.get("keyId")) == "alias/aws/ssm":
        yield f"SecureString parameter {name!r} uses the AWS managed key; set keyId to a customer managed KMS key"


# EAR-12 / EAR-13 ------------------------------------------------------------------------------------------------
def vault_encrypted_with_cmk(r: Subject) -> Iterator[str]:
    if not r.get("kmsKeyArn"):
        yield "the backup vault has no kmsKeyArn; set kmsKeyArn to a customer managed KMS key"


def trail_encrypted_with_cmk(r: Subject) -> Iterator[str]:
    if not r.get("kmsKeyId"):
        yield "the trail's logs are not KMS-encrypted; set kmsKeyId to the log-archive customer managed key"


def _kms_policy(principal, condition=None) -> str:
    import json

    statement = {"Sid": "x", "Effect": "Allow", "Principal": principal, "Action": "kms:*", "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _res(type_, name, env="prod", account="workload", region="eu-west-1", **props):
    return CaseResource(type_, name, props, provider_tags={"environment": env, "account": account}, region=region)


def _sse(name: str, algorithm, bucket: str = "b", key: str | None = KEY, **extra) -> CaseResource:
    default = {"sseAlgorithm": algorithm} | ({"kmsMasterKeyId": key} if algorithm.startswith("aws:kms") else {})
    return CaseResource(S3_SSE, name, {"bucket": bucket, "rules": [{"applyServerSideEncryptionByDefault": default}], **extra},
               provider_tags={"environment": "core", "account": "log-archive"})


def _bucket(name: str, bucket: str, **props) -> CaseResource:
    return CaseResource(BUCKET, name, {"bucket": bucket, "id": bucket, **props},
               provider_tags={"environment": "core", "account": "log-archive"})


_ACCESS_LOG_BUCKET = _bucket("access", "access-logs-1", tags={"purpose": "access-logs"})
_ACCESS_LOGGING = CaseResource(S3_BUCKET_LOGGING, "access-logging", {"bucket": "b", "targetBucket": "access-logs-1"})
_PLAIN_BUCKET = _bucket("data", "b")
EAR06_CASES = (
    StackCase((_PLAIN_BUCKET, _sse("data-sse", "AES256")), violates=True, note="SSE-S3 on an ordinary bucket"),
    StackCase((_PLAIN_BUCKET, CaseResource(S3_SSE, "data-sse", {"bucket": "b", "rules": []})), violates=True),
    StackCase((_bucket("inline", "i", serverSideEncryptionConfiguration={"rule": {
        "applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}}),), violates=True, note="inline AES256"),
    StackCase((_ACCESS_LOG_BUCKET, _ACCESS_LOGGING, _sse("access-sse", "aws:kms", bucket="access-logs-1")),
              violates=True, note="SSE-KMS on an access-log bucket: S3 would not deliver the logs"),
    StackCase((_ACCESS_LOG_BUCKET, _sse("access-sse", "AES256", bucket="access-logs-1")), violates=True,
              note="a purpose tag the bucket sets on itself does not make it a log-delivery target"),
    StackCase((_PLAIN_BUCKET, _sse("data-sse", "aws:kms")), violates=False),
    StackCase((_PLAIN_BUCKET,), violates=False, note="no configuration: left to the stack rules"),
    StackCase((_ACCESS_LOG_BUCKET, _ACCESS_LOGGING, _sse("access-sse", "AES256", bucket="access-logs-1")),
              violates=False, note="targetBucket of a BucketLogging with SSE-S3"),
    StackCase((_bucket("target", "t"), _sse("target-sse", "AES256", bucket="t"),
               CaseResource(S3_BUCKET_LOGGING, "logging", {"bucket": "b", "targetBucket": "t"})),
              violates=False, note="targetBucket of a BucketLogging, untagged"),
    StackCase((_bucket("elb", "elb-logs"), _sse("elb-sse", "AES256", bucket="elb-logs"),
               CaseResource(LOAD_BALANCERS[0], "alb", {"accessLogs": {"enabled": True, "bucket": "elb-logs"}})),
              violates=False, note="access-log bucket of a load balancer"),
    StackCase((_bucket("elb", UNKNOWN), CaseResource(S3_SSE, "elb-sse", {"bucket": UNKNOWN, "rules": [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}, property_deps={"bucket": ("elb",)}),
               CaseResource(LOAD_BALANCERS[0], "alb", {"accessLogs": {"enabled": True, "bucket": UNKNOWN}},
                   property_deps={"accessLogs": ("elb",)})),
              violates=False, note="preview: the load balancer's accessLogs names the bucket by dependency"),
    StackCase((_bucket("target", UNKNOWN), CaseResource(S3_SSE, "target-sse", {"bucket": UNKNOWN, "rules": [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}, property_deps={"bucket": ("target",)}),
        CaseResource(S3_BUCKET_LOGGING, "logging", {"bucket": "b", "targetBucket": UNKNOWN},
            property_deps={"targetBucket": ("target",)})),
        violates=False, note="preview: bucket names unknown, property dependencies decide"),
    StackCase((_PLAIN_BUCKET, CaseResource(S3_SSE, "data-sse", {"bucket": "b", "rules": [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": UNKNOWN}}]})), violates=False, unknown=True),
)


RULES = [
    ResourceRule(
        id="EAR-01", name="ear-01-ebs-encrypted-with-cmk",
        title="EBS volumes and instance/launch-template block devices are encrypted with a CMK",
        description="Every EBS volume, instance root/data device and launch template EBS mapping sets encrypted=true "
                    "and a customer managed kmsKeyId (`requireCmk`).",
        refs="SH EC2.3, EC2.181; CKV_AWS_3, CKV_AWS_189, CKV_AWS_8",
        types=(EBS_VOLUME, INSTANCE, LAUNCH_TEMPLATE), checks=(ebs_encrypted_with_cmk,),
        params={"requireCmk": Param("boolean", True, "require a customer managed key, not only encryption")},
        cases=(
            Case({"availabilityZone": "eu-west-1a", "size": 10}, violates=True),
            Case({"availabilityZone": "eu-west-1a", "size": 10, "encrypted": True}, violates=True, note="no CMK"),
            Case({"ami": "ami-1", "rootBlockDevice": {"encrypted": False}}, type=INSTANCE, violates=True),
            Case({"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}]},
                 type=LAUNCH_TEMPLATE, violates=True),
            Case({"availabilityZone": "eu-west-1a", "size": 10, "encrypted": True, "kmsKeyId": KEY}, violates=False),
            Case({"ami": "ami-1", "rootBlockDevice": {"encrypted": True, "kmsKeyId": KEY}}, type=INSTANCE,
                 violates=False),
            Case({"blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "kmsKeyId": KEY}}]},
                 type=LAUNCH_TEMPLATE, violates=False),
            Case({"availabilityZone": "eu-west-1a", "size": 10, "encrypted": True}, config={"requireCmk": False},
                 violates=False),
        ),
    ),
    StackRule(
        id="EAR-02", name="ear-02-ebs-default-encryption-everywhere",
        whole_organization=True,
        title="EBS default encryption is enabled in every account and region the stack deploys to",
        description="Each (account, region) pair that carries AWS resources (from the providers' default tags and "
                    "region) has an ebs.EncryptionByDefault with enabled=true; none is disabled.",
        refs="CIS 2.2.1; SH EC2.7; CKV_AWS_106",
        checks=(ebs_default_encryption_everywhere,),
        cases=(
            StackCase((_res(EBS_VOLUME, "vol", encrypted=True),), violates=True),
            StackCase((_res(EBS_DEFAULT_ENCRYPTION, "ebs-default", enabled=False),), violates=True),
            StackCase((_res(EBS_VOLUME, "vol", encrypted=True), _res(EBS_DEFAULT_ENCRYPTION, "ebs-default", enabled=True),
                       _res(EBS_VOLUME, "vol2", account="other", encrypted=True)), violates=True,
                      note="second account without default encryption"),
            StackCase((_res(EBS_VOLUME, "vol", encrypted=True), _res(EBS_DEFAULT_ENCRYPTION, "ebs-default", enabled=True)),
                      violates=False),
        ),
    ),
    ResourceRule(
        id="EAR-03", name="ear-03-rds-encrypted-with-cmk",
        title="RDS clusters and instances are encrypted with a CMK",
        description="storageEncrypted=true and a customer managed kmsKeyId on every Aurora cluster / RDS instance.",
        refs="CIS 2.3.1; SH RDS.27; CKV_AWS_96, CKV_AWS_327",
        types=(RDS_CLUSTER, RDS_INSTANCE), checks=(rds_storage_encrypted,),
        cases=(
            Case({"engine": "aurora-mysql", "storageEncrypted": False}, violates=True),
            Case({"engine": "aurora-mysql", "storageEncrypted": True}, violates=True, note="no CMK"),
            Case({"engine": "aurora-mysql", "storageEncrypted": True, "kmsKeyId": KEY}, violates=False),
            Case({"engine": "aurora-mysql", "storageEncrypted": True, "kmsKeyId": UNKNOWN}, violates=False,
                 unknown=True),
        ),
    ),
    ResourceRule(
        id="EAR-04", name="ear-04-redis-encrypted-at-rest",
        title="ElastiCache replication groups are encrypted at rest",
        description="atRestEncryptionEnabled=true on every replication group.",
        refs="SH ElastiCache.4; CKV_AWS_29, CKV_AWS_191",
        types=(REDIS_GROUP,), checks=(redis_encrypted_at_rest,),
        cases=(
            Case({"description": "cache"}, violates=True),
            Case({"description": "cache", "atRestEncryptionEnabled": True}, violates=False),
            Case({"description": "dr", "globalReplicationGroupId": "ldgnf-cache"}, violates=False,
                 note="global datastore secondary: encrypted as its primary; AWS takes no setting beside the id"),
        ),
    ),
    ResourceRule(
        id="EAR-05", name="ear-05-sqs-encrypted",
        title="SQS queues are encrypted",
        description="A kmsMasterKeyId (preferred) or sqsManagedSseEnabled=true on every queue.",
        refs="SH SQS.1; CKV_AWS_27, CKV2_AWS_73",
        types=(SQS,), checks=(queue_encrypted,),
        cases=(
            Case({"name": "q"}, violates=True),
            Case({"name": "q", "kmsMasterKeyId": KEY}, violates=False),
            Case({"name": "q", "sqsManagedSseEnabled": True}, violates=False),
        ),
    ),
    StackRule(
        id="EAR-06", name="ear-06-s3-sse-kms",
        whole_organization=True,
        title="S3 default encryption uses aws:kms (SSE-S3 on log-delivery targets)",
        description="Bucket server-side encryption configurations (standalone, or inline on the bucket) use "
                    "sseAlgorithm aws:kms (or aws:kms:dsse), except on log-delivery targets, which must use AES256 "
                    "(SSE-S3): S3 delivers server access logs only to destination buckets whose default encryption is "
                    "SSE-S3, SSE-KMS is not supported (docs.aws.amazon.com/AmazonS3/latest/userguide/"
                    "enable-server-access-logging.html; API LoggingEnabled: the target bucket can't use SSE-KMS or "
                    "DSSE-KMS default encryption), and for ALB access logs 'the only server-side encryption option "
                    "that's supported is Amazon S3-managed keys (SSE-S3)' (docs.aws.amazon.com/elasticloadbalancing/"
                    "latest/application/enable-access-logging.html). A log-delivery target is, from the graph only, "
                    "the targetBucket of an s3 BucketLogging or the accessLogs bucket of a load balancer in the stack "
                    "(never a tag the bucket sets on itself). A bucket without any configuration is left to the "
                    "stack rules.",
        refs="CIS 2.1.1 (v1.5); SH S3.17; CKV_AWS_19, CKV_AWS_145",
        checks=(bucket_sse_is_kms,),
        cases=EAR06_CASES,
    ),
    ResourceRule(
        id="EAR-07", name="ear-07-kms-key-rotation",
        title="Symmetric KMS keys rotate",
        description="enableKeyRotation=true on every symmetric customer managed key.",
        refs="CIS 3.8 (v1.5) / 3.6 (v3.0); SH KMS.4; CKV_AWS_7",
        types=(KMS_KEY,), checks=(kms_key_rotation,),
        cases=(
            Case({"description": "k"}, violates=True),
            Case({"description": "k", "enableKeyRotation": True}, violates=False),
            Case({"description": "k", "customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"},
                 violates=False, note="asymmetric keys cannot rotate"),
        ),
    ),
    ResourceRule(
        id="EAR-08", name="ear-08-kms-policy-no-public-principal",
        title="KMS key policies do not grant Principal * without a condition",
        description="A key policy (on kms.Key or kms.KeyPolicy) never allows Principal \"*\" unless a Condition "
                    "restricts it (organization, caller account, service).",
        refs="SH KMS.5; CKV_AWS_33",
        types=(KMS_KEY, KMS_KEY_POLICY), checks=(kms_policy_no_public_principal,),
        cases=(
            Case({"enableKeyRotation": True, "policy": _kms_policy("*")}, violates=True),
            Case({"keyId": "k", "policy": _kms_policy({"AWS": "*"})}, type=KMS_KEY_POLICY, violates=True),
            Case({"enableKeyRotation": True, "policy": _kms_policy({"AWS": "arn:aws:iam::111111111111:root"})},
                 violates=False),
            Case({"enableKeyRotation": True,
                  "policy": _kms_policy("*", {"StringEquals": {"aws:PrincipalOrgID": "o-example"}})}, violates=False),
        ),
    ),
    ResourceRule(
        id="EAR-09", name="ear-09-eks-secrets-encrypted",
        title="EKS clusters encrypt Kubernetes secrets with a CMK",
        description="aws.eks.Cluster has encryptionConfig for \"secrets\" with a key; the pulumi-eks Cluster "
                    "component sets encryptionConfigKeyArn.",
        refs="SH EKS.3; CKV_AWS_58",
        types=(EKS_CLUSTER, EKS_COMPONENT), checks=(eks_secrets_encrypted,),
        cases=(
            Case({"roleArn": "r", "vpcConfig": {"subnetIds": ["s"]}}, violates=True),
            Case({"version": "1.33"}, type=EKS_COMPONENT, violates=True),
            Case({"roleArn": "r", "encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": KEY}}},
                 violates=False),
            Case({"encryptionConfigKeyArn": KEY}, type=EKS_COMPONENT, violates=False),
        ),
    ),
    ResourceRule(
        id="EAR-10", name="ear-10-logs-and-secrets-use-cmk",
        title="Log groups and Secrets Manager secrets are encrypted with a CMK",
        description="kmsKeyId set on every CloudWatch log group and Secrets Manager secret.",
        refs="CKV_AWS_158, CKV_AWS_149",
        types=(LOG_GROUP, SECRET), checks=(encrypted_with_cmk,),
        cases=(
            Case({"retentionInDays": 365}, violates=True),
            Case({"name": "db"}, type=SECRET, violates=True),
            Case({"retentionInDays": 365, "kmsKeyId": KEY}, violates=False),
            Case({"name": "db", "kmsKeyId": KEY}, type=SECRET, violates=False),
        ),
    ),
    ResourceRule(
        id="EAR-11", name="ear-11-secret-parameters-secure",
        title="SSM parameters holding secrets are SecureString with a CMK",
        description="A parameter whose name or description says it holds a secret (password, secret, token, key, "
                    "credential...) has type SecureString and a customer managed keyId.",
        refs="CKV2_AWS_34, CKV_AWS_337",
        types=(SSM_PARAMETER,), checks=(secret_parameters_secure,),
        cases=(
            Case({"name": "/app/db/password", "type": "String", "value": "x"}, violates=True),
            Case({"name": "/app/api-token", "type": "SecureString", "value": "x"}, violates=True, note="no CMK"),
            Case({"name": "/app/cfg", "description": "signing secret", "type": "String", "value": "x"},
                 violates=True),
            Case({"name": "/app/db/password", "type": "SecureString", "keyId": KEY, "value": "x"}, violates=False),
            Case({"name": "/app/log-level", "type": "String", "value": "info"}, violates=False),
            Case({"name": "/app/kms-key-id", "type": "String", "value": KEY}, violates=False),
        ),
    ),
    ResourceRule(
        id="EAR-12", name="ear-12-backup-vault-cmk",
        title="Backup vaults are encrypted with a CMK",
        description="kmsKeyArn set on every backup vault.",
        refs="SH Backup.1; CKV_AWS_166",
        types=(BACKUP_VAULT,), checks=(vault_encrypted_with_cmk,),
        cases=(Case({"name": "v"}, violates=True), Case({"name": "v", "kmsKeyArn": KEY}, violates=False)),
    ),
    ResourceRule(
        id="EAR-13", name="ear-13-cloudtrail-kms",
        title="CloudTrail logs are encrypted with a CMK",
        description="kmsKeyId set on every trail (the log-archive key).",
        refs="CIS 3.7 (v1.5) / 3.5 (v3.0); SH CloudTrail.2; CKV_AWS_35",
        types=(TRAIL,), checks=(trail_encrypted_with_cmk,),
        cases=(Case({"s3BucketName": "b"}, violates=True), Case({"s3BucketName": "b", "kmsKeyId": KEY}, violates=False)),
    ),
]
