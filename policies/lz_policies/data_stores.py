"""DST-01 and DST-02: every data-store type of pulumi-aws, in one table - what proves encryption at rest, in transit,
non-public access and backups (DST-01), and which data-store-like types the table does not know yet (DST-02).

A type an older, specific rule already judges names that rule (`covered`) instead of a second check, so the table is
the one place that lists every data store and each property is judged once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .rules import ADVISORY, Case, CaseResource, ResourceRule, StackCase, StackRule
from .types import (
    BACKUP_VAULT,
    BUCKETS,
    DAX_CLUSTER,
    DOCDB_CLUSTER,
    DOCDB_ELASTIC_CLUSTER,
    DOMAIN,
    DYNAMODB_TABLE,
    EBS_VOLUME,
    EFS,
    ELASTICACHE_CLUSTER,
    ELASTICACHE_SERVERLESS,
    ELASTICSEARCH_DOMAIN,
    FIREHOSE,
    FSX_LUSTRE,
    FSX_ONTAP,
    FSX_OPENZFS,
    FSX_WINDOWS,
    GLUE_CATALOG_DATABASE,
    GLUE_CATALOG_ENCRYPTION,
    KEYSPACES_TABLE,
    KINESIS_STREAM,
    LOG_GROUP,
    LOG_STREAM,
    MEMORYDB_CLUSTER,
    MSK_CLUSTER,
    MSK_SERVERLESS,
    NEPTUNE_CLUSTER,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_CLUSTER_SNAPSHOT,
    RDS_GLOBAL_CLUSTER,
    RDS_INSTANCE,
    RDS_SNAPSHOT,
    REDIS_GROUP,
    REDSHIFT_CLUSTER,
    REDSHIFTSERVERLESS_NAMESPACE,
    REDSHIFTSERVERLESS_WORKGROUP,
    SECRET,
    SNS_TOPIC,
    SQS,
    TIMESTREAM_DATABASE,
)
from .values import truthy
from .views import Subject

Getter = Callable[..., object]


@dataclass(frozen=True)
class Need:
    """One property a data store must have: `holds(get)` reads the inputs; `fix` says what to set."""

    holds: Callable[[Getter], bool]
    fix: str


def on(*path: str) -> Callable[[Getter], bool]:
    return lambda get: truthy(get(*path, default=False))


def off(*path: str) -> Callable[[Getter], bool]:
    """A flag that must not be true (absent is fine: the provider's default is off)."""
    return lambda get: not truthy(get(*path, default=False))


def given(*path: str) -> Callable[[Getter], bool]:
    return lambda get: bool(get(*path))


def equals(value: str, *path: str, default: str = "") -> Callable[[Getter], bool]:
    return lambda get: str(get(*path, default=default)).upper() == value.upper()


def at_least(minimum: int, *path: str, default: int = 0) -> Callable[[Getter], bool]:
    return lambda get: float(get(*path, default=default) or 0) >= minimum


def either(*tests: Callable[[Getter], bool]) -> Callable[[Getter], bool]:
    return lambda get: any(test(get) for test in tests)


@dataclass(frozen=True)
class Store:
    at_rest: tuple[Need, ...] = ()
    in_transit: tuple[Need, ...] = ()
    not_public: tuple[Need, ...] = ()
    backup: tuple[Need, ...] = ()
    covered: str = ""  # the rules that judge this type already (its properties are not checked twice)

    def needs(self) -> Iterator[tuple[str, Need]]:
        for aspect in ("at_rest", "in_transit", "not_public", "backup"):
            for need in getattr(self, aspect):
                yield aspect.replace("_", " "), need


ENCRYPTED_CMK = (Need(on("storageEncrypted"), "storageEncrypted=true"), Need(given("kmsKeyId"), "kmsKeyId (a CMK)"))
RETAINED_7 = (Need(at_least(7, "backupRetentionPeriod", default=1), "backupRetentionPeriod >= 7 days"),)
OPENSEARCH = Store(
    at_rest=(Need(on("encryptAtRest", "enabled"), "encryptAtRest.enabled=true"),),
    in_transit=(Need(on("nodeToNodeEncryption", "enabled"), "nodeToNodeEncryption.enabled=true"),
                Need(on("domainEndpointOptions", "enforceHttps"), "domainEndpointOptions.enforceHttps=true")),
    not_public=(Need(given("vpcOptions", "subnetIds"), "vpcOptions.subnetIds (a domain inside a VPC)"),),
)
FSX = Store(backup=(Need(at_least(1, "automaticBackupRetentionDays"), "automaticBackupRetentionDays >= 1"),))
KNOWN_ENCRYPTED = Store()  # always encrypted at rest and in transit by AWS, nothing a plan can switch off

DATA_STORES: dict[str, Store] = {
    RDS_CLUSTER: Store(covered="EAR-03, DAT-01, DAT-02, LOG-11"),
    RDS_CLUSTER_INSTANCE: Store(covered="NET-10"),
    RDS_INSTANCE: Store(backup=RETAINED_7, covered="EAR-03, NET-10"),
    RDS_GLOBAL_CLUSTER: Store(at_rest=(Need(on("storageEncrypted"), "storageEncrypted=true"),)),
    RDS_SNAPSHOT: Store(covered="IAM-10, IAM-11 (sharing); encryption is the source database's"),
    RDS_CLUSTER_SNAPSHOT: Store(covered="IAM-10, IAM-11 (sharing); encryption is the source cluster's"),
    DYNAMODB_TABLE: Store(
        at_rest=(Need(on("serverSideEncryption", "enabled"), "serverSideEncryption.enabled=true with kmsKeyArn"),),
        backup=(Need(on("pointInTimeRecovery", "enabled"), "pointInTimeRecovery.enabled=true"),)),
    DAX_CLUSTER: Store(
        at_rest=(Need(on("serverSideEncryption", "enabled"), "serverSideEncryption.enabled=true"),),
        in_transit=(Need(equals("TLS", "clusterEndpointEncryptionType"), "clusterEndpointEncryptionType=TLS"),)),
    DOCDB_CLUSTER: Store(at_rest=ENCRYPTED_CMK, backup=RETAINED_7),
    DOCDB_ELASTIC_CLUSTER: KNOWN_ENCRYPTED,
    NEPTUNE_CLUSTER: Store(at_rest=(Need(on("storageEncrypted"), "storageEncrypted=true"),
                                    Need(given("kmsKeyArn"), "kmsKeyArn (a CMK)")), backup=RETAINED_7),
    REDSHIFT_CLUSTER: Store(
        at_rest=(Need(on("encrypted"), "encrypted=true"), Need(given("kmsKeyId"), "kmsKeyId (a CMK)")),
        not_public=(Need(off("publiclyAccessible"), "publiclyAccessible=false"),),
        backup=(Need(at_least(1, "automatedSnapshotRetentionPeriod", default=1),
                     "automatedSnapshotRetentionPeriod >= 1"),)),
    REDSHIFTSERVERLESS_NAMESPACE: Store(at_rest=(Need(given("kmsKeyId"), "kmsKeyId (a CMK)"),)),
    REDSHIFTSERVERLESS_WORKGROUP: Store(not_public=(Need(off("publiclyAccessible"), "publiclyAccessible=false"),)),
    DOMAIN: OPENSEARCH,
    ELASTICSEARCH_DOMAIN: OPENSEARCH,
    REDIS_GROUP: Store(covered="EAR-04, EIT-04, DAT-03"),
    ELASTICACHE_CLUSTER: Store(in_transit=(Need(on("transitEncryptionEnabled"), "transitEncryptionEnabled=true"),)),
    ELASTICACHE_SERVERLESS: KNOWN_ENCRYPTED,
    MEMORYDB_CLUSTER: Store(
        in_transit=(Need(lambda get: truthy(get("tlsEnabled", default=True)), "tlsEnabled=true"),),
        backup=(Need(at_least(1, "snapshotRetentionLimit"), "snapshotRetentionLimit >= 1"),)),
    EFS: Store(at_rest=(Need(on("encrypted"), "encrypted=true"), Need(given("kmsKeyId"), "kmsKeyId (a CMK)")),
               covered="X-07 (backup)"),
    FSX_LUSTRE: FSX, FSX_WINDOWS: FSX, FSX_ONTAP: FSX, FSX_OPENZFS: FSX,
    MSK_CLUSTER: Store(
        at_rest=(Need(given("encryptionInfo", "encryptionAtRestKmsKeyArn"),
                      "encryptionInfo.encryptionAtRestKmsKeyArn (a CMK)"),),
        in_transit=(Need(equals("TLS", "encryptionInfo", "encryptionInTransit", "clientBroker", default="TLS"),
                         "encryptionInfo.encryptionInTransit.clientBroker=TLS"),
                    Need(lambda get: truthy(get("encryptionInfo", "encryptionInTransit", "inCluster", default=True)),
                         "encryptionInfo.encryptionInTransit.inCluster=true"))),
    MSK_SERVERLESS: KNOWN_ENCRYPTED,
    KINESIS_STREAM: Store(at_rest=(Need(equals("KMS", "encryptionType"), "encryptionType=KMS with kmsKeyId"),)),
    FIREHOSE: Store(at_rest=(Need(either(on("serverSideEncryption", "enabled"), given("kinesisSourceConfiguration")),
                                  "serverSideEncryption.enabled=true (or a Kinesis stream source, encrypted there)"),)),
    SQS: Store(covered="EAR-05, IAM-11"),
    SNS_TOPIC: Store(at_rest=(Need(given("kmsMasterKeyId"), "kmsMasterKeyId"),), covered="IAM-11 (policy)"),
    TIMESTREAM_DATABASE: Store(at_rest=(Need(given("kmsKeyId"), "kmsKeyId (a CMK)"),)),
    KEYSPACES_TABLE: Store(
        at_rest=(Need(equals("CUSTOMER_MANAGED_KMS_KEY", "encryptionSpecification", "type"),
                      "encryptionSpecification.type=CUSTOMER_MANAGED_KMS_KEY"),),
        backup=(Need(equals("ENABLED", "pointInTimeRecovery", "status"), "pointInTimeRecovery.status=ENABLED"),)),
    **{bucket: Store(covered="EAR-06, DAT-04, DAT-05, DAT-06, X-11, IAM-11") for bucket in BUCKETS},
    EBS_VOLUME: Store(covered="EAR-01, X-07, X-08"),
    BACKUP_VAULT: Store(covered="EAR-12, IAM-11"),
    GLUE_CATALOG_ENCRYPTION: Store(at_rest=(
        Need(equals("SSE-KMS", "dataCatalogEncryptionSettings", "encryptionAtRest", "catalogEncryptionMode"),
             "dataCatalogEncryptionSettings.encryptionAtRest.catalogEncryptionMode=SSE-KMS"),
        Need(on("dataCatalogEncryptionSettings", "connectionPasswordEncryption", "returnConnectionPasswordEncrypted"),
             "connectionPasswordEncryption.returnConnectionPasswordEncrypted=true"))),
    GLUE_CATALOG_DATABASE: Store(covered="DST-01 on glue/dataCatalogEncryptionSettings (encryption is per catalog)"),
    LOG_GROUP: Store(covered="EAR-10, LOG-13"),
    LOG_STREAM: Store(covered="EAR-10, LOG-13 on its log group"),
    SECRET: Store(covered="EAR-10, DAT-07, IAM-11"),
}
CHECKED = tuple(t for t, store in DATA_STORES.items() if any(True for _ in store.needs()))


def data_store_protected(r: Subject) -> Iterator[str]:
    for aspect, need in DATA_STORES[r.type].needs():
        if not need.holds(r.get):
            yield f"{aspect}: set {need.fix}"


# DST-02 ---------------------------------------------------------------------------------------------------------
# A type looks like a data store when its module keeps data and its class names a store; the table then must say.
DATA_MODULES = frozenset({
    "rds", "dynamodb", "dax", "docdb", "neptune", "redshift", "redshiftserverless", "opensearch", "opensearchserverless",
    "elasticsearch", "elasticache", "memorydb", "efs", "fsx", "msk", "kinesis", "sqs", "sns", "timestreamwrite",
    "timestreaminfluxdb", "keyspaces", "s3", "s3tables", "ebs", "backup", "glue", "qldb", "dsql", "lightsail",
    "cloudwatch", "secretsmanager", "lakeformation", "athena",
})
STORE_CLASS = re.compile(r"(Cluster|Instance|Table|Domain|FileSystem|Stream|Queue|Topic|Database|Bucket|BucketV2|"
                         r"Volume|Vault|Keyspace|Cache|Namespace|Collection|Ledger|DeliveryStream|LogGroup|Secret|"
                         r"Workgroup|TableBucket)$")


def looks_like_data_store(type_: str) -> bool:
    parts = type_.split(":")
    if len(parts) != 3 or parts[0] != "aws":
        return False
    return parts[1].split("/")[0] in DATA_MODULES and bool(STORE_CLASS.search(parts[2]))


def unknown_data_store_types(s) -> Iterator[tuple[str | None, str]]:
    seen: set[str] = set()
    for res in s.resources:
        if res.type in seen or res.type in DATA_STORES or not looks_like_data_store(res.type):
            continue
        seen.add(res.type)
        yield res.urn, (f"{res.type} looks like a data store the DST-01 table does not know: add it to "
                        "data_stores.DATA_STORES with the inputs that prove encryption, non-public access and backups")


RULES = [
    ResourceRule(
        id="DST-01", name="dst-01-data-stores-protected",
        title="Every data store is encrypted at rest and in transit, not public and backed up",
        description="One table (data_stores.DATA_STORES) lists every pulumi-aws data-store type - RDS/Aurora, "
                    "DynamoDB, DAX, DocumentDB, Neptune, Redshift (+ Serverless), OpenSearch/Elasticsearch, "
                    "ElastiCache, MemoryDB, EFS, FSx, MSK, Kinesis, Firehose, SQS, SNS, Timestream, Keyspaces, S3, "
                    "EBS, Backup vaults, Glue catalogs, CloudWatch log groups - with the inputs that prove "
                    "encryption at rest (a CMK where the service takes one), encryption in transit, non-public "
                    "access and backups or point-in-time recovery. Types an older rule judges name it (column "
                    "`covered`) and are not checked twice.",
        refs="SH EFS.1, MSK.1, Opensearch.1-3, Redshift.1, .3, .10, DynamoDB.2, Kinesis.1, SNS.1, DocumentDB.1-2, "
             "Neptune.1, .5, ElastiCache.5; CKV_AWS_42, _81, _5, _6, _83, _84, _87, _64, _28, _119, _43, _26, _74, "
             "_44, _182",
        types=CHECKED, checks=(data_store_protected,),
        cases=(
            Case({"creationToken": "fs"}, type=EFS, violates=True),
            Case({"encrypted": True, "kmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/k"}, type=EFS, violates=False),
            Case({"clusterName": "m", "encryptionInfo": {"encryptionAtRestKmsKeyArn": "arn:k", "encryptionInTransit": {
                "clientBroker": "TLS_PLAINTEXT"}}}, type=MSK_CLUSTER, violates=True, note="clients in clear"),
            Case({"clusterName": "m", "encryptionInfo": {"encryptionAtRestKmsKeyArn": "arn:k"}}, type=MSK_CLUSTER,
                 violates=False),
            Case({"domainName": "d", "encryptAtRest": {"enabled": False}}, type=DOMAIN, violates=True),
            Case({"domainName": "d", "encryptAtRest": {"enabled": True}, "nodeToNodeEncryption": {"enabled": True},
                  "domainEndpointOptions": {"enforceHttps": True}, "vpcOptions": {"subnetIds": ["subnet-1"]}},
                 type=DOMAIN, violates=False),
            Case({"clusterIdentifier": "r", "encrypted": True, "kmsKeyId": "arn:k", "publiclyAccessible": True},
                 type=REDSHIFT_CLUSTER, violates=True, note="publicly accessible"),
            Case({"clusterIdentifier": "r", "encrypted": True, "kmsKeyId": "arn:k"}, type=REDSHIFT_CLUSTER,
                 violates=False),
            Case({"name": "t", "hashKey": "id"}, type=DYNAMODB_TABLE, violates=True),
            Case({"name": "t", "serverSideEncryption": {"enabled": True, "kmsKeyArn": "arn:k"},
                  "pointInTimeRecovery": {"enabled": True}}, type=DYNAMODB_TABLE, violates=False),
            Case({"name": "s", "shardCount": 1}, type=KINESIS_STREAM, violates=True),
            Case({"name": "t"}, type=SNS_TOPIC, violates=True),
            Case({"name": "t", "kmsMasterKeyId": "alias/app"}, type=SNS_TOPIC, violates=False),
        ),
    ),
    StackRule(
        id="DST-02", name="dst-02-data-store-types-known",
        title="Data-store-like types in the plan are in the DST-01 table",
        description="A resource whose type looks like a data store (a data module - rds, dynamodb, s3, qldb... - and "
                    "a store class name - Cluster, Table, Bucket, Ledger...) that data_stores.DATA_STORES does not "
                    "list is reported, so the table grows instead of a new store passing unjudged. Advisory.",
        refs="issue 23 (data stores, one table)",
        checks=(unknown_data_store_types,), level=ADVISORY,
        cases=(
            StackCase((CaseResource("aws:qldb/ledger:Ledger", "ledger", {"name": "l"}),), violates=True),
            StackCase((CaseResource(EFS, "fs", {"encrypted": True}),
                       CaseResource("aws:rds/subnetGroup:SubnetGroup", "subnets", {"subnetIds": ["s"]})),
                      violates=False, note="a known store and a non-store of a data module"),
        ),
    ),
]
