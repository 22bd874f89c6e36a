"""Policy documents and trusts the identity rules' cases are built from (shared by IAM-01..IAM-11)."""

from __future__ import annotations

import json


def policy_document(*statements_) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements_)})


def allow_statement(action, resource="*", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


BUCKET_ARN = "arn:aws:s3:::app-bucket/*"
KEY_ARN = "arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000001"
EC2_TRUST = policy_document({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})

EKS_OIDC = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0000000000000000000000000"


def oidc_trust(issuer, sub="repo:example-org/app:environment:prod", aud="sts.amazonaws.com", operator="StringEquals",
                federated=None):
    condition = {}
    if aud is not None:
        condition.setdefault("StringEquals", {})[f"{issuer}:aud"] = aud
    if sub is not None:
        condition.setdefault(operator, {})[f"{issuer}:sub"] = sub
    principal = federated or f"arn:aws:iam::111111111111:oidc-provider/{issuer}"
    return policy_document({"Effect": "Allow", "Principal": {"Federated": principal}, "Action": "sts:AssumeRoleWithWebIdentity",
                 **({"Condition": condition} if condition else {})})


def account_trust(principal, condition=None):
    return policy_document({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole",
                 **({"Condition": condition} if condition else {})})


def public_trust(condition=None):
    return policy_document({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "*", "Resource": "*",
                 **({"Condition": condition} if condition else {})})
