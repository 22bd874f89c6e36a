"""Logging of workloads (CONTROLS.md §1, LOG-09..LOG-15): load balancer, EKS, Aurora, API stage, VPN and ECS logs, and log retention."""

from __future__ import annotations

import json
from collections.abc import Iterator

from .logging import ARN
from .rules import Case, Param, ResourceRule
from .types import (
    API_STAGE,
    CLIENT_VPN,
    ECS_CLUSTER,
    EKS_CLUSTER,
    EKS_COMPONENT,
    LOAD_BALANCERS,
    LOG_GROUP,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    TASK_DEFINITION,
    VPN_CONNECTION,
)
from .values import as_list, decode_json, dig, truthy
from .views import Subject

EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


# LOG-09 ---------------------------------------------------------------------------------------------------------
def lb_access_logs(r: Subject) -> Iterator[str]:
    if not truthy(r.get("accessLogs", "enabled", default=False)) or not r.get("accessLogs", "bucket"):
        yield "access logs are off; set accessLogs={enabled: true, bucket: <log bucket>}"


# LOG-10 ---------------------------------------------------------------------------------------------------------
def eks_control_plane_logs(r: Subject) -> Iterator[str]:
    enabled = {str(t) for t in as_list(r.get("enabledClusterLogTypes"))}
    missing = [t for t in EKS_LOG_TYPES if t not in enabled]
    if missing:
        yield f"enabledClusterLogTypes lacks {missing}; enable all five control-plane log types"


# LOG-11 ---------------------------------------------------------------------------------------------------------
def aurora_audit_logs(r: Subject) -> Iterator[str]:
    if r.type != RDS_CLUSTER:
        return
    engine = str(r.get("engine", default=""))
    exports = {str(x) for x in as_list(r.get("enabledCloudwatchLogsExports"))}
    if engine == "aurora-mysql" and "audit" not in exports:
        yield "enabledCloudwatchLogsExports lacks \"audit\"; export the audit log (and enable server_audit_logging)"
    if engine == "aurora-postgresql" and "postgresql" not in exports:
        yield "enabledCloudwatchLogsExports lacks \"postgresql\"; export the postgresql log"


def enhanced_monitoring(r: Subject) -> Iterator[str]:
    """Enhanced Monitoring (OS metrics from the host) is set per instance and needs a role RDS assumes to publish."""
    if r.type != RDS_CLUSTER_INSTANCE:
        return
    interval = r.get("monitoringInterval", default=0)  # numbers arrive as floats through the engine
    if not isinstance(interval, (int, float)) or interval <= 0:
        yield (f"monitoringInterval={interval}: Enhanced Monitoring is off; set monitoring_interval (e.g. 60) and "
               "monitoring_role_arn to a role trusting monitoring.rds.amazonaws.com")
    elif not r.get("monitoringRoleArn"):
        yield ("monitoringInterval is set without monitoringRoleArn; set monitoring_role_arn to a role with "
               "AmazonRDSEnhancedMonitoringRole trusting monitoring.rds.amazonaws.com")


# LOG-12 ---------------------------------------------------------------------------------------------------------
def api_stage_logging(r: Subject) -> Iterator[str]:
    if not r.get("accessLogSettings", "destinationArn"):
        yield "no accessLogSettings; set accessLogSettings={destinationArn: <log group arn>, format: ...}"
    if not truthy(r.get("xrayTracingEnabled", default=False)):
        yield "xrayTracingEnabled is not true; enable X-Ray tracing"


# LOG-13 ---------------------------------------------------------------------------------------------------------
def log_retention(r: Subject) -> Iterator[str]:
    minimum = r.cfg["sandboxRetentionDays"] if r.env == "sandbox" else r.cfg["retentionDays"]
    days = r.get("retentionInDays", default=0)
    if not days:
        yield f"retentionInDays is unset; set retentionInDays>={int(minimum)}"
    elif 0 < int(days) < int(minimum):
        yield f"retentionInDays={days} is under {int(minimum)} days ({r.strict_env}); raise retentionInDays"


# LOG-14 ---------------------------------------------------------------------------------------------------------
def vpn_logging(r: Subject) -> Iterator[str]:
    if r.type == CLIENT_VPN:
        if not truthy(r.get("connectionLogOptions", "enabled", default=False)):
            yield "connectionLogOptions.enabled is not true; log client connections to a log group"
        return
    for tunnel in ("tunnel1LogOptions", "tunnel2LogOptions"):
        if not truthy(r.get(tunnel, "cloudwatchLogOptions", "logEnabled", default=False)):
            yield f"{tunnel}.cloudwatchLogOptions.logEnabled is not true; enable tunnel logging"


# LOG-15 ---------------------------------------------------------------------------------------------------------
def ecs_insights_and_container_logs(r: Subject) -> Iterator[str]:
    if r.type == ECS_CLUSTER:
        settings = {dig(s, "name"): dig(s, "value") for s in as_list(r.get("settings"))}
        if settings.get("containerInsights") not in ("enabled", "enhanced"):
            yield "Container Insights is off; set settings=[{name: \"containerInsights\", value: \"enabled\"}]"
        return
    definitions = decode_json(r.get("containerDefinitions"))
    for container in definitions if isinstance(definitions, list) else []:
        if not isinstance(container, dict) or not container.get("logConfiguration"):
            name = container.get("name") if isinstance(container, dict) else "?"
            yield f"container {name!r} has no logConfiguration; send its logs to CloudWatch (awslogs driver)"
CONTAINERS_LOGGED = json.dumps([{"name": "app", "image": "x", "logConfiguration": {"logDriver": "awslogs"}}])


RULES = [
    ResourceRule(
        id="LOG-09", name="log-09-lb-access-logs",
        title="Load balancers write access logs",
        description="accessLogs.enabled=true with a bucket on every ALB and NLB.",
        refs="SH ELB.5; CKV_AWS_91",
        types=LOAD_BALANCERS, checks=(lb_access_logs,),
        cases=(
            Case({"loadBalancerType": "application"}, violates=True),
            Case({"loadBalancerType": "network", "accessLogs": {"enabled": False, "bucket": "logs"}}, violates=True),
            Case({"loadBalancerType": "application", "accessLogs": {"enabled": True, "bucket": "logs"}},
                 violates=False),
        ),
    ),
    ResourceRule(
        id="LOG-10", name="log-10-eks-control-plane-logs",
        title="EKS control-plane logging covers all five log types",
        description="enabledClusterLogTypes has api, audit, authenticator, controllerManager and scheduler, on "
                    "aws.eks.Cluster and on the pulumi-eks component (which defaults to no logging).",
        refs="SH EKS.8; CKV_AWS_37",
        types=(EKS_CLUSTER, EKS_COMPONENT), checks=(eks_control_plane_logs,),
        cases=(
            Case({"roleArn": "r", "enabledClusterLogTypes": ["api", "audit"]}, violates=True),
            Case({"version": "1.33"}, type=EKS_COMPONENT, violates=True, note="pulumi-eks default: no logging"),
            Case({"roleArn": "r", "enabledClusterLogTypes": EKS_LOG_TYPES}, violates=False),
            Case({"enabledClusterLogTypes": EKS_LOG_TYPES}, type=EKS_COMPONENT, violates=False),
        ),
    ),
    ResourceRule(
        id="LOG-11", name="log-11-aurora-audit-logs",
        title="Aurora exports its audit log; its instances run Enhanced Monitoring",
        description="Aurora MySQL clusters export \"audit\" (Aurora PostgreSQL: \"postgresql\") to CloudWatch Logs; "
                    "every rds/clusterInstance has monitoringInterval > 0 and a monitoringRoleArn.",
        refs="SH RDS.34, RDS.6; CKV_AWS_324, CKV_AWS_325, CKV_AWS_118",
        types=(RDS_CLUSTER, RDS_CLUSTER_INSTANCE), checks=(aurora_audit_logs, enhanced_monitoring),
        cases=(
            Case({"clusterIdentifier": "c", "instanceClass": "db.r6g.large"}, type=RDS_CLUSTER_INSTANCE,
                 violates=True, note="no Enhanced Monitoring"),
            Case({"clusterIdentifier": "c", "instanceClass": "db.r6g.large", "monitoringInterval": 60},
                 type=RDS_CLUSTER_INSTANCE, violates=True, note="interval without a role"),
            Case({"clusterIdentifier": "c", "instanceClass": "db.r6g.large", "monitoringInterval": 60,
                  "monitoringRoleArn": "arn:aws:iam::111111111111:role/rds-monitoring"}, type=RDS_CLUSTER_INSTANCE,
                 violates=False),
            Case({"engine": "aurora-mysql", "enabledCloudwatchLogsExports": ["error"]}, violates=True),
            Case({"engine": "aurora-mysql", "enabledCloudwatchLogsExports": ["audit", "error", "slowquery"]},
                 violates=False),
        ),
    ),
    ResourceRule(
        id="LOG-12", name="log-12-api-stage-logging",
        title="API Gateway stages log access and trace with X-Ray",
        description="accessLogSettings with a destination, and xrayTracingEnabled=true.",
        refs="SH APIGateway.1, APIGateway.3; CKV_AWS_76, CKV_AWS_73",
        types=(API_STAGE,), checks=(api_stage_logging,),
        cases=(
            Case({"restApi": "a", "stageName": "v1", "deployment": "d"}, violates=True),
            Case({"restApi": "a", "stageName": "v1", "xrayTracingEnabled": True,
                  "accessLogSettings": {"destinationArn": ARN, "format": "$context.requestId"}}, violates=False),
        ),
    ),
    ResourceRule(
        id="LOG-13", name="log-13-log-retention",
        title="Log groups keep logs long enough",
        description="retentionInDays set and at least `retentionDays` (sandbox: `sandboxRetentionDays`); the "
                    "thresholds default to the stack's landing-zone:security.log_retention_days.",
        refs="AWS Config cw-loggroup-retention-period-check; CKV_AWS_66, CKV_AWS_338",
        types=(LOG_GROUP,), checks=(log_retention,),
        params={"retentionDays": Param("integer", 365, "minimum retention in days", stack="logRetentionDays"),
                "sandboxRetentionDays": Param("integer", 30, "minimum retention in days in sandbox accounts",
                                              stack="logRetentionDays", stack_at_most_default=True)},
        cases=(
            Case({"name": "app"}, violates=True),
            Case({"name": "app", "retentionInDays": 90}, violates=True),
            Case({"name": "app", "retentionInDays": 400}, violates=False),
            Case({"name": "app", "retentionInDays": 30}, env="sandbox", violates=False),
            Case({"name": "app", "retentionInDays": 400}, config={"retentionDays": 731}, violates=True,
                 note="threshold raised by config"),
        ),
    ),
    ResourceRule(
        id="LOG-14", name="log-14-vpn-logging",
        title="Client VPN connections and site-to-site VPN tunnels are logged",
        description="ec2clientvpn.Endpoint connectionLogOptions.enabled=true; ec2.VpnConnection tunnel1/2 "
                    "cloudwatchLogOptions.logEnabled=true.",
        refs="SH EC2.51, EC2.171",
        types=(CLIENT_VPN, VPN_CONNECTION), checks=(vpn_logging,),
        cases=(
            Case({"connectionLogOptions": {"enabled": False}}, violates=True),
            Case({"customerGatewayId": "c", "type": "ipsec.1"}, type=VPN_CONNECTION, violates=True),
            Case({"connectionLogOptions": {"enabled": True, "cloudwatchLogGroup": "g"}}, violates=False),
            Case({"customerGatewayId": "c", "type": "ipsec.1",
                  "tunnel1LogOptions": {"cloudwatchLogOptions": {"logEnabled": True}},
                  "tunnel2LogOptions": {"cloudwatchLogOptions": {"logEnabled": True}}}, type=VPN_CONNECTION, violates=False),
        ),
    ),
    ResourceRule(
        id="LOG-15", name="log-15-ecs-insights-container-logs",
        title="ECS clusters run Container Insights; every container logs",
        description="ecs.Cluster settings containerInsights enabled/enhanced; every container of a task definition "
                    "(containerDefinitions JSON) has a logConfiguration.",
        refs="SH ECS.12, ECS.9; CKV_AWS_65",
        types=(ECS_CLUSTER, TASK_DEFINITION), checks=(ecs_insights_and_container_logs,),
        cases=(
            Case({"name": "c"}, violates=True),
            Case({"family": "f", "containerDefinitions": json.dumps([{"name": "app", "image": "x"}])},
                 type=TASK_DEFINITION, violates=True),
            Case({"name": "c", "settings": [{"name": "containerInsights", "value": "enabled"}]}, violates=False),
            Case({"family": "f", "containerDefinitions": CONTAINERS_LOGGED}, type=TASK_DEFINITION, violates=False),
        ),
    ),
]
