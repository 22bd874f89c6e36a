"""Edge (ALB + ACM + WAF, optional NLB and API Gateway) under the shared recording mocks, for dev and prod."""

from __future__ import annotations

import copy
import json

import pulumi_aws as aws
import pytest
import workloads_harness as h

from components.workloads.edge import MANAGED_RULE_GROUPS, TLS_POLICY, Edge, EdgeArgs, short_name
from landing_zone.config import ConfigError, load_stack, namespaced, parse, read_stack_file, stack_file
from landing_zone.mocks import fake_account_id
from landing_zone.models import Edge as EdgeConfig

LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
RECORD = "aws:route53/record:Record"
STACKS = ("dev", "prod")


def edge_accounts(stack: str) -> dict[str, object]:
    cfg = load_stack(stack, h.REPO_ROOT)
    return {a.name: a for a in cfg.accounts if a.workloads.edge}


def outputs_by_urn(plan: dict) -> dict[str, dict]:
    return {r["urn"]: r for r in plan["resources"]}


@pytest.mark.parametrize("stack", STACKS)
def test_one_public_alb_per_edge_account_with_hardened_settings(stack):
    plan = h.stack_plan(stack)
    accounts = edge_accounts(stack)
    assert accounts, "the sample stacks exercise the edge"
    for name, account in accounts.items():
        albs = [r for r in h.of_type(plan, LB, name) if r["inputs"]["loadBalancerType"] == "application"]
        assert len(albs) == 1
        alb = albs[0]["inputs"]
        assert alb["internal"] is False
        assert alb["subnets"] == [f"subnet-{name}-public-{az}" for az in range(account.vpcs["ap-south-1"].azs)]
        assert alb["dropInvalidHeaderFields"] is True
        assert alb["desyncMitigationMode"] in ("defensive", "strictest")
        # the region's SSE-S3 ELB log bucket: ALB access logs cannot be written to the SSE-KMS log archive bucket
        assert alb["accessLogs"] == {"enabled": True, "bucket": h.LOG_ARCHIVE.elb_logs_bucket_by_region["ap-south-1"],
                                     "prefix": f"alb/{name}/ap-south-1"}
        assert alb["enableDeletionProtection"] is (account.environment != "sandbox")
        assert len(alb["name"]) <= 32


@pytest.mark.parametrize("stack", STACKS)
def test_https_listener_uses_tls12_policy_and_validated_certificate(stack):
    plan = h.stack_plan(stack)
    for name, account in edge_accounts(stack).items():
        listeners = {r["inputs"]["protocol"]: r["inputs"] for r in h.of_type(plan, LISTENER, name)}
        assert set(listeners) == {"HTTPS", "HTTP"}
        https = listeners["HTTPS"]
        assert https["port"] == 443 and https["sslPolicy"] == TLS_POLICY
        validation = [r for r in h.of_type(plan, "aws:acm/certificateValidation:CertificateValidation", name)]
        assert https["certificateArn"] == validation[0]["outputs"]["certificateArn"], "listener waits for validation"
        cert = h.of_type(plan, "aws:acm/certificate:Certificate", name)[0]["inputs"]
        assert cert["domainName"] == account.workloads.edge.domain_name and "*" not in cert["domainName"]
        assert cert["validationMethod"] == "DNS" and cert["keyAlgorithm"] == "RSA_2048"
        assert https["defaultActions"][0]["type"] == "fixed-response"


@pytest.mark.parametrize("stack", STACKS)
def test_http_only_redirects_to_https(stack):
    plan = h.stack_plan(stack)
    for name in edge_accounts(stack):
        http = [r["inputs"] for r in h.of_type(plan, LISTENER, name) if r["inputs"]["protocol"] == "HTTP"]
        assert len(http) == 1
        (action,) = http[0]["defaultActions"]
        assert action["type"] == "redirect"
        assert action["redirect"] == {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"}


@pytest.mark.parametrize("stack", STACKS)
def test_alb_security_group_admits_only_web_ports_and_reaches_only_the_app_tier(stack):
    plan = h.stack_plan(stack)
    for name in edge_accounts(stack):
        (sg,) = [r["inputs"] for r in h.of_type(plan, "aws:ec2/securityGroup:SecurityGroup", name)
                 if r["name"].endswith("-alb-sg")]
        assert sorted(rule["fromPort"] for rule in sg["ingress"]) == [80, 443]
        assert all(rule["description"] for rule in sg["ingress"] + sg["egress"])
        assert all(rule.get("securityGroups") == [f"sg-{name}-app"] and "cidrBlocks" not in rule
                   for rule in sg["egress"])


@pytest.mark.parametrize("stack", STACKS)
def test_waf_has_managed_groups_rate_limit_logging_and_alb_association(stack):
    plan = h.stack_plan(stack)
    by_urn = outputs_by_urn(plan)
    for name, account in edge_accounts(stack).items():
        (acl,) = h.of_type(plan, WEB_ACL, name)
        rules = acl["inputs"]["rules"]
        assert acl["inputs"]["scope"] == "REGIONAL"
        managed = {r["statement"]["managedRuleGroupStatement"]["name"] for r in rules if "managedRuleGroupStatement" in r["statement"]}
        assert managed == {group for group, _ in MANAGED_RULE_GROUPS}
        (rate,) = [r for r in rules if "rateBasedStatement" in r["statement"]]
        assert rate["statement"]["rateBasedStatement"]["limit"] == account.workloads.edge.waf_rate_limit
        assert "block" in rate["action"]
        assert len({r["priority"] for r in rules}) == len(rules)

        (assoc,) = h.of_type(plan, "aws:wafv2/webAclAssociation:WebAclAssociation", name)
        alb = [r for r in h.of_type(plan, LB, name) if r["inputs"]["loadBalancerType"] == "application"][0]
        assert assoc["inputs"]["resourceArn"] == alb["id"]
        assert assoc["inputs"]["webAclArn"] == acl["outputs"]["arn"]

        (logging_cfg,) = h.of_type(plan, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", name)
        assert logging_cfg["inputs"]["resourceArn"] == acl["outputs"]["arn"]
        (group,) = [r for r in h.of_type(plan, "aws:cloudwatch/logGroup:LogGroup", name)
                    if r["outputs"]["arn"] in logging_cfg["inputs"]["logDestinationConfigs"]]
        assert group["inputs"]["name"].startswith("aws-waf-logs-")
        assert group["inputs"]["kmsKeyId"].startswith("arn:aws:kms:") and group["inputs"]["retentionInDays"] == 365
        assert by_urn[group["urn"]]["parent"] == acl["parent"]


@pytest.mark.parametrize("stack", STACKS)
def test_records_go_into_the_existing_zone_through_its_owners_provider(stack):
    """Nothing DNS lives in (or is looked up through) an account this stack creates: the validation CNAME and the
    alias are written into network.dns's zone through the management account's provider."""
    plan, cfg = h.stack_plan(stack), load_stack(stack, h.REPO_ROOT)
    by_urn = outputs_by_urn(plan)
    for name, account in edge_accounts(stack).items():
        assert h.of_type(plan, RECORD, name) == [], f"{name} is created by the stack: no zone to write into"
        records = [r for r in h.of_type(plan, RECORD, "management") if r["name"].startswith(f"{name}-")]
        assert {r["inputs"]["zoneId"] for r in records} == {cfg.network.dns.zone_id}
        (alias,) = [r["inputs"] for r in records if r["inputs"].get("aliases")]
        assert alias["name"] == account.workloads.edge.domain_name and alias["type"] == "A"
        assert alias["aliases"][0]["evaluateTargetHealth"] is True
        (cname,) = [r for r in records if r["name"].endswith("-cert-validation")]
        (validation,) = h.of_type(plan, "aws:acm/certificateValidation:CertificateValidation", name)
        assert validation["inputs"]["validationRecordFqdns"] == [cname["outputs"]["fqdn"]]
        assert cname["urn"] in validation["dependencies"], "validation waits for its record"
        assert by_urn[validation["urn"]]["inputs"]["certificateArn"].startswith(f"arn:aws:acm:ap-south-1:{fake_account_id(name)}:")


def test_the_edge_looks_nothing_up_in_route53(monkeypatch):
    """A lookup through a created account's provider finds nothing on a first `pulumi up`: none may happen."""
    def refuse(*args, **kwargs):
        raise AssertionError("route53 lookup through an account provider")

    for fn in ("get_zone", "get_zone_output", "get_zones", "get_zones_output"):
        monkeypatch.setattr(aws.route53, fn, refuse)
    plan = h.run(_variant_program(EdgeConfig(domain_name="shop.dev.example.com")))
    assert h.of_type(plan, "aws:acm/certificateValidation:CertificateValidation")


@pytest.mark.parametrize("stack", STACKS)
def test_waf_logging_waits_for_the_log_delivery_policy(stack):
    """PutLoggingConfiguration checks (or tries to add) the log group resource policy for vended logs."""
    plan = h.stack_plan(stack)
    for name in edge_accounts(stack):
        (logging_cfg,) = h.of_type(plan, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", name)
        (policy,) = h.of_type(plan, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy", name)
        assert policy["urn"] in logging_cfg["dependencies"]
        (statement,) = json.loads(policy["inputs"]["policyDocument"])["Statement"]
        assert statement["Principal"] == {"Service": "delivery.logs.amazonaws.com"}
        assert statement["Resource"].endswith(f":{fake_account_id(name)}:log-group:aws-waf-logs-*:log-stream:*")
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": fake_account_id(name)}


# --- config: network.dns --------------------------------------------------------------------------------------


def _config_errors(stack: str, edit) -> list[str]:
    values = copy.deepcopy(namespaced(read_stack_file(stack_file(stack, h.REPO_ROOT))))
    edit(values)
    try:
        parse(values)
    except ConfigError as e:
        return e.errors
    return []


def _prod_apps(values: dict) -> dict:
    return next(a for a in values["accounts"] if a["name"] == "prod-apps")


@pytest.mark.parametrize("stack", STACKS)
def test_sample_stacks_name_an_existing_zone(stack):
    assert _config_errors(stack, lambda v: None) == []


def test_an_edge_without_network_dns_is_refused():
    errors = _config_errors("prod", lambda v: v["network"].pop("dns"))
    assert any(e.startswith("accounts[3].workloads.edge: app.example.com needs the public zone") for e in errors), errors


def test_the_zone_owner_must_exist_before_the_stack():
    def created_account_owns_the_zone(values):
        values["network"]["dns"]["account"] = "network"  # created by this stack (no account_id)
    errors = _config_errors("prod", created_account_owns_the_zone)
    assert any(e.startswith("network.dns.account: network is created by this stack") for e in errors), errors

    def adopted_account_owns_the_zone(values):
        values["network"]["dns"]["account"] = "network"
        next(a for a in values["accounts"] if a["name"] == "network")["account_id"] = "999999999999"
    assert _config_errors("prod", adopted_account_owns_the_zone) == []
    errors = _config_errors("prod", lambda v: v["network"]["dns"].update(account="nope"))
    assert any(e.startswith("network.dns.account: nope is not an account") for e in errors), errors


def test_edge_domains_must_be_inside_the_zone_and_distinct():
    errors = _config_errors("prod", lambda v: _prod_apps(v)["workloads"]["edge"].update(domain_name="app.example.org"))
    assert any("accounts[3].workloads.edge.domain_name: app.example.org is not inside network.dns.zone_name" in e
               for e in errors), errors
    errors = _config_errors("prod", lambda v: _prod_apps(v)["workloads"]["edge"].update(
        domain_name="app.nonprod.example.com"))
    assert "accounts[5].workloads.edge.domain_name: app.nonprod.example.com is already the domain of accounts[3]" in errors
    errors = _config_errors("prod", lambda v: _prod_apps(v)["workloads"]["edge"].update(zone_name="app.example.com"))
    assert any("accounts[3].workloads.edge.zone_name: app.example.com is not network.dns.zone_name" in e
               for e in errors), errors
    errors = _config_errors("prod", lambda v: v["network"]["dns"].update(zone_id="not-a-zone"))
    assert any(e.startswith("network.dns.zone_id") for e in errors), errors


def test_short_name_is_stable_unique_and_bounded():
    long_a, long_b = short_name("a" * 30, "alb"), short_name("a" * 29 + "b", "alb")
    assert len(long_a) <= 32 and len(long_b) <= 32 and long_a != long_b
    assert short_name("a" * 30, "alb") == long_a
    assert short_name("prod-apps", "alb") == "prod-apps-alb"


# --- config variants: NLB and API Gateway, bad input ------------------------------------------------------------


def _variant_program(edge: EdgeConfig, *, public_subnets: bool = True, log_archive: h.LogArchive | None = h.LOG_ARCHIVE):
    def build() -> None:
        cfg = load_stack("dev", h.REPO_ROOT)
        account_cfg = cfg.account("prod-apps")
        account_id = fake_account_id(account_cfg.name)
        account = h.AccountContext.from_account_id(account_cfg, account_id, cfg.organization, cfg.regions)
        vpc = h.vpc_handle(account, "ap-south-1", 2)
        if not public_subnets:
            vpc = h.VpcHandle(vpc.account, vpc.region, vpc.cidr, vpc.vpc_id, {"private": vpc.subnet_ids["private"]})
        Edge("prod-apps-ap-south-1-edge", EdgeArgs(
            account=account, region="ap-south-1", vpc=vpc, config=edge, log_archive=log_archive,
            app_security_group_id="sg-app", target_ports=[8080], logs_key_arn=h.key_arn(account, "ap-south-1", "logs"),
            log_retention_days=400, dns=h.edge_dns(cfg)))
    return build


@pytest.fixture(scope="module")
def variant_plan() -> dict:
    config = EdgeConfig(domain_name="shop.dev.example.com", waf_rate_limit=500, nlb=True,
                        api_gateway=True)
    return h.run(_variant_program(config))


def test_optional_nlb_is_internal_with_a_tls_listener(variant_plan):
    nlbs = [r["inputs"] for r in h.of_type(variant_plan, LB) if r["inputs"]["loadBalancerType"] == "network"]
    assert len(nlbs) == 1 and nlbs[0]["internal"] is True
    assert nlbs[0]["accessLogs"] == {"enabled": True, "bucket": h.LOG_ARCHIVE.elb_logs_bucket_by_region["ap-south-1"],
                                     "prefix": "alb/prod-apps/ap-south-1"}
    tls = [r["inputs"] for r in h.of_type(variant_plan, LISTENER) if r["inputs"]["protocol"] == "TLS"]
    assert len(tls) == 1 and tls[0]["sslPolicy"] == TLS_POLICY and tls[0]["certificateArn"]


def test_optional_api_gateway_has_tls12_domain_access_logs_xray_and_waf(variant_plan):
    (domain,) = h.of_type(variant_plan, "aws:apigateway/domainName:DomainName")
    assert domain["inputs"]["securityPolicy"] == "TLS_1_2"
    assert domain["inputs"]["domainName"] == "api.shop.dev.example.com"
    (stage,) = h.of_type(variant_plan, "aws:apigateway/stage:Stage")
    assert stage["inputs"]["xrayTracingEnabled"] is True
    log_groups = {r["outputs"]["arn"]: r["inputs"] for r in h.of_type(variant_plan, "aws:cloudwatch/logGroup:LogGroup")}
    destination = stage["inputs"]["accessLogSettings"]["destinationArn"]
    assert log_groups[destination]["kmsKeyId"] and log_groups[destination]["retentionInDays"] == 400
    assert json.loads(stage["inputs"]["accessLogSettings"]["format"])["requestId"] == "$context.requestId"
    associated = {r["inputs"]["resourceArn"] for r in h.of_type(variant_plan, "aws:wafv2/webAclAssociation:WebAclAssociation")}
    assert stage["outputs"]["arn"] in associated and len(associated) == 2
    (api,) = h.of_type(variant_plan, "aws:apigateway/restApi:RestApi")
    assert api["inputs"]["disableExecuteApiEndpoint"] is True
    certs = {r["inputs"]["domainName"] for r in h.of_type(variant_plan, "aws:acm/certificate:Certificate")}
    assert certs == {"shop.dev.example.com", "api.shop.dev.example.com"}


def test_variant_rate_limit_comes_from_config(variant_plan):
    (acl,) = h.of_type(variant_plan, WEB_ACL)
    (rate,) = [r for r in acl["inputs"]["rules"] if "rateBasedStatement" in r["statement"]]
    assert rate["statement"]["rateBasedStatement"]["limit"] == 500


def test_edge_without_public_subnets_is_a_clear_error():
    config = EdgeConfig(domain_name="shop.dev.example.com")
    with pytest.raises(Exception, match=r"accounts\[prod-apps\]\.workloads\.edge: .*no public subnets"):
        h.run(_variant_program(config, public_subnets=False))


def test_edge_without_an_elb_log_bucket_is_a_clear_error():
    config = EdgeConfig(domain_name="shop.dev.example.com")
    with pytest.raises(Exception, match=r"accounts\[prod-apps\]\.workloads\.edge: .*SSE-S3 bucket in ap-south-1"):
        h.run(_variant_program(config, log_archive=None))
