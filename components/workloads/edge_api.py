"""The edge's optional REST API Gateway: api.<domain> proxying to the ALB, on a TLS 1.2 custom domain only, with
access logs (CMK-encrypted log group), X-Ray, throttling and the edge's WAF web ACL.

REST (not HTTP API) because only REST stages can carry a WAF web ACL. Its resources are children of the Edge.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountComponent
from components.lookups import lookup
from components.workloads.edge_dns import EdgeDns, alias, validated_certificate

API_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod", "path": "$context.path", "status": "$context.status",
    "responseLength": "$context.responseLength", "wafResponse": "$context.wafResponseCode",
    "integrationLatency": "$context.integrationLatency",
}, separators=(",", ":"))


@dataclass(frozen=True, kw_only=True)
class ApiFront:
    """What the API needs from its edge: the edge's domain (the API is api.<domain>), its WAF web ACL, and where
    access logs go (CMK, retention)."""

    domain: str
    web_acl_arn: pulumi.Input[str]
    logs_key_arn: pulumi.Input[str]
    log_retention_days: int


def rest_api_front(edge: AccountComponent, dns: EdgeDns, front: ApiFront) -> pulumi.Output[str]:
    """The API on api.<domain> in front of the edge's ALB; returns its URL."""
    domain = f"api.{front.domain}"
    logging_account = _api_logging_role(edge)
    api = aws.apigateway.RestApi(
        edge.child_name("api"), name=edge.child_name("api"), endpoint_configuration={"types": "REGIONAL"},
        disable_execute_api_endpoint=True,  # only through the custom domain (TLS 1.2 policy, WAF)
        opts=edge.child_opts())
    proxy = aws.apigateway.Resource(edge.child_name("api-proxy"), rest_api=api.id, parent_id=api.root_resource_id,
                                    path_part="{proxy+}", opts=edge.child_opts())
    method = aws.apigateway.Method(
        edge.child_name("api-any"), rest_api=api.id, resource_id=proxy.id, http_method="ANY", authorization="NONE",
        request_parameters={"method.request.path.proxy": True}, opts=edge.child_opts())
    integration = aws.apigateway.Integration(
        edge.child_name("api-alb"), rest_api=api.id, resource_id=proxy.id, http_method=method.http_method,
        type="HTTP_PROXY", integration_http_method="ANY", uri=f"https://{front.domain}/{{proxy}}",
        request_parameters={"integration.request.path.proxy": "method.request.path.proxy"}, opts=edge.child_opts())
    deployment = aws.apigateway.Deployment(
        edge.child_name("api-deployment"), rest_api=api.id,
        triggers={"redeployment": hashlib.sha256(f"{domain}|ANY|{{proxy+}}".encode()).hexdigest()},
        opts=edge.child_opts(depends_on=[integration]))
    log_group = aws.cloudwatch.LogGroup(
        edge.child_name("api-access-logs"), name=f"/aws/apigateway/{edge.child_name('api')}/access",
        kms_key_id=front.logs_key_arn, retention_in_days=front.log_retention_days, opts=edge.child_opts())
    stage = aws.apigateway.Stage(
        edge.child_name("api-stage"), rest_api=api.id, deployment=deployment.id, stage_name="v1",
        xray_tracing_enabled=True,
        access_log_settings={"destination_arn": log_group.arn, "format": API_LOG_FORMAT},
        opts=edge.child_opts(depends_on=[logging_account]))
    aws.apigateway.MethodSettings(
        edge.child_name("api-settings"), rest_api=api.id, stage_name=stage.stage_name, method_path="*/*",
        settings={"metrics_enabled": True, "logging_level": "ERROR", "data_trace_enabled": False,
                  "throttling_rate_limit": 1000, "throttling_burst_limit": 2000},
        opts=edge.child_opts())
    aws.wafv2.WebAclAssociation(edge.child_name("waf-api"), resource_arn=stage.arn, web_acl_arn=front.web_acl_arn,
                                opts=edge.child_opts())
    certificate = validated_certificate(edge, dns, "api-cert", domain)
    domain_name = aws.apigateway.DomainName(
        edge.child_name("api-domain"), domain_name=domain, regional_certificate_arn=certificate,
        endpoint_configuration={"types": "REGIONAL"}, security_policy="TLS_1_2", opts=edge.child_opts())
    aws.apigateway.BasePathMapping(
        edge.child_name("api-mapping"), rest_api=api.id, stage_name=stage.stage_name,
        domain_name=domain_name.domain_name, opts=edge.child_opts())
    alias(edge, dns, "api-alias", domain, domain_name.regional_domain_name, domain_name.regional_zone_id)
    return pulumi.Output.concat("https://", domain)

def _api_logging_role(edge: AccountComponent) -> aws.apigateway.Account:
    """API Gateway writes access logs through one account-level CloudWatch role per region."""
    role = aws.iam.Role(edge.child_name("api-cloudwatch"), assume_role_policy=_service_trust(edge, "apigateway.amazonaws.com"),
                        opts=edge.child_opts())
    aws.iam.RolePolicyAttachment(
        edge.child_name("api-cloudwatch"), role=role.name,
        policy_arn=_partition_arn(edge, "iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"),
        opts=edge.child_opts())
    return aws.apigateway.Account(edge.child_name("api-account"), cloudwatch_role_arn=role.arn,
                                               opts=edge.child_opts())

def _service_trust(edge: AccountComponent, service: str) -> pulumi.Output[str]:
    """Trust one AWS service, only on behalf of this account (confused-deputy guard)."""
    return pulumi.Output.from_input(edge.account.account_id).apply(lambda account_id: json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}}]}))

def _partition_arn(edge: AccountComponent, rest: str) -> pulumi.Output[str]:
    partition = lookup(aws.get_partition_output, account=edge.account, region=edge.region, parent=edge)
    return pulumi.Output.concat("arn:", partition.partition, ":", rest)
