"""IAM Access Analyzer with the organization as its zone of trust, in the security account (the delegated
administrator), in every region."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import AccountContext
from components.security.service import SecurityService


@dataclass(frozen=True, kw_only=True)
class AccessAnalyzerArgs:
    administrator: AccountContext  # the security account
    regions: tuple[str, ...]
    analyzer_name: str
    org_ready: tuple[pulumi.Resource, ...] = ()  # the organization, its trusted access and delegated admins


class AccessAnalyzer(SecurityService[AccessAnalyzerArgs]):
    TOKEN = "security:AccessAnalyzer"

    def __init__(self, name: str, args: AccessAnalyzerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        sec = args.administrator
        for region in args.regions:
            aws.accessanalyzer.Analyzer(sec.resource_name(region, "organization-access-analyzer"),
                                        analyzer_name=args.analyzer_name, type="ORGANIZATION",
                                        opts=self.opts_in(sec, region, depends_on=list(args.org_ready)))
        self.register_outputs({})
