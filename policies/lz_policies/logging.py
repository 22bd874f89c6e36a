"""Audit logging and security services (CONTROLS.md §1, LOG-01..LOG-08): CloudTrail, Config, GuardDuty, Security Hub,
Inspector. Workload logs (LOG-09..LOG-15) are logging_workloads.

LOG-07 (Security Hub enabled with standards) needs the account's Security Hub resource AND its standards
subscriptions, so it is a stack rule here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .graph import Graph, Res
from .rules import Case, CaseResource, ResourceRule, StackCase, StackRule
from .types import (
    CONFIG_RECORDER,
    GD_FEATURE,
    GD_ORG_FEATURE,
    GUARDDUTY,
    GUARDDUTY_ORG,
    HUB_POLICY,
    HUB_POLICY_ASSOCIATION,
    HUB_STANDARD,
    INSPECTOR,
    ORG_ACCOUNT,
    ORG_UNIT,
    ORGANIZATION,
    SECURITY_HUB,
    SECURITY_HUB_AGGREGATOR,
    SECURITY_HUB_ORG,
    TRAIL,
)
from .values import UNKNOWN, as_list, dig, is_unknown, truthy
from .views import Stack, Subject


# LOG-01..LOG-04 -------------------------------------------------------------------------------------------------
def trail_multi_region_and_logging(r: Subject) -> Iterator[str]:
    if not truthy(r.get("isMultiRegionTrail", default=False)):
        yield "isMultiRegionTrail is not true; set isMultiRegionTrail=true (and isOrganizationTrail=true for the org trail)"
    if r.get("enableLogging") is not None and not truthy(r.get("enableLogging")):
        yield "enableLogging=false; logging must stay on"
    if r.get("includeGlobalServiceEvents") is not None and not truthy(r.get("includeGlobalServiceEvents")):
        yield "includeGlobalServiceEvents=false; set it to true so IAM/STS events are recorded"


def trail_log_file_validation(r: Subject) -> Iterator[str]:
    if not truthy(r.get("enableLogFileValidation", default=False)):
        yield "enableLogFileValidation is not true; set enableLogFileValidation=true"


def trail_to_cloudwatch(r: Subject) -> Iterator[str]:
    if not r.get("cloudWatchLogsGroupArn"):
        yield "no cloudWatchLogsGroupArn; deliver the trail to a log group (with cloudWatchLogsRoleArn) for alarms"


def _basic_selector_covers_s3(selector) -> bool:
    return str(dig(selector, "readWriteType", default="All")) == "All" and any(
        dig(d, "type") == "AWS::S3::Object" for d in as_list(dig(selector, "dataResources"))
    )


def _advanced_selector_covers_s3(selector) -> bool:
    fields = {dig(f, "field"): f for f in as_list(dig(selector, "fieldSelectors"))}
    category = [str(v) for v in as_list(dig(fields.get("eventCategory"), "equals"))]
    types = [str(v) for v in as_list(dig(fields.get("resources.type"), "equals"))]
    # resources.ARN may exclude buckets (the log archive's own, against a delivery loop) but not narrow the
    # selector to some buckets: equals / startsWith / endsWith on it record only those
    arn = fields.get("resources.ARN")
    narrowed = any(as_list(dig(arn, op)) for op in ("equals", "startsWiths", "endsWiths")) if arn else False
    return "Data" in category and "AWS::S3::Object" in types and "readOnly" not in fields and not narrowed


def trail_s3_data_events(r: Subject) -> Iterator[str]:
    basic = any(_basic_selector_covers_s3(s) for s in as_list(r.get("eventSelectors")))
    advanced = [s for s in as_list(r.get("advancedEventSelectors")) if _advanced_selector_covers_s3(s)]
    if not (basic or advanced):
        yield ("no S3 object-level read AND write data events; add an advancedEventSelectors entry with "
               "eventCategory=Data and resources.type=AWS::S3::Object (no readOnly filter)")
    for selector in advanced:
        yield from _loose_exclusions(selector)


def _loose_exclusions(selector) -> Iterator[str]:
    """An exclusion must name whole buckets exactly: `notStartsWiths` `arn:<partition>:s3:::<bucket>/` (object ARNs
    are the bucket ARN, "/", the key). A value without the "/" is a bucket-name prefix: any account creates a
    look-alike bucket (`<prefix>x`) and stages data there unrecorded; `notEndsWiths` exempts a key suffix in every
    bucket."""
    fields = {dig(f, "field"): f for f in as_list(dig(selector, "fieldSelectors"))}
    arn = fields.get("resources.ARN") or {}
    name = dig(selector, "name", default="an advanced selector")
    loose = [str(v) for v in as_list(dig(arn, "notStartsWiths"))
             if not is_unknown(v) and not re.fullmatch(r"arn:[\w-]+:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.*", str(v))]
    loose += [f"notEndsWiths {v}" for v in as_list(dig(arn, "notEndsWiths")) if not is_unknown(v)]
    if loose:
        yield (f"{name} excludes S3 data events by a name prefix or suffix ({', '.join(loose)}): any account can "
               "create a bucket or key that matches and copy data there unrecorded; exclude each log-archive "
               "bucket by its exact ARN followed by \"/\" (notStartsWiths arn:aws:s3:::<bucket>/)")


# LOG-05 ---------------------------------------------------------------------------------------------------------
def recorder_all_resources(r: Subject) -> Iterator[str]:
    group = r.get("recordingGroup", default={})
    if not truthy(dig(group, "allSupported", default=True)):
        yield "recordingGroup.allSupported is not true; record all supported resource types"
    if not truthy(dig(group, "includeGlobalResourceTypes", default=False)):
        yield "recordingGroup.includeGlobalResourceTypes is not true; include global types (IAM) in the recorder"


# LOG-06 ---------------------------------------------------------------------------------------------------------
def guardduty_enabled(r: Subject) -> Iterator[str]:
    if r.type == GUARDDUTY and r.get("enable") is not None and not truthy(r.get("enable")):
        yield "the detector is disabled; set enable=true"
    elif r.type == GUARDDUTY_ORG and str(r.get("autoEnableOrganizationMembers", default="NONE")) != "ALL":
        yield "autoEnableOrganizationMembers is not \"ALL\"; set it to ALL so every account is protected"
    elif r.type == GD_FEATURE and str(r.get("status", default="")) != "ENABLED":
        yield f"protection feature {r.get('name')} has status={r.get('status')}; set status=\"ENABLED\""
    elif r.type == GD_ORG_FEATURE and str(r.get("autoEnable", default="NONE")) != "ALL":
        yield f"organization feature {r.get('name')} autoEnable={r.get('autoEnable')}; set autoEnable=\"ALL\""


# LOG-07 (stack) -------------------------------------------------------------------------------------------------
# With Security Hub central configuration the delegated administrator's configuration policies decide the standards
# of every centrally managed account (accounts cannot subscribe standards themselves), in the home Region (where the
# organization configuration lives) and every Region linked to it by the finding aggregator.
def security_hub_with_standards(s: Stack) -> Iterator[tuple[str | None, str]]:
    g = s.graph()
    subscribed = {(g.account(r), g.region(r)) for r in g.of_type(HUB_STANDARD)}
    central = _central_configuration(g)
    for hub in g.of_type(SECURITY_HUB):
        defaults = hub.get("enableDefaultStandards")
        if defaults is None or truthy(defaults) or (g.account(hub), g.region(hub)) in subscribed:
            continue
        if central is not None and central.covers(hub):
            continue
        yield hub.urn, ("Security Hub has no standards: enableDefaultStandards=false, no "
                        "securityhub.StandardsSubscription in this account/region and no central configuration "
                        "policy with enabledStandardArns associated with the root, its OU or the account in this "
                        "region; subscribe CIS and FSBP (or associate such a configuration policy)")


class _CentralConfiguration:
    """Where CENTRAL Security Hub configuration policies with standards apply: regions and organization targets."""

    def __init__(self, g: Graph, config: Res) -> None:
        self.g = g
        self.home = g.region(config)
        self.linked, self.all_regions, self.excluded = self._linked_regions(config)
        self.targets = self._associated_targets()

    def _linked_regions(self, config: Res) -> tuple[set[str], bool, set[str]]:
        """(linked regions, every region linked?, regions excluded) from the finding aggregator of the home Region."""
        linked: set[str] = set()
        for aggregator in self.g.of_type(SECURITY_HUB_AGGREGATOR):
            if (self.g.account(aggregator), self.g.region(aggregator)) != (self.g.account(config), self.home):
                continue
            mode = str(aggregator.get("linkingMode") or "")
            regions = {r for r in as_list(aggregator.get("specifiedRegions")) if isinstance(r, str)}
            if mode in ("ALL_REGIONS", "ALL_REGIONS_EXCEPT_SPECIFIED"):
                return set(), True, regions if mode == "ALL_REGIONS_EXCEPT_SPECIFIED" else set()
            linked |= regions
        return linked, False, set()

    def _policies_with_standards(self) -> set[str]:
        found = set()
        for policy in self.g.of_type(HUB_POLICY):
            body = policy.get("configurationPolicy")
            body = body if isinstance(body, dict) else {}
            if truthy(body.get("serviceEnabled", True)) and [a for a in as_list(body.get("enabledStandardArns")) if a]:
                found.add(policy.urn)
        return found

    def _associated_targets(self) -> set[str]:
        """Root ids / OU ids / account ids and the URNs of the organization resources they name."""
        policies = self._policies_with_standards()
        targets: set[str] = set()
        for association in self.g.of_type(HUB_POLICY_ASSOCIATION):
            if not any(p.urn in policies for p in self.g.resolve(association, "policyId", (HUB_POLICY,))):
                continue
            target = association.get("targetId")
            if isinstance(target, str) and not is_unknown(target):
                targets.add(target)
            targets |= {t.urn for t in self.g.resolve(association, "targetId", (ORGANIZATION, ORG_UNIT, ORG_ACCOUNT))}
        return targets

    def covers_region(self, region: str | None) -> bool:
        if region is None:
            return False
        if self.all_regions:
            return region not in self.excluded
        return region == self.home or region in self.linked

    def covers(self, hub: Res) -> bool:
        return self.covers_region(self.g.region(hub)) and bool(self.targets & self._organization_path(hub))

    def _organization_path(self, hub: Res) -> set[str]:
        """Ids and URNs of the hub's account, its OUs up to the root, and the root (the management account sits
        directly under the root)."""
        account = self.g.account(hub)
        organizations = self.g.of_type(ORGANIZATION)
        if account is not None and any(self.g.account(o) == account for o in organizations):
            return self._with_root(set())
        member = next((a for a in self.g.of_type(ORG_ACCOUNT) if account and _org_account_name(a) == account), None)
        if member is None:
            return set()
        path: set[str] = set()
        node: Res | None = member
        while node is not None and node.urn not in path:
            path |= {node.urn} | ({node.id} if node.id else set())
            parent_id = node.get("parentId")
            if isinstance(parent_id, str) and parent_id.startswith("r-"):
                return self._with_root(path | {parent_id})
            parents = self.g.resolve(node, "parentId", (ORG_UNIT, ORGANIZATION))
            node = parents[0] if parents else None
            if node is not None and node.type == ORGANIZATION:
                return self._with_root(path)
        return path

    def _with_root(self, path: set[str]) -> set[str]:
        for organization in self.g.of_type(ORGANIZATION):
            path.add(organization.urn)
            path |= {str(r.get("id")) for r in as_list(organization.get("roots")) if isinstance(r, dict) and r.get("id")}
        return path


def _org_account_name(account: Res) -> str:
    """The landing-zone name of an organizations.Account: its `account` tag, else its name."""
    return str(account.tags.get("account") or account.get("name") or account.name)


def _central_configuration(g: Graph) -> _CentralConfiguration | None:
    for config in g.of_type(SECURITY_HUB_ORG):
        kind = (config.get("organizationConfiguration") or {}).get("configurationType")
        if kind == "CENTRAL":
            return _CentralConfiguration(g, config)
    return None


# LOG-08 ---------------------------------------------------------------------------------------------------------
def inspector_ec2_and_ecr(r: Subject) -> Iterator[str]:
    types = {str(t) for t in as_list(r.get("resourceTypes"))}
    missing = [t for t in ("EC2", "ECR") if t not in types]
    if missing:
        yield f"resourceTypes lacks {missing}; enable Inspector for EC2 and ECR"


def _res(type_, name, account="security", region="eu-west-1", **props):
    return CaseResource(type_, name, props, provider_tags={"environment": "core", "account": account}, region=region)


ROOT_ID = "r-ab12"


def _central(target: str = ROOT_ID, standards: list | None = None, configuration_type: str = "CENTRAL",
             hub_region: str = "eu-west-1", hub_account: str = "workload", preview: bool = False) -> tuple[CaseResource, ...]:
    """An organization with Security Hub central configuration (home eu-west-1, eu-central-1 linked) and a
    workload account in the Workloads OU whose hub does not enable default standards."""
    standards = ["arn:aws:securityhub:eu-west-1::standards/cis-aws-foundations-benchmark/v/3.0.0"] if standards is None \
        else standards
    unknown_or = (lambda value: UNKNOWN) if preview else (lambda value: value)
    refs = (lambda **deps: {k: (v,) for k, v in deps.items()}) if preview else (lambda **deps: {})
    return (
        _res(ORGANIZATION, "org", account="management", id="o-ab12", roots=[{"id": ROOT_ID}]),
        CaseResource(ORG_UNIT, "ou-workloads", {"id": "ou-wl-1", "parentId": unknown_or(ROOT_ID)},
            provider_tags={"environment": "core", "account": "management"}, property_deps=refs(parentId="org")),
        _res(ORG_UNIT, "ou-sandbox", account="management", id="ou-sb-1", parentId=ROOT_ID),
        CaseResource(ORG_ACCOUNT, "account-workload", {"id": "333333333333", "name": "acme-workload",
                                              "parentId": unknown_or("ou-wl-1"), "tags": {"account": "workload"}},
            provider_tags={"environment": "core", "account": "management"},
            property_deps=refs(parentId="ou-workloads")),
        _res(SECURITY_HUB, "hub", account=hub_account, region=hub_region, enableDefaultStandards=False),
        _res(SECURITY_HUB_ORG, "org-config", autoEnable=False, autoEnableStandards="NONE",
             organizationConfiguration={"configurationType": configuration_type}),
        _res(SECURITY_HUB_AGGREGATOR, "aggregator", linkingMode="SPECIFIED_REGIONS", specifiedRegions=["eu-central-1"]),
        _res(HUB_POLICY, "policy", id="policy-1",
             configurationPolicy={"serviceEnabled": True, "enabledStandardArns": standards}),
        CaseResource(HUB_POLICY_ASSOCIATION, "association", {"policyId": unknown_or("policy-1"), "targetId": unknown_or(target)},
            provider_tags={"environment": "core", "account": "security"},
            property_deps=refs(policyId="policy", targetId="org")),
    )


ARN = "arn:aws:logs:eu-west-1:111111111111:log-group:org-trail:*"  # a log group the cases log to
S3_ADVANCED = [{"name": "s3", "fieldSelectors": [
    {"field": "eventCategory", "equals": ["Data"]}, {"field": "resources.type", "equals": ["AWS::S3::Object"]}]}]
GOOD_TRAIL = {"s3BucketName": "b", "isMultiRegionTrail": True, "isOrganizationTrail": True,
              "enableLogFileValidation": True, "cloudWatchLogsGroupArn": ARN, "advancedEventSelectors": S3_ADVANCED}


RULES = [
    ResourceRule(
        id="LOG-01", name="log-01-trail-multi-region-logging",
        title="CloudTrail is multi-region and logging",
        description="Trails are multi-region (the org trail also isOrganizationTrail), include global service "
                    "events and are not stopped.",
        refs="CIS 3.1; SH CloudTrail.1; CKV_AWS_67, CKV_AWS_251",
        types=(TRAIL,), checks=(trail_multi_region_and_logging,),
        cases=(
            Case(GOOD_TRAIL | {"isMultiRegionTrail": False}, violates=True),
            Case(GOOD_TRAIL | {"enableLogging": False}, violates=True),
            Case(GOOD_TRAIL, violates=False),
        ),
    ),
    ResourceRule(
        id="LOG-02", name="log-02-trail-log-file-validation",
        title="CloudTrail log file validation is on",
        description="enableLogFileValidation=true so tampering with delivered logs is detectable.",
        refs="CIS 3.2; SH CloudTrail.4; CKV_AWS_36",
        types=(TRAIL,), checks=(trail_log_file_validation,),
        cases=(Case(GOOD_TRAIL | {"enableLogFileValidation": False}, violates=True), Case(GOOD_TRAIL, violates=False)),
    ),
    ResourceRule(
        id="LOG-03", name="log-03-trail-to-cloudwatch",
        title="CloudTrail delivers to CloudWatch Logs",
        description="cloudWatchLogsGroupArn set so the CIS metric filters and alarms can watch the trail.",
        refs="CIS 3.4 (v1.5); SH CloudTrail.5; CKV2_AWS_10",
        types=(TRAIL,), checks=(trail_to_cloudwatch,),
        cases=(Case({"s3BucketName": "b"}, violates=True), Case(GOOD_TRAIL, violates=False)),
    ),
    ResourceRule(
        id="LOG-04", name="log-04-trail-s3-data-events",
        title="CloudTrail records S3 object-level read and write events",
        description="An event selector (basic with readWriteType All, or advanced with eventCategory Data on "
                    "AWS::S3::Object, no readOnly filter and resources.ARN only excluding buckets, never narrowing "
                    "to some) records S3 data events. Exclusions name whole buckets exactly (notStartsWiths "
                    "`arn:<partition>:s3:::<bucket>/`): a bucket-name prefix or a notEndsWiths key suffix fails.",
        refs="CIS 3.10, 3.11 (v1.5) / 3.8, 3.9 (v3.0)",
        types=(TRAIL,), checks=(trail_s3_data_events,),
        cases=(
            Case({"s3BucketName": "b"}, violates=True),
            Case({"s3BucketName": "b", "eventSelectors": [{"readWriteType": "WriteOnly", "dataResources": [
                {"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]}, violates=True, note="write only"),
            Case(GOOD_TRAIL, violates=False),
            Case({**GOOD_TRAIL, "advancedEventSelectors": [{"name": "s3", "fieldSelectors": [
                *S3_ADVANCED[0]["fieldSelectors"], {"field": "resources.ARN", "startsWiths": ["arn:aws:s3:::one-bucket/"]}]}]},
                 violates=True, note="narrowed to one bucket"),
            Case({**GOOD_TRAIL, "advancedEventSelectors": [{"name": "s3", "fieldSelectors": [
                *S3_ADVANCED[0]["fieldSelectors"], {"field": "resources.ARN", "notStartsWiths": [
                    "arn:aws:s3:::org-log-archive-111111111111-eu-west-1/",
                    "arn:aws:s3:::org-log-archive-access-111111111111-eu-west-1/"]}]}]},
                 violates=False, note="the log archive's own buckets excluded by exact ARN"),
            Case({**GOOD_TRAIL, "advancedEventSelectors": [{"name": "s3", "fieldSelectors": [
                *S3_ADVANCED[0]["fieldSelectors"], {"field": "resources.ARN", "notStartsWiths": ["arn:aws:s3:::org-log-archive-"]}]}]},
                 violates=True, note="a bucket-name prefix: any account's look-alike bucket is unrecorded"),
            Case({**GOOD_TRAIL, "advancedEventSelectors": [{"name": "s3", "fieldSelectors": [
                *S3_ADVANCED[0]["fieldSelectors"], {"field": "resources.ARN", "notEndsWiths": [".log"]}]}]},
                 violates=True, note="a key suffix excluded in every bucket"),
            Case({"s3BucketName": "b", "eventSelectors": [{"readWriteType": "All", "dataResources": [
                {"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}]}, violates=False),
        ),
    ),
    ResourceRule(
        id="LOG-05", name="log-05-config-records-everything",
        title="AWS Config records all supported and global resource types",
        description="recordingGroup.allSupported=true and includeGlobalResourceTypes=true.",
        refs="CIS 3.5 (v1.5) / 3.3 (v3.0); SH Config.1; CKV2_AWS_45, CKV2_AWS_48",
        types=(CONFIG_RECORDER,), checks=(recorder_all_resources,),
        cases=(
            Case({"roleArn": "r", "recordingGroup": {"allSupported": False, "resourceTypes": ["AWS::S3::Bucket"]}},
                 violates=True),
            Case({"roleArn": "r"}, violates=True, note="global types excluded by default"),
            Case({"roleArn": "r", "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}},
                 violates=False),
        ),
    ),
    ResourceRule(
        id="LOG-06", name="log-06-guardduty-enabled",
        title="GuardDuty is enabled, auto-enabled for the organization, with protection features on",
        description="Detectors enabled; organization configuration auto-enables ALL members; detector and "
                    "organization features are ENABLED / auto-enabled for ALL.",
        refs="SH GuardDuty.1, GuardDuty.5, GuardDuty.7-10; CKV_AWS_238, CKV2_AWS_3",
        types=(GUARDDUTY, GUARDDUTY_ORG, GD_FEATURE, GD_ORG_FEATURE), checks=(guardduty_enabled,),
        cases=(
            Case({"enable": False}, violates=True),
            Case({"detectorId": "d", "autoEnableOrganizationMembers": "NEW"}, type=GUARDDUTY_ORG, violates=True),
            Case({"detectorId": "d", "name": "EKS_AUDIT_LOGS", "status": "DISABLED"}, type=GD_FEATURE, violates=True),
            Case({"detectorId": "d", "name": "S3_DATA_EVENTS", "autoEnable": "NEW"}, type=GD_ORG_FEATURE,
                 violates=True),
            Case({"enable": True}, violates=False),
            Case({"detectorId": "d", "autoEnableOrganizationMembers": "ALL"}, type=GUARDDUTY_ORG, violates=False),
            Case({"detectorId": "d", "name": "S3_DATA_EVENTS", "autoEnable": "ALL"}, type=GD_ORG_FEATURE,
                 violates=False),
        ),
    ),
    StackRule(
        id="LOG-07", name="log-07-security-hub-standards",
        title="Security Hub is subscribed to standards",
        description="Every securityhub.Account either enables the default standards, has a "
                    "securityhub.StandardsSubscription in the same account and region, or is centrally configured: "
                    "a securityhub.OrganizationConfiguration with configurationType CENTRAL and a "
                    "securityhub.ConfigurationPolicy with non-empty enabledStandardArns associated "
                    "(ConfigurationPolicyAssociation) with the root, one of the account's OUs or the account, the hub "
                    "being in the home Region or a Region linked by the finding aggregator. With central "
                    "configuration accounts cannot subscribe standards themselves; policies take effect in the home "
                    "Region and all linked Regions (docs.aws.amazon.com/securityhub/latest/userguide/"
                    "central-configuration-intro.html). (Presence of Security Hub in every account is X-15.)",
        refs="CIS 4.16 (v3.0)",
        checks=(security_hub_with_standards,),
        cases=(
            StackCase((_res(SECURITY_HUB, "hub", enableDefaultStandards=False),), violates=True),
            StackCase((_res(SECURITY_HUB, "hub", enableDefaultStandards=False),
                       _res(HUB_STANDARD, "cis", account="other", standardsArn="arn:cis")), violates=True,
                      note="subscription in another account"),
            StackCase((_res(SECURITY_HUB, "hub", enableDefaultStandards=False), _res(HUB_STANDARD, "cis", standardsArn="a")),
                      violates=False),
            StackCase((_res(SECURITY_HUB, "hub"),), violates=False),
            StackCase(_central(), violates=False, note="CENTRAL policy with standards associated with the root"),
            StackCase(_central(target="ou-wl-1"), violates=False, note="policy associated with the account's OU"),
            StackCase(_central(target="333333333333"), violates=False, note="policy associated with the account"),
            StackCase(_central(hub_region="eu-central-1"), violates=False, note="hub in a linked region"),
            StackCase(_central(hub_account="management"), violates=False,
                      note="management account (directly under the root)"),
            StackCase(_central(preview=True), violates=False, note="ids unknown: property dependencies decide"),
            StackCase(_central(standards=[]), violates=True, note="the policy enables no standard"),
            StackCase(_central(configuration_type="LOCAL"), violates=True, note="local configuration"),
            StackCase(_central(target="ou-sb-1"), violates=True, note="policy associated with another OU"),
            StackCase(_central(hub_region="ap-south-1"), violates=True, note="hub in a region not linked"),
        ),
    ),
    ResourceRule(
        id="LOG-08", name="log-08-inspector-ec2-ecr",
        title="Inspector scans EC2 and ECR",
        description="inspector2.Enabler resourceTypes include EC2 and ECR.",
        refs="SH Inspector.1, Inspector.2",
        types=(INSPECTOR,), checks=(inspector_ec2_and_ecr,),
        cases=(
            Case({"accountIds": ["111111111111"], "resourceTypes": ["EC2"]}, violates=True),
            Case({"accountIds": ["111111111111"], "resourceTypes": ["EC2", "ECR", "LAMBDA"]}, violates=False),
        ),
    ),
]
