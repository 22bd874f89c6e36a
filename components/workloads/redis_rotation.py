"""Secrets Manager rotation function of a Redis AUTH token (loaded as the Lambda's index.py; boto3 only).

The four steps Secrets Manager drives (createSecret, setSecret, testSecret, finishSecret), after AWS's sample
aws-samples/amazon-elasticache-auth-rbac-rotation: the new token goes to the replication group with the ROTATE
strategy, so the previous token stays valid beside it (ElastiCache keeps at most two) and clients that still hold it
keep working until they read the new AWSCURRENT value.

With a global datastore (DR_REPLICATION_GROUP_ID and DR_REGION set), the token is set on the DR secondary too, after
the home group, also with ROTATE: AWS does not document that an AUTH change on the primary reaches the secondary, so
each member gets it explicitly. If either call fails, the rotation stops before finishSecret: AWSCURRENT keeps the old
token, which both groups still accept. The secret itself reaches the DR region through its Secrets Manager replica.
"""

import os
import time

import boto3

PENDING, CURRENT = "AWSPENDING", "AWSCURRENT"
TOKEN_LENGTH = 64


def handler(event, _context):
    secrets = boto3.client("secretsmanager")
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    stages = secrets.describe_secret(SecretId=arn)["VersionIdsToStages"].get(token, [])
    if CURRENT in stages:
        return  # already rotated: Secrets Manager retries steps
    if PENDING not in stages:
        raise ValueError(f"version {token} of {arn} is not pending rotation")
    {"createSecret": create, "setSecret": set_token, "testSecret": test, "finishSecret": finish}[step](secrets, arn, token)


def create(secrets, arn, token):
    try:
        secrets.get_secret_value(SecretId=arn, VersionId=token, VersionStage=PENDING)
    except secrets.exceptions.ResourceNotFoundException:
        # letters and digits only: ElastiCache refuses some punctuation in AUTH tokens
        value = secrets.get_random_password(PasswordLength=TOKEN_LENGTH, ExcludePunctuation=True,
                                            IncludeSpace=False)["RandomPassword"]
        secrets.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=value, VersionStages=[PENDING])


def set_token(secrets, arn, token):
    value = secrets.get_secret_value(SecretId=arn, VersionId=token, VersionStage=PENDING)["SecretString"]
    for client, group_id in _groups():
        _wait_available(client, group_id)
        client.modify_replication_group(ReplicationGroupId=group_id, AuthToken=value,
                                        AuthTokenUpdateStrategy="ROTATE", ApplyImmediately=True)


def test(_secrets, _arn, _token):
    for client, group_id in _groups():  # the groups applied the token; connecting needs a Redis client not shipped
        _wait_available(client, group_id)


def finish(secrets, arn, token):
    versions = secrets.describe_secret(SecretId=arn)["VersionIdsToStages"]
    current = next((v for v, stages in versions.items() if CURRENT in stages), None)
    secrets.update_secret_version_stage(SecretId=arn, VersionStage=CURRENT, MoveToVersionId=token,
                                        RemoveFromVersionId=current)


def _groups():
    """(ElastiCache client, replication group id): the home group, then the DR secondary of a global datastore."""
    groups = [(boto3.client("elasticache"), os.environ["REPLICATION_GROUP_ID"])]
    if os.environ.get("DR_REPLICATION_GROUP_ID"):
        groups.append((boto3.client("elasticache", region_name=os.environ["DR_REGION"]),
                       os.environ["DR_REPLICATION_GROUP_ID"]))
    return groups


def _wait_available(client, group_id, timeout=600):
    deadline = time.time() + timeout
    while time.time() < deadline:
        group = client.describe_replication_groups(ReplicationGroupId=group_id)
        if group["ReplicationGroups"][0]["Status"] == "available":
            return
        time.sleep(15)
    raise TimeoutError(f"replication group {group_id} did not become available")
