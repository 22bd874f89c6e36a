"""Who delivers logs into the log archive from outside the organization: the regional Elastic Load Balancing
accounts. Pure (no pulumi import): components/security/ writes the ELB log bucket policies from it, and the data
perimeter RCP (landing_zone/scp_documents.py) exempts exactly these accounts, or ALB access logs would be refused.
"""

from __future__ import annotations

from landing_zone.models import STANDBY_STRATEGIES, LandingZoneConfig

# Who writes ALB access logs into a bucket, per "Enable access logs for your Application Load Balancer", step 2
# (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html): in Regions
# available before August 2022 the bucket policy names the Region's Elastic Load Balancing account (below); in later
# Regions (e.g. ap-south-2) it names the log delivery service principal ELB_LOG_DELIVERY_PRINCIPAL.
ELB_ACCOUNT_IDS = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "af-south-1": "098369216593", "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580", "ap-south-1": "718504428378", "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887", "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864", "ca-central-1": "985666609251", "eu-central-1": "054676820928",
    "eu-west-1": "156460612806", "eu-west-2": "652711504416", "eu-south-1": "635631232127",
    "eu-west-3": "009996457667", "eu-north-1": "897822967062", "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
}  # fmt: skip
ELB_LOG_DELIVERY_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com"


def elb_log_regions(cfg: LandingZoneConfig) -> list[str]:
    """Regions with a load balancer: the workload edge (ALB, optional NLB) runs in the home region, and in the DR
    region for accounts with DR compute (pilot-light, warm-standby)."""
    edges = [a for a in cfg.accounts if a.workloads.edge]
    if not edges:
        return []
    standby = any(a.dr is not None and a.dr.strategy in STANDBY_STRATEGIES for a in edges)
    dr = cfg.organization.dr_region
    return [cfg.organization.home_region, *([dr] if standby and dr else [])]


def elb_writer(region: str) -> dict[str, str]:
    """Who delivers ALB access logs in a region (see ELB_ACCOUNT_IDS): {"AWS": account id} or {"Service": principal}."""
    if region in ELB_ACCOUNT_IDS:
        return {"AWS": ELB_ACCOUNT_IDS[region]}
    return {"Service": ELB_LOG_DELIVERY_PRINCIPAL}


def elb_delivery_accounts(cfg: LandingZoneConfig) -> list[str]:
    """AWS accounts outside the organization that write ALB access logs into our buckets (regions with a load
    balancer and a regional ELB account; newer regions write through a service principal)."""
    return sorted({ELB_ACCOUNT_IDS[r] for r in elb_log_regions(cfg) if r in ELB_ACCOUNT_IDS})
