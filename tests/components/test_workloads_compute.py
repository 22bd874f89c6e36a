"""Workloads compute: ECS Fargate + ECR, EKS (pulumi-eks), the app security group, and config variants.

Each component planned alone from small typed args (workloads_harness.stack_plan); what only the Workloads composite
does (the app security group, its outputs, config variants) through workloads_harness.workloads_plan.
EKS: pulumi-eks components are remote, so offline we assert the `eks:index:Cluster` / `eks:index:ManagedNodeGroup`
inputs the engine would receive and the pulumi-aws resources built around them (docs/eks-offline.md).
"""

from __future__ import annotations

import pytest
from workloads_harness import REPO_ROOT, account_names, doc, named, secret_value, workloads_plan
from workloads_harness import by_prefix as of_type
from workloads_harness import stack_plan as plan

from components.workloads.eks import IMDS_HOP_LIMIT, LOG_TYPES, strip_role_path
from landing_zone.client_vpn import client_vpn_source_cidrs
from landing_zone.config import ConfigError, load_stack, namespaced, parse, read_stack_file, stack_file
from landing_zone.mocks import fake_account_id
from landing_zone.promotion import image_writers, promotion_peers

STACKS = ["dev", "prod"]
ECS_CLUSTER = "aws:ecs/cluster:Cluster"
TASK = "aws:ecs/taskDefinition:TaskDefinition"
SERVICE = "aws:ecs/service:Service"
REPO = "aws:ecr/repository:Repository"
EKS = "eks:index:Cluster"
MNG = "eks:index:ManagedNodeGroup"
LT = "aws:ec2/launchTemplate:LaunchTemplate"


def cfg(stack):
    return load_stack(stack, REPO_ROOT)


def ecs_accounts(stack):
    return {a.name for a in cfg(stack).accounts if a.workloads.ecs}


@pytest.mark.parametrize("stack", STACKS)
def test_every_ecs_account_has_one_cluster_with_container_insights(stack):
    p = plan(stack)
    assert account_names(p, ECS_CLUSTER) == ecs_accounts(stack)
    for cluster in of_type(p, ECS_CLUSTER):
        assert {"name": "containerInsights", "value": "enabled"} in cluster["inputs"]["settings"]


@pytest.mark.parametrize("stack", STACKS)
def test_capacity_providers_use_spot_only_outside_prod(stack):
    config = cfg(stack)
    for cp in of_type(plan(stack), "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"):
        account = config.account(cp["name"].split("-ap-")[0])
        assert cp["inputs"]["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
        used = {s["capacityProvider"] for s in cp["inputs"]["defaultCapacityProviderStrategies"]}
        assert ("FARGATE_SPOT" in used) == (account.environment in ("nonprod", "sandbox"))


@pytest.mark.parametrize("stack", STACKS)
def test_task_definitions_follow_the_hardened_template(stack):
    p = plan(stack)
    config = cfg(stack)
    services = {(a.name, s.name): s for a in config.accounts if a.workloads.ecs for s in a.workloads.ecs.services}
    assert len(of_type(p, TASK)) == len(services)
    for task in of_type(p, TASK):
        inputs = task["inputs"]
        assert inputs["requiresCompatibilities"] == ["FARGATE"] and inputs["networkMode"] == "awsvpc"
        assert inputs["taskRoleArn"] != inputs["executionRoleArn"]
        container, *sidecars = doc(inputs["containerDefinitions"])
        for each in (container, *sidecars):  # the X-Ray daemon follows the same template (test_workloads_tracing)
            assert each["user"] and not each["user"].startswith(("0", "root"))
            assert each["readonlyRootFilesystem"] is True and each["privileged"] is False
            assert each["logConfiguration"]["logDriver"] == "awslogs"
        # nothing secret in plain env
        assert {e["name"] for e in container["environment"]} <= {"PORT", "AWS_XRAY_DAEMON_ADDRESS"}
        account = task["name"].split("-ap-")[0]
        service = services[(account, container["name"])]
        assert [s["valueFrom"].rsplit(":secret:", 1)[1] for s in container["secrets"]] == service.secrets
        assert all(s["valueFrom"].startswith("arn:aws:secretsmanager:") for s in container["secrets"])


@pytest.mark.parametrize("stack", STACKS)
def test_services_without_an_image_run_no_task_and_never_pull(stack):
    """A fresh landing zone creates the repositories empty: a service whose config names no image starts with 0
    tasks and cannot scale (otherwise ECS would churn failing pulls while `pulumi up` reports success)."""
    p, config = plan(stack), cfg(stack)
    unpublished = {(a.name, s.name) for a in config.accounts if a.workloads.ecs for s in a.workloads.ecs.services
                   if s.image_tag is None}
    assert unpublished, "the sample stacks start without images"
    for account, name in unpublished:
        service = named(p, f"{account}-ap-south-1-ecs-{name}")
        assert service["inputs"]["desiredCount"] == 0
        target = named(p, f"{account}-ap-south-1-ecs-{name}-scaling")
        assert (target["inputs"]["minCapacity"], target["inputs"]["maxCapacity"]) == (0, 0)


def test_naming_an_image_starts_the_configured_tasks():
    p, config = workloads_plan("prod", "prod-apps-images-published"), cfg("prod")
    for svc in config.account("prod-apps").workloads.ecs.services:
        service = named(p, f"prod-apps-ap-south-1-ecs-{svc.name}")
        target = named(p, f"prod-apps-ap-south-1-ecs-{svc.name}-scaling")
        assert service["inputs"]["desiredCount"] == svc.desired_count
        assert (target["inputs"]["minCapacity"], target["inputs"]["maxCapacity"]) == (svc.min_count, svc.max_count)
        container, *_ = doc(named(p, f"prod-apps-ap-south-1-ecs-{svc.name}-task")["inputs"]["containerDefinitions"])
        repo = named(p, f"prod-apps-ap-south-1-ecr-{svc.name}")
        assert container["image"] == f"{repo['outputs']['repositoryUrl']}:1.4.2"
    # the other accounts are untouched by the edit
    assert named(p, "nonprod-apps-ap-south-1-ecs-web")["inputs"]["desiredCount"] == 0


@pytest.mark.parametrize("stack", STACKS)
def test_services_wait_for_the_cluster_capacity_providers(stack):
    """CreateService with a capacity provider strategy fails unless the cluster has those providers."""
    p = plan(stack)
    for service in of_type(p, SERVICE):
        account = service["name"].split("-ap-")[0]
        capacity = named(p, f"{account}-ap-south-1-ecs-capacity")
        assert capacity["urn"] in service["dependencies"]
        strategy = {s["capacityProvider"] for s in service["inputs"]["capacityProviderStrategies"]}
        assert strategy <= set(capacity["inputs"]["capacityProviders"])


def test_prod_service_with_secrets_reads_only_its_own():
    p = plan("prod")
    policy = doc(named(p, "prod-apps-ap-south-1-ecs-los-api-execution-policy")["inputs"]["policy"])
    secrets = next(s for s in policy["Statement"] if s["Sid"] == "ServiceSecrets")
    assert secrets["Resource"] == [f"arn:aws:secretsmanager:ap-south-1:{fake_account_id('prod-apps')}:secret:los-api/db-??????"]
    web = doc(named(p, "prod-apps-ap-south-1-ecs-web-execution-policy")["inputs"]["policy"])
    assert not [s for s in web["Statement"] if "secretsmanager" in str(s["Action"])]


@pytest.mark.parametrize("stack", STACKS)
def test_execution_roles_pull_only_their_own_repository(stack):
    p = plan(stack)
    for policy in of_type(p, "aws:iam/rolePolicy:RolePolicy"):
        if not policy["name"].endswith("-execution-policy"):
            continue
        service = policy["name"].split("-ecs-")[1].removesuffix("-execution-policy")
        pull = next(s for s in doc(policy["inputs"]["policy"])["Statement"] if s["Sid"] == "EcrPull")
        assert pull["Resource"].endswith(f":repository/{service}")


@pytest.mark.parametrize("stack", STACKS)
def test_services_are_private_with_rollback_and_autoscaling(stack):
    p = plan(stack)
    services = of_type(p, SERVICE)
    assert services
    private = {s for r in of_type(p, "aws:lb/targetGroup:TargetGroup") for s in [r["name"]]}  # noqa: F841
    for service in services:
        inputs = service["inputs"]
        assert inputs["networkConfiguration"]["assignPublicIp"] is False
        assert inputs["platformVersion"] == "LATEST"
        assert inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    targets = of_type(p, "aws:appautoscaling/target:Target")
    assert len(targets) == len(services)
    assert len(of_type(p, "aws:appautoscaling/policy:Policy")) == 2 * len(services)
    for target in targets:
        assert target["inputs"]["minCapacity"] <= target["inputs"]["maxCapacity"]


def test_services_run_in_the_private_subnets_behind_the_edge():
    p = plan("prod")
    for service in of_type(p, SERVICE, "prod-apps"):
        subnets = service["inputs"]["networkConfiguration"]["subnets"]
        assert subnets and all(s.startswith("subnet-") for s in subnets)
        assert service["inputs"]["loadBalancers"], "prod-apps has an edge: every service sits behind it"
    rules = of_type(p, "aws:lb/listenerRule:ListenerRule", "prod-apps")
    paths = sorted(r["inputs"]["conditions"][0]["pathPattern"]["values"][0] for r in rules)
    assert paths == ["/*", "/lms/*", "/los/*"]
    catch_all = next(r for r in rules if r["inputs"]["conditions"][0]["pathPattern"]["values"] == ["/*"])
    assert catch_all["inputs"]["priority"] == max(r["inputs"]["priority"] for r in rules)
    # the sandbox has no edge: its service stays internal
    assert not of_type(p, "aws:lb/listenerRule:ListenerRule", "sandbox")
    assert of_type(p, SERVICE, "sandbox")[0]["inputs"].get("loadBalancers") in (None, [])


@pytest.mark.parametrize("stack", STACKS)
def test_log_groups_use_a_cmk_and_retention(stack):
    retention = cfg(stack).security.log_retention_days
    groups = [g for g in of_type(plan(stack), "aws:cloudwatch/logGroup:LogGroup") if "-ecs-logs" in g["name"]]
    assert len(groups) == len(ecs_accounts(stack))
    for group in groups:
        assert group["inputs"]["kmsKeyId"].startswith("arn:aws:kms:")
        assert group["inputs"]["retentionInDays"] == retention


@pytest.mark.parametrize("stack", STACKS)
def test_ecr_repositories_are_scanned_immutable_and_encrypted(stack):
    p = plan(stack)
    repos = of_type(p, REPO)
    assert len(repos) == len(of_type(p, TASK)) == len(of_type(p, "aws:ecr/lifecyclePolicy:LifecyclePolicy"))
    for repo in repos:
        inputs = repo["inputs"]
        assert inputs["imageScanningConfiguration"]["scanOnPush"] is True
        assert inputs["imageTagMutability"] == "IMMUTABLE"
        assert inputs["encryptionConfigurations"][0]["encryptionType"] == "KMS"
        assert inputs["encryptionConfigurations"][0]["kmsKey"].startswith("arn:aws:kms:")


@pytest.mark.parametrize("stack", STACKS)
def test_prod_repositories_are_written_only_by_the_pipeline_and_nobody_pulls_across_accounts(stack):
    """Promotion copies the tested digest into prod after approval; prod never pulls from non-prod."""
    p = plan(stack)
    policies = of_type(p, "aws:ecr/repositoryPolicy:RepositoryPolicy")
    prod_repos = [r for r in of_type(p, REPO) if r["name"].startswith("prod-")]
    assert prod_repos and len(policies) == len(prod_repos)
    assert all(r["name"].startswith("prod-") and r["name"].endswith("-writers") for r in policies)
    assert promotion_peers(cfg(stack), "nonprod-apps") == ["prod-apps"]
    account = cfg(stack).account("prod-apps")
    for policy in policies:
        (statement,) = doc(policy["inputs"]["policy"])["Statement"]
        assert statement["Effect"] == "Deny" and statement["Principal"] == "*"
        assert {"ecr:PutImage", "ecr:BatchDeleteImage", "ecr:SetRepositoryPolicy"} <= set(statement["Action"])
        service = policy["name"].removeprefix("prod-apps-ap-south-1-ecr-").removesuffix("-writers")
        writers = statement["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
        role = f"arn:aws:iam::{fake_account_id('prod-apps')}:role/"
        assert writers == sorted(role + name for name in (*image_writers(account, service), "OrganizationAccountAccessRole"))


# --- EKS ------------------------------------------------------------------------------------------------------------


def eks_accounts(stack):
    return {a.name for a in cfg(stack).accounts if a.workloads.eks}


@pytest.mark.parametrize("stack", STACKS)
def test_eks_cluster_inputs_are_private_encrypted_and_logged(stack):
    p = plan(stack)
    clusters = of_type(p, EKS)
    assert {c["name"].split("-ap-")[0] for c in clusters} == eks_accounts(stack)
    for cluster in clusters:
        inputs = cluster["inputs"]
        assert inputs["endpointPrivateAccess"] is True and inputs["endpointPublicAccess"] is False
        assert "publicAccessCidrs" not in inputs
        assert inputs["encryptionConfigKeyArn"].startswith("arn:aws:kms:")
        assert sorted(inputs["enabledClusterLogTypes"]) == sorted(LOG_TYPES)
        assert inputs["createOidcProvider"] is True and inputs["skipDefaultNodeGroup"] is True
        assert inputs["authenticationMode"] == "API"
        # no access entry for a role that may not exist yet (nothing is looked up): the creator is admin
        assert "accessEntries" not in inputs
        assert inputs["privateSubnetIds"] and "publicSubnetIds" not in inputs
        env = cfg(stack).account(cluster["name"].split("-ap-")[0]).environment
        assert inputs["deletionProtection"] is (env == "prod")


@pytest.mark.parametrize("stack", STACKS)
def test_eks_api_admits_the_client_vpn_source_nat_ranges_not_the_client_pool(stack):
    """Client VPN source-NATs clients to its interfaces in the network VPC: the API rule must name those subnets
    (the same source of truth as the admin security groups), never the client pool."""
    p, config = plan(stack), cfg(stack)
    expected = client_vpn_source_cidrs(config)
    assert expected and config.network.client_vpn.cidr not in expected
    for cluster in of_type(p, EKS):
        account = cluster["name"].split("-ap-")[0]
        rules = [r["inputs"] for r in of_type(p, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", account)
                 if "-eks-api-from-vpn" in r["name"]]
        assert sorted(r["cidrIpv4"] for r in rules) == sorted(expected)
        assert all((r["fromPort"], r["toPort"], r["ipProtocol"]) == (443, 443, "tcp") for r in rules)


def test_eks_admins_are_exact_role_arns_from_config():
    p = workloads_plan("prod", "prod-data-eks-admins")
    (cluster,) = [c for c in of_type(p, EKS) if c["name"].startswith("prod-data-")]
    (entry,) = cluster["inputs"]["accessEntries"].values()
    assert entry["principalArn"] == "arn:aws:iam::111111111111:role/AWSReservedSSO_AdministratorAccess_0a1b2c3d4e5f6a7b"
    assert entry["accessPolicies"]["cluster-admin"]["accessScope"] == {"type": "cluster"}


def test_eks_cluster_is_created_with_the_account_provider():
    for cluster in of_type(plan("prod"), EKS):
        account = cluster["name"].split("-ap-")[0]
        # a remote component gets the account's aws provider through its providers map (its children inherit it)
        parent = named(plan("prod"), f"{account}-ap-south-1-eks-cluster")
        assert parent["type"] == "landing-zone:workloads:EksCluster"


@pytest.mark.parametrize("stack", STACKS)
def test_node_groups_use_private_subnets_scaling_and_an_imdsv2_template(stack):
    p = plan(stack)
    config = cfg(stack)
    expected = {(a.name, g.name): g for a in config.accounts if a.workloads.eks for g in a.workloads.eks.node_groups}
    groups = of_type(p, MNG)
    assert len(groups) == len(expected)
    templates = {t["id"]: t for t in of_type(p, LT)}
    for group in groups:
        account = group["name"].split("-ap-")[0]
        spec = expected[(account, group["name"].rsplit("-eks-", 1)[1])]
        inputs = group["inputs"]
        assert inputs["scalingConfig"] == {"minSize": spec.min_size, "maxSize": spec.max_size,
                                           "desiredSize": spec.desired_size}
        assert inputs["subnetIds"] and "remoteAccess" not in inputs
        lt = templates[inputs["launchTemplate"]["id"]]["inputs"]
        assert lt["metadataOptions"]["httpTokens"] == "required"
        assert lt["metadataOptions"]["httpPutResponseHopLimit"] == IMDS_HOP_LIMIT == 1
        ebs = lt["blockDeviceMappings"][0]["ebs"]
        assert ebs["encrypted"] == "true" and ebs["kmsKeyId"].startswith("arn:aws:kms:")
        assert "networkInterfaces" not in lt  # no public IP association possible


@pytest.mark.parametrize("stack", STACKS)
def test_cluster_autoscaler_role_trusts_only_its_service_account(stack):
    p = plan(stack)
    for account in eks_accounts(stack):
        role = named(p, f"{account}-ap-south-1-eks-cluster-autoscaler")
        (statement,) = doc(role["inputs"]["assumeRolePolicy"])["Statement"]
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert ":oidc-provider/" in statement["Principal"]["Federated"]
        conditions = statement["Condition"]["StringEquals"]
        assert "system:serviceaccount:kube-system:cluster-autoscaler" in conditions.values()
        policy = doc(named(p, f"{account}-ap-south-1-eks-cluster-autoscaler-policy")["inputs"]["policy"])
        scale = next(s for s in policy["Statement"] if s["Sid"] == "ScaleOwnGroups")
        assert "StringEquals" in scale["Condition"]


def test_eks_outputs_keep_the_kubeconfig_secret():
    kubeconfig = workloads_plan("prod")["outputs"]["workloads"]["prod-data"]["eksKubeconfig"]
    assert "clusters" in secret_value(kubeconfig)


def test_strip_role_path():
    arn = "arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/ap-south-1/AWSReservedSSO_Admin_0123"
    assert strip_role_path(arn) == "arn:aws:iam::111111111111:role/AWSReservedSSO_Admin_0123"


def test_plans_are_deterministic():
    """pulumi-eks remote components are known to flake under mocks: plan dev's composites again, compare everything."""
    import workloads_harness as h
    cfg = h.workloads_config("dev")
    assert h.run(lambda: h.workloads_program(cfg), "dev") == workloads_plan("dev")


# --- app security group ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_app_security_group_is_reached_from_the_alb_only(stack):
    p = workloads_plan(stack)
    for rule in of_type(p, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
        inputs = rule["inputs"]
        if "-app-" not in rule["name"]:
            continue
        assert "cidrIpv4" not in inputs and inputs.get("referencedSecurityGroupId")
        assert inputs["description"]


# --- config variants ------------------------------------------------------------------------------------------------


def test_variant_account_without_workloads_plans_nothing_for_it():
    p = workloads_plan("prod", "prod-data-without-workloads")
    assert not [r for r in p["resources"] if r["name"].startswith("prod-data-")
                and not r["type"].startswith("pulumi:providers:")]
    assert "prod-data" not in p["outputs"]["workloads"]
    assert of_type(p, EKS)  # nonprod-data still has its cluster


def test_variant_eks_instead_of_ecs():
    p = workloads_plan("prod", "nonprod-apps-on-eks")
    assert not of_type(p, ECS_CLUSTER, "nonprod-apps") and not of_type(p, REPO, "nonprod-apps")
    (cluster,) = of_type(p, EKS, "nonprod-apps")
    assert cluster["inputs"]["endpointPublicAccess"] is False
    assert len(of_type(p, MNG, "nonprod-apps")) == 1
    assert of_type(p, "aws:rds/cluster:Cluster", "nonprod-apps"), "Aurora still admits the (EKS) app tier"
    assert not of_type(p, "aws:ecr/repositoryPolicy:RepositoryPolicy", "nonprod-apps")  # no pulls across accounts


def test_variant_without_data_hosts():
    p = workloads_plan("prod", "no-data-hosts")
    assert not of_type(p, "aws:ec2/instance:Instance") and not of_type(p, "aws:ebs/volume:Volume")
    assert len(of_type(p, EKS)) == 2 and of_type(p, "aws:backup/plan:Plan", "prod-data")


@pytest.mark.parametrize("tag", ["", "1.0 beta", "-rc1", "x" * 129])
def test_an_image_tag_ecr_would_refuse_is_a_config_error(tag):
    values = namespaced(read_stack_file(stack_file("dev", REPO_ROOT)))
    next(a for a in values["accounts"] if a["name"] == "prod-apps")["workloads"]["ecs"]["services"][0]["image_tag"] = tag
    with pytest.raises(ConfigError) as err:
        parse(values)
    assert any(e.startswith("accounts[3].workloads.ecs.services[0].image_tag") for e in err.value.errors), err.value.errors
