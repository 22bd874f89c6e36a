"""The landing zone: config -> organization -> security baseline -> network -> workloads -> contract outputs.

Thin by design: every concern lives in a component under components/; this file only composes them in order.
"""

import pulumi

from landing_zone.config import ConfigError, from_pulumi

try:
    cfg = from_pulumi()
except ConfigError as e:  # nothing is registered when the config is invalid
    raise pulumi.RunError("invalid landing-zone config:\n" + "\n".join(e.errors)) from None

# --- organization, accounts, providers, SCPs, identity, security baseline (issue 4) ---

# --- network: Transit Gateway hubs, spoke VPCs, hybrid connectivity (issue 5) ---

# --- workloads per account (issue 6) ---

# --- contract outputs for app teams (issue 8) ---
