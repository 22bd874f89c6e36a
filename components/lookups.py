"""Every invoke (data source lookup) of the program goes through `lookup`, which also leaves a trace the policy pack
can see.

`pulumi preview --policy-pack` sends the analyzer resources only, never invokes, so a rule cannot see a lookup made
through the provider of an account this stack is creating (there is nothing to find in such an account yet). Each
lookup therefore registers a small marker component of type `landing-zone:index:Lookup` whose inputs name the invoke
token, its plain arguments and the URN of the provider it goes through; rule DEP-02 reads them.

One marker per (provider, purpose): the partition is looked up by many components through the same provider, and
the answer is the same, so the first call's result is reused (one invoke, one marker, a name that does not depend
on which component asked first).
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from components.context import AccountContext

LOOKUP_TYPE = "landing-zone:index:Lookup"

# The invoke token of each function the program may call (the name the engine and the recording mocks see).
TOKENS: dict[Callable[..., Any], str] = {
    aws.get_partition_output: "aws:index/getPartition:getPartition",
    aws.get_region_output: "aws:index/getRegion:getRegion",
    aws.get_availability_zones_output: "aws:index/getAvailabilityZones:getAvailabilityZones",
    aws.get_caller_identity_output: "aws:index/getCallerIdentity:getCallerIdentity",
    aws.ec2.get_ami_output: "aws:ec2/getAmi:getAmi",
    aws.ssm.get_parameter_output: "aws:ssm/getParameter:getParameter",
    aws.secretsmanager.get_random_password_output: "aws:secretsmanager/getRandomPassword:getRandomPassword",
    aws.route53.get_zone_output: "aws:route53/getZone:getZone",
    aws.iam.get_roles_output: "aws:iam/getRoles:getRoles",
    aws.ssoadmin.get_instances_output: "aws:ssoadmin/getInstances:getInstances",
    aws.identitystore.get_group_output: "aws:identitystore/getGroup:getGroup",
}

# provider -> {marker name: (token, args json, result)}; weak, so a provider of an earlier program run (tests run the
# program many times in one process) never shares a result with a new one.
_memo: weakref.WeakKeyDictionary[aws.Provider, dict[str, tuple[str, str, Any]]] = weakref.WeakKeyDictionary()


class Lookup(pulumi.ComponentResource):
    """The trace of one invoke: token, plain arguments and the URN of the provider it went through."""

    def __init__(self, name: str, token: str, args: Mapping[str, Any], provider: aws.Provider,
                 opts: pulumi.ResourceOptions | None = None):
        trace = {"token": token, "args": dict(args), "provider": provider.urn}
        super().__init__(LOOKUP_TYPE, name, trace, opts)
        # The same values as outputs: AnalyzeStack sends a component's registered outputs, not its inputs.
        self.register_outputs(trace)


def token_of(fn: Callable[..., Any]) -> str:
    try:
        return TOKENS[fn]
    except (KeyError, TypeError):
        name = getattr(fn, "__qualname__", repr(fn))
        raise ValueError(f"lookup: no invoke token known for {name}; add it to components.lookups.TOKENS") from None


def wire_args(args: Mapping[str, Any]) -> dict[str, Any]:
    """The invoke arguments as the engine receives them: top-level names in camelCase, values plain."""
    return {_camel(key): value for key, value in args.items() if value is not None}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def lookup(fn: Callable[..., Any], *, account: AccountContext, region: str, parent: pulumi.Resource,
           purpose: str | None = None, **args: Any) -> Any:
    """`fn(**args)` through the provider of `account` in `region`, with its Lookup marker (see module docstring).

    purpose: the marker's name part; defaults to the function's (get_availability_zones_output ->
    availability-zones). Two lookups with different arguments through one provider need different purposes.
    """
    token = token_of(fn)
    provider = account.providers[region]
    plain = wire_args(args)
    name = account.resource_name(region, f"lookup-{purpose or _default_purpose(fn)}")
    key = json.dumps(plain, sort_keys=True, default=str)
    seen = _memo.setdefault(provider, {})
    if name in seen:
        seen_token, seen_key, result = seen[name]
        if (seen_token, seen_key) != (token, key):
            raise ValueError(f"lookup {name}: already used for {seen_token} {seen_key}; give this one its own purpose")
        return result
    Lookup(name, token, plain, provider, pulumi.ResourceOptions(parent=parent))
    result = fn(**args, opts=pulumi.InvokeOutputOptions(provider=provider, parent=parent))
    seen[name] = (token, key, result)
    return result


def _default_purpose(fn: Callable[..., Any]) -> str:
    name = getattr(fn, "__name__", "lookup").removeprefix("get_").removesuffix("_output")
    return name.replace("_", "-")
