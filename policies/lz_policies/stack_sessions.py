"""Stack rule X-25: every account x region whose baseline the plan builds logs Session Manager sessions, encrypted.

Session Manager reads its preferences from the account's `SSM-SessionManagerRunShell` Session document in each
region; without it a session is an unlogged shell. The document must send the session log to a CloudWatch log group
of the same account and region that the plan encrypts with a KMS key (cloudWatchEncryptionEnabled: the agent then
refuses an unencrypted group), or to an S3 bucket with s3EncryptionEnabled.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from .graph import Graph, Res
from .rules import StackCase, StackRule
from .stack_helpers import Unknowns, account_urn, case_resource
from .types import EBS_DEFAULT_ENCRYPTION, LOG_GROUP
from .values import is_unknown, truthy

SSM_DOCUMENT = "aws:ssm/document:Document"
PREFERENCES = "SSM-SessionManagerRunShell"

Scope = tuple[str | None, str | None]


def _encrypted_groups(g: Graph) -> set[tuple[str | None, str | None, str]]:
    return {(g.account(lg), g.region(lg), lg.get("name")) for lg in g.of_type(LOG_GROUP)
            if isinstance(lg.get("name"), str) and (is_unknown(lg.get("kmsKeyId")) or lg.get("kmsKeyId"))}


def _problem(g: Graph, doc: Res, groups: set, unknowns: Unknowns) -> str | None:
    """Why the document does not log sessions encrypted; None when it does."""
    if unknowns.check(doc, "content"):
        return None
    if doc.get("documentType") != "Session":
        return f"documentType={doc.get('documentType')!r}; it must be Session"
    try:
        inputs = json.loads(doc.get("content") or "{}").get("inputs") or {}
    except (ValueError, AttributeError):
        return "content is not JSON"
    group = inputs.get("cloudWatchLogGroupName") if isinstance(inputs, Mapping) else None
    if group and truthy(inputs.get("cloudWatchEncryptionEnabled")):
        if (g.account(doc), g.region(doc), group) in groups:
            return None
        return f"cloudWatchLogGroupName {group} is no KMS-encrypted log group of the plan in its account and region"
    if isinstance(inputs, Mapping) and inputs.get("s3BucketName") and truthy(inputs.get("s3EncryptionEnabled")):
        return None
    return "it logs nowhere encrypted: set cloudWatchLogGroupName with cloudWatchEncryptionEnabled=true"


def sessions_logged(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    groups = _encrypted_groups(g)
    # the account x regions whose regional baseline this plan builds (in split mode another stack's resources in an
    # account, e.g. a Transit Gateway acceptance in the network account, do not make its baseline this plan's)
    scopes: set[Scope] = {(g.account(r), g.region(r)) for r in g.of_type(EBS_DEFAULT_ENCRYPTION)}
    logged: set[Scope] = set()
    for doc in g.of_type(SSM_DOCUMENT):
        if doc.get("name") != PREFERENCES:
            continue
        problem = _problem(g, doc, groups, unknowns)
        if problem is None:
            logged.add((g.account(doc), g.region(doc)))
        else:
            yield doc.urn, f"{doc.name} ({PREFERENCES}) does not log sessions encrypted: {problem}"
    for account, region in sorted(scopes - logged - {(None, None)}, key=str):
        if unknowns:
            break
        yield account_urn(g, account), (
            f"account {account} region {region} has no {PREFERENCES} Session document: Session Manager shells there "
            "are unlogged; add it with an encrypted log destination (security.session_manager)")
    unknowns.raise_if_any()


def _doc(inputs: dict, name: str = PREFERENCES) -> Any:
    return case_resource(SSM_DOCUMENT, "prefs", {"name": name, "documentType": "Session",
                                                 "content": json.dumps({"inputs": inputs})})


_BASELINE = case_resource(EBS_DEFAULT_ENCRYPTION, "ebs-default", {"enabled": True})
_GROUP = case_resource(LOG_GROUP, "session-logs", {"name": "/lz/sessions", "kmsKeyId": "arn:aws:kms:k"})
_GOOD = {"cloudWatchLogGroupName": "/lz/sessions", "cloudWatchEncryptionEnabled": True}
X21_CASES = (
    StackCase((_BASELINE,), violates=True, note="an account region with a baseline but no preferences"),
    StackCase((case_resource(LOG_GROUP, "other", {"name": "/app"}),), violates=False,
              note="another stack's resource in an account whose baseline is not this plan's"),
    StackCase((_BASELINE, _GROUP, _doc({**_GOOD, "cloudWatchEncryptionEnabled": False})), violates=True,
              note="unencrypted"),
    StackCase((_BASELINE, case_resource(LOG_GROUP, "session-logs", {"name": "/lz/sessions"}), _doc(_GOOD)),
              violates=True, note="log group without a key"),
    StackCase((_BASELINE, _GROUP, _doc(_GOOD, name="MyPrefs")), violates=True,
              note="not the document Session Manager reads"),
    StackCase((_BASELINE, _GROUP, _doc(_GOOD)), violates=False),
)

RULES = [
    StackRule(
        id="X-25", name="x-25-session-manager-logged", title="Session Manager sessions are logged, encrypted",
        description="Every account x region whose regional baseline (ebs/encryptionByDefault) is in the plan has the "
                    "SSM-SessionManagerRunShell Session "
                    "document, logging to a KMS-encrypted CloudWatch log group of the plan in that account and region "
                    "(cloudWatchEncryptionEnabled) or to S3 with s3EncryptionEnabled.",
        refs="CIS AWS Foundations (no unlogged admin access); SH SSM.6 (automation logging, by analogy)",
        checks=(sessions_logged,), cases=X21_CASES),
]
