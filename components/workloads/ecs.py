"""ECS Fargate: a cluster and the services listed in config, built from one hardened service template.

Template (CTR-04/05/06, LOG-15, EAR-10, LOG-13): non-root user, read-only root file system (a task-local /tmp
volume for scratch), no privileged mode, secrets only through `secrets` (Secrets Manager), awslogs to a CMK-encrypted
log group with retention, no public IP in private subnets, circuit breaker with rollback, platform LATEST,
target-tracking autoscaling, and — when the account has an edge — a target group behind the HTTPS listener.

First deployment: the stack creates each service's ECR repository empty, so a task naming a tag there could not
pull its image (the service would churn failing tasks while `pulumi up` reports success). A service whose config
names no `image_tag` is therefore created with 0 tasks (desired 0, autoscaling min and max 0); once the pipeline
has pushed an image and the config names its tag, the scalable target's minimum rises and Application Auto Scaling
starts the tasks.

Roles: one execution role and one task role per service. The execution role can pull only that service's
repository, write only to the cluster's log group, and read only that service's secrets; the task role starts empty
(the app team grants what the code needs; X-Ray write when the account traces), and is never the execution role
(CTR-05).

Tracing (`tracing.enabled`): every task gets the X-Ray daemon sidecar and each region the cluster runs in its X-Ray
settings (components/workloads/tracing.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.context import VpcHandle
from components.workloads.alarms import AlarmSpec, Watch, Widget
from components.workloads.app_secrets import create_app_secrets
from components.workloads.registry import BuildContext, Piece
from components.workloads.tracing import XRay, XRayArgs, app_environment, daemon_container, task_role_policy
from landing_zone.models import Ecs, EcsService

CONTAINER_USER = "10001:10001"  # an unprivileged uid:gid; images must not need root
CATCH_ALL_PRIORITY = 50000  # "/*" goes last so specific paths win
ASSUME_ECS_TASKS = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})


@dataclass(frozen=True, kw_only=True)
class EcsArgs(AccountArgs):
    config: Ecs
    vpc: VpcHandle
    app_security_group_id: pulumi.Input[str]
    repository_urls: dict[str, pulumi.Input[str]]
    repository_arns: dict[str, pulumi.Input[str]]
    data_key_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]
    log_retention_days: int
    https_listener_arn: pulumi.Input[str] | None = None  # None: no edge in the account, services stay internal
    standby_tasks: int | None = None  # the DR region's standby: each service's running minimum (0: pilot light)
    dr_region: str | None = None  # home cluster with DR compute: its created secrets replicate there
    dr_data_key_arn: pulumi.Input[str] | None = None


def secret_env_name(secret: str) -> str:
    """`los-api/db` -> `LOS_API_DB`: the environment variable the container sees."""
    return re.sub(r"[^A-Za-z0-9]+", "_", secret).strip("_").upper()


def secret_arn(secret: str, region: str, account_id: str, partition: str = "aws") -> str:
    """ARN of a secret by name without the random suffix (ECS and IAM accept it; IAM needs the `-??????` suffix)."""
    return f"arn:{partition}:secretsmanager:{region}:{account_id}:secret:{secret}"


def capacity_strategy(environment: str, spot: bool) -> list[dict]:
    """On-demand always carries the base; Spot takes most of the rest outside prod (it can be reclaimed)."""
    strategy = [{"capacity_provider": "FARGATE", "base": 1, "weight": 1}]
    if spot and environment in ("nonprod", "sandbox"):
        strategy.append({"capacity_provider": "FARGATE_SPOT", "base": 0, "weight": 3})
    return strategy


UNPUBLISHED_TAG = "unpublished"  # stands in the task definition until an image is named; never pulled (0 tasks)


def service_counts(service: EcsService, standby_tasks: int | None = None) -> tuple[int, int, int]:
    """(desired, min, max) tasks: the config's once it names an image, none before (the repository is empty); a DR
    standby keeps `standby_tasks` running and may scale to the config's maximum once failed over."""
    if service.image_tag is None:
        return 0, 0, 0
    if standby_tasks is not None:
        return standby_tasks, standby_tasks, service.max_count
    return service.desired_count, service.min_count, service.max_count


def listener_priority(index: int, service: EcsService) -> int:
    return CATCH_ALL_PRIORITY if service.path == "/*" else 100 + 10 * index


def container_definitions(service: EcsService, image: str, log_group: str, region: str, account_id: str,
                          tracing: bool = False) -> str:
    """The service's container (and, when traced, the X-Ray daemon beside it), as ECS receives them."""
    container = {
        "name": service.name,
        "image": image,
        "essential": True,
        "user": CONTAINER_USER,
        "readonlyRootFilesystem": True,
        "privileged": False,
        "portMappings": [{"containerPort": service.port, "protocol": "tcp"}],
        "environment": [{"name": "PORT", "value": str(service.port)}, *(app_environment() if tracing else [])],
        "secrets": [{"name": secret_env_name(s), "valueFrom": secret_arn(s, region, account_id)} for s in service.secrets],
        "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}],
        "linuxParameters": {"capabilities": {"drop": ["ALL"]}, "initProcessEnabled": True},
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": log_group, "awslogs-region": region, "awslogs-stream-prefix": service.name},
        },
    }
    return json.dumps([container, daemon_container(service.name, log_group, region)] if tracing else [container])


def execution_policy(service: EcsService, repository_arn: str, log_group_arn: str, data_key_arn: str, region: str,
                     account_id: str) -> str:
    statements = [
        # GetAuthorizationToken has no resource-level permissions: "*" is the only valid resource.
        {"Sid": "EcrAuth", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Sid": "EcrPull", "Effect": "Allow", "Resource": repository_arn,
         "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]},
        {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": f"{log_group_arn}:log-stream:{service.name}/*"},
    ]
    if service.secrets:
        statements += [
            {"Sid": "ServiceSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
             "Resource": [secret_arn(s, region, account_id) + "-??????" for s in service.secrets]},
            {"Sid": "DecryptSecrets", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": data_key_arn,
             "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}}},
        ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class EcsCluster(AccountComponent[EcsArgs]):
    """Fargate cluster + services. Attributes: cluster_arn, cluster_name, service_names, target_group_arn_suffixes,
    task_role_arns and execution_role_arns (service -> role ARN: a pipeline registering a task definition passes both)."""

    cluster_arn: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    service_names: dict[str, pulumi.Output[str]]
    target_group_arn_suffixes: dict[str, pulumi.Output[str]]
    task_role_arns: dict[str, pulumi.Output[str]]
    execution_role_arns: dict[str, pulumi.Output[str]]

    TOKEN = "workloads:EcsCluster"

    def __init__(self, name: str, args: EcsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        account, config = args.account, args.config
        child = self.child_opts()
        self._strategy = capacity_strategy(account.environment, config.spot)
        cluster_name = self.child_name("ecs")
        self.log_group = aws.cloudwatch.LogGroup(
            self.child_name("ecs-logs"),
            name=f"/landing-zone/ecs/{cluster_name}",
            kms_key_id=args.logs_key_arn,
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        self.cluster = aws.ecs.Cluster(
            self.child_name("ecs-cluster"),
            name=cluster_name,
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
            opts=child,
        )
        self._capacity = aws.ecs.ClusterCapacityProviders(
            self.child_name("ecs-capacity"),
            cluster_name=self.cluster.name,
            capacity_providers=["FARGATE", "FARGATE_SPOT"],
            default_capacity_provider_strategies=[
                aws.ecs.ClusterCapacityProvidersDefaultCapacityProviderStrategyArgs(**s) for s in self._strategy],
            opts=child,
        )
        self.cluster_arn, self.cluster_name = self.cluster.arn, self.cluster.name
        self.log_group_name = self.log_group.name
        self.service_names, self.target_group_arn_suffixes = {}, {}
        self.task_role_arns, self.execution_role_arns = {}, {}
        if config.tracing.enabled:
            XRay(self.child_name("xray"), XRayArgs(account=account, region=self.region, config=config.tracing,
                                                  data_key_arn=args.data_key_arn), pulumi.ResourceOptions(parent=self))
        # the standby reads the home secrets' replicas: only the home cluster creates them
        self._secrets = [] if args.standby_tasks is not None else create_app_secrets(
            self, config, args.data_key_arn, args.dr_region, args.dr_data_key_arn)
        for index, service in enumerate(config.services):
            self._service(index, service)
        self.register_outputs({"clusterArn": self.cluster_arn, "serviceNames": self.service_names})


    def _counts(self, service: EcsService) -> tuple[int, int, int]:
        return service_counts(service, self.args.standby_tasks)

    def _role(self, service: EcsService, kind: str) -> aws.iam.Role:
        return aws.iam.Role(
            self.child_name(f"ecs-{service.name}-{kind}-role"),
            assume_role_policy=ASSUME_ECS_TASKS,
            description=f"{kind} role of the ECS service {service.name}",
            opts=self.child_opts(),
        )

    def _service(self, index: int, service: EcsService) -> None:
        account, region, args = self.account, self.region, self.args
        child = self.child_opts()
        purpose = f"ecs-{service.name}"
        execution_role, task_role = self._role(service, "execution"), self._role(service, "task")
        aws.iam.RolePolicy(
            self.child_name(f"{purpose}-execution-policy"),
            role=execution_role.id,
            policy=pulumi.Output.all(args.repository_arns[service.name], self.log_group.arn, args.data_key_arn,
                                     account.account_id).apply(
                lambda a: execution_policy(service, a[0], a[1], a[2], region, a[3])),
            opts=child,
        )
        tracing = args.config.tracing.enabled
        if tracing:
            aws.iam.RolePolicy(self.child_name(f"{purpose}-task-xray-policy"), role=task_role.id,
                               policy=task_role_policy(), opts=child)
        task = aws.ecs.TaskDefinition(
            self.child_name(f"{purpose}-task"),
            family=f"{account.name}-{service.name}",
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            cpu=str(service.cpu),
            memory=str(service.memory),
            execution_role_arn=execution_role.arn,
            task_role_arn=task_role.arn,
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(operating_system_family="LINUX",
                                                                       cpu_architecture="X86_64"),
            volumes=[aws.ecs.TaskDefinitionVolumeArgs(name="tmp")],
            container_definitions=pulumi.Output.all(args.repository_urls[service.name], self.log_group.name,
                                                    account.account_id).apply(
                lambda a: container_definitions(service, f"{a[0]}:{service.image_tag or UNPUBLISHED_TAG}", a[1],
                                                region, a[2], tracing)),
            opts=child,
        )
        load_balancers, depends_on = [], []
        if args.https_listener_arn is not None:
            target_group, rule = self._edge_route(index, service)
            load_balancers = [aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=target_group.arn, container_name=service.name, container_port=service.port)]
            depends_on = [rule]
            self.target_group_arn_suffixes[service.name] = target_group.arn_suffix
        ecs_service = aws.ecs.Service(
            self.child_name(purpose),
            name=service.name,
            cluster=self.cluster.arn,
            task_definition=task.arn,
            desired_count=self._counts(service)[0],
            platform_version="LATEST",
            capacity_provider_strategies=[aws.ecs.ServiceCapacityProviderStrategyArgs(**s) for s in self._strategy],
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=args.vpc.subnet_ids["private"],
                security_groups=[args.app_security_group_id],
                assign_public_ip=False,
            ),
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            load_balancers=load_balancers,
            health_check_grace_period_seconds=60 if load_balancers else None,
            enable_ecs_managed_tags=True,
            propagate_tags="SERVICE",
            # CreateService with a capacity provider strategy fails unless the cluster has those providers: wait
            opts=self.child_opts(depends_on=[*depends_on, self._capacity, *self._secrets],
                              ignore_changes=["desiredCount"]),  # autoscaling owns the count after creation
        )
        self._autoscaling(service, ecs_service)
        self.service_names[service.name] = ecs_service.name
        self.task_role_arns[service.name] = task_role.arn
        self.execution_role_arns[service.name] = execution_role.arn

    def _edge_route(self, index: int, service: EcsService) -> tuple[aws.lb.TargetGroup, aws.lb.ListenerRule]:
        args = self.args
        child = self.child_opts()
        target_group = aws.lb.TargetGroup(
            self.child_name(f"tg-{service.name}"),
            port=service.port,
            protocol="HTTP",  # TLS ends at the ALB; the hop to the task stays inside the VPC's private subnets
            target_type="ip",
            vpc_id=args.vpc.vpc_id,
            deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(path=service.health_check_path, matcher="200-399",
                                                           healthy_threshold=3, unhealthy_threshold=3),
            opts=child,
        )
        rule = aws.lb.ListenerRule(
            self.child_name(f"rule-{service.name}"),
            listener_arn=args.https_listener_arn,
            priority=listener_priority(index, service),
            conditions=[aws.lb.ListenerRuleConditionArgs(
                path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=[service.path]))],
            actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)],
            opts=child,
        )
        return target_group, rule

    def _autoscaling(self, service: EcsService, ecs_service: aws.ecs.Service) -> None:
        child = self.child_opts()
        target = aws.appautoscaling.Target(
            self.child_name(f"ecs-{service.name}-scaling"),
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", self.cluster.name, "/", ecs_service.name),
            min_capacity=self._counts(service)[1],
            max_capacity=self._counts(service)[2],
            opts=child,
        )
        for metric, value in (("ECSServiceAverageCPUUtilization", 60.0), ("ECSServiceAverageMemoryUtilization", 75.0)):
            aws.appautoscaling.Policy(
                self.child_name(f"ecs-{service.name}-{metric.removeprefix('ECSServiceAverage').lower()}"),
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                    target_value=value,
                    predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                        predefined_metric_type=metric),
                    scale_in_cooldown=120,
                    scale_out_cooldown=60,
                ),
                opts=child,
            )


# --- the piece ------------------------------------------------------------------------------------------------------


def build(ctx: BuildContext, config: Ecs) -> EcsCluster:
    """After its repositories and the edge (services attach listener rules to its HTTPS listener); in the DR
    region, from the replicated repositories, at the standby's task count."""
    repositories, edge = ctx.get("repositories"), ctx.get("edge")
    return EcsCluster(ctx.name("ecs-fargate"), EcsArgs(
        account=ctx.account, region=ctx.region, config=config, vpc=ctx.vpc,
        app_security_group_id=ctx.app_security_group_id, repository_urls=repositories.urls,
        repository_arns=repositories.arns, data_key_arn=ctx.keys["data"], logs_key_arn=ctx.keys["logs"],
        log_retention_days=ctx.log_retention_days, https_listener_arn=edge.https_listener_arn if edge else None,
        standby_tasks=ctx.args.standby_tasks if ctx.standby else None,
        dr_region=ctx.args.dr_region if not ctx.standby and ctx.args.standby_tasks is not None else None,
        dr_data_key_arn=ctx.dr_keys.get("data") if not ctx.standby else None), ctx.opts)


def watch(ctx: BuildContext, ecs: EcsCluster) -> Watch:
    """CPU and memory per service; unhealthy targets per service behind the edge's ALB."""
    alarms: list[AlarmSpec] = []
    edge = ctx.get("edge")
    if edge is not None:
        for service, tg in sorted(ecs.target_group_arn_suffixes.items()):
            alarms.append(AlarmSpec(f"alb-unhealthy-{service}", "AWS/ApplicationELB", "UnHealthyHostCount",
                                    {"LoadBalancer": edge.alb_arn_suffix, "TargetGroup": tg}, 0, "Maximum",
                                    periods=2, period=60, description=f"Unhealthy targets of {service}"))
    for service, ecs_name in sorted(ecs.service_names.items()):
        dims = {"ClusterName": ecs.cluster_name, "ServiceName": ecs_name}
        alarms.append(AlarmSpec(f"ecs-cpu-{service}", "AWS/ECS", "CPUUtilization", dims, 85,
                                description=f"ECS {service} CPU"))
        alarms.append(AlarmSpec(f"ecs-memory-{service}", "AWS/ECS", "MemoryUtilization", dims, 85,
                                description=f"ECS {service} memory"))
    cpu = [["AWS/ECS", "CPUUtilization", "ClusterName", ecs.cluster_name, "ServiceName", name]
           for _, name in sorted(ecs.service_names.items())]
    return Watch(alarms=tuple(alarms), widgets=(Widget("ECS services CPU", cpu or [
        ["AWS/ECS", "CPUUtilization", "ClusterName", ecs.cluster_name]]),))


PIECE = Piece(
    name="ecs", field="ecs", build=build, watch=watch,
    outputs=lambda ecs: {"ecsClusterArn": ecs.cluster_arn, "ecsClusterName": ecs.cluster_name,
                         "ecsServiceNames": ecs.service_names},
    contract=lambda ecs: {"ecs": {"cluster_arn": ecs.cluster_arn, "cluster_name": ecs.cluster_name,
                                  "service_names": list(ecs.service_names.values())}},
)
