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
(the app team grants what the code needs), and is never the execution role (CTR-05).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import AccountContext, VpcHandle
from landing_zone.models import Ecs, EcsService

CONTAINER_USER = "10001:10001"  # an unprivileged uid:gid; images must not need root
CATCH_ALL_PRIORITY = 50000  # "/*" goes last so specific paths win
ASSUME_ECS_TASKS = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
})


@dataclass(frozen=True)
class EcsInputs:
    """What the cluster needs from the rest of the account."""

    vpc: VpcHandle
    app_security_group_id: pulumi.Input[str]
    repository_urls: dict[str, pulumi.Input[str]]
    repository_arns: dict[str, pulumi.Input[str]]
    data_key_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]
    log_retention_days: int
    https_listener_arn: pulumi.Input[str] | None = None  # None: no edge in the account, services stay internal


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


def service_counts(service: EcsService) -> tuple[int, int, int]:
    """(desired, min, max) tasks: the config's once it names an image, none before (the repository is empty)."""
    if service.image_tag is None:
        return 0, 0, 0
    return service.desired_count, service.min_count, service.max_count


def listener_priority(index: int, service: EcsService) -> int:
    return CATCH_ALL_PRIORITY if service.path == "/*" else 100 + 10 * index


def container_definitions(service: EcsService, image: str, log_group: str, region: str, account_id: str) -> str:
    """The single container of a service, as ECS receives it."""
    container = {
        "name": service.name,
        "image": image,
        "essential": True,
        "user": CONTAINER_USER,
        "readonlyRootFilesystem": True,
        "privileged": False,
        "portMappings": [{"containerPort": service.port, "protocol": "tcp"}],
        "environment": [{"name": "PORT", "value": str(service.port)}],
        "secrets": [{"name": secret_env_name(s), "valueFrom": secret_arn(s, region, account_id)} for s in service.secrets],
        "mountPoints": [{"sourceVolume": "tmp", "containerPath": "/tmp", "readOnly": False}],
        "linuxParameters": {"capabilities": {"drop": ["ALL"]}, "initProcessEnabled": True},
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {"awslogs-group": log_group, "awslogs-region": region, "awslogs-stream-prefix": service.name},
        },
    }
    return json.dumps([container])


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


class EcsCluster(pulumi.ComponentResource):
    """Fargate cluster + services. Attributes: cluster_arn, cluster_name, service_names, target_group_arn_suffixes,
    task_role_arns and execution_role_arns (service -> role ARN: a pipeline registering a task definition passes both)."""

    cluster_arn: pulumi.Output[str]
    cluster_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    service_names: dict[str, pulumi.Output[str]]
    target_group_arn_suffixes: dict[str, pulumi.Output[str]]
    task_role_arns: dict[str, pulumi.Output[str]]
    execution_role_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, *, account: AccountContext, region: str, config: Ecs, inputs: EcsInputs,
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__("landing-zone:workloads:EcsCluster", name, None, opts)
        self._account, self._region, self._inputs = account, region, inputs
        child = account.opts(region, parent=self)
        self._strategy = capacity_strategy(account.environment, config.spot)
        cluster_name = account.resource_name(region, "ecs")
        self.log_group = aws.cloudwatch.LogGroup(
            account.resource_name(region, "ecs-logs"),
            name=f"/landing-zone/ecs/{cluster_name}",
            kms_key_id=inputs.logs_key_arn,
            retention_in_days=inputs.log_retention_days,
            opts=child,
        )
        self.cluster = aws.ecs.Cluster(
            account.resource_name(region, "ecs-cluster"),
            name=cluster_name,
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
            opts=child,
        )
        self._capacity = aws.ecs.ClusterCapacityProviders(
            account.resource_name(region, "ecs-capacity"),
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
        for index, service in enumerate(config.services):
            self._service(index, service)
        self.register_outputs({"clusterArn": self.cluster_arn, "serviceNames": self.service_names})


    def _role(self, service: EcsService, kind: str) -> aws.iam.Role:
        account, region = self._account, self._region
        return aws.iam.Role(
            account.resource_name(region, f"ecs-{service.name}-{kind}-role"),
            assume_role_policy=ASSUME_ECS_TASKS,
            description=f"{kind} role of the ECS service {service.name}",
            opts=account.opts(region, parent=self),
        )

    def _service(self, index: int, service: EcsService) -> None:
        account, region, inputs = self._account, self._region, self._inputs
        child = account.opts(region, parent=self)
        purpose = f"ecs-{service.name}"
        execution_role, task_role = self._role(service, "execution"), self._role(service, "task")
        aws.iam.RolePolicy(
            account.resource_name(region, f"{purpose}-execution-policy"),
            role=execution_role.id,
            policy=pulumi.Output.all(inputs.repository_arns[service.name], self.log_group.arn, inputs.data_key_arn,
                                     account.account_id).apply(
                lambda a: execution_policy(service, a[0], a[1], a[2], region, a[3])),
            opts=child,
        )
        task = aws.ecs.TaskDefinition(
            account.resource_name(region, f"{purpose}-task"),
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
            container_definitions=pulumi.Output.all(inputs.repository_urls[service.name], self.log_group.name,
                                                    account.account_id).apply(
                lambda a: container_definitions(service, f"{a[0]}:{service.image_tag or UNPUBLISHED_TAG}", a[1],
                                                region, a[2])),
            opts=child,
        )
        load_balancers, depends_on = [], []
        if inputs.https_listener_arn is not None:
            target_group, rule = self._edge_route(index, service)
            load_balancers = [aws.ecs.ServiceLoadBalancerArgs(
                target_group_arn=target_group.arn, container_name=service.name, container_port=service.port)]
            depends_on = [rule]
            self.target_group_arn_suffixes[service.name] = target_group.arn_suffix
        ecs_service = aws.ecs.Service(
            account.resource_name(region, purpose),
            name=service.name,
            cluster=self.cluster.arn,
            task_definition=task.arn,
            desired_count=service_counts(service)[0],
            platform_version="LATEST",
            capacity_provider_strategies=[aws.ecs.ServiceCapacityProviderStrategyArgs(**s) for s in self._strategy],
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=inputs.vpc.subnet_ids["private"],
                security_groups=[inputs.app_security_group_id],
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
            opts=account.opts(region, parent=self, depends_on=[*depends_on, self._capacity],
                              ignore_changes=["desiredCount"]),  # autoscaling owns the count after creation
        )
        self._autoscaling(service, ecs_service)
        self.service_names[service.name] = ecs_service.name
        self.task_role_arns[service.name] = task_role.arn
        self.execution_role_arns[service.name] = execution_role.arn

    def _edge_route(self, index: int, service: EcsService) -> tuple[aws.lb.TargetGroup, aws.lb.ListenerRule]:
        account, region, inputs = self._account, self._region, self._inputs
        child = account.opts(region, parent=self)
        target_group = aws.lb.TargetGroup(
            account.resource_name(region, f"tg-{service.name}"),
            port=service.port,
            protocol="HTTP",  # TLS ends at the ALB; the hop to the task stays inside the VPC's private subnets
            target_type="ip",
            vpc_id=inputs.vpc.vpc_id,
            deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(path=service.health_check_path, matcher="200-399",
                                                           healthy_threshold=3, unhealthy_threshold=3),
            opts=child,
        )
        rule = aws.lb.ListenerRule(
            account.resource_name(region, f"rule-{service.name}"),
            listener_arn=inputs.https_listener_arn,
            priority=listener_priority(index, service),
            conditions=[aws.lb.ListenerRuleConditionArgs(
                path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(values=[service.path]))],
            actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)],
            opts=child,
        )
        return target_group, rule

    def _autoscaling(self, service: EcsService, ecs_service: aws.ecs.Service) -> None:
        account, region = self._account, self._region
        child = account.opts(region, parent=self)
        target = aws.appautoscaling.Target(
            account.resource_name(region, f"ecs-{service.name}-scaling"),
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.concat("service/", self.cluster.name, "/", ecs_service.name),
            min_capacity=service_counts(service)[1],
            max_capacity=service_counts(service)[2],
            opts=child,
        )
        for metric, value in (("ECSServiceAverageCPUUtilization", 60.0), ("ECSServiceAverageMemoryUtilization", 75.0)):
            aws.appautoscaling.Policy(
                account.resource_name(region, f"ecs-{service.name}-{metric.removeprefix('ECSServiceAverage').lower()}"),
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
