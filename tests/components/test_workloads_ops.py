"""Data hosts, backup, patching and monitoring under the shared recording mocks, for dev and prod."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import workloads_harness as h

from components.workloads import ecs
from components.workloads.data_hosts import ROLE_PORTS, DataHosts, DataHostsArgs
from components.workloads.monitoring import Monitoring, MonitoringArgs
from landing_zone.config import load_stack
from landing_zone.mocks import fake_account_id
from landing_zone.models import AdminPorts, DataHost
from landing_zone.models import Monitoring as MonitoringConfig
from landing_zone.plan_file import dumps_plan
from landing_zone.plan_index import index_by_urn
from landing_zone.ports import DEFAULT_ADMIN_PORTS

STACKS = ("dev", "prod")
INSTANCE = "aws:ec2/instance:Instance"
VOLUME = "aws:ebs/volume:Volume"
SG = "aws:ec2/securityGroup:SecurityGroup"


def accounts(stack: str, block: str) -> dict:
    cfg = load_stack(stack, h.REPO_ROOT)
    return {a.name: a for a in cfg.accounts if getattr(a.workloads, block)}


def provider_region(plan: dict, resource: dict) -> str:
    provider = index_by_urn(plan)[resource["provider"].rsplit("::", 1)[0]]
    return provider["inputs"]["region"]


# --- data hosts -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_data_hosts_count_spread_and_private(stack):
    plan = h.stack_plan(stack)
    for name, account in accounts(stack, "data_hosts").items():
        instances = h.of_type(plan, INSTANCE, name)
        assert len(instances) == sum(host.count for host in account.workloads.data_hosts)
        azs = account.vpcs["ap-south-1"].azs
        for host in account.workloads.data_hosts:
            role = [r["inputs"] for r in instances if r["inputs"]["tags"]["role"] == host.role]
            assert len(role) == host.count
            assert len({i["subnetId"] for i in role}) == min(host.count, azs), "members spread across the AZs"
            assert all(i["subnetId"].startswith(f"subnet-{name}-data-") for i in role)
            assert all(i["instanceType"] == host.instance_type for i in role)
        for i in (r["inputs"] for r in instances):
            assert i.get("associatePublicIpAddress") is False


@pytest.mark.parametrize("stack", STACKS)
def test_data_hosts_imdsv2_profile_and_encrypted_root(stack):
    plan = h.stack_plan(stack)
    for name in accounts(stack, "data_hosts"):
        profiles = {r["outputs"]["name"] for r in h.of_type(plan, "aws:iam/instanceProfile:InstanceProfile", name)}
        for i in (r["inputs"] for r in h.of_type(plan, INSTANCE, name)):
            assert i["metadataOptions"]["httpTokens"] == "required"
            assert i["metadataOptions"]["httpPutResponseHopLimit"] == 1
            assert i["iamInstanceProfile"] in profiles
            assert i["rootBlockDevice"]["encrypted"] is True
            assert i["rootBlockDevice"]["kmsKeyId"] == h.key_arn(fake_account_id(name), "ap-south-1", "data")
            assert i["tags"]["Patch Group"] in ("amazon-linux", "ubuntu", "windows")
            assert i["tags"]["backup"] == "daily"
        attached = {p["inputs"]["policyArn"].rsplit("/", 1)[1] for p in
                    h.of_type(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name)
                    if "data-hosts" in p["name"]}
        assert attached == {"AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy"}


@pytest.mark.parametrize("stack", STACKS)
def test_each_host_has_a_separate_encrypted_data_volume(stack):
    plan = h.stack_plan(stack)
    for name, account in accounts(stack, "data_hosts").items():
        volumes = {r["id"]: r["inputs"] for r in h.of_type(plan, VOLUME, name)}
        instances = {r["id"]: r["inputs"] for r in h.of_type(plan, INSTANCE, name)}
        attachments = [r["inputs"] for r in h.of_type(plan, "aws:ec2/volumeAttachment:VolumeAttachment", name)]
        assert len(volumes) == len(instances) == len(attachments)
        assert {a["instanceId"] for a in attachments} == set(instances)
        assert {a["volumeId"] for a in attachments} == set(volumes)
        by_role = {host.role: host for host in account.workloads.data_hosts}
        for volume in volumes.values():
            host = by_role[volume["tags"]["role"]]
            assert volume["encrypted"] is True and volume["kmsKeyId"].startswith("arn:aws:kms:")
            assert volume["size"] == host.data_volume_gb and volume["type"] == host.volume_type
            assert volume["tags"]["backup"] == "daily"


@pytest.mark.parametrize("stack", STACKS)
def test_role_security_groups_admit_clients_only_from_the_app_tier(stack):
    plan = h.stack_plan(stack)
    for name, account in accounts(stack, "data_hosts").items():
        groups = {r["name"]: r["inputs"] for r in h.of_type(plan, SG, name)}
        for host in account.workloads.data_hosts:
            sg = groups[f"{name}-ap-south-1-{host.role}-sg"]
            client = [rule for rule in sg["ingress"] if rule.get("securityGroups")]
            cluster = [rule for rule in sg["ingress"] if rule.get("self")]
            assert {rule["fromPort"] for rule in client} == {p if isinstance(p, int) else p[0] for p in ROLE_PORTS[host.role].client}
            assert all(rule["securityGroups"] == [f"sg-{name}-app"] for rule in client)
            assert len(client) + len(cluster) == len(sg["ingress"]), "no CIDR ingress on a data-tier group"
            assert all(rule["description"] for rule in sg["ingress"] + sg["egress"])
            assert not any(rule["fromPort"] == 0 and rule["toPort"] == 65535 for rule in sg["egress"])
        admin = groups[f"{name}-ap-south-1-data-hosts-admin-sg"]["ingress"]
        network = load_stack(stack, h.REPO_ROOT).network
        assert [(r["fromPort"], r["cidrBlocks"]) for r in admin] == [(network.admin_ports.ssh, [network.client_vpn.cidr])]
        assert network.admin_ports.ssh != 22  # the stacks move SSH (the seeds)


def _hosts_program(hosts: list[DataHost], admin_sg: str | None = None, admin_cidr: str | None = "172.16.0.0/22",
                   admin_ports: AdminPorts = DEFAULT_ADMIN_PORTS):
    def build() -> None:
        cfg = load_stack("dev", h.REPO_ROOT)
        account_cfg = cfg.account("nonprod-data")
        account_id = fake_account_id(account_cfg.name)
        account = h.AccountContext.from_account_id(account_cfg, account_id, cfg.organization, cfg.regions)
        vpc = h.vpc_handle(account, "ap-south-1", 3, admin_sg=admin_sg)
        DataHosts("nonprod-data-ap-south-1-data-hosts", DataHostsArgs(
            account=account, region="ap-south-1", vpc=vpc, hosts=tuple(hosts), app_security_group_id="sg-app",
            data_key_arn=h.key_arn(account, "ap-south-1", "data"), admin_cidr=admin_cidr, admin_ports=admin_ports))
    return build


def test_windows_hosts_get_rdp_from_the_vpn_only_and_a_windows_ami():
    plan = h.run(_hosts_program([DataHost(role="elasticsearch", count=2, os="windows")]))
    (admin,) = [r["inputs"] for r in h.of_type(plan, SG) if r["name"].endswith("admin-sg")]
    assert [(r["fromPort"], r["cidrBlocks"]) for r in admin["ingress"]] == [(3389, ["172.16.0.0/22"])]
    assert {i["inputs"]["tags"]["Patch Group"] for i in h.of_type(plan, INSTANCE)} == {"windows"}


CUSTOM_PORTS = AdminPorts(ssh=2222, rdp=13389)
ASSOCIATION = "aws:ssm/association:Association"


def test_custom_admin_ports_reach_the_security_group_and_the_hosts_own_listeners():
    plan = h.run(_hosts_program([DataHost(role="kafka", count=2), DataHost(role="elasticsearch", os="windows")],
                                admin_ports=CUSTOM_PORTS))
    (admin,) = [r["inputs"] for r in h.of_type(plan, SG) if r["name"].endswith("admin-sg")]
    assert sorted((r["fromPort"], r["description"].split()[0]) for r in admin["ingress"]) == [
        (2222, "SSH"), (13389, "RDP")]
    instances = {r["inputs"]["tags"]["role"]: [] for r in h.of_type(plan, INSTANCE)}
    for r in h.of_type(plan, INSTANCE):
        instances[r["inputs"]["tags"]["role"]].append(r["id"])
    associations = {a["inputs"]["name"]: a["inputs"] for a in h.of_type(plan, ASSOCIATION)}
    linux, windows = associations["AWS-RunShellScript"], associations["AWS-RunPowerShellScript"]
    assert "Port 2222" in linux["parameters"]["commands"] and "sshd -t" in linux["parameters"]["commands"]
    assert linux["targets"] == [{"key": "InstanceIds", "values": instances["kafka"]}]
    script = windows["parameters"]["commands"]
    assert "RDP-Tcp' -Name PortNumber -Value 13389" in script and "-LocalPort 13389" in script
    assert windows["targets"] == [{"key": "InstanceIds", "values": instances["elasticsearch"]}]


def test_default_admin_ports_leave_the_hosts_listeners_alone():
    plan = h.run(_hosts_program([DataHost(role="kafka"), DataHost(role="mongodb", os="windows")]))
    assert h.of_type(plan, ASSOCIATION) == []


def test_network_admin_group_replaces_the_cidr_rule():
    plan = h.run(_hosts_program([DataHost(role="kafka", count=4)], admin_sg="sg-vpn-admin"))
    assert not [r for r in h.of_type(plan, SG) if r["name"].endswith("admin-sg")]
    instances = [r["inputs"] for r in h.of_type(plan, INSTANCE)]
    assert all("sg-vpn-admin" in i["vpcSecurityGroupIds"] for i in instances)
    assert len({i["subnetId"] for i in instances}) == 3


def test_no_admin_range_means_no_admin_port():
    plan = h.run(_hosts_program([DataHost(role="mongodb", count=1)], admin_cidr=None))
    for sg in h.of_type(plan, SG):
        assert all(rule["fromPort"] not in (22, 3389) for rule in sg["inputs"]["ingress"])


def test_duplicate_roles_are_a_clear_error():
    with pytest.raises(Exception, match=r"data_hosts: role kafka is listed twice"):
        h.run(_hosts_program([DataHost(role="kafka"), DataHost(role="kafka")]))


# --- backup ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_backup_plan_retention_vault_lock_and_dr_copy_by_environment(stack):
    plan = h.stack_plan(stack)
    for name, account in accounts(stack, "backup").items():
        prod = account.environment == "prod"
        (backup_plan,) = h.of_type(plan, "aws:backup/plan:Plan", name)
        (rule,) = backup_plan["inputs"]["rules"]
        assert rule["lifecycle"]["deleteAfter"] == account.workloads.backup.retention_days >= 15
        assert rule["schedule"] == account.workloads.backup.schedule
        vaults = h.of_type(plan, "aws:backup/vault:Vault", name)
        assert all(v["inputs"]["kmsKeyArn"].startswith("arn:aws:kms:") for v in vaults)
        locks = h.of_type(plan, "aws:backup/vaultLockConfiguration:VaultLockConfiguration", name)
        assert bool(locks) is prod
        assert all(lock["inputs"]["minRetentionDays"] <= rule["lifecycle"]["deleteAfter"] for lock in locks)
        if prod:
            (copy,) = rule["copyActions"]
            (dr_vault,) = [v for v in vaults if v["outputs"]["arn"] == copy["destinationVaultArn"]]
            assert provider_region(plan, dr_vault) == "ap-south-2"
            assert copy["lifecycle"]["deleteAfter"] == 15
        else:
            assert rule["copyActions"] == [] and len(vaults) == 1


@pytest.mark.parametrize("stack", STACKS)
def test_backup_selection_covers_data_volumes_by_tag_and_arn(stack):
    plan = h.stack_plan(stack)
    for name in accounts(stack, "backup"):
        (selection,) = h.of_type(plan, "aws:backup/selection:Selection", name)
        assert selection["inputs"]["selectionTags"] == [{"type": "STRINGEQUALS", "key": "backup", "value": "daily"}]
        volumes = {v["outputs"]["arn"] for v in h.of_type(plan, VOLUME, name)}
        assert volumes <= set(selection["inputs"]["resources"])
        role = [r for r in h.of_type(plan, "aws:iam/role:Role", name) if r["outputs"]["arn"] == selection["inputs"]["iamRoleArn"]]
        assert "backup.amazonaws.com" in role[0]["inputs"]["assumeRolePolicy"]
        # AWS Backup assumes the role for every job: the selection waits until its policies are attached
        attachments = [a for a in h.of_type(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name)
                       if a["inputs"]["role"] == role[0]["outputs"]["name"]]
        assert len(attachments) == 4 and {a["urn"] for a in attachments} <= set(selection["dependencies"])
        assert any("ForS3Backup" in a["inputs"]["policyArn"] for a in attachments)


@pytest.mark.parametrize("stack", STACKS)
def test_aws_backup_for_s3_writes_the_backup_bucket_once_it_is_versioned(stack):
    plan = h.stack_plan(stack)
    names = accounts(stack, "backup")
    assert names
    for name in names:
        (selection,) = h.of_type(plan, "aws:backup/selection:Selection", name)
        (bucket,) = [b for b in h.of_type(plan, "aws:s3/bucket:Bucket", name) if b["name"].endswith("-backup-bucket")]
        assert bucket["outputs"]["arn"] in selection["inputs"]["resources"]
        (versioning,) = [v for v in h.of_type(plan, "aws:s3/bucketVersioning:BucketVersioning", name)
                         if v["inputs"]["bucket"] == bucket["id"]]
        assert versioning["urn"] in selection["dependencies"]  # AWS Backup for S3 refuses an unversioned bucket


@pytest.mark.parametrize("stack", STACKS)
def test_backup_bucket_is_versioned_encrypted_private_tls_only_and_expires(stack):
    plan = h.stack_plan(stack)
    for name, account in accounts(stack, "backup").items():
        (bucket,) = [b for b in h.of_type(plan, "aws:s3/bucket:Bucket", name) if b["name"].endswith("-backup-bucket")]
        bucket_id = bucket["id"]

        def one(kind: str, name: str = name, bucket_id: str = bucket_id) -> dict:
            found = [r["inputs"] for r in h.of_type(plan, f"aws:s3/{kind}", name) if r["inputs"]["bucket"] == bucket_id]
            assert len(found) == 1, kind
            return found[0]

        days = account.workloads.backup.retention_days
        assert one("bucketVersioning:BucketVersioning")["versioningConfiguration"]["status"] == "Enabled"
        sse = one("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        assert sse["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
        pab = one("bucketPublicAccessBlock:BucketPublicAccessBlock")
        assert all(pab[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
        (lifecycle,) = one("bucketLifecycleConfiguration:BucketLifecycleConfiguration")["rules"]
        assert lifecycle["expiration"]["days"] == days == 15
        assert lifecycle["noncurrentVersionExpiration"]["noncurrentDays"] == days
        policy = one("bucketPolicy:BucketPolicy")["policy"]
        assert '"aws:SecureTransport": "false"' in policy and '"Effect": "Deny"' in policy
        (access_logs,) = [b for b in h.of_type(plan, "aws:s3/bucket:Bucket", name) if b["name"].endswith("-backup-access-logs")]
        assert one("bucketLogging:BucketLogging")["targetBucket"] == access_logs["id"]
        assert one("bucketOwnershipControls:BucketOwnershipControls")["rule"]["objectOwnership"] == "BucketOwnerEnforced"


@pytest.mark.parametrize("stack", STACKS)
def test_backup_bucket_access_logs_stay_in_the_account_and_region_with_sse_s3(stack):
    """S3 delivers server access logs only to an SSE-S3 bucket of the source bucket's account and region."""
    plan = h.stack_plan(stack)
    for name in accounts(stack, "backup"):
        buckets = h.of_type(plan, "aws:s3/bucket:Bucket", name)
        (source,) = [b for b in buckets if b["name"].endswith("-backup-bucket")]
        (target,) = [b for b in buckets if b["name"].endswith("-backup-access-logs")]
        assert target["provider"] == source["provider"]  # same account and region
        assert target["inputs"]["tags"] == {"purpose": "access-logs"}

        def one(kind: str, name: str = name, bucket_id: str = target["id"]) -> dict:
            found = [r["inputs"] for r in h.of_type(plan, f"aws:s3/{kind}", name) if r["inputs"]["bucket"] == bucket_id]
            assert len(found) == 1, kind
            return found[0]

        sse = one("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        assert sse["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
        pab = one("bucketPublicAccessBlock:BucketPublicAccessBlock")
        assert all(pab[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
        assert one("bucketVersioning:BucketVersioning")["versioningConfiguration"]["status"] == "Enabled"
        assert one("bucketOwnershipControls:BucketOwnershipControls")["rule"]["objectOwnership"] == "BucketOwnerEnforced"
        (lifecycle,) = one("bucketLifecycleConfiguration:BucketLifecycleConfiguration")["rules"]
        assert lifecycle["expiration"]["days"] == 365
        statements = {st["Sid"]: st for st in json.loads(one("bucketPolicy:BucketPolicy")["policy"])["Statement"]}
        assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        write = statements["S3ServerAccessLogs"]
        assert write["Principal"] == {"Service": "logging.s3.amazonaws.com"}
        assert write["Condition"] == {"StringEquals": {"aws:SourceAccount": fake_account_id(name)},
                                      "ArnLike": {"aws:SourceArn": source["outputs"]["arn"]}}
        locks = h.of_type(plan, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", name)
        assert all(r["inputs"]["bucket"] != target["id"] for r in locks)  # log targets may not have a default retention


# --- patching -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_patch_baselines_groups_and_window(stack):
    plan = h.stack_plan(stack)
    for name, account in accounts(stack, "patching").items():
        baselines = {r["inputs"]["operatingSystem"]: r for r in h.of_type(plan, "aws:ssm/patchBaseline:PatchBaseline", name)}
        assert set(baselines) == {"AMAZON_LINUX_2023", "UBUNTU", "WINDOWS"}
        days = account.workloads.patching.approve_after_days
        for os in ("AMAZON_LINUX_2023", "WINDOWS"):
            assert baselines[os]["inputs"]["approvalRules"][0]["approveAfterDays"] == days
        groups = {r["inputs"]["patchGroup"]: r["inputs"]["baselineId"] for r in h.of_type(plan, "aws:ssm/patchGroup:PatchGroup", name)}
        assert groups == {"amazon-linux": baselines["AMAZON_LINUX_2023"]["id"], "ubuntu": baselines["UBUNTU"]["id"],
                          "windows": baselines["WINDOWS"]["id"]}
        (window,) = h.of_type(plan, "aws:ssm/maintenanceWindow:MaintenanceWindow", name)
        assert window["inputs"]["schedule"] == account.workloads.patching.schedule
        (target,) = h.of_type(plan, "aws:ssm/maintenanceWindowTarget:MaintenanceWindowTarget", name)
        assert target["inputs"]["targets"][0]["key"] == "tag:Patch Group"
        assert set(target["inputs"]["targets"][0]["values"]) == {"amazon-linux", *(h.os for h in account.workloads.data_hosts)}
        (task,) = h.of_type(plan, "aws:ssm/maintenanceWindowTask:MaintenanceWindowTask", name)
        assert task["inputs"]["taskArn"] == "AWS-RunPatchBaseline" and task["inputs"]["windowId"] == window["id"]
        params = {p["name"]: p["values"] for p in task["inputs"]["taskInvocationParameters"]["runCommandParameters"]["parameters"]}
        assert params["Operation"] == ["Install"]
        assert task["inputs"]["targets"] == [{"key": "WindowTargetIds", "values": [target["id"]]}]


# --- monitoring -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_every_alarm_notifies_the_encrypted_account_topic(stack):
    plan = h.workloads_plan(stack)  # the composite: every piece declares its alarms
    for name in accounts(stack, "monitoring"):
        topics = h.of_type(plan, "aws:sns/topic:Topic", name)  # one per region with Monitoring (home, DR standby)
        for topic in topics:
            region = topic["name"].removesuffix("-alarms")  # <account>-<region>: an alarm notifies its own region's
            assert topic["inputs"]["kmsMasterKeyId"].startswith(f"arn:aws:kms:{region.removeprefix(name + '-')}:")
            alarms = [a for a in h.of_type(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", name)
                      if a["name"].startswith(f"{region}-")]
            assert alarms or name == "sandbox"
            (policy,) = [p for p in h.of_type(plan, "aws:sns/topicPolicy:TopicPolicy", name) if p["name"] == topic["name"]]
            for alarm in alarms:
                assert topic["id"] in alarm["inputs"]["alarmActions"] and alarm["inputs"]["actionsEnabled"] is True
                assert policy["urn"] in alarm["dependencies"], "an alarm firing before the topic policy is lost"
        assert len(h.of_type(plan, "aws:cloudwatch/dashboard:Dashboard", name)) == len(topics) >= 1


@pytest.mark.parametrize("stack", STACKS)
def test_expected_alarms_exist_for_what_the_account_runs(stack):
    plan = h.workloads_plan(stack)  # the composite: every piece declares its alarms
    home = h.workloads_config(stack).organization.home_region  # the DR region's are in test_workloads_dr.py
    for name, account in accounts(stack, "monitoring").items():
        w = account.workloads
        metrics = [(a["inputs"]["namespace"], a["inputs"]["metricName"])
                   for a in h.of_type(plan, "aws:cloudwatch/metricAlarm:MetricAlarm", name)
                   if a["name"].startswith(f"{name}-{home}-")]
        assert (("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count") in metrics) is bool(w.edge)
        assert (("AWS/RDS", "CPUUtilization") in metrics) is bool(w.aurora)
        assert (("AWS/RDS", "FreeLocalStorage") in metrics) is bool(w.aurora)
        assert (("AWS/RDS", "AuroraReplicaLag") in metrics) is bool(w.aurora and w.aurora.readers)
        services = len(w.ecs.services) if w.ecs else 0
        assert metrics.count(("AWS/ECS", "CPUUtilization")) == metrics.count(("AWS/ECS", "MemoryUtilization")) == services
        assert (("ContainerInsights", "node_cpu_utilization") in metrics) is bool(w.eks)
        hosts = sum(host.count for host in w.data_hosts)
        assert metrics.count(("AWS/EC2", "StatusCheckFailed_Instance")) == hosts
        assert metrics.count(("AWS/EC2", "StatusCheckFailed_System")) == hosts
        workspaces = h.of_type(plan, "aws:amp/workspace:Workspace", name)
        assert len(workspaces) == int(bool(w.eks and w.eks.prometheus))
        for ws in workspaces:
            assert ws["inputs"]["kmsKeyArn"] and ws["inputs"]["loggingConfiguration"]["logGroupArn"].endswith(":*")


def test_alb_unhealthy_host_alarm_per_target_group():
    """The ECS piece asks for one unhealthy-host alarm per service behind the edge's ALB; Monitoring makes them."""
    edge = SimpleNamespace(alb_arn_suffix="app/alb/1")
    cluster = SimpleNamespace(target_group_arn_suffixes={"api": "targetgroup/api/1", "web": "targetgroup/web/2"},
                              service_names={"api": "api", "web": "web"}, cluster_name="prod-apps-ecs")
    ctx = SimpleNamespace(get=lambda name: edge if name == "edge" else None)

    def build() -> None:
        cfg = load_stack("dev", h.REPO_ROOT)
        account_cfg = cfg.account("prod-apps")
        account_id = fake_account_id(account_cfg.name)
        account = h.AccountContext.from_account_id(account_cfg, account_id, cfg.organization, cfg.regions)
        Monitoring("prod-apps-ap-south-1-monitoring", MonitoringArgs(
            account=account, region="ap-south-1", config=MonitoringConfig(dashboard=False), alarm_email=None,
            data_key_arn="arn:aws:kms:ap-south-1:1:key/k", watch=ecs.watch(ctx, cluster)))

    plan = h.run(build)
    unhealthy = [a["inputs"] for a in h.of_type(plan, "aws:cloudwatch/metricAlarm:MetricAlarm")
                 if a["inputs"]["metricName"] == "UnHealthyHostCount"]
    assert sorted(a["dimensions"]["TargetGroup"] for a in unhealthy) == ["targetgroup/api/1", "targetgroup/web/2"]
    assert {a["dimensions"]["LoadBalancer"] for a in unhealthy} == {"app/alb/1"}
    assert not h.of_type(plan, "aws:cloudwatch/dashboard:Dashboard")
    assert not h.of_type(plan, "aws:sns/topicSubscription:TopicSubscription")


def test_plans_are_deterministic():
    first = dumps_plan(h.run(lambda: h.program("dev"), "dev"))
    assert first == dumps_plan(h.stack_plan("dev"))
