"""A stack's config through the Pulumi ESC environments its stack file imports, resolved offline from environments/."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from landing_zone import plan
from landing_zone.cli import app
from landing_zone.config import ConfigError, load_stack, stack_config

ROOT = Path(__file__).resolve().parents[2]


def env(root: Path, reference: str, definition: dict) -> None:
    path = root / "environments" / f"{reference}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(definition, sort_keys=False))


def stack(root: Path, name: str, doc: dict) -> None:
    (root / f"Pulumi.{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))


def values(config: dict, imports: list | None = None) -> dict:
    return {**({"imports": imports} if imports else {}), "values": {"pulumiConfig": config}}


def validate(root: Path, name: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", "--stack", name, "--root", str(root)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, " ".join(result.output.split())


def test_later_imports_override_earlier_maps_merge_lists_replace_and_the_stack_config_wins(tmp_path):
    env(tmp_path, "org/common", values({"p:a": {"keep": 1, "over": 1, "list": [1, 2]}, "p:b": "common", "p:c": "c"}))
    env(tmp_path, "org/dev", values({"p:a": {"over": 2, "list": [3]}, "p:b": "dev"}))
    stack(tmp_path, "s", {"environment": ["org/common", "org/dev"], "config": {"p:b": "stack"}})
    assert stack_config("s", tmp_path) == {"p:a": {"keep": 1, "over": 2, "list": [3]}, "p:b": "stack", "p:c": "c"}


def test_nested_imports_resolve_under_the_importing_environment(tmp_path):
    env(tmp_path, "org/base", values({"p:region": "base", "p:only-base": True}))
    env(tmp_path, "org/dev", values({"p:region": "dev"}, imports=["org/base"]))
    env(tmp_path, "org/unmerged", values({"p:region": "never"}))
    env(tmp_path, "org/top", values({}, imports=["org/dev", {"org/unmerged": {"merge": False}}]))
    stack(tmp_path, "s", {"environment": ["org/top"]})
    assert stack_config("s", tmp_path) == {"p:region": "dev", "p:only-base": True}


def test_an_org_qualified_or_unqualified_reference_maps_to_the_project_folder(tmp_path):
    env(tmp_path, "org/dev", values({"p:x": 1}))
    env(tmp_path, "default/solo", values({"p:y": 2}))
    stack(tmp_path, "s", {"environment": ["acme/org/dev", "solo"]})
    assert stack_config("s", tmp_path) == {"p:x": 1, "p:y": 2}


def test_an_import_cycle_is_an_error_naming_the_chain(tmp_path):
    env(tmp_path, "org/a", values({}, imports=["org/b"]))
    env(tmp_path, "org/b", values({}, imports=["org/a"]))
    stack(tmp_path, "s", {"environment": ["org/a"]})
    with pytest.raises(ConfigError) as e:
        stack_config("s", tmp_path)
    assert e.value.errors == ["environments/org/b.yaml: environment import cycle: org/a -> org/b -> org/a"]


def test_a_missing_environment_names_the_stack_file_the_reference_and_where_to_put_it(tmp_path):
    stack(tmp_path, "s", {"environment": ["landing-zone/gone"]})
    code, output = validate(tmp_path, "s")
    assert code == 2 and "Traceback" not in output
    assert "Pulumi.s.yaml: imports ESC environment 'landing-zone/gone'" in output
    assert "environments/landing-zone/gone.yaml does not exist" in output


@pytest.mark.parametrize("value, what", [
    ({"fn::open::aws-secrets": {"region": "x"}}, "fn::open::aws-secrets cannot be evaluated offline"),
    ({"fn::rotate": {}}, "fn::rotate cannot be evaluated offline"),
    ("${aws.region}", "`${...}` interpolation is not evaluated offline"),
    ({"secure": "v1:abc"}, "`secure:` is stack-file syntax"),
])
def test_what_offline_cannot_evaluate_is_an_error_naming_file_and_path(tmp_path, value, what):
    env(tmp_path, "org/dev", values({"p:outer": {"list": ["ok", value]}}))
    stack(tmp_path, "s", {"environment": ["org/dev"]})
    code, output = validate(tmp_path, "s")
    assert code == 2 and "Traceback" not in output
    assert f"environments/org/dev.yaml: values.pulumiConfig.p:outer.list[1]: {what}" in output


def test_values_outside_pulumi_config_are_not_evaluated_offline(tmp_path):
    """An environment may also log in to AWS (fn::open::aws-login) for real deployments: the stack never reads it."""
    env(tmp_path, "org/dev", {"values": {"aws": {"login": {"fn::open::aws-login": {"oidc": {}}}},
                                         "environmentVariables": {"AWS_ACCESS_KEY_ID": "${aws.login.accessKeyId}"},
                                         "pulumiConfig": {"p:x": 1}}})
    stack(tmp_path, "s", {"environment": ["org/dev"]})
    assert stack_config("s", tmp_path) == {"p:x": 1}


@pytest.mark.parametrize("secret", ["plaintext-key", {"ciphertext": "v1:Y2lwaGVy"}])
def test_fn_secret_travels_as_a_secret_key_like_a_secure_value(tmp_path, secret):
    env(tmp_path, "org/dev", values({"p:cvpn": {"key": {"fn::secret": secret}}, "p:plain": "x"}))
    stack(tmp_path, "s", {"environment": ["org/dev"]})
    config, secret_keys = plan.read_stack_config("s", tmp_path)
    assert secret_keys == ["p:cvpn"]
    expected = secret if isinstance(secret, str) else secret["ciphertext"]
    assert yaml.safe_load(config["p:cvpn"]) == {"key": expected}


def test_the_sample_stacks_read_their_whole_config_from_their_environment():
    for name in ("dev", "prod"):
        doc = yaml.safe_load((ROOT / f"Pulumi.{name}.yaml").read_text())
        assert doc == {"environment": [f"landing-zone/{name}"]}
        assert load_stack(name, ROOT).organization.home_region == "ap-south-1"
    assert plan.read_stack_config("prod", ROOT)[1] == ["landing-zone:network"]  # its fn::secret values
