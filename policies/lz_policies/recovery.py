"""What RPO and RTO a plan can achieve when its home region is lost, per workload account, from what is planned.

STDLIB ONLY (like routing/, whose resource graph, graph.py, it reuses): rule DR-01 (disaster_recovery.py) and
`lz dr` (landing_zone/dr.py puts policies/ on sys.path and imports this module) share this one analysis.

For every account with a `dr` target (landing-zone:accounts[].dr), each data store and service of its home region
becomes a Row: the mechanism that recovers it in the DR region, the RPO and RTO that mechanism gives, and the
`source` of each figure, a key of the table in docs/disaster-recovery.md (AWS documentation, or an engineering
estimate marked as such). Recognised mechanisms, by resource type and references (never by name):
  data:    Aurora global database secondary in DR; AWS Backup plan rules with a copy action to another region
           (Aurora clusters, EBS volumes covered by a selection's tags or resources); ElastiCache global datastore
           with a DR member, or a cache the config says is rebuilt empty; Secrets Manager replicas in DR.
  service: an ECS service of the same name in DR (its running minimum from desiredCount / the scaling target) with
           ECR replication to DR; Route 53 failover records (primary to a home ALB, secondary to a DR ALB) with
           their health check; else a DR ALB someone re-points the name to; else a redeploy in DR.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .graph import Graph, Res
from .recovery_figures import (  # noqa: F401 - re-exported for DR-01 and lz dr
    ESTIMATES,
    FIGURES,
    NONE,
    R53_INTERVAL,
    R53_THRESHOLD,
    Figure,
    fmt,
    schedule_interval,
    schedule_words,
)
from .stack_config import decoded, parse_config_env
from .types import (
    BACKUP_PLAN,
    BACKUP_SELECTION,
    BACKUP_VAULT,
    EBS_VOLUME,
    ECR_REPLICATION,
    ECS_SERVICE,
    LOAD_BALANCER,
    RDS_CLUSTER,
    REDIS_GLOBAL,
    REDIS_GROUP,
    ROUTE53_RECORD,
    SCALING_TARGET,
    SECRET,
)
from .values import is_unknown

REDIS_COMPONENT = "landing-zone:workloads:RedisCache"

STRATEGIES = ("backup-restore", "pilot-light", "warm-standby")


@dataclass(frozen=True)
class Target:
    strategy: str
    rto_minutes: float
    rpo_minutes: float
    rebuilt_empty: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    account: str
    kind: str  # data | service
    component: str  # e.g. "Aurora cluster"
    name: str  # logical name (the plan's)
    urn: str
    mechanism: str  # how it is recovered, in words
    rpo: Figure | None  # None: no RPO to hold (stateless service, cache rebuilt empty)
    rto: Figure
    meets_rpo: str = ""  # what would meet a tighter RPO target
    meets_rto: str = ""
    action: str = ""  # the failover runbook's step for it, with the real names
    phase: str = "data"  # data | compute | traffic: the runbook's order

    def failures(self, target: Target) -> list[str]:
        """'RPO'/'RTO' for each figure the target is tighter than."""
        failed = []
        if self.rpo is not None and (self.rpo.minutes is None or self.rpo.minutes > target.rpo_minutes):
            failed.append("RPO")
        if self.rto.minutes is None or self.rto.minutes > target.rto_minutes:
            failed.append("RTO")
        return failed


@dataclass
class Report:
    targets: dict[str, Target]
    rows: dict[str, list[Row]] = field(default_factory=dict)  # account -> rows, in plan order
    regions: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # account -> (home, dr)

    def failures(self) -> list[tuple[Row, list[str]]]:
        return [(row, failed) for account, rows in self.rows.items() for row in rows
                if (failed := row.failures(self.targets[account]))]

    def achievable(self, account: str) -> tuple[float | None, float | None]:
        """(RPO, RTO) in minutes the plan meets for every row of the account: the tightest target it can hold;
        None when some row has nothing in the DR region (no target is met until that is built)."""
        rows = self.rows.get(account, [])
        rpos = [r.rpo.minutes for r in rows if r.rpo is not None]
        rtos = [r.rto.minutes for r in rows]
        worst = [None if None in figures else max(figures, default=0) for figures in (rpos, rtos)]
        return worst[0], worst[1]


# --------------------------------------------------------------------------- targets from the stack config
def targets_from_config(config: Mapping[str, Any]) -> tuple[dict[str, Target], str | None, str | None]:
    """(account -> Target, home region, DR region) from a stack config (full keys, values JSON-encoded or not,
    as the engine's PULUMI_CONFIG carries them). Malformed entries are skipped: config validation reports them."""
    accounts = decoded(config.get("landing-zone:accounts"))
    organization = decoded(config.get("landing-zone:organization"))
    organization = organization if isinstance(organization, Mapping) else {}
    targets = {}
    for account in accounts if isinstance(accounts, list) else []:
        dr = account.get("dr") if isinstance(account, Mapping) else None
        if isinstance(dr, Mapping) and dr.get("strategy") in STRATEGIES and _minutes(dr, "rto_minutes") and \
                _minutes(dr, "rpo_minutes") and isinstance(account.get("name"), str):
            targets[account["name"]] = Target(dr["strategy"], dr["rto_minutes"], dr["rpo_minutes"],
                                              tuple(dr.get("rebuilt_empty") or ()))
    return targets, organization.get("home_region"), organization.get("dr_region")


def targets_from_env(raw: str | None) -> tuple[dict[str, Target], str | None, str | None]:
    """The same from the PULUMI_CONFIG environment variable the engine (and `lz check`) starts the pack with."""
    return targets_from_config(parse_config_env(raw))


def _minutes(dr: Mapping[str, Any], key: str) -> bool:
    value = dr.get(key)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


# --------------------------------------------------------------------------- the analysis
def analyze(resources: Iterable[Any] | Graph, targets: Mapping[str, Target], home_region: str | None = None,
            dr_region: str | None = None) -> Report:
    """Rows per account with a target. `resources`: plan entries, policy resources, or a reachability.Graph."""
    graph = resources if isinstance(resources, Graph) else Graph(resources)
    report = Report(dict(targets))
    for account, target in targets.items():
        view = _Account(graph, account, target, home_region, dr_region)
        report.regions[account] = (view.home, view.dr)
        report.rows[account] = view.rows()
    return report


def _known(value: Any) -> Any:
    return None if value is None or is_unknown(value) else value


class _Account:
    """One account's resources, split into its home and DR regions."""

    def __init__(self, graph: Graph, account: str, target: Target, home: str | None, dr: str | None) -> None:
        self.graph, self.account, self.target = graph, account, target
        self.mine = [r for r in graph.resources if r.type.startswith("aws:") and graph.account(r) == account]
        regions = Counter(graph.region(r) for r in self.mine if graph.region(r))
        self.home = home or (regions.most_common(1)[0][0] if regions else None)
        self.dr = dr

    def of(self, type_: str, where: str = "home") -> list[Res]:
        found = [r for r in self.mine if r.type == type_]
        if where == "home":
            return [r for r in found if self.region(r) == self.home]
        return [r for r in found if self.region(r) != self.home and (self.dr is None or self.region(r) == self.dr)]

    def region(self, r: Res) -> str | None:
        return self.graph.region(r)

    def rows(self) -> list[Row]:
        return [*self._aurora(), *self._redis(), *self._volumes(), *self._secrets(), *self._services(), *self._entries()]

    def _row(self, r: Res, **kw: Any) -> Row:
        return Row(account=self.account, name=r.name, urn=r.urn, **kw)

    # --- references -------------------------------------------------------------------------------------------
    def _refers(self, r: Res, prop: str, other: Res, other_prop: str = "id") -> bool:
        """r.props[prop] is `other` (its value, or the engine's property dependency while the value is unknown)."""
        value = _known(r.get(prop))
        if value is not None and value == _known(other.get(other_prop)):
            return True
        return other.urn in r.property_dependencies.get(prop, ())

    def _same_ref(self, a: Res, b: Res, prop: str) -> bool:
        va, vb = _known(a.get(prop)), _known(b.get(prop))
        if va is not None and va == vb:
            return True
        return bool(set(a.property_dependencies.get(prop, ())) & set(b.property_dependencies.get(prop, ())))

    # --- backups ----------------------------------------------------------------------------------------------
    def _backup(self, r: Res) -> tuple[Figure, str]:
        """The best RPO of the backup rules that cover `r` and copy to another region, and the mechanism."""
        best: tuple[Figure, str] = (NONE, "no AWS Backup copy outside the home region")
        for selection in self.of(BACKUP_SELECTION):
            if not self._selects(selection, r):
                continue
            for plan in self.of(BACKUP_PLAN):
                if not self._refers(selection, "planId", plan):
                    continue
                for rule in _known(plan.get("rules")) or []:
                    figure = self._rule_rpo(plan, rule)
                    if figure.minutes is not None and (best[0].minutes is None or figure.minutes < best[0].minutes):
                        region, vault = self._copy_target(plan, rule)
                        best = (figure, f"AWS Backup {schedule_words(rule)} copied to vault {vault} in {region}")
        return best

    def _selects(self, selection: Res, r: Res) -> bool:
        if r.urn in selection.property_dependencies.get("resources", ()):
            return True
        tags = r.tags
        wanted = [t for t in _known(selection.get("selectionTags")) or [] if isinstance(t, Mapping)]
        return any(t.get("type") == "STRINGEQUALS" and tags.get(t.get("key")) == t.get("value") for t in wanted)

    def _copy_target(self, plan: Res, rule: Mapping[str, Any]) -> tuple[str | None, str | None]:
        """(region, vault name) of the rule's copy action to another region; (None, None) without one."""
        for action in rule.get("copyActions") or []:
            arn = _known(action.get("destinationVaultArn")) if isinstance(action, Mapping) else None
            match = re.match(r"arn:[^:]+:backup:([a-z0-9-]+):\d*:backup-vault:(.+)", arn) if isinstance(arn, str) else None
            if match and match[1] != self.home:
                return match[1], match[2]
        vaults = [self.graph.by_urn.get(u) for u in plan.property_dependencies.get("rules", ())]
        vaults = [v for v in vaults if v is not None and v.type == BACKUP_VAULT and self.region(v) != self.home]
        if vaults and rule.get("copyActions"):
            return self.region(vaults[0]), _known(vaults[0].get("name")) or vaults[0].name
        return None, None

    def _rule_rpo(self, plan: Res, rule: Any) -> Figure:
        if not isinstance(rule, Mapping) or self._copy_target(plan, rule)[0] is None:
            return NONE
        interval = schedule_interval(rule.get("schedule"))
        if interval is None:
            return NONE
        start = rule.get("startWindow") if isinstance(rule.get("startWindow"), (int, float)) else 480  # AWS default 8 h
        return Figure(interval + start + FIGURES["backup-copy"], "backup-copy")

    def _backup_fixes(self, replicated: str) -> str:
        """What would meet the RPO target: hourly copies when they are enough, else replication."""
        hourly = FIGURES["backup-min-interval"] + 60 + FIGURES["backup-copy"]
        if self.target.rpo_minutes >= hourly:
            return f"hourly AWS Backup rule with the DR copy and a 60 min start window (RPO {fmt(hourly)})"
        return replicated

    def _restore_fix(self, restore: str, replicated: str) -> str:
        if self.target.rto_minutes >= FIGURES[restore]:
            return f"an AWS Backup copy action to {self.dr} (restore ~{fmt(FIGURES[restore])})"
        return replicated

    # --- data stores ------------------------------------------------------------------------------------------
    def _aurora(self) -> Iterable[Row]:
        global_fix = "Aurora global database with a DR secondary (RPO ~1 s, failover ~1 min): dr.strategy pilot-light or warm-standby"
        for cluster in self.of(RDS_CLUSTER):
            name = _known(cluster.get("clusterIdentifier")) or cluster.name
            # in a preview the global cluster's id is unknown: the engine's property dependency still names it
            secondary = next((s for s in self.of(RDS_CLUSTER, "dr") if cluster.get("globalClusterIdentifier") is not None
                              and self._same_ref(cluster, s, "globalClusterIdentifier")), None)
            if secondary is not None:
                global_id = _known(cluster.get("globalClusterIdentifier")) or "<global cluster id>"
                dr_name = _known(secondary.get("clusterIdentifier")) or secondary.name
                yield self._row(cluster, kind="data", component="Aurora cluster",
                                mechanism=f"Aurora global database, secondary {dr_name} in {self.region(secondary)}",
                                rpo=Figure(FIGURES["aurora-global-lag"], "aurora-global-lag"),
                                rto=Figure(FIGURES["aurora-global-failover"], "aurora-global-failover"),
                                action=(f"fail over Aurora global database {global_id} to {dr_name}: aws rds "
                                        f"failover-global-cluster --global-cluster-identifier {global_id} "
                                        f"--target-db-cluster-identifier <ARN of {dr_name}> --allow-data-loss "
                                        f"--region {self.region(secondary)}"))
                continue
            rpo, mechanism = self._backup(cluster)
            yield self._row(cluster, kind="data", component="Aurora cluster", mechanism=mechanism, rpo=rpo,
                            rto=Figure(FIGURES["aurora-restore"], "aurora-restore") if rpo.minutes else NONE,
                            meets_rpo=self._backup_fixes(global_fix), meets_rto=self._restore_fix("aurora-restore", global_fix),
                            action=f"restore Aurora cluster {name} from its latest recovery point ({mechanism}): "
                                   f"aws backup start-restore-job --region {self.dr}")

    def _redis(self) -> Iterable[Row]:
        global_fix = "ElastiCache global datastore with a DR member (RPO ~1 s, promotion ~1 min)"
        for group in self.of(REDIS_GROUP):
            name = _known(group.get("replicationGroupId")) or group.name
            datastore = next((g for g in self.mine if g.type == REDIS_GLOBAL
                              and self._refers(g, "primaryReplicationGroupId", group, "replicationGroupId")), None)
            member = datastore and next((m for m in self.of(REDIS_GROUP, "dr")
                                         if self._refers(m, "globalReplicationGroupId", datastore)), None)
            if member is not None:
                gid = (_known(datastore.get("globalReplicationGroupId"))
                       or f"<region prefix>-{_known(datastore.get('globalReplicationGroupIdSuffix')) or datastore.name}")
                member_id = _known(member.get("replicationGroupId")) or member.name
                yield self._row(group, kind="data", component="ElastiCache Redis",
                                mechanism=f"global datastore {gid}, member in {self.region(member)}",
                                rpo=Figure(FIGURES["elasticache-global-lag"], "elasticache-global-lag"),
                                rto=Figure(FIGURES["elasticache-global-promote"], "elasticache-global-promote"),
                                action=f"promote the {self.region(member)} member of ElastiCache global datastore {gid}: aws "
                                       f"elasticache failover-global-replication-group --global-replication-group-id {gid} "
                                       f"--primary-region {self.region(member)} --primary-replication-group-id {member_id}")
            elif "redis" in self.target.rebuilt_empty:
                yield self._row(group, kind="data", component="ElastiCache Redis",
                                mechanism="cache, rebuilt empty in DR (dr.rebuilt_empty)", rpo=None,
                                rto=Figure(FIGURES["elasticache-rebuild"], "elasticache-rebuild"),
                                meets_rto=global_fix,
                                action=f"create Redis {name} empty in {self.dr}; the apps refill it")
            else:
                yield self._row(group, kind="data", component="ElastiCache Redis",
                                mechanism="snapshots stay in the home region", rpo=NONE, rto=NONE,
                                meets_rpo=f"{global_fix}, or dr.rebuilt_empty: [redis] if it is a cache",
                                meets_rto=global_fix, action=f"nothing to recover Redis {name} from in {self.dr}")

    def _volumes(self) -> Iterable[Row]:
        fix = "replication at the data store's own level (e.g. a DR member of the cluster): AWS Backup runs at most hourly"
        for volume in self.of(EBS_VOLUME):
            rpo, mechanism = self._backup(volume)
            yield self._row(volume, kind="data", component="EBS data volume", mechanism=mechanism, rpo=rpo,
                            rto=Figure(FIGURES["ebs-restore"], "ebs-restore") if rpo.minutes else NONE,
                            meets_rpo=self._backup_fixes(fix), meets_rto=self._restore_fix("ebs-restore", fix),
                            action=f"restore volume {volume.name} from its latest recovery point ({mechanism}) and "
                                   "attach it to a new data host")

    def _secrets(self) -> Iterable[Row]:
        rebuilt = "redis" in self.target.rebuilt_empty
        for secret in self.of(SECRET):
            if rebuilt and _urn_type(secret.parent) == REDIS_COMPONENT:
                continue  # recreated with the cache it authenticates
            name = _known(secret.get("name")) or secret.name
            replicas = [r.get("region") for r in _known(secret.get("replicas")) or [] if isinstance(r, Mapping)]
            if self.dr in replicas or (self.dr is None and replicas):
                yield self._row(secret, kind="data", component="Secrets Manager secret",
                                mechanism=f"replica in {self.dr or replicas[0]}",
                                rpo=Figure(FIGURES["secret-replica"], "secret-replica"),
                                rto=Figure(FIGURES["secret-replica"], "secret-replica"),
                                action=f"promote the replica of secret {name}: aws secretsmanager "
                                       f"stop-replication-to-replica --secret-id {name} --region {self.dr}")
            else:
                yield self._row(secret, kind="data", component="Secrets Manager secret",
                                mechanism="no replica outside the home region", rpo=NONE, rto=NONE,
                                meets_rpo=f"replicate it to {self.dr} (replicas)", meets_rto=f"replicate it to {self.dr}",
                                action=f"secret {name} has no copy in {self.dr}: recreate it")

    # --- services ---------------------------------------------------------------------------------------------
    def _services(self) -> Iterable[Row]:
        replicated = any(self._replicates_to_dr(c) for c in self.mine if c.type == ECR_REPLICATION)
        for service in self.of(ECS_SERVICE):
            name = _known(service.get("name")) or service.name
            standby = next((s for s in self.of(ECS_SERVICE, "dr") if _known(s.get("name")) == name), None)
            running = self._running_minimum(standby, name) if standby is not None else 0
            wanted = max(self._running_minimum(service, name), 1)
            common = dict(kind="service", component="ECS service", rpo=None, phase="compute",
                          meets_rto="warm-standby: the service in DR at a minimum, ECR replicated (RTO ~5 min)")
            if standby is None or not replicated:
                why = "no ECS service in DR" if standby is None else "no ECR replication to DR"
                yield self._row(service, mechanism=f"{why}: redeploy", rto=Figure(FIGURES["redeploy"], "redeploy"),
                                action=f"build ECS service {name} in {self.dr} (pulumi up of the DR compute) and "
                                       "push its images there", **common)
                continue
            key = "ecs-warm" if running > 0 else "ecs-pilot"
            cluster = str(_known(standby.get("cluster")) or "").rsplit("/", 1)[-1] or "<DR cluster>"
            yield self._row(service, mechanism=f"{name} in {self.region(standby)} at {running} task(s), ECR replicated",
                            rto=Figure(FIGURES[key], key),
                            action=f"scale ECS service {name} in {self.region(standby)}: aws ecs update-service --cluster "
                                   f"{cluster} --service {name} --desired-count {wanted} --region {self.region(standby)}",
                            **common)

    def _replicates_to_dr(self, config: Res) -> bool:
        rules = (_known(config.get("replicationConfiguration")) or {}).get("rules") or []
        regions = [d.get("region") for rule in rules if isinstance(rule, Mapping)
                   for d in rule.get("destinations") or [] if isinstance(d, Mapping)]
        return any(r != self.home and (self.dr is None or r == self.dr) for r in regions)

    def _running_minimum(self, service: Res, name: str) -> int:
        desired = _known(service.get("desiredCount"))
        floors = [_known(t.get("minCapacity")) for t in self.mine if t.type == SCALING_TARGET
                  and self.region(t) == self.region(service) and str(_known(t.get("resourceId")) or "").endswith(f"/{name}")]
        return max([v for v in [desired, *floors] if isinstance(v, (int, float))] or [0])

    def _entries(self) -> Iterable[Row]:
        """Each public name in front of a home ALB: how traffic reaches the DR region."""
        dr_albs = [lb for lb in self.of(LOAD_BALANCER, "dr") if not lb.get("internal")]
        for alb in [lb for lb in self.of(LOAD_BALANCER) if not lb.get("internal")]:
            for record in [r for r in self.graph.resources if r.type == ROUTE53_RECORD and self._aliases(r, alb)]:
                domain = _known(record.get("name")) or record.name
                yield self._entry(alb, record, domain, dr_albs)

    def _aliases(self, record: Res, alb: Res) -> bool:
        if alb.urn in record.property_dependencies.get("aliases", ()):
            return True
        names = [_known(a.get("name")) for a in _known(record.get("aliases")) or [] if isinstance(a, Mapping)]
        return _known(alb.get("dnsName")) in names and _known(alb.get("dnsName")) is not None

    def _entry(self, alb: Res, record: Res, domain: str, dr_albs: list[Res]) -> Row:
        common = dict(kind="service", component="public name", phase="traffic", rpo=None,
                      meets_rto="Route 53 failover records (primary home ALB, secondary DR ALB) with a health check")
        secondary = next((r for r in self.graph.resources if r.type == ROUTE53_RECORD and _known(r.get("name")) == domain
                          and _failover(r) == "SECONDARY" and any(self._aliases(r, lb) for lb in dr_albs)), None)
        if _failover(record) == "PRIMARY" and secondary is not None:
            check = next((self.graph.by_urn[u] for u in record.property_dependencies.get("healthCheckId", ())
                          if u in self.graph.by_urn), None)
            interval = _known(check.get("requestInterval")) if check else None
            threshold = _known(check.get("failureThreshold")) if check else None
            seconds = (interval or R53_INTERVAL) * (threshold or R53_THRESHOLD)
            return self._row(record, mechanism=f"Route 53 failover, health check {seconds} s + ALB TTL 60 s",
                             rto=Figure(seconds / 60 + FIGURES["alb-ttl"], "route53-failover"),
                             action=f"Route 53 answers {domain} with the DR ALB once the primary's health check fails; "
                                    "confirm: aws route53 get-health-check-status", **common)
        if dr_albs:
            return self._row(record, mechanism=f"re-point {domain} to the DR ALB by hand",
                             rto=Figure(FIGURES["dns-manual"] + FIGURES["alb-ttl"], "dns-manual"),
                             action=f"change record {domain} (zone {_known(record.get('zoneId'))}) to alias the DR ALB "
                                    f"{dr_albs[0].name}", **common)
        return self._row(record, mechanism="no ALB in DR: redeploy", rto=Figure(FIGURES["redeploy"], "redeploy"),
                         action=f"build the ALB in {self.dr}, then point {domain} (zone {_known(record.get('zoneId'))}) "
                                "at it", **common)


def _urn_type(urn: str | None) -> str | None:
    """urn:pulumi:stack::project::parent$type::name -> type."""
    parts = (urn or "").split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else None


def _failover(record: Res) -> str | None:
    policies = _known(record.get("failoverRoutingPolicies")) or []
    kinds = [p.get("type") for p in policies if isinstance(p, Mapping)]
    return kinds[0] if kinds else None
