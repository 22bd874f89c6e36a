"""`lz plan --all` / `lz check --all` / `--changed REF`: a split organization planned and checked as a graph.

- which organization a stack belongs to (its `landing-zone:stack` role and base name, landing_zone/stacks.py);
- which stacks changed since a git ref: a change to the program's code replans every stack; a change to the config
  replans the stacks whose slice of it changed (`config_slice`), then everything that reads from them; every other
  stack reuses its plan in out/ only while it is fresh (landing_zone/freshness.py), else it is planned too;
- the check: every stack's own plan (what `pulumi preview --policy-pack` runs per stack; the whole-organization stack
  rules do not apply there), then the merged plan of the organization (landing_zone/graph_merge.py), where they do.
  A pack process per core checks a share of the stacks; a stack whose check inputs are all unchanged (ResultCache)
  reuses its result.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from landing_zone.config import STACK_ROLE_KEY, ConfigError, load_stack_and_role, namespaced, parse, stack_config
from landing_zone.freshness import PROGRAM_PATHS
from landing_zone.models import LandingZoneConfig
from landing_zone.stacks import (
    ACCOUNT,
    StackNode,
    StackRole,
    base_of,
    downstream,
    graph,
)

# What the pack says of a whole-organization rule in a member stack (policies/lz_policies/rules.py, StackRule): the
# merged plan runs exactly those.
WHOLE_ORGANIZATION = "needs the whole organization"


@dataclass(frozen=True)
class Organization:
    """The stacks of the organization a stack belongs to (single mode: that stack alone)."""

    cfg: LandingZoneConfig
    base: str
    nodes: list[StackNode]
    split: bool


def organization_of(stack: str, root: Path) -> Organization:
    """The organization `stack` belongs to: its split graph, or `stack` alone in single mode. Raises ConfigError."""
    cfg, role = load_stack_and_role(stack, root)
    if role is None:
        return Organization(cfg, stack, [StackNode(stack, StackRole(part="organization"), 0, ())], split=False)
    return Organization(cfg, base_of(stack, role), graph(cfg, base_of(stack, role)), split=True)


def organization_plan(stack: str, root: Path) -> dict:
    """The merged plan of the split organization `stack` belongs to: each stack's fresh plan in out/, or planned now."""
    from landing_zone.graph_merge import merge_plans
    from landing_zone.graph_plan import plan_graph
    from landing_zone.plan import say_reused

    org = organization_of(stack, root)
    planned = plan_graph(org.nodes, org.base, root, Path(root) / "out", reuse=True)
    reused = sum(p.reused for p in planned)
    say_reused(org.base, f"{org.base}: {reused} of {len(planned)} stack plans reused from out/ (fresh: planned from "
               f"the current code and config), {len(planned) - reused} planned offline now")
    return merge_plans([json.loads(p.path.read_text()) for p in planned], org.base)


# --- what changed ---------------------------------------------------------------------------------------------------


def config_slice(cfg: LandingZoneConfig, role: StackRole) -> dict:
    """The part of the organization's config a stack's plan can depend on (conservative: when in doubt, keep it).

    Every stack reads the whole config except other workload accounts' `workloads` (an account stack builds only
    its own; the organization and network stacks read only whether an account has an edge: its ELB log bucket).
    tests/landing_zone/test_stack_graph.py proves it: a change outside a stack's slice leaves its plan unchanged.
    """
    doc = cfg.model_dump(mode="json")
    own = role.account if role.part == ACCOUNT else None
    for account in doc["accounts"]:
        if account.get("role", "workload") == "workload" and account["name"] != own:
            account["workloads"] = {"edge": account["workloads"].get("edge")}
    return doc


def fingerprint(cfg: LandingZoneConfig, role: StackRole) -> str:
    text = json.dumps(config_slice(cfg, role), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def changed_files(root: Path, ref: str) -> list[str]:
    """Files that differ between `ref` and the working tree (untracked ones included)."""
    def git(*args: str) -> list[str]:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        if done.returncode != 0:
            raise ConfigError([f"--changed {ref}: git {' '.join(args)}: {done.stderr.strip()}"])
        return [line for line in done.stdout.splitlines() if line]
    return sorted(set(git("diff", "--name-only", ref, "--", ".")) |
                  set(git("ls-files", "--others", "--exclude-standard")))


def _materialized_at(root: Path, ref: str, tmp: Path) -> None:
    """The stack files and environments as they were at `ref`, written under `tmp`."""
    listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", ref], cwd=root, capture_output=True, text=True,
                            check=True).stdout.splitlines()
    for name in listed:
        base = name.rsplit("/", 1)[-1]  # stack files in a stackConfigDir too
        if (base.startswith("Pulumi.") and base.endswith(".yaml")) or name.startswith("environments/"):
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(subprocess.run(["git", "show", f"{ref}:{name}"], cwd=root, capture_output=True,
                                              check=True).stdout)


class _Fingerprints:
    """Each stack's fingerprint under one root: its slice of the config it resolves, and its own other keys. The
    stacks of an organization share their config, so it is parsed once per distinct value."""

    def __init__(self, root: Path):
        self.root = root
        self._parsed: dict[str, LandingZoneConfig | None] = {}

    def __call__(self, node: StackNode) -> str | None:
        try:
            config = stack_config(node.name, self.root)
        except ConfigError:
            return None  # no stack file (a new stack), or one that does not resolve: changed
        key = json.dumps(config, sort_keys=True, default=str)
        if key not in self._parsed:
            try:
                self._parsed[key] = parse(namespaced(config))
            except ConfigError:
                self._parsed[key] = None
        cfg = self._parsed[key]
        if cfg is None:
            return None
        own = sorted((k, json.dumps(v, sort_keys=True, default=str)) for k, v in config.items()
                     if not k.startswith("landing-zone:") or k == STACK_ROLE_KEY)
        return fingerprint(cfg, node.role) + hashlib.sha256(json.dumps(own).encode()).hexdigest()


def changed_stacks(org: Organization, root: Path, ref: str, stack: str) -> tuple[set[str], str]:
    """The stacks to replan since `ref` (those that changed and those reading from them), and why."""
    files = changed_files(root, ref)
    program = [f for f in files if f.startswith(PROGRAM_PATHS) and not f.endswith(".md")]
    if program:
        return {n.name for n in org.nodes}, \
            f"the program changed ({', '.join(program[:3])}{', ...' if len(program) > 3 else ''})"
    now = _Fingerprints(Path(root))
    with tempfile.TemporaryDirectory() as tmp:
        _materialized_at(root, ref, Path(tmp))
        then = _Fingerprints(Path(tmp))
        changed = {n.name for n in org.nodes if then(n) is None or then(n) != now(n)}
    replan = downstream(org.nodes, changed)
    return replan, f"config changed for {', '.join(sorted(changed)) or 'no stack'}"


# --- the check of a graph -----------------------------------------------------------------------------------------


def check_graph(org: Organization, root: Path, plans: Mapping[str, Mapping[str, Any]],
                policy_config: Mapping[str, Any] | None, cache_dir: Path | None = None,
                on_result: Callable[[str, Any], None] | None = None, jobs: int = 1,
                reused: list[str] | None = None) -> tuple[dict[str, Any], Any]:
    """(stack -> CheckResult, the organization's CheckResult: the merged plan's in split mode). Raises CheckError.
    `reused` gets the stacks whose result came from the cache."""
    from landing_zone.check import PolicyPackProcess, check_with, pack_environment
    from landing_zone.deploy_facts import with_facts
    from landing_zone.graph_merge import merge_plans

    policy_config = with_facts(policy_config, org.cfg, org.base, org.nodes, org.split)  # the checked config's facts
    pack_dir = Path(root) / "policies"
    cache = ResultCache(cache_dir, pack_dir, policy_config) if cache_dir else None
    first = org.nodes[0].name
    envs = {n.name: pack_environment(plans[n.name], n.name, root) for n in org.nodes}
    env = envs[first]
    known = {n.name: cache.get(n.name, plans[n.name], envs[n.name]) for n in org.nodes} if cache else {}
    todo = [n.name for n in org.nodes if known.get(n.name) is None]
    if reused is not None:
        reused.extend(n.name for n in org.nodes if known.get(n.name) is not None)
    lanes = [todo[i::jobs] for i in range(min(jobs, len(todo)))]  # none when every result is cached

    def check_lane(names: list[str]) -> dict[str, Any]:
        """One pack process checks its share of the stacks, each with its own config."""
        done = {}
        with PolicyPackProcess(pack_dir, env) as pack:
            for name in names:
                done[name] = check_with(pack, plans[name], policy_config, name, envs[name])
                if cache:
                    cache.put(name, plans[name], envs[name], done[name])
        return done

    checked: dict[str, Any] = {}
    with ThreadPoolExecutor(max_workers=max(1, len(lanes))) as pool:  # the packs are processes: threads only wait
        for done in pool.map(check_lane, lanes):
            checked.update(done)
    results = {n.name: checked.get(n.name) or known[n.name] for n in org.nodes}
    for name, result in results.items():
        if on_result:
            on_result(name, result)
    if not org.split:
        return results, results[first]
    deferred = {name for r in results.values() for name, reason in r.not_applicable if WHOLE_ORGANIZATION in reason}
    merged = merge_plans([plans[n.name] for n in org.nodes], org.base)
    whole_env = replace(env, stack=org.base, config=tuple((k, v) for k, v in env.config if k != STACK_ROLE_KEY))
    with PolicyPackProcess(pack_dir, whole_env) as pack:
        whole = check_with(pack, merged, only(policy_config, results[first].policies, deferred), org.base, whole_env,
                           analyze_resources=False)
    return results, organization_result(org, plans[first]["project"], whole, deferred, results)


def only(policy_config: Mapping[str, Any] | None, policies: Any, names: set[str]) -> dict[str, Any]:
    """The policy config with every policy but `names` disabled (the merged plan runs only what the stacks deferred)."""
    config = dict(policy_config or {})
    for policy in policies:
        if policy.name not in names:
            entry = config.get(policy.name)
            config[policy.name] = {**(entry if isinstance(entry, Mapping) else {}), "enforcementLevel": "disabled"}
    return config


def organization_result(org: Organization, project: str, whole: Any, deferred: set[str],
                        per_stack: Mapping[str, Any]) -> Any:
    """The whole organization's verdict: the deferred rules on the merged plan, every other rule as each stack judged
    it (URNs as in single mode), in the order `lz check` reports them."""
    from landing_zone.check_result import SEVERITY_ORDER
    from landing_zone.graph_merge import UrnMap

    found = set(whole.violations)
    for stack, result in per_stack.items():
        to_base = UrnMap(project, stack, org.base)
        found |= {replace(v, urn=to_base(v.urn)) for v in result.violations if v.policy not in deferred}
    ordered = sorted(found, key=lambda v: (v.enforcement != "mandatory", SEVERITY_ORDER.index(v.severity), v.account,
                                           v.policy, v.urn, v.message))
    stacks_view = next(iter(per_stack.values()))  # the policies at the levels the policy config gives them
    return replace(whole, violations=ordered, policies=stacks_view.policies,
                   not_applicable=sorted({n for r in per_stack.values() for n in r.not_applicable
                                          if n[0] not in deferred} | set(whole.not_applicable)))


class ResultCache:
    """A stack's check result, reused while everything the verdict depends on is unchanged (landing_zone/freshness.py
    check_key): the plan, the stack environment the pack is configured with (resolved config, secret keys, dry run,
    project, stack), every file of the pack (facts.json and data files included) and the packages it runs on, the
    tooling that drives it, and the policy config."""

    def __init__(self, directory: Path, pack_dir: Path, policy_config: Mapping[str, Any] | None):
        from landing_zone.check import pack_site_packages
        from landing_zone.freshness import pack_digest

        self.directory = Path(directory)
        self.policy_config = policy_config
        self.pack = pack_digest(pack_dir, pack_site_packages(pack_dir))
        self.hits = self.misses = 0

    def _key(self, plan: Mapping[str, Any], env: Any) -> str:
        from landing_zone.freshness import check_key

        return check_key(plan, self.pack, self.policy_config, env)

    def _path(self, stack: str) -> Path:
        return self.directory / stack / "check-cache.json"

    def get(self, stack: str, plan: Mapping[str, Any], env: Any) -> Any:
        from landing_zone.check_result import CheckResult

        path = self._path(stack)
        try:
            stored = json.loads(path.read_text())
        except (OSError, ValueError):
            stored = {}
        hit = stored.get("key") == self._key(plan, env)
        self.hits, self.misses = self.hits + hit, self.misses + (not hit)
        return CheckResult.from_json(stored["result"]) if hit else None

    def put(self, stack: str, plan: Mapping[str, Any], env: Any, result: Any) -> None:
        from landing_zone.plan_file import write_atomic

        write_atomic(self._path(stack), json.dumps({"key": self._key(plan, env), "result": result.to_json()}))
