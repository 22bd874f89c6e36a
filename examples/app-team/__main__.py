"""An app team's service on the landing zone: everything it needs from the platform comes through the contract.

Reads the landing-zone stack with pulumi.StackReference and landing_zone.contract (typed, versioned), then runs
one ECS Fargate service in the account's cluster, in its private subnets and application security group, with its
image from the account's ECR repository, logs encrypted with the account's CMK, behind the account's HTTPS listener.
No id, ARN or CIDR is written here: when the platform changes them, `pulumi up` follows.
"""

import json

import pulumi
import pulumi_aws as aws

from landing_zone import contract

config = pulumi.Config()
STACK = config.get("landingZoneStack") or "org/landing-zone/prod"
ACCOUNT = config.get("account") or "prod-apps"
REGION = config.get("region") or "ap-south-1"
SERVICE = config.get("service") or "los-reports"
REPOSITORY = config.get("repository") or "los-api"
PIPELINE = config.get("pipelineRepository") or "example-org/los"  # the Git repository whose pipeline ships this
IMAGE_TAG = config.get("imageTag") or "1.0.0"
PATH = config.get("path") or "/reports/*"
PORT = config.get_int("port") or 8080
PRIORITY = config.get_int("priority") or 500
LOG_RETENTION_DAYS = 365

landing_zone = pulumi.StackReference("landing-zone", stack_name=STACK)
account = contract.account(landing_zone, ACCOUNT)  # Output[contract.Account]; a clear error if it does not exist


def region_of(a: contract.Account) -> contract.Region:
    region = a.region(REGION)
    missing = [what for what, present in (("vpc", region.vpc), ("ecs", region.workloads.ecs),
                                           ("alb", region.workloads.alb),
                                           ("app_security_group_id", region.workloads.app_security_group_id))
               if not present]
    if missing:
        raise contract.ContractError(f"accounts.{a.name}.regions.{REGION}: no {', '.join(missing)} to deploy onto")
    if REPOSITORY not in region.workloads.ecr_repository_urls:
        known = ", ".join(sorted(region.workloads.ecr_repository_urls))
        raise contract.ContractError(f"accounts.{a.name}: no ECR repository {REPOSITORY!r} (it has: {known})")
    return region


here = account.apply(region_of)
workloads = here.apply(lambda r: r.workloads)
repository_url = workloads.apply(lambda w: w.ecr_repository_urls[REPOSITORY])

# Resources go into the workload account, never elsewhere: the provider refuses any other account.
provider = aws.Provider("workload", region=REGION, allowed_account_ids=[account.apply(lambda a: a.id)],
                        default_tags=aws.ProviderDefaultTagsArgs(tags={"team": "los", "service": SERVICE,
                                                                      "managed-by": "app-team"}))
opts = pulumi.ResourceOptions(provider=provider)


def ecr_arn(url: str) -> str:
    """`<account>.dkr.ecr.<region>.amazonaws.com/<name>` -> the repository ARN (for the pull permission)."""
    registry, name = url.split("/", 1)
    account_id, _, _, region = registry.split(".")[:4]
    return f"arn:aws:ecr:{region}:{account_id}:repository/{name}"


log_group = aws.cloudwatch.LogGroup(
    f"{SERVICE}-logs", name=f"/app-team/{SERVICE}", retention_in_days=LOG_RETENTION_DAYS,
    kms_key_id=here.apply(lambda r: r.kms_key_arns["logs"]), opts=opts)

ASSUME_ECS_TASKS = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
execution_role = aws.iam.Role(f"{SERVICE}-execution", assume_role_policy=ASSUME_ECS_TASKS, opts=opts)
task_role = aws.iam.Role(f"{SERVICE}-task", assume_role_policy=ASSUME_ECS_TASKS, opts=opts)  # the code's own rights
aws.iam.RolePolicy(
    f"{SERVICE}-execution-policy", role=execution_role.id,
    policy=pulumi.Output.all(repository_url, log_group.arn).apply(lambda v: json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "EcrAuth", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Sid": "EcrPull", "Effect": "Allow", "Resource": ecr_arn(v[0]),
             "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]},
            {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": f"{v[1]}:log-stream:{SERVICE}/*"},
        ]})),
    opts=opts)

task = aws.ecs.TaskDefinition(
    f"{SERVICE}-task",
    family=f"{ACCOUNT}-{SERVICE}",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    cpu="256",
    memory="512",
    execution_role_arn=execution_role.arn,
    task_role_arn=task_role.arn,
    runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(operating_system_family="LINUX", cpu_architecture="X86_64"),
    volumes=[aws.ecs.TaskDefinitionVolumeArgs(name="tmp")],
    container_definitions=pulumi.Output.all(repository_url, log_group.name).apply(lambda v: json.dumps([{
        "name": SERVICE,
        "image": f"{v[0]}:{IMAGE_TAG}",
        "command": ["reports"],
        "essential": True,
        "user": "1000:1000",
        "readonlyRootFilesystem": True,
        "privileged": False,
        "portMappings": [{"containerPort": PORT, "protocol": "tcp"}],
        "environment": [{"name": "PORT", "value": str(PORT)}],
        "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}],
        "linuxParameters": {"capabilities": {"drop": ["ALL"]}, "initProcessEnabled": True},
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": v[1], "awslogs-region": REGION, "awslogs-stream-prefix": SERVICE}},
    }])),
    opts=opts)

target_group = aws.lb.TargetGroup(
    f"{SERVICE}-tg", port=PORT, protocol="HTTP", target_type="ip", vpc_id=here.apply(lambda r: r.vpc.id),
    deregistration_delay=30,
    health_check=aws.lb.TargetGroupHealthCheckArgs(path="/health", matcher="200-399"),
    opts=opts)
rule = aws.lb.ListenerRule(
    f"{SERVICE}-rule",
    listener_arn=workloads.apply(lambda w: w.alb.https_listener_arn),
    priority=PRIORITY,
    conditions=[aws.lb.ListenerRuleConditionArgs(
        path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=[PATH]))],
    actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)],
    opts=opts)

service = aws.ecs.Service(
    f"{SERVICE}-service",
    name=SERVICE,
    cluster=workloads.apply(lambda w: w.ecs.cluster_arn),
    task_definition=task.arn,
    desired_count=2,
    launch_type="FARGATE",
    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
        subnets=here.apply(lambda r: r.vpc.subnet_ids["private"]),
        security_groups=[workloads.apply(lambda w: w.app_security_group_id)],  # the ALB reaches it on PORT
        assign_public_ip=False,
    ),
    load_balancers=[aws.ecs.ServiceLoadBalancerArgs(target_group_arn=target_group.arn, container_name=SERVICE,
                                                    container_port=PORT)],
    deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
    propagate_tags="SERVICE",
    opts=pulumi.ResourceOptions(provider=provider, depends_on=[rule]))

pulumi.export("url", workloads.apply(lambda w: f"https://{w.alb.domain_name or w.alb.dns_name}{PATH.rstrip('*')}"))
pulumi.export("serviceName", service.name)
# One role per pipeline repository (contract 1.1); 1.0 stacks publish the account's single role
pulumi.export("deploymentRoleArn", account.apply(lambda a: a.deployment_role_arns.get(PIPELINE) or a.deployment_role_arn))
