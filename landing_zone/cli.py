"""`lz`: validate, plan and check the landing zone offline (no Pulumi CLI, no AWS credentials)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console

from landing_zone.config import ConfigError, LandingZoneConfig, load_stack

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

StackOpt = typer.Option(..., "--stack", "-s", help="stack name: reads Pulumi.<stack>.yaml")
RootOpt = typer.Option(Path("."), "--root", help="project root (where Pulumi.yaml is)", hidden=True)


@app.callback()
def _root() -> None:
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
    cfg = validated(stack, root)
    vpcs = sum(len(a.vpcs) for a in cfg.accounts)
    out.print(f"{stack}: valid ({len(cfg.accounts)} accounts, {len(cfg.organizational_units)} OUs, {vpcs} VPCs)")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
