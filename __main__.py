"""The landing zone: config -> organization -> security baseline -> network -> workloads -> contract outputs.

Thin by design: one stack builds the whole organization (components/stacks/single.py), or, in split mode, the part
its `landing-zone:stack` names (components/stacks/: organization, network, or one workload account).
"""

import pulumi

from components.stacks import build
from landing_zone.config import ConfigError, from_pulumi, role_from_pulumi

try:
    cfg = from_pulumi()
    role = role_from_pulumi(cfg)
except ConfigError as e:  # nothing is registered when the config is invalid
    raise pulumi.RunError("invalid landing-zone config:\n" + "\n".join(e.errors)) from None

build(cfg, role, pulumi.get_stack())
