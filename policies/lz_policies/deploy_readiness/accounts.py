"""DEP-01 and DEP-02: what a member account this stack creates does not have yet (opt-in regions, lookups)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..facts import OPT_IN_REGIONS
from ..graph import Graph, Res
from ..rules import CaseResource, Param, StackCase, StackRule
from ..stack_helpers import Unknowns, is_true, label
from ..types import (
    AMI_TOKEN,
    GET_AVAILABILITY_ZONES,
    GET_CALLER_IDENTITY,
    GET_PARTITION,
    GET_RANDOM_PASSWORD,
    GET_REGION,
    GET_ZONE,
    LOOKUP,
    ORG_ACCOUNT,
    PROVIDER,
    REGION_SETTING,
    REGIONS,
    SNS_TOPIC,
    SSM_PARAMETER_TOKEN,
)
from ..values import UNKNOWN, decode_json_string
from .common import ORG_TAGS, Deps, account_case, case_in_account, decoded_items, known, provider_case

SAFE_TOKENS = [
    GET_PARTITION,
    GET_REGION,
    GET_AVAILABILITY_ZONES,
    GET_CALLER_IDENTITY,
    GET_RANDOM_PASSWORD,
]
# Owners whose AMIs are public: the aliases, Canonical (Ubuntu), Debian, Red Hat, SUSE, Microsoft's AMIs are "amazon".
PUBLIC_AMI_OWNERS = ["amazon", "aws-marketplace", "099720109477", "136693071363", "309956199498", "013907871322"]


# --------------------------------------------------------------------------- DEP-01 opt-in regions
def _enables(deps: Deps, setting: Res, account: Res, region: str, unknowns: Unknowns) -> bool:
    name = setting.get("regionName")
    if not known(name):
        unknowns.add(setting, "regionName")
        return False
    if name != region or not is_true(setting.get("enabled")):
        return False
    return account in deps.refs(setting, "accountId", (ORG_ACCOUNT,))


def _region_users(g: Graph, deps: Deps, opt_in: set[str], unknowns: Unknowns) -> Iterator[tuple[Res, str]]:
    """(provider or resource, opt-in region) pairs: providers configured for the region, and resources whose own
    `region` argument (pulumi-aws 7) moves them there."""
    for provider in g.of_type(PROVIDER):
        region = decode_json_string(provider.get("region"))
        if not known(region):
            if deps.created_account(provider) is not None:
                unknowns.add(provider, "region")
            continue
        if region in opt_in:
            yield provider, region
    for res in g.resources:
        region = res.get("region")
        if res.type.startswith("aws:") and isinstance(region, str) and region in opt_in:
            provider_region = decode_json_string(deps.provider_props(res).get("region"))
            if region != provider_region:
                yield res, region


def opt_in_regions_enabled_first(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    deps = Deps.of(g)
    opt_in = set(stack.cfg["optInRegions"])
    settings = g.of_type(REGION_SETTING)
    for user, region in _region_users(g, deps, opt_in, unknowns):
        account = deps.created_account(user) if user.type == PROVIDER else deps.created_account_of(user)
        if account is None:
            continue  # an account that already exists: `lz preflight` checks its regions
        enablers = [s for s in settings if _enables(deps, s, account, region, unknowns)]
        where = f"{label(user)} (account {account.name}, opt-in region {region})"
        if not enablers:
            yield user.urn, (f"{where}: no account/region:Region enables {region} for {account.name}, which this stack "
                             f"creates with the region disabled; add aws.account.Region(account_id=<the account's id>, "
                             f"region_name='{region}', enabled=True) through the management account's provider and "
                             "make the provider depend on it")
        elif not any(deps.waits(user, s) for s in enablers):
            yield user.urn, (f"{where} does not wait for {label(enablers[0])}, which enables the region: every call "
                             f"fails until it is enabled; add depends_on=[that Region] to the provider")
    unknowns.raise_if_any()


def region_enablement_outlasts_aws(stack: Any) -> Iterator[tuple[str | None, str]]:
    """Every enabling account/region:Region waits longer than pulumi-aws's default 60 minutes: AWS says enabling
    takes minutes for most accounts but can take several hours, and the provider fails the update when it gives up."""
    minimum = float(stack.cfg["minEnableTimeoutMinutes"])
    for setting in stack.graph().of_type(REGION_SETTING):
        if is_true(setting.get("enabled")) and setting.create_timeout_seconds < minimum * 60:
            waited = (f"customTimeouts create {setting.create_timeout_seconds / 60:g} minutes"
                      if setting.create_timeout_seconds else "no customTimeouts (the provider waits 60 minutes)")
            yield setting.urn, (f"{label(setting)} enables {setting.get('regionName')} with {waited}: enabling an "
                                "opt-in region can take several hours, and when the wait ends first `pulumi up` "
                                f"fails there; set custom_timeouts=pulumi.CustomTimeouts(create=..., update=...) of "
                                f"at least {minimum:g} minutes")


# --------------------------------------------------------------------------- DEP-02 lookups in created accounts
def _safe_lookup(marker: Res, token: str, args: Mapping[str, Any], cfg: Mapping[str, Any]) -> bool:
    if token in cfg["safeTokens"]:
        return True
    if token == AMI_TOKEN:
        owners = [str(o) for o in decoded_items(args.get("owners"))]
        return bool(owners) and all(o in cfg["publicAmiOwners"] for o in owners)
    if token == SSM_PARAMETER_TOKEN:
        name = args.get("name")
        return isinstance(name, str) and any(name.startswith(p) for p in cfg["publicParameterPrefixes"])
    return False


def no_lookup_in_created_accounts(stack: Any) -> Iterator[tuple[str | None, str]]:
    g, unknowns = stack.graph(), Unknowns()
    deps = Deps.of(g)
    for marker in g.of_type(LOOKUP):
        token, args = marker.get("token"), decode_json_string(marker.get("args")) or {}
        providers = deps.refs(marker, "provider", (PROVIDER,))
        if not providers or not known(token):
            unknowns.add(marker, "provider" if not providers else "token")
            continue
        if not isinstance(args, Mapping):
            args = {}
        account = deps.created_account(providers[0])
        if account is None or _safe_lookup(marker, str(token), args, stack.cfg):
            continue
        yield marker.urn, (f"lookup {marker.name} ({token}) goes through provider {providers[0].name} of "
                           f"{account.name}, an account this stack creates: on the first run there is nothing to "
                           "find there. Create the thing in the program and pass its output, or look it up through "
                           "the provider of an account that already exists (management, or the account that owns it)")
    unknowns.raise_if_any()


FIVE_HOURS = 5 * 3600.0


def _enable(region: str = "ap-south-2", enabled: Any = True, timeout: float = FIVE_HOURS) -> CaseResource:
    return case_in_account(REGION_SETTING, f"enable-{region}", {"regionName": region, "enabled": enabled},
              refs={"accountId": "acct-app"}, create_timeout_seconds=timeout)


DEP01_CASES = (
    StackCase((account_case(), _enable(), provider_case("app", "ap-south-2", depends_on=("enable-ap-south-2",))),
              violates=False, note="the provider waits for the region's enablement"),
    StackCase((account_case(), _enable(), provider_case("app", "ap-south-2")), violates=True,
              note="enabled, but the provider does not wait for it"),
    StackCase((account_case(), _enable(timeout=0), provider_case("app", "ap-south-2", depends_on=("enable-ap-south-2",))),
              violates=True, note="the enablement waits the provider's default 60 minutes"),
    StackCase((account_case(), _enable(timeout=2 * 3600.0),
               provider_case("app", "ap-south-2", depends_on=("enable-ap-south-2",))),
              violates=True, note="a custom timeout shorter than the minimum"),
    StackCase((account_case(), provider_case("app", "ap-south-2")), violates=True, note="opt-in region never enabled"),
    StackCase((account_case(), _enable(enabled=False), provider_case("app", "ap-south-2", depends_on=("enable-ap-south-2",))),
              violates=True, note="the Region resource disables it"),
    StackCase((account_case(), account_case("acct-other"),
               case_in_account(REGION_SETTING, "enable-ap-south-2", {"regionName": "ap-south-2", "enabled": True},
                  refs={"accountId": "acct-other"}),
               provider_case("app", "ap-south-2", depends_on=("enable-ap-south-2",))), violates=True,
              note="the region is enabled for another account"),
    StackCase((account_case(), provider_case("app", "eu-west-1")), violates=False, note="not an opt-in region"),
    StackCase((provider_case("management", "ap-south-2", created=None),), violates=False,
              note="an account that already exists (preflight checks it)"),
    StackCase((account_case(), case_in_account(REGIONS, "regions"),
               CaseResource(REGION_SETTING, "enable-ap-south-2", {"regionName": "ap-south-2", "enabled": "true",
                                                         "accountId": UNKNOWN},
                   provider_tags=ORG_TAGS, parent="regions", property_deps={"accountId": ("acct-app",)},
                   create_timeout_seconds=FIVE_HOURS),
               provider_case("app", "ap-south-2", depends_on=("regions",))), violates=False,
              note="depends on the component that holds the Region"),
    StackCase((account_case(), _enable(), provider_case("app", "eu-west-1"),
               case_in_account(SNS_TOPIC, "moved", {"region": "ap-south-2"}, account="app", region="eu-west-1")),
              violates=True, note="a resource's own region argument names a disabled region"),
    StackCase((account_case(), _enable(), case_in_account(PROVIDER, "app-ap-south-2-provider", {"region": UNKNOWN},
                                         refs={"assumeRoles": "acct-app"})),
              violates=False, unknown=True, note="region unknown during preview"),
)


def _lookup(token: str, args: Mapping[str, Any], provider: str = "app-eu-west-1-provider") -> CaseResource:
    return case_in_account(LOOKUP, f"lookup-{token.rsplit(':', 1)[-1]}", {"token": token, "args": dict(args)},
              refs={"provider": provider})


DEP02_CASES = (
    StackCase((account_case(), provider_case("app", "eu-west-1"), _lookup(GET_ZONE, {"name": "example.com"})),
              violates=True, note="a zone looked up in an account created in the same run"),
    StackCase((account_case(), provider_case("app", "eu-west-1"), _lookup(AMI_TOKEN, {"owners": ["self"]})), violates=True,
              note="own AMIs of a new account"),
    StackCase((account_case(), provider_case("app", "eu-west-1"),
               _lookup(SSM_PARAMETER_TOKEN, {"name": "/app/db-host"})), violates=True, note="own SSM parameter"),
    StackCase((account_case(), provider_case("app", "eu-west-1"), _lookup(GET_PARTITION, {}),
               _lookup(AMI_TOKEN, {"owners": ["amazon"], "mostRecent": True}),
               _lookup(SSM_PARAMETER_TOKEN, {"name": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"})),
              violates=False, note="answers that are the same in every account"),
    StackCase((provider_case("management", "eu-west-1", created=None),
               _lookup(GET_ZONE, {"name": "example.com"}, "management-eu-west-1-provider")),
              violates=False, note="a lookup in an account that already exists"),
    StackCase((case_in_account(LOOKUP, "lookup-zone", {"token": GET_ZONE, "args": {}, "provider": UNKNOWN}),),
              violates=False, unknown=True, note="provider unknown"),
)


RULES = [
    StackRule(
        id="DEP-01", name="dep-01-opt-in-regions-enabled-first",
        title="Providers of created accounts in opt-in regions wait for the region's enablement",
        description="Every pulumi:providers:aws of an account this stack creates (its assumed role or allowed account "
                    "references an organizations/account of the stack), configured for an opt-in region, and every "
                    "resource whose own region argument is one, waits (transitively, through components) for an "
                    "account/region:Region with that regionName, enabled=true and accountId referencing the account; "
                    "every enabling account/region:Region has a customTimeouts create of at least "
                    "minEnableTimeoutMinutes (pulumi-aws waits 60 minutes by default, AWS says enabling can take "
                    "several hours).",
        refs="AWS Account Management: enable or disable Regions in your organization; Account Management API "
             "Reference, EnableRegion (RegionName: 'a few minutes for most accounts, but it can take several "
             "hours'); terraform-provider-aws aws_account_region (Timeouts: Create 60m)",
        checks=(opt_in_regions_enabled_first, region_enablement_outlasts_aws), cases=DEP01_CASES,
        params={"optInRegions": Param("array", list(OPT_IN_REGIONS), "regions disabled in new accounts",
                                      items="string"),
                "minEnableTimeoutMinutes": Param("integer", 300, "how long an account/region:Region must wait for "
                                                 "the region to be enabled (below a hosted CI job's 6 hours)")}),
    StackRule(
        id="DEP-02", name="dep-02-no-lookup-in-created-accounts",
        title="No lookup through the provider of an account this stack creates",
        description="Every landing-zone:index:Lookup marker (components/lookups.py registers one per invoke) whose "
                    "provider belongs to an account this stack creates must be a lookup that answers the same in "
                    "every account: safeTokens, ec2 getAmi with only public owners, ssm getParameter of a public "
                    "parameter.",
        refs="issue 11; Pulumi invokes run before any resource of the update exists",
        checks=(no_lookup_in_created_accounts,), cases=DEP02_CASES,
        params={"safeTokens": Param("array", SAFE_TOKENS, "invoke tokens that answer the same in every account",
                                    items="string"),
                "publicAmiOwners": Param("array", PUBLIC_AMI_OWNERS, "AMI owners whose images are public",
                                         items="string"),
                "publicParameterPrefixes": Param("array", ["/aws/service/"], "public SSM parameter prefixes",
                                                 items="string")}),
]
