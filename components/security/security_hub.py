"""Security Hub with central configuration, administered from the security account: one configuration policy, set in
the home region and associated with the organization root, enables the configured standards everywhere; findings of
the other regions are aggregated in the home region.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.security.service import DelegatedServiceArgs, SecurityService

SECURITY_HUB_STANDARDS = {
    "fsbp": "standards/aws-foundational-security-best-practices/v/1.0.0",
    "cis-3.0": "standards/cis-aws-foundations-benchmark/v/3.0.0",
    "pci-dss": "standards/pci-dss/v/3.2.1",
}


@dataclass(frozen=True, kw_only=True)
class SecurityHubArgs(DelegatedServiceArgs):
    partition: pulumi.Input[str]
    home_region: str  # the aggregation region, where the configuration policy is set
    standards: tuple[str, ...]  # keys of SECURITY_HUB_STANDARDS
    root_id: pulumi.Input[str]  # the organization root the policy is associated with


class SecurityHub(SecurityService[SecurityHubArgs]):
    TOKEN = "security:SecurityHub"

    def __init__(self, name: str, args: SecurityHubArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        mgmt, sec, home = args.management, args.administrator, args.home_region
        delegations = []
        for region in args.regions:
            hubs = [aws.securityhub.Account(a.resource_name(region, "securityhub"), enable_default_standards=False,
                                            auto_enable_controls=True, opts=self.opts_in(a, region)) for a in (mgmt, sec)]
            delegations.append(aws.securityhub.OrganizationAdminAccount(
                mgmt.resource_name(region, "securityhub-admin"), admin_account_id=sec.account_id,
                opts=self.opts_in(mgmt, region, depends_on=[*hubs, *args.org_ready])))
        others = [r for r in args.regions if r != home]
        aggregator = aws.securityhub.FindingAggregator(
            sec.resource_name(home, "securityhub-aggregator"),
            linking_mode="SPECIFIED_REGIONS" if others else "ALL_REGIONS", specified_regions=others or None,
            opts=self.opts_in(sec, home, depends_on=delegations))
        org_config = aws.securityhub.OrganizationConfiguration(
            sec.resource_name(home, "securityhub-organization"), auto_enable=False, auto_enable_standards="NONE",
            organization_configuration={"configuration_type": "CENTRAL"},
            opts=self.opts_in(sec, home, depends_on=[aggregator]))
        standards = [pulumi.Output.concat("arn:", args.partition, ":securityhub:", home, "::", SECURITY_HUB_STANDARDS[s])
                     for s in args.standards]  # fmt: skip
        policy = aws.securityhub.ConfigurationPolicy(
            sec.resource_name(home, "securityhub-policy"), name="landing-zone", description="Standards of the landing zone",
            configuration_policy={"service_enabled": True, "enabled_standard_arns": standards,
                                  "security_controls_configuration": {"disabled_control_identifiers": []}},
            opts=self.opts_in(sec, home, depends_on=[org_config]))  # fmt: skip
        aws.securityhub.ConfigurationPolicyAssociation(
            sec.resource_name(home, "securityhub-policy-root"), policy_id=policy.id, target_id=args.root_id,
            opts=self.opts_in(sec, home))
        self.register_outputs({})
