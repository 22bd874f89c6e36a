"""SEC-01: no plaintext credential in any string input of any resource.

Every string the engine sends (user data, Lambda / ECS / CodeBuild / Batch / App Runner environments, tags, SSM
parameters, launch templates, JSON documents inside strings) is scanned with detect-secrets' detectors and our AWS key
shapes (secret_detection.py); a value under a name that says it is a credential (DB_PASSWORD, apiKey, authToken) must
not be a literal. Values the engine sent as Pulumi secrets (values.SecretText) are never reported.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

from .analyzer import ANY_TYPE
from .rules import Case, ResourceRule
from .sdk import proxied_target
from .secret_detection import candidate_detectors, credential_kinds, literal_secret, looks_secret_value
from .types import (
    CODEBUILD_PROJECT,
    INSTANCE,
    LAMBDA_FUNCTION,
    LAUNCH_TEMPLATE,
    SSM_PARAMETER,
    TASK_DEFINITION,
)
from .values import SECRET_SIG, SIG_KEY, SecretText, is_unknown
from .views import Subject

# `NAME=value` lines of scripts and env files (user data): the name says whether the value is a credential.
ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=['\"]?([^'\"\s]+)['\"]?\s*$", re.M)
# Entries the engine sends as {name|key, value} pairs (ECS/Batch/CodeBuild environments, App Runner, tags lists).
PAIR_NAMES = ("name", "key", "Name", "Key")
# Inputs the provider takes base64-encoded (launch templates' user data must be; instances accept either).
BASE64_INPUTS = ("userData", "userDataBase64")
# CodeBuild variables whose value names a parameter or secret instead of holding one.
REFERENCE_TYPES = ("PARAMETER_STORE", "SECRETS_MANAGER")


def strings(value: Any, path: str = "") -> list[tuple[str, str, str]]:
    """(path, name, text) of every plain string under `value`; JSON inside strings is walked too; secrets skipped."""
    found: list[tuple[str, str, str]] = []
    _collect(value, path, path.rsplit(".", 1)[-1], found)
    return found


def _collect(value: Any, path: str, name: str, found: list) -> None:
    value = proxied_target(value)
    if isinstance(value, SecretText) or is_unknown(value):
        return
    if isinstance(value, str):
        found.append((path, name, value))
        if value[:1] in "[{":
            try:
                _collect(json.loads(value), path, name, found)
            except ValueError:
                pass
        elif name in BASE64_INPUTS:
            decoded = _base64_text(value)
            if decoded:
                found.append((f"{path} (base64)", name, decoded))
    elif isinstance(value, dict):
        pair = next((value[k] for k in PAIR_NAMES if isinstance(value.get(k), str)), None)
        for key, item in value.items():
            if key == "value" and value.get("type") in REFERENCE_TYPES:
                continue
            _collect(item, f"{path}.{key}", pair if pair is not None and key == "value" else key, found)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _collect(item, f"{path}[{i}]", name, found)


def _base64_text(value: str) -> str | None:
    try:
        return base64.b64decode(value, validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None


def no_plaintext_secrets(r: Subject) -> Iterator[str]:
    found = strings(r.props)
    if r.type == SSM_PARAMETER and str(r.get("type", default="")) == "SecureString":
        found = [f for f in found if f[0] != ".value"]  # encrypted with KMS and kept secret in state
    # JSON containers: their strings are in `found`; ARNs and short values hold no credential.
    joined = "\n".join(text for _, _, text in found if len(text) >= 8 and text[:1] not in "[{"
                        and not text.startswith("arn:"))
    detectors = candidate_detectors(joined) if joined else ()
    shaped = detectors or looks_secret_value(joined)
    reported: set[str] = set()
    for path, name, text in found:
        where = path.lstrip(".") or "value"
        problems = credential_kinds(text, detectors) if shaped else []
        if literal_secret(name, text):
            problems.append(f"a literal value for {name!r}")
        if "=" in text:
            problems += [f"a literal value for {var!r}" for var, val in ASSIGNMENT.findall(text)
                         if literal_secret(var, val)]
        if problems and where not in reported:
            reported.add(where)
            yield (f"{where} holds {', '.join(dict.fromkeys(problems))} in plain text; read it at runtime from "
                   "Secrets Manager or an SSM SecureString (or pass a Pulumi secret)")


AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLE"  # AWS's documented example key id, split so scanners of this file stay quiet
USER_DATA = "#!/bin/bash\nexport DB_HOST=db.internal\nexport DB_PASSWORD=Sup3rSecretPassw0rd\n"
RULES = [
    ResourceRule(
        id="SEC-01", name="sec-01-no-plaintext-secrets",
        title="No plaintext credential in any input of any resource",
        description="Every string input of every resource type - user data, Lambda / ECS / CodeBuild / Batch / App "
                    "Runner environment variables, tags, SSM parameter values, launch templates, JSON documents "
                    "inside strings - is scanned with Yelp's detect-secrets detectors (AWS, private keys, GitHub, "
                    "GitLab, Slack, Stripe, JWT, basic-auth URLs, keyword assignments...) and the AWS key shapes; a "
                    "name that says it is a credential (DB_PASSWORD, apiKey, authToken, masterPassword) must not "
                    "carry a literal value, in a map, a {name, value} list or a `NAME=value` line. Values the engine "
                    "sends as Pulumi secrets are never reported; references (ARNs, {{resolve:...}}, SSM paths, "
                    "CodeBuild PARAMETER_STORE / SECRETS_MANAGER variables) are not values.",
        refs="SH CodeBuild.2; CKV_AWS_45 (Lambda), CKV_AWS_46 (EC2 user data), CKV_AWS_41 (provider keys); "
             "detect-secrets (Yelp)",
        types=(ANY_TYPE,), checks=(no_plaintext_secrets,),
        cases=(
            Case({"role": "arn:r", "environment": {"variables": {"DB_PASSWORD": "hunter2-prod!"}}},
                 type=LAMBDA_FUNCTION, violates=True, note="a named credential in a Lambda environment"),
            Case({"role": "arn:r", "environment": {"variables": {"DB_PASSWORD": {SIG_KEY: SECRET_SIG, "value": "hunter2-prod!"},
                                                                 "DB_HOST": "db.internal"}}},
                 type=LAMBDA_FUNCTION, violates=False, note="a Pulumi secret (the engine's secret envelope)"),
            Case({"name": "p", "environment": {"computeType": "BUILD_GENERAL1_SMALL", "environmentVariables": [
                {"name": "AWS_ACCESS_KEY_ID", "value": AWS_KEY, "type": "PLAINTEXT"}]}},
                 type=CODEBUILD_PROJECT, violates=True, note="an AWS key id in CodeBuild"),
            Case({"name": "p", "environment": {"computeType": "BUILD_GENERAL1_SMALL", "environmentVariables": [
                {"name": "GITHUB_TOKEN", "value": "/ci/github-token", "type": "PARAMETER_STORE"}]}},
                 type=CODEBUILD_PROJECT, violates=False, note="a parameter reference"),
            Case({"ami": "ami-1", "instanceType": "t3.micro", "userData": USER_DATA}, type=INSTANCE, violates=True),
            Case({"ami": "ami-1", "instanceType": "t3.micro", "userData": "#!/bin/bash\nexport DB_HOST=db.internal\n"},
                 type=INSTANCE, violates=False),
            Case({"name": "lt", "userData": base64.b64encode(USER_DATA.encode()).decode()}, type=LAUNCH_TEMPLATE,
                 violates=True, note="base64 user data"),
            Case({"name": "lt", "tags": {"deploy-key": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n"}},
                 type=LAUNCH_TEMPLATE, violates=True, note="a private key in a tag"),
            Case({"name": "/app/url", "type": "String", "value": "https://user:pa55word@db.example.com/x"},
                 type=SSM_PARAMETER, violates=True, note="basic auth in a String parameter"),
            Case({"name": "/app/db", "type": "SecureString", "value": "postgres://app:pa55word@db.example.com/app",
                  "keyId": "alias/app"}, type=SSM_PARAMETER, violates=False, note="a SecureString parameter"),
            Case({"family": "f", "containerDefinitions": json.dumps([{"name": "app", "environment": [
                {"name": "LOG_LEVEL", "value": "info"}], "secrets": [{"name": "API_KEY", "valueFrom": "arn:x"}]}])},
                 type=TASK_DEFINITION, violates=False),
        ),
    ),
]
