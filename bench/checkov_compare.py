"""Compare with checkov: the held-out corpus (tests/fixtures/pack/corpus.json) as Terraform JSON, scanned by checkov.

    python -m bench.checkov_compare [--checkov /path/to/checkov] [--keep DIR]

Each corpus resource becomes the Terraform resource pulumi-aws wraps (the same provider: pulumi-aws is bridged from
terraform-provider-aws, so inputs map one to one, camelCase to snake_case, nested objects to blocks). checkov runs
from its own virtualenv (it pins dependencies the landing zone's venv does not share; not a requirement of this
repository). Prints, per corpus resource, the checks checkov fails; asserts nothing. Run it and read the table
against the pack's catch (bench/pack_classes.py --corpus).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "policies"))

# Pulumi tokens whose Terraform name is not aws_<module>_<resource> in snake case.
TF_NAMES = {
    "aws:rds/snapshot:Snapshot": "aws_db_snapshot", "aws:rds/clusterSnapshot:ClusterSnapshot": "aws_db_cluster_snapshot",
    "aws:cfg/recorderStatus:RecorderStatus": "aws_config_configuration_recorder_status",
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": "aws_vpc_peering_connection",
    "aws:ec2/launchTemplate:LaunchTemplate": "aws_launch_template",
    "aws:ram/principalAssociation:PrincipalAssociation": "aws_ram_principal_association",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket", "aws:s3/bucketPolicy:BucketPolicy": "aws_s3_bucket_policy",
    "aws:opensearch/domainPolicy:DomainPolicy": "aws_opensearch_domain_policy",
    "aws:glue/resourcePolicy:ResourcePolicy": "aws_glue_resource_policy",
    "aws:cloudwatch/eventBusPolicy:EventBusPolicy": "aws_cloudwatch_event_bus_policy",
    "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": "aws_kinesis_firehose_delivery_stream",
    "aws:elasticache/cluster:Cluster": "aws_elasticache_cluster", "aws:lambda/function:Function": "aws_lambda_function",
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": "aws_iam_account_password_policy",
    "aws:route53/resolverFirewallConfig:ResolverFirewallConfig": "aws_route53_resolver_firewall_config",
    "aws:route53/resolverRule:ResolverRule": "aws_route53_resolver_rule",
}
# Inputs whose Terraform name differs from the snake-cased Pulumi one.
TF_ARGS = {("aws_lambda_function_url", "authorizationType"): "authorization_type",
           ("aws_lambda_permission", "function"): "function_name",
           ("aws_ecr_repository_policy", "repository"): "repository",
           ("aws_iam_role_policy", "role"): "role"}


def tf_name(token: str) -> str:
    if token in TF_NAMES:
        return TF_NAMES[token]
    module, resource = token.split(":")[1].split("/")
    return f"aws_{snake(module.rstrip('_'))}_{snake(resource)}"


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def tf_value(value):
    if isinstance(value, dict):
        return {snake(k): tf_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [tf_value(v) for v in value]
    return value


def to_terraform(entries: list[dict]) -> dict:
    resources: dict = {}
    for entry in entries:
        kind = tf_name(entry["type"])
        body = {TF_ARGS.get((kind, k), snake(k)): tf_value(v) for k, v in entry["inputs"].items()}
        body = {k: ("vpc-0123456789abcdef0" if isinstance(v, str) and v.startswith("@vpc:") else v)
                for k, v in body.items()}
        resources.setdefault(kind, {})[entry["name"].replace("-", "_")] = body
    return {"resource": resources}


MAP_ATTRIBUTES = ("tags", "variables", "runtime_environment_variables")


def hcl(terraform: dict) -> str:
    """Terraform JSON as HCL (checkov 3.3 reads no *.tf.json resources): nested objects become blocks, lists of
    objects repeated blocks, MAP_ATTRIBUTES maps."""
    lines = []
    for kind, named in terraform["resource"].items():
        for name, body in named.items():
            lines += [f'resource "{kind}" "{name}" {{', *_body(body, "  "), "}", ""]
    return "\n".join(lines)


def _body(body: dict, indent: str) -> list[str]:
    lines = []
    for key, value in body.items():
        if isinstance(value, dict) and key not in MAP_ATTRIBUTES:
            lines += [f"{indent}{key} {{", *_body(value, indent + "  "), f"{indent}}}"]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                lines += [f"{indent}{key} {{", *_body(item, indent + "  "), f"{indent}}}"]
        else:
            lines.append(f"{indent}{key} = {_literal(value)}")
    return lines


def _literal(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_literal(v)}" for k, v in value.items()) + "}"
    return json.dumps(value).replace("${", "$${").replace("%{", "%%{")


def run_checkov(checkov: str, directory: Path) -> dict[str, list[tuple[str, str]]]:
    """{terraform address: [(check id, check name)]} of every failed check."""
    out = subprocess.run([checkov, "-d", str(directory), "--framework", "terraform", "-o", "json", "--compact",
                          "--skip-download"], capture_output=True, text=True, timeout=900,
                         env={**os.environ, "BC_SKIP_MAPPING": "TRUE"})
    report = json.loads(out.stdout)
    reports = report if isinstance(report, list) else [report]
    failed: dict[str, list[tuple[str, str]]] = {}
    for r in reports:
        for check in r.get("results", {}).get("failed_checks", []):
            failed.setdefault(check["resource"], []).append((check["check_id"], check["check_name"]))
    return failed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkov", default="checkov")
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--names", action="store_true", help="print each failed check's name")
    args = parser.parse_args()
    from corpus import corpus

    entries = corpus()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="checkov-corpus-"))
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.tf").write_text(hcl(to_terraform(entries)))
    failed = run_checkov(args.checkov, directory)
    flagged = 0
    for entry in entries:
        address = f"{tf_name(entry['type'])}.{entry['name'].replace('-', '_')}"
        checks = failed.get(address, [])
        flagged += bool(checks)
        print(f"{entry['class']:10} {address:75} {', '.join(c for c, _ in checks) or '-'}")
        if args.names:
            for check_id, name in checks:
                print(f"{'':12}{check_id}: {name}")
    print(f"checkov flags {flagged}/{len(entries)} corpus resources (any failed check, on any property)")


if __name__ == "__main__":
    main()
