"""Deploy-readiness rules DEP-01..DEP-08 (CONTROLS.md §4): would the first `pulumi up` on a fresh organization
succeed? Stack rules over the resource graph, the same under `lz check` and `pulumi preview --policy-pack`.

"A waits for B" means B is in A's transitive closure over dependencies, property dependencies and A's provider,
where a dependency on a component counts as a dependency on all its descendants (the Pulumi SDKs expand
`depends_on=[component]` to its children). Unknown values that decide a rule during preview give the ADVISORY
"cannot verify" (values.cannot_verify) after whatever could be decided; nothing raises otherwise.

Documentation behind each rule: docs/deploy-readiness.md. The pack must stay installable alone (its venv has only
pulumi and pulumi-policy), so the opt-in regions come from facts.json, generated from landing_zone.regions.
"""

from . import accounts, ordering, permissions, settings

RULES = [*accounts.RULES, *ordering.RULES, *settings.RULES, *permissions.RULES]
