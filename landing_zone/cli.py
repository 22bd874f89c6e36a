"""`lz`: validate, plan and check the landing zone offline (no Pulumi CLI, no AWS credentials)."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from pathlib import Path

import typer
from rich.console import Console

from landing_zone.config import ConfigError, LandingZoneConfig, load_stack
from landing_zone.progress import progress

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

StackOpt = typer.Option(..., "--stack", "-s", help="stack name: reads Pulumi.<stack>.yaml")
REPORTS = (("check.txt", "text"), ("check.json", "json"), ("check.sarif", "sarif"), ("check.junit.xml", "junit"))
# The organization's reviewed policy exceptions; `pulumi preview --policy-pack-config` takes the same file.
DEFAULT_POLICY_CONFIG = "policy-config.json"
RootOpt = typer.Option(Path("."), "--root", help="project root (where Pulumi.yaml is)", hidden=True)
AllOpt = typer.Option(False, "--all", help="every stack of the stack's organization (split mode), layer by layer, "
                      "in parallel processes; writes out/<stack>/plan.json for each")
ChangedOpt = typer.Option(None, "--changed", metavar="REF", help="like --all, but replan only the stacks whose config "
                          "or code changed since this git ref (and what reads from them); reuse the others' plans")
JobsOpt = typer.Option(0, "--jobs", help="processes planning a layer in parallel (default: every core)")


def _version(value: bool) -> None:
    if value:
        from landing_zone.check import _manifest_version
        from landing_zone.contract import CONTRACT_VERSION

        pack = _manifest_version(Path(__file__).resolve().parents[1] / "policies") or "?"
        out.print(f"lz {version()} (policy pack {pack}, contract {CONTRACT_VERSION})", markup=False)
        raise typer.Exit()


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("landing-zone")
    except PackageNotFoundError:
        return "unknown (not installed: `make` installs it)"


@app.callback()
def _root(_: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="print the versions of lz, its policy pack and the app-team contract")) -> None:
    """Offline tooling of the landing zone: validate, plan and check a stack without credentials."""


def fail(lines: list[str], code: int = 2) -> None:
    for line in lines:
        err.print(line, markup=False)
    raise typer.Exit(code)


def validated(stack: str, root: Path) -> LandingZoneConfig:
    """The stack's config, or exit 2 with one line per error."""
    try:
        return load_stack(stack, root)
    except ConfigError as e:
        fail([f"error: {line}" for line in e.errors])
        raise  # unreachable; keeps type checkers honest


@app.command()
def validate(stack: str = StackOpt, root: Path = RootOpt) -> None:
    """Validate Pulumi.<stack>.yaml: exit 0 when valid, 2 with one line per error."""
    from landing_zone.plain_stacks import backend_warnings

    cfg = validated(stack, root)
    for line in backend_warnings(stack, root):
        err.print(f"warning: {line}", markup=False)
    vpcs = sum(len(a.vpcs) for a in cfg.accounts)
    # Accounts as the plan counts them: the management account (the organization's, never in `accounts`) included.
    out.print(f"{stack}: valid ({len(cfg.accounts) + 1} accounts: management and {len(cfg.accounts)} in `accounts`, "
              f"{len(cfg.organizational_units)} OUs, {vpcs} VPCs)")


def planned(stack: str, root: Path, plan_file: Path | None, preview: bool = False, reuse: bool = False,
            save: Path | None = None) -> dict:
    """The plan from --plan FILE, or an offline plan of the stack: `reuse` out/<stack>/plan.json when it is fresh for
    the current code and config (saying so); `save`: write a new plan there with its key (the reporting commands
    reuse it while it is fresh).
    Exit 2 on invalid config, 1 on a program error."""
    from landing_zone.plan import PlanError, plan_with_key, planned_or_reused, say_reused
    from landing_zone.plan_file import PlanFileError, read_plan, write_plan

    if plan_file is not None:
        try:
            return read_plan(plan_file, stack)  # validated against the plan schema, and of this stack
        except PlanFileError as e:
            fail([f"error: {line}" for line in e.errors])
    validated(stack, root)
    try:
        with progress(f"planning {stack} offline"):
            if reuse:
                result, reused = planned_or_reused(stack, root)
                say_reused(stack, reused)
                return result
            result, key = plan_with_key(stack, root, preview)
            if save:
                write_plan(result, save, key)
            return result
    except ConfigError as e:
        fail([f"error: {line}" for line in e.errors])
    except PlanError as e:
        fail([f"error: {e}"], code=1)
    raise AssertionError("unreachable")


@app.command()
def plan(
    stack: str = typer.Option(None, "--stack", "-s", help="stack name: reads Pulumi.<stack>.yaml"),
    out_file: Path = typer.Option(None, "--out", help="plan JSON path (default: out/<stack>/plan.json)"),
    preview: bool = typer.Option(False, "--preview", help="leave computed outputs unknown, as `pulumi preview` does"),
    schema: bool = typer.Option(False, "--schema", help="print the JSON Schema of the plan file and exit"),
    all_stacks: bool = AllOpt,
    changed: str = ChangedOpt,
    jobs: int = JobsOpt,
    root: Path = RootOpt,
) -> None:
    """Plan the stack offline (the real program under Pulumi's mocks) and write the plan JSON."""
    from landing_zone.plan_file import plan_schema_json
    from landing_zone.summary import counts, render_summary, resources_text

    if schema:
        sys.stdout.write(plan_schema_json())
        return
    if not stack:
        fail(["error: --stack is required (or --schema)"])
    if all_stacks or changed:
        from landing_zone.graph_cli import plan_all

        raise typer.Exit(plan_all(stack, root, root / "out", changed, jobs, out, err)[0])


    path = out_file or root / "out" / stack / "plan.json"
    result = planned(stack, root, None, preview, save=path)
    render_summary(result, out)
    out.print(f"{stack}: {resources_text(counts(result))} planned offline -> {path}", markup=False)


@app.command()
def check(
    stack: str = StackOpt,
    plan_file: Path = typer.Option(None, "--plan", help="a plan JSON from `lz plan` (default: plan now)"),
    policy_config: Path = typer.Option(None, "--policy-config",
                                       help="`pulumi preview --policy-pack-config` file (default: policy-config.json)"),
    fmt: str = typer.Option("text", "--format", help="text | json | sarif | junit"),
    output: Path = typer.Option(None, "--output", help="write the report here instead of stdout"),
    reports: Path = typer.Option(None, "--reports", help="also write check.{txt,json,sarif,junit.xml} into this "
                                 "folder"),
    all_stacks: bool = typer.Option(False, "--all", help="plan and check every stack of the stack's organization, "
                                    "then the organization's merged plan (the whole-organization rules); the report "
                                    "is the merged plan's"),
    changed: str = ChangedOpt,
    jobs: int = JobsOpt,
    root: Path = RootOpt,
) -> None:
    """Policy-check the plan with policies/ over the engine's Analyzer protocol: exit 0 clean, 1 mandatory violations."""
    from landing_zone.check import run_check
    from landing_zone.check_result import CheckError, exit_code
    from landing_zone.plan_file import write_atomic
    from landing_zone.policy_config import load_policy_config
    from landing_zone.reports import render

    if policy_config is None and (root / DEFAULT_POLICY_CONFIG).exists():
        policy_config = root / DEFAULT_POLICY_CONFIG
    try:
        user_config = load_policy_config(policy_config) if policy_config else None
    except CheckError as e:
        fail([f"error: {e}"])
    plans = str(plan_file or root / "out" / stack / "plan.json")
    try:
        if all_stacks or changed:
            from landing_zone.graph_cli import check_all

            code, result, org = check_all(stack, root, root / "out", changed, jobs, user_config, out, err)
            if result is None:
                raise typer.Exit(code)
            if org.split:
                plans = f"{root / 'out'}/<stack>/plan.json for each of its {len(org.nodes)} stacks"
        else:
            plan = planned(stack, root, plan_file, save=None if plan_file else root / "out" / stack / "plan.json")
            with progress(f"checking {stack}'s {len(plan['resources'])} resources with the policy pack"):
                result = run_check(plan, root / "policies", user_config, stack, root=root)
        report = render(result, fmt)
        extra = {name: render(result, f) for name, f in REPORTS} if reports else {}
    except CheckError as e:
        fail([f"error: {e}"])
    except ConfigError as e:  # the stack file's config, handed to the pack (a --plan skips validation)
        fail([f"error: {line}" for line in e.errors])
    if output:
        write_atomic(output, report)
    else:
        out.print(report, markup=False, end="" if report.endswith("\n") else "\n")
    for name, text in extra.items():
        write_atomic(reports / name, text)
    if output or reports:
        sys.stdout.flush()  # the report first, then where it is and what next (stderr: stdout may be the report)
        written = dict.fromkeys([*([str(output)] if output else []), *(str(reports / n) for n in extra)])
        err.print(f"reports: {', '.join(written)}", markup=False)
        err.print(f"plan: {plans}", markup=False)
        err.print(f"next: lz reach --stack {stack} (who reaches whom), lz dr --stack {stack} (RPO/RTO), "
                  f"lz cost --stack {stack} (monthly estimate), lz diagram --stack {stack} (topology): "
                  "they reuse the plan while it is fresh", markup=False)
    raise typer.Exit(code if all_stacks or changed else exit_code(result))


@app.command()
def reach(stack: str = StackOpt, plan_file: Path = typer.Option(None, "--plan", help="plan JSON (default: plan now)"),
          root: Path = RootOpt) -> None:
    """Segment reachability computed from the plan vs the config's intent: exit 1 on any difference."""
    from landing_zone import reach as reach_mod

    raise typer.Exit(reach_mod.main(stack, root, plan_file))


@app.command()
def permissions(stack: str = StackOpt,
                plan_file: Path = typer.Option(None, "--plan", help="plan JSON (default: plan now)"),
                all_stacks: bool = typer.Option(False, "--all", help="every stack of the stack's organization (its "
                                                "merged plan)"),
                every: bool = typer.Option(False, "--every", help="list allowed calls too, not only assumptions "
                                           "and denials"),
                root: Path = RootOpt) -> None:
    """Deploy-permission proof: who each stack runs as, each role and call, the verdict and the deciding policy
    (exit 1 on any deny)."""
    from landing_zone import permissions as permissions_mod

    raise typer.Exit(permissions_mod.main(stack, root, plan_file, all_stacks, every))


@app.command()
def dr(stack: str = StackOpt, plan_file: Path = typer.Option(None, "--plan", help="plan JSON (default: plan now)"),
       runbook: bool = typer.Option(False, "--runbook", help="print the failover runbook generated from the plan"),
       root: Path = RootOpt) -> None:
    """RPO and RTO the plan achieves per account vs its `dr` target (exit 1 on a miss), or the failover runbook."""
    from landing_zone import dr as dr_mod

    raise typer.Exit(dr_mod.main(stack, root, plan_file, runbook))


@app.command()
def diagram(
    stack: str = StackOpt,
    fmt: str = typer.Option("mermaid", "--format", help="mermaid | svg | png (svg/png need graphviz's `dot`)"),
    output: Path = typer.Option(None, "--output", help="write here instead of stdout"),
    plan_file: Path = typer.Option(None, "--plan", help="plan JSON (default: plan now)"),
    root: Path = RootOpt,
) -> None:
    """Topology of the landing zone: accounts by OU, VPCs, Transit Gateways, segments and hybrid links."""
    from landing_zone import diagram as diagram_mod

    raise typer.Exit(diagram_mod.main(stack, root, fmt, output, plan_file))


@app.command()
def preflight(stack: str = StackOpt, plan_file: Path = typer.Option(None, "--plan", help="plan JSON (default: plan now)"),
              fmt: str = typer.Option("text", "--format", help="text | json"), root: Path = RootOpt) -> None:
    """Read-only checks of the live organization before the first `pulumi up` (uses the AWS credentials)."""
    from landing_zone import preflight as preflight_mod

    raise typer.Exit(preflight_mod.main(stack, root, plan_file, fmt, out, err))


@app.command()
def cost(
    stack: str = StackOpt,
    plan_file: Path = typer.Option(None, "--plan", help="plan JSON (default: plan now)"),
    fmt: str = typer.Option("text", "--format", help="text | json | markdown"),
    compare: Path = typer.Option(None, "--compare", help="a base plan JSON: print the difference base -> this plan"),
    output: Path = typer.Option(None, "--output", help="write here instead of stdout"),
    prices: Path = typer.Option(None, "--prices", help="price table (default: landing_zone/cost/prices.json)"),
    refresh: bool = typer.Option(False, "--refresh", help="rebuild the price table from the AWS Price List API "
                                 "(needs AWS credentials) and exit"),
    root: Path = RootOpt,
) -> None:
    """Monthly cost estimate of the plan (per account, kind, resource; unpriced kinds listed), or `--compare`."""
    from landing_zone import cost as cost_mod
    from landing_zone.cost.refresh import RefreshError, refresh_table
    from landing_zone.plan_file import PlanFileError, read_plan

    if fmt not in ("text", "json", "markdown"):
        fail([f"error: --format: expected text, json or markdown, got {fmt!r}"])
    table_path = prices or cost_mod.DEFAULT_TABLE
    cfg = validated(stack, root)
    if refresh:
        try:
            counts, missed = refresh_table(table_path, cfg.organization.allowed_regions)
        except RefreshError as e:
            fail([f"error: {e}"])
        for line in missed:
            out.print(f"not refreshed (old price and status kept): {line}", markup=False)
        out.print(f"{table_path}: {sum(counts.values())} prices from the AWS Price List API in {len(counts)} regions")
        return
    try:
        table = cost_mod.load_table(table_path)
        base = read_plan(compare) if compare else None  # a base of another stack is fine (dev against prod)
    except cost_mod.PriceTableError as e:
        fail([f"error: {line}" for line in e.errors])
    except PlanFileError as e:
        fail([f"error: {line}" for line in e.errors])
    org = cfg.organization
    head = cost_mod.estimate(planned(stack, root, plan_file, reuse=True), table, cfg.cost, home_region=org.home_region,
                             dr_region=org.dr_region)
    if base is not None:
        before = cost_mod.estimate(base, table, cfg.cost, home_region=org.home_region, dr_region=org.dr_region)
        report = cost_mod.render_compare(before, head, fmt)
    else:
        report = cost_mod.render(head, fmt)
    if output:
        from landing_zone.plan_file import write_atomic

        write_atomic(output, report)
    else:
        sys.stdout.write(report)


@app.command()
def stacks(
    stack: str = typer.Option(..., "--stack", "-s", help="a stack of the organization (e.g. prod or prod.network)"),
    write: bool = typer.Option(False, "--write", help="write the split stack files Pulumi.<base>.<part>.yaml"),
    check: bool = typer.Option(False, "--check", help="exit 1 when the split stack files are not what --write writes"),
    github_matrix: bool = typer.Option(False, "--github-matrix",
                                       help="print the workflow's matrices (one per layer) as one line of JSON"),
    migrate: bool = typer.Option(False, "--migrate", help="print the `pulumi` steps that split this single stack "
                                 "(planned offline from both modes)"),
    plain: bool = typer.Option(False, "--plain", help="with --write / --check: the stack files of a self-managed "
                               "backend (config inline, secrets as placeholders), in --dir"),
    directory: Path = typer.Option(None, "--dir", help="where --plain writes (default: self-managed/ of the root)"),
    root: Path = RootOpt,
) -> None:
    """The stacks of the organization (split mode), layer by layer; --write / --check their stack files."""
    from landing_zone import plain_stacks, stack_files

    if github_matrix:
        raise typer.Exit(_print_matrix(stack, root))
    if migrate:
        from landing_zone.graph_cli import print_migration

        raise typer.Exit(print_migration(stack, root, out, err))
    directory = directory or root / plain_stacks.DEFAULT_DIR
    try:
        org = stack_files.split_stacks_of(stack, root)
        stack_files.render(org, out)
        if write or check:
            expected = (plain_stacks.expected_files(org, root, directory) if plain
                        else stack_files.expected_files(org, root))
        else:
            expected = {}
    except ConfigError as e:
        fail([f"error: {line}" for line in e.errors])
    files = plain_stacks if plain else stack_files  # the plain form is compared as YAML (Pulumi rewrites it)
    try:
        results = files.write(expected) if write else []
    except OSError as e:
        fail([f"error: cannot write {e.filename}: {e.strerror}"])
    for path, what in results:
        out.print(f"{what}: {path}" if plain else f"{what}: {path.name}")
    for path in stack_files.stale(org, root, expected) if expected else []:
        out.print(f"stale (not written, not deleted; its account is no longer in the config?): {path.name}")
    commands = plain_stacks.secret_commands(expected, root) if plain else []
    if commands:
        out.print(f"{len(commands)} secret placeholder(s) to set once per stack (Pulumi prompts for each value):")
        for command in commands:
            out.print(command, markup=False)
    if check:
        missing = files.out_of_date(expected)
        again = f"lz stacks --stack {stack} --write" + (" --plain" if plain else "")
        for path in missing:
            err.print(f"out of date: {path if plain else path.name} (run: {again})")
        raise typer.Exit(1 if missing else 0)


def _print_matrix(stack: str, root: Path) -> int:
    import json

    from landing_zone import pipeline
    from landing_zone.stack_graph import organization_of

    try:
        org = organization_of(stack, root)
    except ConfigError as e:
        fail([f"error: {line}" for line in e.errors])
    sys.stdout.write(json.dumps(pipeline.github_matrix(org.nodes, split=org.split), separators=(",", ":")) + "\n")
    return 0


@app.command("config")
def config_file(
    stack: str = StackOpt,
    out_file: Path = typer.Option(None, "--out", help="write the stack settings file for `pulumi preview "
                                  "--config-file`: the stack's config as this checkout has it, inline"),
    environments: bool = typer.Option(False, "--environments", help="print `<reference> <file>` of every ESC "
                                      "environment the stack imports (what the deploy pushes before `pulumi up`)"),
    root: Path = RootOpt,
) -> None:
    """The stack's config for the pipeline: a pull request's preview config file, or the environments to push to ESC."""
    import yaml

    from landing_zone.preview_config import imported_environments, preview_settings

    if (out_file is None) == (not environments):
        fail(["error: give exactly one of --out FILE and --environments"])
    try:
        if environments:
            for reference, path in imported_environments(stack, root):
                out.print(f"{reference} {path.relative_to(root) if path.is_relative_to(root) else path}", markup=False)
            return
        settings, kept = preview_settings(stack, root)
    except ConfigError as e:
        fail([f"error: {line}" for line in e.errors])
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(yaml.safe_dump(settings, sort_keys=False))
    out.print(f"wrote {out_file}: {len(settings['config'])} config keys inline")
    if kept:
        err.print(f"note: {', '.join(kept)} hold ESC secrets and come from the service's environment (the one main "
                  f"pushed): a change to them shows in the deploy, not in this preview", markup=False)


@app.command()
def contract(schema: bool = typer.Option(False, "--schema", help="print the JSON Schema of the stack outputs")) -> None:
    """The app-team contract: `--schema` prints the JSON Schema of the outputs (for TypeScript / Go consumers)."""
    from landing_zone.contract import CONTRACT_VERSION, schema_json

    if not schema:
        out.print(f"contract_version {CONTRACT_VERSION}; use --schema for the JSON Schema")
        return
    sys.stdout.write(schema_json())


# How long an interrupted run may take to unwind. A KeyboardInterrupt raised inside the Pulumi SDK's event loop can be
# swallowed by it, leaving the loop waiting for registrations that never finish: then the run ends here (nothing is
# being written then: out/ files are written after planning, whole or not at all).
UNWIND_SECONDS = 5.0


def _exit_interrupted() -> None:
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    sys.stderr.write("lz: interrupted; nothing half-written in out/\n")
    sys.stderr.flush()
    os._exit(130)


def main() -> None:
    """Ctrl-C: whatever was running unwinds (packs stopped, temporary files removed: out/ files are written whole or
    not at all), then one line and exit 130, without the traceback or the asyncio and thread noise of a shutdown."""
    interrupted = []

    def on_interrupt(signum: int, frame: object) -> None:
        if not interrupted:
            threading.Timer(UNWIND_SECONDS, _exit_interrupted).start()  # a daemon would not outlive a hung main
        interrupted.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_interrupt)
    try:
        app()
    except (KeyboardInterrupt, SystemExit):
        if not interrupted:
            raise
        _exit_interrupted()
