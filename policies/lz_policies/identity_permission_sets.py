"""IAM-03 (stack): Identity Center permission sets - no AdministratorAccess, and prod sets do not read data."""

from __future__ import annotations

from collections.abc import Iterator

from .graph import Graph, Res
from .identity_resource_policies import provider_accounts
from .rules import CaseResource, Param, StackCase, StackRule
from .tags import STRICTEST_ENVIRONMENT
from .types import (
    ACCOUNT_ASSIGNMENT,
    ORG_ACCOUNT,
    PERMISSION_SET,
    ROLE_ATTACHMENT,
    SSO_MANAGED,
)
from .values import UNKNOWN, cannot_verify, is_unknown

# IAM-03 (stack) -------------------------------------------------------------------------------------------------
# A stack rule: whether a permission set reaches prod is only known from its account assignments and the
# environment of the accounts they target.
# AWS managed policies that read data (ReadOnlyAccess: s3:Get* reads every object, ssm:Get* parameter values,
# dynamodb:GetItem/Query/Scan, sqs:ReceiveMessage...): ViewOnlyAccess or a custom set is least privilege for people.
DATA_READING_POLICIES = [
    "arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    "arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess",
]


def no_administrator_access(s) -> Iterator[tuple[str | None, str]]:
    g = s.graph()
    unknown: list[str] = []
    for res in g.of_type(ROLE_ATTACHMENT, SSO_MANAGED):
        prop = "policyArn" if res.type == ROLE_ATTACHMENT else "managedPolicyArn"
        arn = res.get(prop)
        if is_unknown(arn):
            unknown.append(f"{res.name}.{prop}")
        elif str(arn or "").endswith(":policy/AdministratorAccess") and not (
                res.type == SSO_MANAGED and s.cfg["allowOnPermissionSets"]):
            yield res.urn, (f"{res.name}: AdministratorAccess is attached; attach a scoped policy (or PowerUserAccess "
                            "plus the IAM actions needed) instead")
    if unknown:
        raise cannot_verify(unknown)


def prod_permission_sets_do_not_read_data(s) -> Iterator[tuple[str | None, str]]:
    g = s.graph()
    unknown: list[str] = []
    environments = _account_environments(g)
    forbidden = {str(a) for a in s.cfg["dataReadingPolicies"]}
    reading: dict[str, list[str]] = {}  # permission set (URN or ARN) -> data-reading policies attached to it
    for attachment in g.of_type(SSO_MANAGED):
        arn = attachment.get("managedPolicyArn")
        if is_unknown(arn):
            unknown.append(f"{attachment.name}.managedPolicyArn")
        elif str(arn) in forbidden:
            for key in _permission_set_keys(g, attachment, unknown):
                reading.setdefault(key, []).append(str(arn).rsplit("/", 1)[-1])
    for assignment in g.of_type(ACCOUNT_ASSIGNMENT):
        policies = sorted({p for key in _permission_set_keys(g, assignment, []) for p in reading.get(key, [])})
        if not policies or assignment.get("targetType", "AWS_ACCOUNT") != "AWS_ACCOUNT":
            continue
        account, env = _target_environment(g, assignment, environments)
        if env is None and account is None:
            unknown.append(f"{assignment.name}.targetId")
        elif (env or STRICTEST_ENVIRONMENT) in list(s.cfg["dataEnvironments"]):
            yield assignment.urn, (f"{assignment.name} assigns a permission set with {', '.join(policies)} to "
                                   f"{env or 'untagged (counted as prod)'} account {account}: it reads data (S3 "
                                   "objects, parameters, table items); give people ViewOnlyAccess or a custom set "
                                   "there, data access through audited roles")
    if unknown:
        raise cannot_verify(unknown)


def _permission_set_keys(g: Graph, res: Res, unknown: list[str]) -> set[str]:
    """What identifies the permission set `res.permissionSetArn` names: its ARN, and the resource's URN."""
    keys = {p.urn for p in g.resolve(res, "permissionSetArn", (PERMISSION_SET,))}
    arn = res.get("permissionSetArn")
    if isinstance(arn, str) and not is_unknown(arn):
        keys.add(arn)
    elif not keys:
        unknown.append(f"{res.name}.permissionSetArn")
    return keys


def _target_environment(g: Graph, assignment: Res,
                        environments: dict[str, str]) -> tuple[str | None, str | None]:
    """(account id or name, environment) of an assignment's target: the organizations/account it names (its own
    environment tag), else the environment of the provider deploying to that account id."""
    for account in g.resolve(assignment, "targetId", (ORG_ACCOUNT,)):
        env = account.tags.get("environment")
        if isinstance(env, str) and not is_unknown(env):
            return account.name, env
    target = assignment.get("targetId")
    if isinstance(target, str) and not is_unknown(target):
        return target, environments.get(target)
    return None, None


def _account_environments(g: Graph) -> dict[str, str]:
    """Account id -> environment, from the providers (allowedAccountIds / assumed role) and their default tags."""
    found: dict[str, str] = {}
    seen: set[int] = set()
    for res in g.resources:  # each resource's provider, as IAM-10 reads them (one pass per distinct provider)
        props = g.provider_props(res)
        env = g.provider_tags(res).get("environment") if id(props) not in seen else None
        seen.add(id(props))
        for account in provider_accounts(props) if env else ():
            found.setdefault(account, env)
    return found


_SSO = "arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-"


def _permission_set(name: str, policy: str, account: str = "222222222222", env: str | None = "prod",
                    by_reference: bool = False) -> tuple[CaseResource, ...]:
    """A permission set with one managed policy, assigned to an organizations/account of environment `env`."""
    arn = f"{_SSO}{name}"
    target = {"targetId": UNKNOWN} if by_reference else {"targetId": account}
    return (
        CaseResource(PERMISSION_SET, name, {"name": name, "arn": arn}, env="core"),
        CaseResource(SSO_MANAGED, f"{name}-policy", {"instanceArn": "i", "permissionSetArn": arn,
                                            "managedPolicyArn": f"arn:aws:iam::aws:policy/{policy}"}, env="core"),
        CaseResource(ORG_ACCOUNT, f"account-{account}", {"id": account, "name": account,
                                                "tags": {"environment": env} if env else {}}, env="core"),
        CaseResource(ACCOUNT_ASSIGNMENT, f"{name}-to-{account}", {"instanceArn": "i", "permissionSetArn": arn,
                                                         "principalId": "g", "principalType": "GROUP",
                                                         "targetType": "AWS_ACCOUNT", **target}, env="core",
            property_deps={"targetId": (f"account-{account}",)} if by_reference else {}),
    )


IAM03_CASES = (
    StackCase((CaseResource(ROLE_ATTACHMENT, "admin", {"role": "r", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),),
              violates=True),
    StackCase(_permission_set("admins", "AdministratorAccess", env="core"), violates=True),
    StackCase((CaseResource(ROLE_ATTACHMENT, "ro", {"role": "r", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),),
              violates=False, note="a role, not people in prod"),
    StackCase(_permission_set("admins", "AdministratorAccess", env="core"), config={"allowOnPermissionSets": True},
              violates=False),
    StackCase(_permission_set("developers", "ReadOnlyAccess"), violates=True,
              note="ReadOnlyAccess assigned to a prod account"),
    StackCase(_permission_set("developers", "ReadOnlyAccess", by_reference=True), violates=True,
              note="preview: the account id is unknown, the property dependency names the prod account"),
    StackCase(_permission_set("developers", "ReadOnlyAccess", env=None), violates=True,
              note="untagged account: strictest"),
    StackCase(_permission_set("developers", "ViewOnlyAccess"), violates=False),
    StackCase(_permission_set("developers", "ReadOnlyAccess", env="nonprod"), violates=False),
    StackCase((CaseResource(SSO_MANAGED, "x", {"instanceArn": "i", "permissionSetArn": "p", "managedPolicyArn": UNKNOWN}),),
              violates=False, unknown=True),
)


RULES = [
    StackRule(
        id="IAM-03", name="iam-03-no-administrator-access",
        title="AdministratorAccess is not attached; people in prod get no data-reading managed policy",
        description="Roles and Identity Center permission sets do not get the AWS managed AdministratorAccess "
                    "policy (`allowOnPermissionSets` opts a break-glass permission set in). A permission set with a "
                    "data-reading AWS managed policy (`dataReadingPolicies`: ReadOnlyAccess reads every S3 object and "
                    "parameter) is not assigned to an account of `dataEnvironments` (the environment tag of the "
                    "organizations/account the assignment targets, else of the providers deploying to that account "
                    "id; untagged counts as prod): ViewOnlyAccess or a custom set there. A stack rule because only "
                    "the assignments say where a permission set applies.",
        refs="CKV_AWS_274; AWS managed policies for job functions (ViewOnlyAccess)",
        checks=(no_administrator_access, prod_permission_sets_do_not_read_data),
        params={"allowOnPermissionSets": Param("boolean", False,
                                               "accept AdministratorAccess on Identity Center permission sets"),
                "dataReadingPolicies": Param("array", DATA_READING_POLICIES, "AWS managed policies that read data",
                                             items="string"),
                "dataEnvironments": Param("array", ["prod"], "environments where people get no data-reading policy",
                                          items="string")},
        cases=IAM03_CASES,
    ),
]
