"""Monitoring for a workload account: an encrypted SNS topic, CloudWatch alarms for what the account runs,
a dashboard, and optionally an Amazon Managed Prometheus workspace for EKS.

Every alarm notifies the topic on ALARM and OK (and treats missing data as not breaching, so an idle service does not
page anyone). Each piece declares what it wants watched (`Piece.watch`, components/workloads/alarms.py); nothing declared, no alarm.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.lookups import lookup
from components.workloads.alarms import AlarmSpec, Watch, Widget
from components.workloads.registry import BuildContext, Piece
from landing_zone.models import Monitoring as MonitoringConfig


@dataclass(frozen=True, kw_only=True)
class MonitoringArgs(AccountArgs):
    config: MonitoringConfig
    alarm_email: str | None
    # Encrypts the topic: its key policy must let cloudwatch.amazonaws.com use it (kms:Decrypt, kms:GenerateDataKey*)
    # or alarms cannot publish.
    data_key_arn: pulumi.Input[str]
    watch: Watch  # what the account's pieces ask to be watched (Piece.watch)
    logs_key_arn: pulumi.Input[str] | None = None  # the Prometheus workspace's log group
    log_retention_days: int = 365


class Monitoring(AccountComponent[MonitoringArgs]):
    topic_arn: pulumi.Output[str]
    alarm_names: list[str]
    dashboard_name: pulumi.Output[str] | None = None
    prometheus_workspace_arn: pulumi.Output[str] | None = None

    TOKEN = "workloads:Monitoring"

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        watch = args.watch
        if watch.prometheus and args.logs_key_arn is None:
            raise ValueError(f"accounts[{self.account.name}].workloads.eks.prometheus: the workspace's log group needs "
                             "logs_key_arn")
        self.topic_arn = self._topic(args.data_key_arn, args.alarm_email)
        self.alarm_names = []
        for spec in watch.alarms:
            self._alarm(spec)
        self._status_checks(list(watch.instance_ids))
        if args.config.dashboard:
            self.dashboard_name = self._dashboard(watch.widgets)
        if watch.prometheus:
            self.prometheus_workspace_arn = self._prometheus(args.data_key_arn, args.logs_key_arn,
                                                             args.log_retention_days)
        self.register_outputs({"topicArn": self.topic_arn, "dashboardName": self.dashboard_name,
                               "prometheusWorkspaceArn": self.prometheus_workspace_arn})

    def _topic(self, key_arn: pulumi.Input[str], email: str | None) -> pulumi.Output[str]:
        topic = aws.sns.Topic(self.child_name("alarms"), name=self.child_name("alarms"), kms_master_key_id=key_arn,
                              opts=self.child_opts())
        policy = aws.sns.TopicPolicy(self.child_name("alarms"), arn=topic.arn, policy=pulumi.Output.json_dumps({
            "Version": "2012-10-17", "Statement": [
                {"Sid": "CloudWatchAlarmsPublish", "Effect": "Allow",
                 "Principal": {"Service": "cloudwatch.amazonaws.com"}, "Action": "sns:Publish", "Resource": topic.arn,
                 "Condition": {"StringEquals": {"aws:SourceAccount": self.account.account_id}}},
                {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish",
                 "Resource": topic.arn, "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            ]}), opts=self.child_opts())
        if email:
            aws.sns.TopicSubscription(self.child_name("alarms-email"), topic=topic.arn, protocol="email", endpoint=email,
                                      opts=self.child_opts())
        # PutMetricAlarm does not check the topic, but an alarm firing before the policy exists is lost: alarms wait
        return pulumi.Output.all(topic.arn, policy.id).apply(lambda a: a[0])

    def _alarm(self, spec: AlarmSpec, actions: list[pulumi.Input[str]] | None = None) -> None:
        name = self.child_name(spec.purpose)
        aws.cloudwatch.MetricAlarm(
            name, name=name, alarm_description=spec.description, namespace=spec.namespace,
            metric_name=spec.metric, dimensions=spec.dimensions, statistic=spec.statistic, period=spec.period,
            evaluation_periods=spec.periods, threshold=spec.threshold, comparison_operator=spec.comparison,
            treat_missing_data="notBreaching", actions_enabled=True,
            alarm_actions=[self.topic_arn, *(actions or [])], ok_actions=[self.topic_arn], opts=self.child_opts())
        self.alarm_names.append(name)

    def _status_checks(self, instance_ids: list[pulumi.Input[str]]) -> None:
        """Instance checks page; system checks page and let EC2 recover the host onto healthy hardware."""
        partition = lookup(aws.get_partition_output, account=self.account, region=self.region, parent=self)
        recover = pulumi.Output.concat("arn:", partition.partition, ":automate:", self.region, ":ec2:recover")
        for index, instance_id in enumerate(instance_ids):
            dims = {"InstanceId": instance_id}
            self._alarm(AlarmSpec(f"ec2-status-{index + 1}", "AWS/EC2", "StatusCheckFailed_Instance", dims, 0,
                                  "Maximum", periods=2, period=60, description="EC2 instance status check failed"))
            self._alarm(AlarmSpec(f"ec2-system-{index + 1}", "AWS/EC2", "StatusCheckFailed_System", dims, 0,
                                  "Maximum", periods=2, period=60, description="EC2 system status check failed"),
                        actions=[recover])

    def _dashboard(self, graphs: tuple[Widget, ...]) -> pulumi.Output[str]:
        """Two graphs a row, in registry order."""
        widgets = [{"type": "metric", "width": 12, "height": 6, "x": 12 * (index % 2), "y": 6 * (index // 2),
                    "properties": {"title": graph.title, "region": self.region, "stat": "Average", "period": 300,
                                   "metrics": graph.metrics}}
                   for index, graph in enumerate(graphs)]
        if not widgets:
            widgets.append({"type": "text", "width": 24, "height": 2, "x": 0, "y": 0,
                            "properties": {"markdown": f"# {self.account.name}\nNo monitored workloads yet."}})
        dashboard = aws.cloudwatch.Dashboard(
            self.child_name("dashboard"), dashboard_name=self.child_name("dashboard"),
            dashboard_body=pulumi.Output.json_dumps({"widgets": widgets}), opts=self.child_opts())
        return dashboard.dashboard_name

    def _prometheus(self, key_arn: pulumi.Input[str], logs_key_arn: pulumi.Input[str],
                    retention: int) -> pulumi.Output[str]:
        log_group = aws.cloudwatch.LogGroup(
            self.child_name("prometheus-logs"), name=f"/aws/prometheus/{self.child_name('prometheus')}",
            kms_key_id=logs_key_arn, retention_in_days=retention, opts=self.child_opts())
        workspace = aws.amp.Workspace(
            self.child_name("prometheus"), alias=self.child_name("prometheus"), kms_key_arn=key_arn,
            logging_configuration={"log_group_arn": pulumi.Output.concat(log_group.arn, ":*")}, opts=self.child_opts())
        return workspace.arn


def build(ctx: BuildContext, config: MonitoringConfig) -> Monitoring:
    """Last: it watches what every piece built before it in the region asks to be watched."""
    watch = sum((piece.watch(ctx, component) for piece, component in ctx.each()), Watch())
    return Monitoring(ctx.name("monitoring"), MonitoringArgs(
        account=ctx.account, region=ctx.region, config=config, alarm_email=ctx.args.alarm_email,
        data_key_arn=ctx.keys["data"], watch=watch, logs_key_arn=ctx.keys["logs"],
        log_retention_days=ctx.log_retention_days), ctx.opts)


PIECE = Piece(name="monitoring", field="monitoring", build=build,
              outputs=lambda monitoring: {"alarmTopicArn": monitoring.topic_arn})
