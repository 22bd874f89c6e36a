"""Workloads data tier: Aurora MySQL, Redis, SQS and the workload KMS keys, for dev and prod.

X-04 in practice: the data stores' security groups admit traffic only by security-group reference from the
application-tier security group of the same account, never from a CIDR. Each component planned alone from small
typed args (workloads_harness.stack_plan); the composite's DR keys and outputs through workloads_harness.workloads_plan.
"""

from __future__ import annotations

import pytest
from workloads_harness import REPO_ROOT, app_sg, doc, named, secret_value, workloads_plan
from workloads_harness import by_prefix as of_type
from workloads_harness import stack_plan as plan

from components.workloads.aurora import LOG_EXPORTS, PROD_MIN_BACKUP_DAYS
from components.workloads.aurora_global import ROTATION_APPLICATION
from components.workloads.data_hosts import LISTENER_CONFIG, user_data
from landing_zone.config import ConfigError, load_stack, namespaced, parse, read_stack_file, stack_file

STACKS = ["dev", "prod"]
RDS = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
REDIS = "aws:elasticache/replicationGroup:ReplicationGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"


def cfg(stack):
    return load_stack(stack, REPO_ROOT)


def account_of(resource):
    return resource["name"].split("-ap-")[0]


def home_clusters(p):
    return [c for c in of_type(p, RDS) if "-ap-south-1-" in c["name"]]


@pytest.mark.parametrize("stack", STACKS)
def test_aurora_is_encrypted_with_a_secret_and_protected(stack):
    p, config = plan(stack), cfg(stack)
    clusters = home_clusters(p)
    assert {account_of(c) for c in clusters} == {a.name for a in config.accounts if a.workloads.aurora}
    for cluster in clusters:
        inputs = cluster["inputs"]
        assert inputs["engine"] == "aurora-mysql"
        assert inputs["storageEncrypted"] is True and inputs["kmsKeyId"].startswith("arn:aws:kms:")
        if "globalClusterIdentifier" in inputs:  # RDS refuses managed passwords in a global database
            assert "manageMasterUserPassword" not in inputs
            assert secret_value(inputs["masterPasswordWo"]) and inputs["masterPasswordWoVersion"] == 1
        else:
            assert inputs["manageMasterUserPassword"] is True and inputs["masterUserSecretKmsKeyId"] == inputs["kmsKeyId"]
        assert "masterPassword" not in inputs
        assert inputs["iamDatabaseAuthenticationEnabled"] is True
        assert inputs["deletionProtection"] is True and inputs["copyTagsToSnapshot"] is True
        assert sorted(inputs["enabledCloudwatchLogsExports"]) == sorted(LOG_EXPORTS)
        assert cluster["protect"] is True
        account = config.account(account_of(cluster))
        if account.environment == "prod":
            assert inputs["backupRetentionPeriod"] >= PROD_MIN_BACKUP_DAYS
        else:
            assert inputs["backupRetentionPeriod"] == account.workloads.aurora.backup_retention_days


@pytest.mark.parametrize("stack", STACKS)
def test_aurora_parameter_group_requires_tls_and_audits(stack):
    for group in of_type(plan(stack), "aws:rds/clusterParameterGroup:ClusterParameterGroup"):
        params = {x["name"]: x["value"] for x in group["inputs"]["parameters"]}
        assert params["require_secure_transport"] == "ON"
        assert params["server_audit_logging"] == "1"
        assert group["inputs"]["family"] == "aurora-mysql8.0"


@pytest.mark.parametrize("stack", STACKS)
def test_aurora_instances_are_private_and_spread_over_azs(stack):
    p, config = plan(stack), cfg(stack)
    for cluster in home_clusters(p):
        account = account_of(cluster)
        instances = [i for i in of_type(p, INSTANCE, account) if "-ap-south-1-" in i["name"]]
        assert len(instances) == 1 + config.account(account).workloads.aurora.readers
        assert all(i["inputs"]["publiclyAccessible"] is False for i in instances)
        azs = [i["inputs"]["availabilityZone"] for i in instances]
        assert len(set(azs)) == len(azs), f"{account}: writer and readers share an AZ: {azs}"
        writer = next(i for i in instances if i["name"].endswith("-writer"))
        assert writer["inputs"]["promotionTier"] == 0


@pytest.mark.parametrize("stack", STACKS)
def test_aurora_subnet_group_is_the_data_tier(stack):
    p = plan(stack)
    for group in of_type(p, "aws:rds/subnetGroup:SubnetGroup"):
        assert group["inputs"]["subnetIds"]
        assert "data tier" in group["inputs"]["description"]


@pytest.mark.parametrize("stack", STACKS)
def test_data_stores_admit_only_the_app_security_group(stack):
    p = plan(stack)
    rules = [r for r in of_type(p, SG_RULE) if r["name"].endswith(("-aurora-from-app", "-redis-from-app"))]
    assert rules
    for rule in rules:
        inputs = rule["inputs"]
        assert inputs["type"] == "ingress" and inputs["description"]
        assert inputs["sourceSecurityGroupId"] == app_sg(account_of(rule))
        assert "cidrBlocks" not in inputs and "ipv6CidrBlocks" not in inputs
        assert inputs["fromPort"] == inputs["toPort"] in (3306, 6379)
    for sg in of_type(p, SG):
        if sg["name"].endswith(("-aurora-sg", "-redis-sg")):
            assert not sg["inputs"].get("ingress"), "no inline ingress on data-tier groups"


def test_prod_aurora_dr_is_a_global_database_secondary_after_the_primary_writer():
    p = plan("prod")
    (secondary,) = [c for c in of_type(p, RDS) if "-ap-south-2-" in c["name"]]
    assert account_of(secondary) == "prod-apps"
    inputs = secondary["inputs"]
    (global_cluster,) = of_type(p, "aws:rds/globalCluster:GlobalCluster")
    primary = named(p, "prod-apps-ap-south-1-aurora-cluster")
    writer = named(p, "prod-apps-ap-south-1-aurora-writer")
    assert inputs["globalClusterIdentifier"] == primary["inputs"]["globalClusterIdentifier"] == global_cluster["id"]
    assert global_cluster["urn"] in primary["dependencies"]
    # a global database takes a secondary only once the primary has a writer instance
    assert {primary["urn"], writer["urn"]} <= set(secondary["dependencies"])
    assert "replicationSourceIdentifier" not in inputs and "sourceRegion" not in inputs
    assert not {"masterUsername", "masterPasswordWo", "manageMasterUserPassword", "databaseName"} & set(inputs)
    assert inputs["storageEncrypted"] is True and ":ap-south-2:" in inputs["kmsKeyId"]
    assert inputs["deletionProtection"] is True and secondary["protect"] is True
    assert inputs["iamDatabaseAuthenticationEnabled"] is True  # issue 12: the DR cluster too
    assert global_cluster["inputs"]["storageEncrypted"] is True and global_cluster["protect"] is True
    assert secondary["options"]["ignoreChanges"] == ["replicationSourceIdentifier"]  # RDS sets it on joining
    assert not [c for c in of_type(plan("dev"), RDS) if "-ap-south-2-" in c["name"]]  # dev: no dr_replica
    assert not of_type(plan("dev"), "aws:rds/globalCluster:GlobalCluster")


def test_global_database_master_secret_is_replicated_and_rotated_after_the_writer():
    p = plan("prod")
    (secret,) = of_type(p, "aws:secretsmanager/secret:Secret", "prod-apps-ap-south-1-aurora")
    primary = named(p, "prod-apps-ap-south-1-aurora-cluster")
    assert secret["inputs"]["kmsKeyId"] == primary["inputs"]["kmsKeyId"]
    (replica,) = secret["inputs"]["replicas"]
    assert replica["region"] == "ap-south-2" and ":ap-south-2:" in replica["kmsKeyId"]
    version = named(p, "prod-apps-ap-south-1-aurora-master-secret-value")
    value = doc(secret_value(version["inputs"]["secretStringWo"]))
    assert value["engine"] == "mysql" and value["username"] == primary["inputs"]["masterUsername"]
    assert value["password"] == secret_value(primary["inputs"]["masterPasswordWo"])  # one bootstrap password
    assert "secretString" not in version["inputs"]
    rotation = named(p, "prod-apps-ap-south-1-aurora-master-rotation")
    assert rotation["inputs"]["rotateImmediately"] is True
    assert rotation["inputs"]["rotationRules"]["automaticallyAfterDays"] <= 30
    stack = named(p, "prod-apps-ap-south-1-aurora-rotation")
    assert stack["inputs"]["applicationId"] == ROTATION_APPLICATION
    assert rotation["inputs"]["rotationLambdaArn"].endswith(":function:" + stack["inputs"]["parameters"]["functionName"])
    writer = named(p, "prod-apps-ap-south-1-aurora-writer")
    assert {version["urn"], writer["urn"], stack["urn"]} <= set(rotation["dependencies"])
    # the rotation function reaches the cluster on 3306 only through its own security group
    rule = named(p, "prod-apps-ap-south-1-aurora-from-rotation")
    assert rule["inputs"]["sourceSecurityGroupId"] == named(p, "prod-apps-ap-south-1-aurora-rotation-sg")["id"]
    # clusters without DR keep the RDS-managed secret: no extra secret there
    assert not of_type(p, "aws:secretsmanager/secret:Secret", "nonprod-apps-ap-south-1-aurora")


@pytest.mark.parametrize("stack", STACKS)
def test_aurora_instances_have_enhanced_monitoring_after_the_role_policy(stack):
    p = plan(stack)
    instances = of_type(p, INSTANCE)
    assert instances
    for instance in instances:
        account = account_of(instance)
        attachment = named(p, f"{account}-ap-south-1-aurora-monitoring-policy")
        role = named(p, f"{account}-ap-south-1-aurora-monitoring-role")
        assert instance["inputs"]["monitoringInterval"] == 60
        assert instance["inputs"]["monitoringRoleArn"] == role["outputs"]["arn"]
        assert attachment["urn"] in instance["dependencies"], "CreateDBInstance checks the monitoring role"
        assert attachment["inputs"]["policyArn"].endswith(":iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole")
        trust = doc(role["inputs"]["assumeRolePolicy"])["Statement"][0]
        assert trust["Principal"] == {"Service": "monitoring.rds.amazonaws.com"}


@pytest.mark.parametrize("stack", STACKS)
def test_redis_is_encrypted_authenticated_and_failover_ready(stack):
    p, config = plan(stack), cfg(stack)
    groups = of_type(p, REDIS)
    assert {account_of(g) for g in groups} == {a.name for a in config.accounts if a.workloads.redis}
    for group in groups:
        inputs = group["inputs"]
        spec = config.account(account_of(group)).workloads.redis
        assert inputs["atRestEncryptionEnabled"] == "true" and inputs["kmsKeyId"].startswith("arn:aws:kms:")
        assert inputs["transitEncryptionEnabled"] is True
        assert len(secret_value(inputs["authToken"])) >= 16
        assert inputs["snapshotRetentionLimit"] == spec.snapshot_retention_days >= 15  # the backup floor
        assert inputs["numCacheClusters"] == 1 + spec.replicas
        assert inputs["automaticFailoverEnabled"] is (spec.replicas > 0) is inputs["multiAzEnabled"]
        secret = named(p, f"{account_of(group)}-ap-south-1-redis-auth")
        assert secret["inputs"]["kmsKeyId"].startswith("arn:aws:kms:")
        version = named(p, f"{account_of(group)}-ap-south-1-redis-auth-value")
        assert secret_value(version["inputs"]["secretString"]) == secret_value(inputs["authToken"])


@pytest.mark.parametrize("stack", STACKS)
def test_queues_have_kms_and_a_dead_letter_queue(stack):
    p, config = plan(stack), cfg(stack)
    expected = {(a.name, q.name): q for a in config.accounts for q in a.workloads.queues}
    queues = of_type(p, "aws:sqs/queue:Queue")
    assert len(queues) == 2 * len(expected)
    arns = {q["outputs"]["arn"]: q for q in queues}
    for queue in queues:
        assert queue["inputs"]["kmsMasterKeyId"].startswith("arn:aws:kms:")
        if queue["name"].endswith("-dlq"):
            continue
        spec = expected[(account_of(queue), queue["name"].split("-sqs-")[1])]
        redrive = doc(queue["inputs"]["redrivePolicy"])
        assert redrive["maxReceiveCount"] == spec.max_receive_count
        assert arns[redrive["deadLetterTargetArn"]]["name"] == queue["name"] + "-dlq"


@pytest.mark.parametrize("stack", STACKS)
def test_workload_keys_rotate_and_never_trust_everyone_unconditionally(stack):
    keys = [k for k in of_type(plan(stack), "aws:kms/key:Key") if "-key" in k["name"]]
    assert keys
    for key in keys:
        assert key["inputs"]["enableKeyRotation"] is True and key["protect"] is True
        for statement in doc(key["inputs"]["policy"])["Statement"]:
            if statement.get("Principal") in ("*", {"AWS": "*"}):
                assert statement["Condition"]["StringEquals"]["kms:CallerAccount"]


@pytest.mark.parametrize("stack", STACKS)
def test_data_and_backup_keys_name_who_may_decrypt_and_only_the_pipeline_administers(stack):
    """Issue 12: a key policy must not let every principal of the account decrypt through a dozen services."""
    keys = [k for k in of_type(plan(stack), "aws:kms/key:Key") if k["name"].endswith(("-data-key", "-backup-key"))]
    assert keys
    for key in keys:
        account = account_of(key)
        statements = doc(key["inputs"]["policy"])["Statement"]
        by_sid = {s["Sid"]: s for s in statements}
        admin = by_sid["PipelineAdministration"]
        account_id = admin["Principal"]["AWS"].split(":")[4]
        assert admin["Condition"] == {"ArnEquals": {
            "aws:PrincipalArn": f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"}}
        assert not {"kms:Decrypt", "kms:Encrypt", "kms:*"} & set(admin["Action"])  # administering is not reading
        assert "kms:PutKeyPolicy" in admin["Action"]  # or the pipeline locks itself out
        use = by_sid["UseThroughAwsServicesByNamedPrincipals"]
        assert use["Condition"]["ArnLike"]["aws:PrincipalArn"] == [
            f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
            f"arn:aws:iam::{account_id}:role/{account}-*",
            f"arn:aws:iam::{account_id}:role/aws-service-role/*"]
        assert use["Condition"]["StringEquals"]["kms:CallerAccount"] == account_id
        for statement in statements:  # nothing else reaches the data: no kms:* for the account, no bare "*"
            decrypts = {"kms:Decrypt", "kms:*"} & set(statement["Action"])
            if decrypts and "AWS" in statement["Principal"]:
                assert "aws:PrincipalArn" in str(statement["Condition"]), statement["Sid"]


def test_dr_keys_only_where_dr_is_used():
    p = workloads_plan("prod")
    dr_keys = {account_of(k) for k in of_type(p, "aws:kms/key:Key") if "-ap-south-2-" in k["name"]}
    assert dr_keys == {"prod-apps", "prod-data"}  # aurora replica / backup copy: prod accounts only


def test_contract_exports_for_app_teams():
    exported = workloads_plan("prod")["outputs"]["workloads"]
    apps = exported["prod-apps"]
    assert set(apps["queueUrls"]) == {"loan-events", "notifications"}
    assert apps["auroraMasterUserSecretArn"].startswith("arn:aws:secretsmanager:")
    # prod-apps runs a global database: app teams get the replicated, rotated secret, not an RDS-managed one
    assert apps["auroraMasterUserSecretArn"] == named(workloads_plan("prod"), "prod-apps-ap-south-1-aurora-master-secret")["id"]
    assert apps["auroraWriterEndpoint"] != apps["auroraReaderEndpoint"]
    assert set(apps["ecrRepositoryUrls"]) == {"los-api", "lms-api", "web"}
    assert {"data", "logs", "backup", "dr-data", "dr-backup"} <= set(apps["kmsKeyArns"])


# --- data hosts: TLS listeners only (issue 12) ---------------------------------------------------------------------
PLAINTEXT = {"kafka": [9092], "cassandra": [7000, 9042, 7199]}  # PLAINTEXT broker, clear gossip/CQL, remote JMX
EC2 = "aws:ec2/instance:Instance"


def _ports(rules):
    return {port for r in rules for port in range(r["fromPort"], r["toPort"] + 1)}


@pytest.mark.parametrize("stack", STACKS)
def test_data_hosts_open_only_tls_ports_and_configure_the_same_listeners(stack):
    p = plan(stack)
    groups = [g for g in of_type(p, SG) if g["name"].endswith(("-kafka-sg", "-cassandra-sg", "-mongodb-sg",
                                                               "-elasticsearch-sg"))]
    assert {g["name"].rsplit("-", 2)[-2] for g in groups} >= {"kafka", "cassandra"}
    for group in groups:
        role = group["name"].rsplit("-", 2)[-2]
        opened = _ports(group["inputs"]["ingress"]) | _ports(group["inputs"]["egress"]) - {443}
        assert not opened & set(PLAINTEXT.get(role, [])), f"{group['name']} opens a plaintext port"
        _, config = LISTENER_CONFIG[role]
        for port in opened:  # every port the group opens is a listener the host configures with TLS
            assert str(port) in config, f"{group['name']}: port {port} is not a configured TLS listener"
    hosts = [h for h in of_type(p, EC2) if h["inputs"]["tags"].get("role") in LISTENER_CONFIG]
    assert hosts
    for host in hosts:
        assert host["inputs"]["userData"] == user_data(host["inputs"]["tags"]["role"], "amazon-linux")


def test_listener_configuration_is_tls_only():
    kafka = LISTENER_CONFIG["kafka"][1]
    assert "PLAINTEXT" not in kafka and "9092" not in kafka
    assert "listener.security.protocol.map=CLIENT:SASL_SSL,CONTROLLER:SSL,REPLICATION:SSL" in kafka
    cassandra = LISTENER_CONFIG["cassandra"][1]
    assert "internode_encryption: all" in cassandra and cassandra.count("optional: false") == 2
    assert "native_transport_port: 9142" in cassandra and "storage_port: 7001" in cassandra
    assert "mode: requireTLS" in LISTENER_CONFIG["mongodb"][1]
    assert "xpack.security.http.ssl.enabled: true" in LISTENER_CONFIG["elasticsearch"][1]
    script = user_data("kafka", "amazon-linux")
    assert script.startswith("#!/bin/bash") and LISTENER_CONFIG["kafka"][0] in script


# --- Redis AUTH secret rotation (DAT-07) ------------------------------------------------------------------------
SECRET = "aws:secretsmanager/secret:Secret"
ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"


@pytest.mark.parametrize("stack", STACKS)
def test_every_secret_the_program_creates_rotates_within_90_days_through_its_own_function(stack):
    p = plan(stack)
    secrets = of_type(p, SECRET)
    assert secrets
    rotations = {r["inputs"]["secretId"]: r["inputs"] for r in of_type(p, ROTATION)}
    functions = {f["outputs"]["arn"]: f for f in of_type(p, "aws:lambda/function:Function")}
    permissions = {r["inputs"]["function"]: r["inputs"] for r in of_type(p, "aws:lambda/permission:Permission")}
    for secret in secrets:
        rotation = rotations[secret["id"]]
        assert rotation["rotationRules"]["automaticallyAfterDays"] <= 90
        if secret["name"].endswith("-aurora-master-secret"):
            continue  # rotated by AWS's RDS rotation application (test_aurora_* below)
        function = functions[rotation["rotationLambdaArn"]]
        # Secrets Manager may invoke the function for this secret only
        assert permissions[function["inputs"]["name"]]["sourceArn"] == secret["outputs"]["arn"]
        (policy,) = [r for r in of_type(p, "aws:iam/rolePolicy:RolePolicy") if r["inputs"]["role"] == function["inputs"]["role"].split("/")[-1]]
        by_sid = {s["Sid"]: s for s in doc(policy["inputs"]["policy"])["Statement"]}
        assert by_sid["RotateThisSecret"]["Resource"] == secret["outputs"]["arn"]
        group = function["inputs"]["environment"]["variables"]["REPLICATION_GROUP_ID"]
        assert by_sid["SetTokenOnThisGroup"]["Resource"].endswith(f":replicationgroup:{group}")


def test_a_global_database_on_a_burstable_class_is_refused():
    values = namespaced(read_stack_file(stack_file("prod", REPO_ROOT)))
    prod_apps = next(a for a in values["accounts"] if a["name"] == "prod-apps")
    prod_apps["workloads"]["aurora"]["instance_class"] = "db.t4g.medium"
    with pytest.raises(ConfigError) as err:
        parse(values)
    assert ("accounts[3].workloads.aurora.instance_class: db.t4g.medium is burstable; an Aurora global database "
            "(dr_replica) needs a memory-optimized class such as db.r6g.large") in err.value.errors
