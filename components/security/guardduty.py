"""GuardDuty, administered from the security account in every region: a detector (with every protection feature)
in the management and security accounts, the delegation, and the organization's auto-enable of members and features.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.context import AccountContext, LogArchive
from components.security.log_archive import GUARDDUTY_PREFIX
from components.security.service import DelegatedServiceArgs, SecurityService

GUARDDUTY_FEATURES: dict[str, list[str]] = {  # feature -> additional configurations enabled with it
    "S3_DATA_EVENTS": [],
    "EKS_AUDIT_LOGS": [],
    "EBS_MALWARE_PROTECTION": [],
    "RDS_LOGIN_EVENTS": [],
    "LAMBDA_NETWORK_LOGS": [],
    "RUNTIME_MONITORING": ["EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"],
}


def _slug(feature: str) -> str:
    return feature.lower().replace("_", "-")


@dataclass(frozen=True, kw_only=True)
class GuardDutyArgs(DelegatedServiceArgs):
    export_to: LogArchive | None = None  # every region's administrator detector exports findings there (KMS)


class GuardDuty(SecurityService[GuardDutyArgs]):
    TOKEN = "security:GuardDuty"

    def __init__(self, name: str, args: GuardDutyArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        mgmt, sec = args.management, args.administrator
        for region in args.regions:
            admin_detector = self._detector(sec, region)  # before the delegation, so it is the delegated admin's
            delegation = aws.guardduty.OrganizationAdminAccount(
                mgmt.resource_name(region, "guardduty-admin"), admin_account_id=sec.account_id,
                opts=self.opts_in(mgmt, region, depends_on=[self._detector(mgmt, region), admin_detector, *args.org_ready]))
            aws.guardduty.OrganizationConfiguration(
                sec.resource_name(region, "guardduty-organization"), detector_id=admin_detector.id,
                auto_enable_organization_members="ALL", opts=self.opts_in(sec, region, depends_on=[delegation]))
            if args.export_to is not None:
                self._export(sec, region, admin_detector, args.export_to)
            for feature, extras in GUARDDUTY_FEATURES.items():
                aws.guardduty.OrganizationConfigurationFeature(
                    sec.resource_name(region, f"guardduty-organization-{_slug(feature)}"),
                    detector_id=admin_detector.id, name=feature, auto_enable="ALL",
                    additional_configurations=[{"name": x, "auto_enable": "ALL"} for x in extras] or None,
                    opts=self.opts_in(sec, region, depends_on=[delegation]))  # fmt: skip
        self.register_outputs({})

    def _export(self, sec: AccountContext, region: str, detector: aws.guardduty.Detector, archive: LogArchive) -> None:
        """CreatePublishingDestination checks that GuardDuty may write the bucket and use the key: after their
        policies (archive.ready). The key must be in the bucket's region (the home region): one bucket for all."""
        aws.guardduty.PublishingDestination(
            sec.resource_name(region, "guardduty-export"), detector_id=detector.id, destination_type="S3",
            destination_arn=pulumi.Output.concat(archive.bucket_arn, f"/{GUARDDUTY_PREFIX}"),
            kms_key_arn=archive.kms_key_arn, opts=self.opts_in(sec, region, depends_on=list(archive.ready)))

    def _detector(self, account: AccountContext, region: str) -> aws.guardduty.Detector:
        detector = aws.guardduty.Detector(account.resource_name(region, "guardduty"), enable=True,
                                          finding_publishing_frequency="FIFTEEN_MINUTES", opts=self.opts_in(account, region))
        for feature, extras in GUARDDUTY_FEATURES.items():
            aws.guardduty.DetectorFeature(
                account.resource_name(region, f"guardduty-{_slug(feature)}"), detector_id=detector.id,
                name=feature, status="ENABLED",
                additional_configurations=[{"name": x, "status": "ENABLED"} for x in extras] or None,
                opts=self.opts_in(account, region))  # fmt: skip
        return detector
