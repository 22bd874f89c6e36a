"""Monitoring for a workload account: an encrypted SNS topic, CloudWatch alarms for what the account runs,
a dashboard, and optionally an Amazon Managed Prometheus workspace for EKS.

Every alarm notifies the topic on ALARM and OK (and treats missing data as not breaching, so an idle service does not
page anyone). The caller describes what exists through `MonitoringTargets`; no target, no alarm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.context import AccountContext
from components.lookups import lookup
from landing_zone.models import Monitoring as MonitoringConfig


@dataclass(frozen=True)
class MonitoringTargets:
    alb_arn_suffix: pulumi.Input[str] | None = None
    target_group_arn_suffixes: dict[str, pulumi.Input[str]] = field(default_factory=dict)  # service -> TG suffix
    aurora_cluster_identifier: pulumi.Input[str] | None = None
    aurora_has_readers: bool = False  # replica-lag alarm only if readers
    ecs_cluster_name: pulumi.Input[str] | None = None
    ecs_service_names: dict[str, pulumi.Input[str]] = field(default_factory=dict)  # service -> ECS service name
    eks_cluster_name: pulumi.Input[str] | None = None
    instance_ids: list[pulumi.Input[str]] = field(default_factory=list)  # EC2 status-check alarms (data hosts)
    redis_replication_group_id: pulumi.Input[str] | None = None
    queue_names: dict[str, pulumi.Input[str]] = field(default_factory=dict)  # queue -> DLQ name
    prometheus: bool = False  # from eks.prometheus


@dataclass(frozen=True)
class AlarmSpec:
    purpose: str
    namespace: str
    metric: str
    dimensions: dict[str, pulumi.Input[str]]
    threshold: float
    statistic: str = "Average"
    comparison: str = "GreaterThanThreshold"
    periods: int = 3
    period: int = 300
    description: str = ""


class Monitoring(pulumi.ComponentResource):
    topic_arn: pulumi.Output[str]
    alarm_names: list[str]
    dashboard_name: pulumi.Output[str] | None = None
    prometheus_workspace_arn: pulumi.Output[str] | None = None

    def __init__(self, name: str, *, account: AccountContext, region: str, config: MonitoringConfig,
                 alarm_email: str | None, data_key_arn: pulumi.Input[str], targets: MonitoringTargets,
                 logs_key_arn: pulumi.Input[str] | None = None, log_retention_days: int = 365,
                 opts: pulumi.ResourceOptions | None = None):
        """data_key_arn encrypts the topic: its key policy must let cloudwatch.amazonaws.com use it (kms:Decrypt,
        kms:GenerateDataKey*) or alarms cannot publish. logs_key_arn is needed for the Prometheus workspace's logs."""
        super().__init__("landing-zone:workloads:Monitoring", name, None, opts)
        if targets.prometheus and logs_key_arn is None:
            raise ValueError(f"accounts[{account.name}].workloads.eks.prometheus: the workspace's log group needs "
                             "logs_key_arn")
        self._account, self._region = account, region
        self.topic_arn = self._topic(data_key_arn, alarm_email)
        self.alarm_names = []
        for spec in self._alarm_specs(targets):
            self._alarm(spec)
        self._status_checks(targets.instance_ids)
        if config.dashboard:
            self.dashboard_name = self._dashboard(targets)
        if targets.prometheus:
            self.prometheus_workspace_arn = self._prometheus(data_key_arn, logs_key_arn, log_retention_days)
        self.register_outputs({"topicArn": self.topic_arn, "dashboardName": self.dashboard_name,
                               "prometheusWorkspaceArn": self.prometheus_workspace_arn})

    def _rn(self, purpose: str) -> str:
        return self._account.resource_name(self._region, purpose)

    def _opts(self, **kwargs) -> pulumi.ResourceOptions:
        return self._account.opts(self._region, parent=self, **kwargs)

    def _topic(self, key_arn: pulumi.Input[str], email: str | None) -> pulumi.Output[str]:
        topic = aws.sns.Topic(self._rn("alarms"), name=self._rn("alarms"), kms_master_key_id=key_arn,
                              opts=self._opts())
        policy = aws.sns.TopicPolicy(self._rn("alarms"), arn=topic.arn, policy=pulumi.Output.json_dumps({
            "Version": "2012-10-17", "Statement": [
                {"Sid": "CloudWatchAlarmsPublish", "Effect": "Allow",
                 "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": topic.arn,
                 "Condition": {"StringEquals": {"aws:SourceAccount": self._account.account_id}}},
                {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
                 "Resource": topic.arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            ]}), opts=self._opts())
        if email:
            aws.sns.TopicSubscription(self._rn("alarms-email"), topic=topic.arn, protocol="email", endpoint=email,
                                      opts=self._opts())
        # PutMetricAlarm does not check the topic, but an alarm firing before the policy exists is lost: alarms wait
        return pulumi.Output.all(topic.arn, policy.id).apply(lambda a: a[0])

    def _alarm_specs(self, t: MonitoringTargets) -> list[AlarmSpec]:
        specs: list[AlarmSpec] = []
        if t.alb_arn_suffix is not None:
            specs.append(AlarmSpec("alb-5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count",
                                   {"LoadBalancer": t.alb_arn_suffix}, 10, "Sum", description="ALB 5xx responses"))
            specs.append(AlarmSpec("alb-target-5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count",
                                   {"LoadBalancer": t.alb_arn_suffix}, 25, "Sum", description="Targets' 5xx responses"))
            for service, tg in sorted(t.target_group_arn_suffixes.items()):
                specs.append(AlarmSpec(f"alb-unhealthy-{service}", "AWS/ApplicationELB", "UnHealthyHostCount",
                                       {"LoadBalancer": t.alb_arn_suffix, "TargetGroup": tg}, 0, "Maximum", periods=2,
                                       period=60, description=f"Unhealthy targets of {service}"))
        if t.aurora_cluster_identifier is not None:
            cluster = {"DBClusterIdentifier": t.aurora_cluster_identifier}
            specs.append(AlarmSpec("aurora-cpu", "AWS/RDS", "CPUUtilization", cluster, 80, description="Aurora CPU"))
            specs.append(AlarmSpec("aurora-free-storage", "AWS/RDS", "FreeLocalStorage", cluster, 10 * 1024**3,
                                   "Minimum", "LessThanThreshold", description="Aurora free local storage < 10 GiB"))
            if t.aurora_has_readers:
                specs.append(AlarmSpec("aurora-replica-lag", "AWS/RDS", "AuroraReplicaLag", cluster, 1000, "Maximum",
                                       description="Aurora replica lag > 1 s"))
        if t.ecs_cluster_name is not None:
            for service, ecs_name in sorted(t.ecs_service_names.items()):
                dims = {"ClusterName": t.ecs_cluster_name, "ServiceName": ecs_name}
                specs.append(AlarmSpec(f"ecs-cpu-{service}", "AWS/ECS", "CPUUtilization", dims, 85,
                                       description=f"ECS {service} CPU"))
                specs.append(AlarmSpec(f"ecs-memory-{service}", "AWS/ECS", "MemoryUtilization", dims, 85,
                                       description=f"ECS {service} memory"))
        if t.eks_cluster_name is not None:
            specs.append(AlarmSpec("eks-node-cpu", "ContainerInsights", "node_cpu_utilization",
                                   {"ClusterName": t.eks_cluster_name}, 80, description="EKS node CPU"))
        if t.redis_replication_group_id is not None:
            specs.append(AlarmSpec("redis-cpu", "AWS/ElastiCache", "EngineCPUUtilization",
                                   {"ReplicationGroupId": t.redis_replication_group_id}, 80, description="Redis CPU"))
        for queue, dlq in sorted(t.queue_names.items()):
            specs.append(AlarmSpec(f"dlq-{queue}", "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": dlq},
                                   0, "Maximum", periods=1, description=f"Messages in the dead-letter queue of {queue}"))
        return specs

    def _alarm(self, spec: AlarmSpec, actions: list[pulumi.Input[str]] | None = None) -> None:
        name = self._rn(spec.purpose)
        aws.cloudwatch.MetricAlarm(
            name, name=name, alarm_description=spec.description, namespace=spec.namespace,
            metric_name=spec.metric, dimensions=spec.dimensions, statistic=spec.statistic, period=spec.period,
            evaluation_periods=spec.periods, threshold=spec.threshold, comparison_operator=spec.comparison,
            treat_missing_data="notBreaching", actions_enabled=True,
            alarm_actions=[self.topic_arn, *(actions or [])], ok_actions=[self.topic_arn], opts=self._opts())
        self.alarm_names.append(name)

    def _status_checks(self, instance_ids: list[pulumi.Input[str]]) -> None:
        """Instance checks page; system checks page and let EC2 recover the host onto healthy hardware."""
        partition = lookup(aws.get_partition_output, account=self._account, region=self._region, parent=self)
        recover = pulumi.Output.concat("arn:", partition.partition, ":automate:", self._region, ":ec2:recover")
        for index, instance_id in enumerate(instance_ids):
            dims = {"InstanceId": instance_id}
            self._alarm(AlarmSpec(f"ec2-status-{index + 1}", "AWS/EC2", "StatusCheckFailed_Instance", dims, 0,
                                  "Maximum", periods=2, period=60, description="EC2 instance status check failed"))
            self._alarm(AlarmSpec(f"ec2-system-{index + 1}", "AWS/EC2", "StatusCheckFailed_System", dims, 0,
                                  "Maximum", periods=2, period=60, description="EC2 system status check failed"),
                        actions=[recover])

    def _dashboard(self, t: MonitoringTargets) -> pulumi.Output[str]:
        widgets = []

        def widget(title: str, metrics: list) -> None:
            widgets.append({"type": "metric", "width": 12, "height": 6, "x": 12 * (len(widgets) % 2),
                            "y": 6 * (len(widgets) // 2),
                            "properties": {"title": title, "region": self._region, "stat": "Average", "period": 300,
                                           "metrics": metrics}})

        if t.alb_arn_suffix is not None:
            widget("ALB requests and 5xx", [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", t.alb_arn_suffix,
                                             {"stat": "Sum"}],
                                            ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer",
                                             t.alb_arn_suffix, {"stat": "Sum"}]])
        if t.aurora_cluster_identifier is not None:
            widget("Aurora CPU", [["AWS/RDS", "CPUUtilization", "DBClusterIdentifier", t.aurora_cluster_identifier]])
        if t.ecs_cluster_name is not None:
            widget("ECS services CPU", [["AWS/ECS", "CPUUtilization", "ClusterName", t.ecs_cluster_name,
                                         "ServiceName", svc] for _, svc in sorted(t.ecs_service_names.items())]
                   or [["AWS/ECS", "CPUUtilization", "ClusterName", t.ecs_cluster_name]])
        if t.eks_cluster_name is not None:
            widget("EKS node CPU", [["ContainerInsights", "node_cpu_utilization", "ClusterName", t.eks_cluster_name]])
        if t.instance_ids:
            widget("Data hosts CPU", [["AWS/EC2", "CPUUtilization", "InstanceId", i] for i in t.instance_ids])
        if not widgets:
            widgets.append({"type": "text", "width": 24, "height": 2, "x": 0, "y": 0,
                            "properties": {"markdown": f"# {self._account.name}\nNo monitored workloads yet."}})
        dashboard = aws.cloudwatch.Dashboard(
            self._rn("dashboard"), dashboard_name=self._rn("dashboard"),
            dashboard_body=pulumi.Output.json_dumps({"widgets": widgets}), opts=self._opts())
        return dashboard.dashboard_name

    def _prometheus(self, key_arn: pulumi.Input[str], logs_key_arn: pulumi.Input[str],
                    retention: int) -> pulumi.Output[str]:
        log_group = aws.cloudwatch.LogGroup(
            self._rn("prometheus-logs"), name=f"/aws/prometheus/{self._rn('prometheus')}",
            kms_key_id=logs_key_arn, retention_in_days=retention, opts=self._opts())
        workspace = aws.amp.Workspace(
            self._rn("prometheus"), alias=self._rn("prometheus"), kms_key_arn=key_arn,
            logging_configuration={"log_group_arn": pulumi.Output.concat(log_group.arn, ":*")}, opts=self._opts())
        return workspace.arn
