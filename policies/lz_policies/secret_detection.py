"""Secrets in names and values: what says it holds a credential, and what has a credential's shape."""

from __future__ import annotations

import re
from typing import Any

SECRET_WORDS = frozenset({
    "password", "passwd", "pwd", "secret", "secrets", "token", "key", "apikey", "credential", "credentials",
    "auth", "privatekey", "passphrase", "dsn", "connectionstring",
})
# Words that make a "key" harmless (a key id, a key name, a key prefix...) rather than a key.
NOT_SECRET_WORDS = frozenset({"id", "arn", "name", "prefix", "alias", "path", "file", "region", "length", "type"})
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
