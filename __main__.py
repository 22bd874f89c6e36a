"""The landing zone: config -> organization -> security baseline -> network -> workloads -> contract outputs.

Thin by design: one stack builds the whole organization (components/stacks/single.py), or, in split mode, the part
its `landing-zone:stack` names (components/stacks/: organization, network, or one workload account).
"""

import pulumi

from components.stacks import build
from landing_zone.config import ConfigError, from_pulumi
from landing_zone.stacks import StackRoleError, check_role, parse_role

try:
    cfg = from_pulumi()
    role = parse_role(pulumi.Config("landing-zone").get("stack"))
    errors = check_role(cfg, pulumi.get_stack(), role) if role else []
    if errors:
        raise ConfigError(errors)
except (ConfigError, StackRoleError) as e:  # nothing is registered when the config is invalid
    raise pulumi.RunError("invalid landing-zone config:\n" + "\n".join(getattr(e, "errors", None) or [str(e)])) from None

build(cfg, role, pulumi.get_stack())
