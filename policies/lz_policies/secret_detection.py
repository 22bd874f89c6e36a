"""Secrets in names and values: what says it holds a credential, and what has a credential's shape (CTR-05, EAR-11,
SEC-01)."""

from __future__ import annotations

import functools
import re
from typing import Any

from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.discord import DiscordBotTokenDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.keyword import KeywordDetector
from detect_secrets.plugins.npm import NpmDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.private_key import PrivateKeyDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.square_oauth import SquareOAuthDetector
from detect_secrets.plugins.stripe import StripeDetector
from detect_secrets.plugins.twilio import TwilioKeyDetector

SECRET_WORDS = frozenset({
    "password", "passwd", "pwd", "secret", "secrets", "token", "key", "apikey", "credential", "credentials",
    "auth", "privatekey", "passphrase", "dsn", "connectionstring",
})
# Words that make a "key" harmless (a key id, a key name, a key prefix...) rather than a key.
NOT_SECRET_WORDS = frozenset({"id", "arn", "name", "prefix", "alias", "path", "file", "region", "length", "type",
                              "algorithm", "strategy", "spec", "usage", "rotation", "size", "format", "mode",
                              "version", "policy", "pair", "ttl", "enabled", "status", "count", "window"})
SECRET_VALUE_PATTERNS = (
    re.compile(r"AKIA[0-9A-Z]{16}"),  # AWS access key id
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(r"\b(ghp|gho|github_pat|xox[abp]|sk_live)_[A-Za-z0-9_]{10,}"),
    re.compile(r"://[^/\s:@]+:[^/\s@]+@"),  # credentials inside a URL
)


def name_words(name: str) -> list[str]:
    """'DB_PASSWORD' / 'apiKey' / '/app/db-secret' -> lower-case words."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


@functools.lru_cache(maxsize=4096)
def looks_secret_name(name: str) -> bool:
    """True when a name says it holds a secret (password, secret, token, api key...), not a key id or name."""
    words = name_words(name)
    joined = "".join(words)
    if any(w in NOT_SECRET_WORDS for w in words[-1:]):
        return False
    return any(w in SECRET_WORDS for w in words) or any(s in joined for s in ("password", "apikey", "secretkey"))


def looks_secret_value(value: Any) -> bool:
    """True when a literal value has the shape of a credential (access key, private key, token, URL password)."""
    return isinstance(value, str) and any(p.search(value) for p in SECRET_VALUE_PATTERNS)


# Credentials in any text, by shape: Yelp's detect-secrets plugins (pinned in requirements.txt), each a maintained set
# of patterns for one kind of credential, plus SECRET_VALUE_PATTERNS above. IPPublicDetector is left out (an address
# is not a credential), the IBM, Cloudant, Softlayer, Artifactory and Mailchimp detectors (four fifths of the
# scanning time, for services an AWS landing zone does not configure), TelegramBotTokenDetector (its `digits:35 characters` matches every SQS ARN's
# `account:queue-name`) and the entropy detectors (every ARN and hash would match).
DETECTORS = (
    AWSKeyDetector(), AzureStorageKeyDetector(), BasicAuthDetector(), DiscordBotTokenDetector(), GitHubTokenDetector(),
    GitLabTokenDetector(), JwtTokenDetector(), NpmDetector(), OpenAIDetector(), PrivateKeyDetector(),
    PypiTokenDetector(), SendGridDetector(), SlackDetector(), SquareOAuthDetector(), StripeDetector(),
    TwilioKeyDetector(), KeywordDetector(),
)
# Every pattern of the regex detectors, to skip the detectors on text none of them can match (most inputs).
_ANY_PATTERN = [p for d in DETECTORS if isinstance(d, RegexBasedDetector) for p in d.denylist]
_KEYWORD_HINT = re.compile(r"pass|pwd|secret|token|api_?key|auth|cred", re.I)


def candidate_detectors(text: str) -> tuple:
    """The detectors that could match somewhere in `text` (a resource's strings joined): most resources, none."""
    return tuple(d for d in DETECTORS if _may_match(d, text))


def credential_kinds(text: str, detectors: tuple = DETECTORS) -> list[str]:
    """The kinds of credential `text` holds ("AWS Access Key", "Private Key"...), by detect-secrets and our shapes."""
    if len(text) < 8:
        return []
    kinds = [d.secret_type for d in detectors
             if _may_match(d, text) and any(not m.startswith(REFERENCE_PREFIXES) for m in d.analyze_string(text))]
    if not kinds and looks_secret_value(text):
        kinds.append("credential-shaped value")
    return kinds


def _may_match(detector, text: str) -> bool:
    if isinstance(detector, KeywordDetector):
        return bool(_KEYWORD_HINT.search(text))
    return any(p.search(text) for p in detector.denylist)


def literal_secret(name: str, value: object) -> bool:
    """A value under a name that says it is a credential, given literally (not a reference, number or flag)."""
    if not isinstance(value, str) or _NOT_A_VARIABLE.search(name) or name.lower() in ("key", "keys") or \
            not looks_secret_name(name):
        return False
    text = value.strip()
    return len(text) >= 4 and not text.isdigit() and text.lower() not in ("true", "false", "none", "null") and \
        not text.startswith(REFERENCE_PREFIXES)


# Values that point at a secret instead of holding one (or name a type or condition key: "aws:...").
REFERENCE_PREFIXES = ("arn:", "{{resolve:", "${", "$(", "/", "alias/", "aws:", "ssm:", "secretsmanager:", "projects/")
_NOT_A_VARIABLE = re.compile(r"[.:/\s]")  # condition keys, domains and paths are not variable names
