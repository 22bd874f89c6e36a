"""The outputs the stacks of a split organization read from each other (components/stacks/outputs.py writes them).

Pure models: a downstream stack validates what its StackReference returns, so an upstream stack deployed by an older
version fails with the missing field named instead of a KeyError deep in a component.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

ORGANIZATION_OUTPUT = "lz_organization"
NETWORK_OUTPUT = "lz_network"


class _Outputs(BaseModel):
    model_config = ConfigDict(extra="allow")  # a newer upstream may add fields


class LogArchiveOutputs(_Outputs):
    bucket_name: str
    bucket_arn: str
    kms_key_arn: str
    elb_logs_buckets: dict[str, str] = {}


class OrganizationOutputs(_Outputs):
    organization_arn: str
    account_ids: dict[str, str]
    log_archive: LogArchiveOutputs
    trail_arn: str | None = None
    security_alarm_topic_arn: str | None = None
    alarm_bus_arn: str | None = None


class HubOutputs(_Outputs):
    transit_gateway_id: str
    transit_gateway_arn: str
    route_table_ids: dict[str, str]
    log_key_arn: str


class ResolverOutputs(_Outputs):
    rule_ids: dict[str, str] = {}
    firewall_rule_group_id: str
    query_log_config_id: str


class NetworkOutputs(_Outputs):
    hubs: dict[str, HubOutputs]
    resolvers: dict[str, ResolverOutputs] = {}
    private_zone_ids: dict[str, str] = {}
