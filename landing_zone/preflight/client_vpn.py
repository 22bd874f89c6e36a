"""The Client VPN's credentials, in either form the config allows (landing_zone.validation checks the form itself):

- imported by the program (`server_certificate`, `saml_metadata_file`): the files are read offline. ACM refuses a
  certificate outside its validity period, not X.509 v3, or with an unsupported key, and a Client VPN endpoint takes
  only RSA 1024/2048 keys (ACM "Prerequisites for importing certificates"; Client VPN "Mutual authentication"). The
  private key is a `secure:` value only the Pulumi engine decrypts: preflight cannot check that it matches.
- adopted from an adopted network account (`*_arn`): each ARN must exist there, read through the access role.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

from landing_zone.preflight.core import Context, Finding, check, error_code

RENEW_DAYS = 30
CLIENT_VPN_RSA_BITS = (1024, 2048)
SAML_METADATA_MIN_CHARS = 1000  # IAM CreateSAMLProvider: SAMLMetadataDocument is 1,000 to 10,000,000 characters
MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
PATH = "network.client_vpn"


def _adopted_arns(ctx: Context, kind: str) -> list[tuple[str, str]]:
    """(config path, ARN) of the adopted credentials of one kind ('acm' or 'saml')."""
    vpn = ctx.cfg.network.client_vpn
    fields = ("server_certificate_arn", "client_root_certificate_arn") if kind == "acm" else ("saml_provider_arn",)
    return [(f"{PATH}.{f}", getattr(vpn, f)) for f in fields if vpn is not None and getattr(vpn, f)]


def _client_in(ctx: Context, service: str, region: str, account_id: str):
    """A client in the ARN's account: the caller's, or a member's through the access role (None: not assumable)."""
    return ctx.client(service, region, None if account_id == ctx.caller_account else account_id)


# --- the server certificate -----------------------------------------------------------------------------------------


@check("certificates")
def certificates(ctx: Context) -> Iterator[Finding]:
    vpn = ctx.cfg.network.client_vpn
    if vpn is None:
        yield Finding("certificates", "pass", "no Client VPN: no certificate")
        return
    if vpn.server_certificate is not None:
        cert = vpn.server_certificate
        yield _certificate_file(ctx, f"{PATH}.server_certificate.certificate_file", cert.certificate_file, leaf=True)
        if cert.chain_file:
            yield _certificate_file(ctx, f"{PATH}.server_certificate.chain_file", cert.chain_file, leaf=False)
    for path, arn in _adopted_arns(ctx, "acm"):
        yield _adopted_certificate(ctx, path, arn)


def _certificate_file(ctx: Context, path: str, name: str, *, leaf: bool) -> Finding:
    from cryptography import x509

    file = ctx.root / Path(name)
    try:
        certs = x509.load_pem_x509_certificates(file.read_bytes())
    except (OSError, ValueError) as exc:
        return Finding("certificates", "fail", f"{path}: {name} is not a readable PEM certificate ({exc})",
                       "point it to the PEM-encoded certificate (-----BEGIN CERTIFICATE-----)")
    problems = [p for c in certs for p in _certificate_problems(c, leaf=leaf)]
    expiry = min(c.not_valid_after_utc for c in certs)
    detail = f"{path}: {name} ({certs[0].subject.rfc4514_string()}) valid until {expiry:%Y-%m-%d}"
    if problems:
        return Finding("certificates", "fail", f"{detail}: {'; '.join(problems)}",
                       "issue a new certificate that ACM and Client VPN accept, then point the config to it")
    days = (expiry - datetime.datetime.now(datetime.UTC)).days
    if days <= RENEW_DAYS:
        return Finding("certificates", "warn", f"{detail}: expires in {days} days",
                       "renew it first: ACM never renews an imported certificate, and the VPN stops at its expiry")
    if leaf and certs[0].issuer != certs[0].subject and not ctx.cfg.network.client_vpn.server_certificate.chain_file:
        return Finding("certificates", "warn", f"{detail}: signed by {certs[0].issuer.rfc4514_string()} but no "
                       "chain_file", "set server_certificate.chain_file to the issuing CA's PEM chain (ACM wants it)")
    return Finding("certificates", "pass", f"{detail}; its private key is a secret preflight cannot compare")


def _certificate_problems(cert, *, leaf: bool) -> list[str]:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    now, problems = datetime.datetime.now(datetime.UTC), []
    if now > cert.not_valid_after_utc:
        problems.append(f"expired on {cert.not_valid_after_utc:%Y-%m-%d} (ACM refuses to import it)")
    elif now < cert.not_valid_before_utc:
        problems.append(f"not valid before {cert.not_valid_before_utc:%Y-%m-%d} (ACM refuses to import it yet)")
    if cert.version.name != "v3":
        problems.append(f"X.509 {cert.version.name}, ACM imports v3 only")
    key = cert.public_key()
    if leaf and not (isinstance(key, rsa.RSAPublicKey) and key.key_size in CLIENT_VPN_RSA_BITS):
        size = getattr(key, "key_size", "?")
        kind = "RSA" if isinstance(key, rsa.RSAPublicKey) else "EC" if isinstance(key, ec.EllipticCurvePublicKey) else type(key).__name__
        problems.append(f"{kind} {size}-bit key; a Client VPN endpoint accepts RSA 1024 or 2048 only")
    return problems


def _adopted_certificate(ctx: Context, path: str, arn: str) -> Finding:
    from botocore.exceptions import ClientError

    region, account_id = arn.split(":")[3], arn.split(":")[4]
    acm = _client_in(ctx, "acm", region, account_id)
    if acm is None:
        return Finding("certificates", "fail", f"{path}: {arn}: cannot assume {ctx.cfg.organization.access_role_name} "
                       f"in {account_id} to read it", "give the adopted network account the access role (see access-role)")
    try:
        cert = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    except ClientError as exc:
        if error_code(exc) not in ("ResourceNotFoundException", "ValidationException"):
            raise
        return Finding("certificates", "fail", f"{path}: {arn} not found", "import or request it, or fix the ARN")
    ok = cert.get("Status") == "ISSUED"
    return Finding("certificates", "pass" if ok else "fail", f"{path}: {arn} is {cert.get('Status')}",
                   "" if ok else "use an ISSUED certificate")


# --- SAML ----------------------------------------------------------------------------------------------------------


@check("saml")
def saml(ctx: Context) -> Iterator[Finding]:
    vpn = ctx.cfg.network.client_vpn
    if vpn is None or vpn.authentication != "saml":
        yield Finding("saml", "pass", "no SAML authentication in the config")
        return
    if vpn.saml_metadata_file:
        yield _metadata_finding(f"{PATH}.saml_metadata_file", vpn.saml_metadata_file, ctx.root / vpn.saml_metadata_file)
    for path, arn in _adopted_arns(ctx, "saml"):
        yield _adopted_provider(ctx, path, arn)


def _metadata_finding(path: str, name: str, file: Path) -> Finding:
    try:
        text = file.read_text()
        root = ElementTree.fromstring(text)  # xml.etree resolves no external entities
    except (OSError, UnicodeDecodeError, ElementTree.ParseError) as exc:
        return Finding("saml", "fail", f"{path}: {name}: {exc}", "point it to the IdP's SAML metadata XML")
    action = "download the metadata document the IdP publishes for this application"
    if root.tag != f"{MD}EntityDescriptor":
        return Finding("saml", "fail", f"{path}: {name} is XML but not SAML 2.0 metadata (root {root.tag})", action)
    if root.find(f"{MD}IDPSSODescriptor") is None:
        return Finding("saml", "fail", f"{path}: {name} describes no identity provider (no md:IDPSSODescriptor)", action)
    if root.find(f"{MD}IDPSSODescriptor/{MD}KeyDescriptor//{DS}X509Certificate") is None:
        return Finding("saml", "fail", f"{path}: {name} has no signing certificate (md:KeyDescriptor): IAM cannot "
                       "verify the IdP's assertions", action)
    if len(text) < SAML_METADATA_MIN_CHARS:
        return Finding("saml", "fail", f"{path}: {name} has {len(text)} characters; IAM wants at least "
                       f"{SAML_METADATA_MIN_CHARS}", action)
    return Finding("saml", "pass", f"{path}: {name} is SAML metadata of {root.get('entityID')}; the program creates "
                   "the IAM SAML provider from it")


def _adopted_provider(ctx: Context, path: str, arn: str) -> Finding:
    from botocore.exceptions import ClientError

    account_id = arn.split(":")[4]
    iam = _client_in(ctx, "iam", "us-east-1", account_id)
    if iam is None:
        return Finding("saml", "fail", f"{path}: {arn}: cannot assume {ctx.cfg.organization.access_role_name} in "
                       f"{account_id} to read it", "give the adopted network account the access role (see access-role)")
    try:
        iam.get_saml_provider(SAMLProviderArn=arn)
    except ClientError as exc:
        if error_code(exc) not in ("NoSuchEntity", "InvalidInput"):
            raise
        return Finding("saml", "fail", f"{path}: {arn} not found",
                       "create the SAML provider in the adopted network account, or fix the ARN")
    return Finding("saml", "pass", f"{path}: {arn} exists")
