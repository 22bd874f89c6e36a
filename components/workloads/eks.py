"""EKS with pulumi-eks: a private control plane, managed node groups and the cluster-autoscaler IRSA role.

pulumi-eks's `eks.Cluster` is a remote (multi-language) component: the Python program registers one
`eks:index:Cluster` with its args and the pulumi-eks provider builds the children. So everything the security
rules need (CTR-07, EAR-09, LOG-10) is set explicitly on the component's args — pulumi-eks defaults to a public
endpoint with control-plane logging off — and everything else that must be checkable offline (node role, launch
template with IMDSv2 and encrypted volumes, node groups, autoscaler role, the API ingress rule) is built here with
pulumi-aws, visible in the plan. docs/eks-offline.md lists what is checked offline and what only the engine sees.

IMDSv2 hop limit: 1. Pods get AWS credentials from IRSA (web identity), never from the node's instance profile;
a hop limit of 1 stops containers outside the host network from reaching IMDS at all, and the add-ons that need it
(VPC CNI, kube-proxy) run in the host network, where one hop suffices. It also satisfies IAM-07 and the IMDSv2 SCP.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks

from components.base import AccountArgs, AccountComponent
from components.context import VpcHandle
from components.workloads.alarms import AlarmSpec, Watch, Widget
from components.workloads.registry import BuildContext, Piece
from landing_zone.models import Eks, NodeGroup

LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
IMDS_HOP_LIMIT = 1
NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEKS_CNI_Policy",
    "AmazonSSMManagedInstanceCore",  # Session Manager instead of SSH; patching through SSM
)
CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
AUTOSCALER_SERVICE_ACCOUNT = "system:serviceaccount:kube-system:cluster-autoscaler"


@dataclass(frozen=True, kw_only=True)
class EksArgs(AccountArgs):
    config: Eks
    vpc: VpcHandle
    app_security_group_id: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]
    # Where kubectl comes from: the Client VPN's source addresses (it source-NATs clients to its interfaces in the
    # network VPC, so never the client pool); landing_zone.client_vpn.client_vpn_source_cidrs is the one source of truth.
    admin_cidrs: list[str] = dataclasses.field(default_factory=list)


def strip_role_path(role_arn: str) -> str:
    """EKS access entries and aws-auth match SSO roles by `role/<name>`, without the aws-reserved path."""
    prefix, _, rest = role_arn.partition(":role/")
    return f"{prefix}:role/{rest.rsplit('/', 1)[-1]}"


def admin_access_entries(role_arns: list[str]) -> dict[str, eks.AccessEntryArgs]:
    """Cluster-admin access entries for exact role ARNs from config (EKS takes no patterns, and nothing is looked
    up: an Identity Center role appears only once its permission set is provisioned, possibly later in the same run).
    The landing zone's own role, which creates the cluster, is cluster admin through EKS's creator bootstrap."""
    return {f"admin-{index}": eks.AccessEntryArgs(
        principal_arn=strip_role_path(arn),
        access_policies={"cluster-admin": eks.AccessPolicyAssociationArgs(
            policy_arn=CLUSTER_ADMIN_POLICY,
            access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"))},
    ) for index, arn in enumerate(role_arns)}


def autoscaler_policy(cluster_name: str) -> str:
    """The cluster-autoscaler's documented permissions; mutations only on this cluster's tagged groups."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Describe", "Effect": "Allow", "Resource": "*",  # Describe* has no resource-level permissions
             "Action": ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
                        "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
                        "autoscaling:DescribeTags", "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
                        "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements"]},
            {"Sid": "NodeGroups", "Effect": "Allow", "Action": "eks:DescribeNodegroup",
             "Resource": f"arn:aws:eks:*:*:nodegroup/{cluster_name}/*"},
            {"Sid": "ScaleOwnGroups", "Effect": "Allow", "Resource": "*",
             "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
             "Condition": {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}}},
        ],
    })


def irsa_trust(oidc_provider_arn: str, oidc_issuer: str, service_account: str) -> str:
    issuer = oidc_issuer.removeprefix("https://")
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": oidc_provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {f"{issuer}:sub": service_account, f"{issuer}:aud": "sts.amazonaws.com"}},
        }],
    })


class EksCluster(AccountComponent[EksArgs]):
    """Attributes: cluster_name (str), cluster (eks.Cluster), endpoint, oidc_provider_arn, kubeconfig (secret),
    node_group_names, autoscaler_role_arn, cluster_security_group_id."""

    TOKEN = "workloads:EksCluster"

    def __init__(self, name: str, args: EksArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        account, region, config = args.account, args.region, args.config
        self.cluster_name = self.child_name("eks")
        child = self.child_opts()
        self.cluster = eks.Cluster(
            self.cluster_name,
            name=self.cluster_name,
            version=config.version,
            vpc_id=args.vpc.vpc_id,
            private_subnet_ids=args.vpc.subnet_ids["private"],
            endpoint_private_access=True,
            endpoint_public_access=False,
            encryption_config_key_arn=args.data_key_arn,
            enabled_cluster_log_types=LOG_TYPES,
            create_oidc_provider=True,
            authentication_mode=eks.AuthenticationMode.API,
            access_entries=admin_access_entries(config.admin_role_arns) or None,
            skip_default_node_group=True,
            skip_default_security_groups=True,  # nodes join the EKS-created cluster SG plus the app-tier SG
            use_default_vpc_cni=True,  # the EKS add-on, not a kubectl apply through the private endpoint
            deletion_protection=account.environment == "prod",
            # A remote component takes providers by package; its aws children land in this account and region.
            opts=pulumi.ResourceOptions(parent=self, providers={"aws": account.providers[region]}),
        )
        self.endpoint = pulumi.Output.unsecret(self.cluster.kubeconfig_json.apply(_server_of))  # a URL, not a secret
        self.oidc_provider_arn = self.cluster.oidc_provider_arn
        self.kubeconfig = pulumi.Output.secret(self.cluster.kubeconfig_json)
        self.cluster_security_group_id = self.cluster.cluster_security_group_id
        for index, cidr in enumerate(args.admin_cidrs):
            aws.vpc.SecurityGroupIngressRule(
                # the first keeps the name it had when one range was allowed: no replacement on upgrade
                self.child_name("eks-api-from-vpn" if index == 0 else f"eks-api-from-vpn-{index + 1}"),
                security_group_id=self.cluster_security_group_id,
                cidr_ipv4=cidr,
                ip_protocol="tcp", from_port=443, to_port=443,
                description="Kubernetes API from the Client VPN's source-NATed addresses (the endpoint is private)",
                opts=child,
            )
        self.node_role = self._node_role()
        self.node_group_names = {group.name: self._node_group(group) for group in config.node_groups}
        self.autoscaler_role_arn = self._autoscaler_role().arn
        self.register_outputs({"clusterName": self.cluster_name, "oidcProviderArn": self.oidc_provider_arn,
                               "autoscalerRoleArn": self.autoscaler_role_arn})

    def _node_role(self) -> aws.iam.Role:
        role = aws.iam.Role(
            self.child_name("eks-node-role"),
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
            description=f"EKS managed nodes of {self.cluster_name}",
            opts=self.child_opts(),
        )
        for policy in NODE_POLICIES:
            aws.iam.RolePolicyAttachment(
                self.child_name(f"eks-node-{policy}"),
                role=role.name,
                policy_arn=f"arn:aws:iam::aws:policy/{policy}",
                opts=self.child_opts(),
            )
        return role

    def _launch_template(self, group: NodeGroup) -> aws.ec2.LaunchTemplate:
        args = self.args
        return aws.ec2.LaunchTemplate(
            self.child_name(f"eks-{group.name}-lt"),
            description=f"EKS node group {group.name}: IMDSv2 only, encrypted root volume",
            update_default_version=True,
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=IMDS_HOP_LIMIT,
                instance_metadata_tags="disabled"),
            block_device_mappings=[aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name="/dev/xvda",
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                    volume_size=group.disk_size_gb, volume_type="gp3", encrypted="true",
                    kms_key_id=args.data_key_arn, delete_on_termination="true"))],
            vpc_security_group_ids=[args.app_security_group_id, self.cluster_security_group_id],
            tag_specifications=[aws.ec2.LaunchTemplateTagSpecificationArgs(
                resource_type=kind, tags={"Name": f"{self.cluster_name}-{group.name}"}) for kind in ("instance", "volume")],
            opts=self.child_opts(),
        )

    def _node_group(self, group: NodeGroup) -> pulumi.Output[str]:
        account, region, args = self.account, self.region, self.args
        template = self._launch_template(group)
        node_group = eks.ManagedNodeGroup(
            self.child_name(f"eks-{group.name}"),
            cluster=self.cluster,
            node_group_name=f"{self.cluster_name}-{group.name}",
            node_role_arn=self.node_role.arn,
            subnet_ids=args.vpc.subnet_ids["private"],
            instance_types=group.instance_types,
            capacity_type="ON_DEMAND",
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=group.min_size, max_size=group.max_size, desired_size=group.desired_size),
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(id=template.id, version=template.latest_version.apply(str)),
            ignore_scaling_changes=True,  # the cluster autoscaler owns desired size
            labels={"node-group": group.name},
            tags={"k8s.io/cluster-autoscaler/enabled": "true", f"k8s.io/cluster-autoscaler/{self.cluster_name}": "owned"},
            opts=pulumi.ResourceOptions(parent=self, providers={"aws": account.providers[region]}),
        )
        return pulumi.Output.from_input(f"{self.cluster_name}-{group.name}").apply(lambda n, _=node_group: n)

    def _autoscaler_role(self) -> aws.iam.Role:
        trust = pulumi.Output.all(self.cluster.oidc_provider_arn, self.cluster.oidc_issuer).apply(
            lambda a: irsa_trust(a[0], a[1], AUTOSCALER_SERVICE_ACCOUNT))
        role = aws.iam.Role(
            self.child_name("eks-cluster-autoscaler"),
            assume_role_policy=trust,
            description=f"IRSA role of the cluster-autoscaler in {self.cluster_name}",
            opts=self.child_opts(),
        )
        aws.iam.RolePolicy(
            self.child_name("eks-cluster-autoscaler-policy"),
            role=role.id,
            policy=autoscaler_policy(self.cluster_name),
            opts=self.child_opts(),
        )
        return role


def _server_of(kubeconfig_json: str | None) -> str | None:
    if not kubeconfig_json:
        return None
    config = json.loads(kubeconfig_json)
    return config["clusters"][0]["cluster"]["server"]


# --- the piece ------------------------------------------------------------------------------------------------------


def build(ctx: BuildContext, config: Eks) -> EksCluster:
    return EksCluster(ctx.name("eks-cluster"), EksArgs(
        account=ctx.account, region=ctx.region, config=config, vpc=ctx.vpc,
        app_security_group_id=ctx.app_security_group_id, data_key_arn=ctx.keys["data"],
        admin_cidrs=list(ctx.args.vpn_admin_cidrs)), ctx.opts)


def watch(_: BuildContext, eks_cluster: EksCluster) -> Watch:
    cluster = {"ClusterName": eks_cluster.cluster_name}
    return Watch(
        alarms=(AlarmSpec("eks-node-cpu", "ContainerInsights", "node_cpu_utilization", cluster, 80,
                          description="EKS node CPU"),),
        widgets=(Widget("EKS node CPU", [["ContainerInsights", "node_cpu_utilization", "ClusterName",
                                          eks_cluster.cluster_name]]),),
        prometheus=eks_cluster.args.config.prometheus)


PIECE = Piece(
    name="eks", field="eks", build=build, watch=watch,
    outputs=lambda cluster: {"eksClusterName": cluster.cluster_name, "eksEndpoint": cluster.endpoint,
                             "eksOidcProviderArn": cluster.oidc_provider_arn, "eksKubeconfig": cluster.kubeconfig},
    contract=lambda cluster: {"eks": {"cluster_name": cluster.cluster_name, "endpoint": cluster.endpoint,
                                      "oidc_provider_arn": cluster.oidc_provider_arn}},
)
