"""Test harness: the workloads section of the landing zone on its own, with stand-in handles.

Accounts get fake ids and real per-account providers (AccountContext.from_account_id); VPCs and the log archive
are handles with fake ids, exactly what issues 4 and 5 hand the workloads section. This keeps the workload tests
independent of the organization and network components (and faster than planning everything).
"""

import pulumi

from components.context import AccountContext, LogArchive, VpcHandle
from components.organization import management_account
from components.providers import management_providers
from components.workloads import build_workloads
from landing_zone.config import from_pulumi
from landing_zone.mocks import fake_account_id, fake_hex

cfg = from_pulumi()
org = cfg.organization
accounts = {a.name: AccountContext.from_account_id(a, fake_account_id(a.name), org, cfg.regions) for a in cfg.accounts}


def vpc_handle(account: str, region: str, cidr: str, azs: int) -> VpcHandle:
    def ids(prefix: str, tier: str) -> list[str]:
        return [prefix + fake_hex(f"{account}/{region}/{tier}/{i}", 17) for i in range(azs)]

    return VpcHandle(
        account=account, region=region, cidr=cidr, vpc_id="vpc-" + fake_hex(f"{account}/{region}", 17),
        subnet_ids={tier: ids("subnet-", tier) for tier in ("public", "private", "data", "transit")},
        admin_security_group_id=None,
    )


vpcs = {(a.name, region): vpc_handle(a.name, region, v.cidr, v.azs) for a in cfg.accounts for region, v in a.vpcs.items()}
log_archive = LogArchive(bucket_name=f"{org.name}-log-archive", bucket_arn=f"arn:aws:s3:::{org.name}-log-archive",
                         kms_key_arn=f"arn:aws:kms:{org.home_region}:{fake_account_id('log-archive')}:key/log-archive")
management = AccountContext(management_account(cfg.organization), org.management_account_id, management_providers(org, cfg.regions))
workloads = build_workloads(cfg, accounts, vpcs, log_archive, management)
pulumi.export("workloads", {name: w.exports() for name, w in workloads.items()})
