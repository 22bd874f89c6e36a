"""Data stores that run on EC2 outside the container platforms (Cassandra, MongoDB, Kafka, Elasticsearch).

One security group per role: clients reach the client ports only from the application security group, cluster
members talk to each other on the cluster ports inside the role's group, and administrators come in only from the
Client VPN range (SSH, or RDP for Windows) — Session Manager works without any of it. Hosts live in the data-tier
subnets spread across AZs, never get a public IP, require IMDSv2, and keep their data on a separate encrypted EBS
volume so the root volume stays OS-only (rebuildable from the AMI) while the data volume is what Backup protects.

TLS only: every port a group opens is a TLS listener, and the hosts' user data writes the role's listener
configuration to match (LISTENER_CONFIG), so a plaintext listener is neither configured nor reachable. Kafka: clients
on 9094 (SASL_SSL), the KRaft controller on 9093 and replication on 9095 (SSL) — no 9092 PLAINTEXT. Cassandra:
clients on 9142 and internode storage on 7001, both encryption-required — no 7000 gossip in clear, JMX (7199) stays
bound to localhost (nodetool runs on the host, through Session Manager). MongoDB requireTLS on 27017, Elasticsearch
TLS on 9200 (HTTP) and 9300 (transport). Certificates and keystores live under /etc/<role>/tls (CERT_DIR): the
team's configuration management (or ACM Private CA) installs them; the software refuses to start without them rather
than falling back to plaintext.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.base import AccountArgs, AccountComponent
from components.context import VpcHandle
from components.lookups import lookup
from components.workloads.alarms import Watch, Widget
from components.workloads.registry import BuildContext, Piece
from landing_zone.models import AdminPorts, DataHost
from landing_zone.ports import DEFAULT_ADMIN_PORTS, ROLE_PORTS, admin_ports, host_admin_port

BACKUP_TAG = ("backup", "daily")  # what the Backup selection matches (workloads composite tags Aurora the same)
PATCH_GROUP_TAG = "Patch Group"  # the tag SSM patch groups match; the value is the host's os


CERT_DIR = "/etc/{role}/tls"
# Per role: (path of the configuration file the software reads, its TLS-only listener settings).
LISTENER_CONFIG: dict[str, tuple[str, str]] = {
    "kafka": ("/etc/kafka/conf.d/listeners.properties", """\
listeners=CLIENT://0.0.0.0:9094,CONTROLLER://0.0.0.0:9093,REPLICATION://0.0.0.0:9095
listener.security.protocol.map=CLIENT:SASL_SSL,CONTROLLER:SSL,REPLICATION:SSL
inter.broker.listener.name=REPLICATION
controller.listener.names=CONTROLLER
listener.name.client.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.controller.ssl.client.auth=required
listener.name.replication.ssl.client.auth=required
ssl.keystore.location=/etc/kafka/tls/keystore.p12
ssl.keystore.type=PKCS12
ssl.truststore.location=/etc/kafka/tls/truststore.p12
ssl.truststore.type=PKCS12
ssl.endpoint.identification.algorithm=https
"""),
    "cassandra": ("/etc/cassandra/conf.d/listeners.yaml", """\
native_transport_port: 9142
storage_port: 7001
client_encryption_options:
  enabled: true
  optional: false
  keystore: /etc/cassandra/tls/keystore.p12
  require_client_auth: false
server_encryption_options:
  internode_encryption: all
  optional: false
  keystore: /etc/cassandra/tls/keystore.p12
  truststore: /etc/cassandra/tls/truststore.p12
  require_client_auth: true
"""),
    "mongodb": ("/etc/mongod.conf.d/net.yaml", """\
net:
  port: 27017
  bindIpAll: true
  tls:
    mode: requireTLS
    certificateKeyFile: /etc/mongodb/tls/server.pem
    CAFile: /etc/mongodb/tls/ca.pem
security:
  clusterAuthMode: x509
"""),
    "elasticsearch": ("/etc/elasticsearch/elasticsearch.yml.d/tls.yml", """\
http.port: 9200
transport.port: 9300
xpack.security.enabled: true
xpack.security.http.ssl.enabled: true
xpack.security.http.ssl.keystore.path: /etc/elasticsearch/tls/http.p12
xpack.security.transport.ssl.enabled: true
xpack.security.transport.ssl.verification_mode: full
xpack.security.transport.ssl.keystore.path: /etc/elasticsearch/tls/transport.p12
xpack.security.transport.ssl.truststore.path: /etc/elasticsearch/tls/transport.p12
"""),
}


def user_data(role: str, os: str) -> str:
    """First-boot script: the role's TLS-only listener configuration and its certificate directory."""
    path, content = LISTENER_CONFIG[role]
    cert_dir = CERT_DIR.format(role=role)
    if os == "windows":
        win = "C:\\ProgramData\\landing-zone\\" + path.rsplit("/", 1)[-1]
        return (f"<powershell>\nNew-Item -ItemType Directory -Force -Path (Split-Path '{win}') | Out-Null\n"
                f"@'\n{content}'@ | Set-Content -Path '{win}' -Encoding ascii\n</powershell>\n")
    return (f"#!/bin/bash\nset -euo pipefail\n# {role}: TLS listeners only (components/workloads/data_hosts.py)\n"
            f"install -d -m 0750 {cert_dir} \"$(dirname {path})\"\n"
            f"cat > {path} <<'LZ_EOF'\n{content}LZ_EOF\nchmod 0640 {path}\n")


# The hosts' own listener on a custom admin port (network.admin_ports), applied by Run Command to running and new hosts
# alike (user data runs at first boot only). sshd reads sshd_config.d on Amazon Linux 2023 and Ubuntu 24.04 (whose
# socket-activated ssh takes the port after daemon-reload); SELinux, where enforcing, must label the port for sshd.
SSHD_PORT_SCRIPT = """\
#!/bin/bash
set -euo pipefail
install -d -m 0755 /etc/ssh/sshd_config.d
printf 'Port {port}\\n' > /etc/ssh/sshd_config.d/10-landing-zone-port.conf
if command -v semanage >/dev/null && selinuxenabled 2>/dev/null; then semanage port -a -t ssh_port_t -p tcp {port} || true; fi
sshd -t
systemctl daemon-reload
if systemctl is-active --quiet ssh.socket; then systemctl restart ssh.socket; fi
systemctl restart sshd 2>/dev/null || systemctl restart ssh
"""
RDP_PORT_SCRIPT = """\
$ErrorActionPreference = 'Stop'
Set-ItemProperty -Path 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp' -Name PortNumber -Value {port} -Type DWord
Get-NetFirewallRule -Name 'LandingZone-RDP' -ErrorAction SilentlyContinue | Remove-NetFirewallRule
New-NetFirewallRule -Name 'LandingZone-RDP' -DisplayName 'RDP (landing zone admin port {port})' -Direction Inbound -Protocol TCP -LocalPort {port} -Action Allow | Out-Null
Restart-Service -Name TermService -Force
"""


def admin_port_script(os: str, ports: AdminPorts) -> tuple[str, str]:
    """(SSM document, script) that moves the host's administrative listener to its configured port."""
    if os == "windows":
        return "AWS-RunPowerShellScript", RDP_PORT_SCRIPT.format(port=ports.rdp)
    return "AWS-RunShellScript", SSHD_PORT_SCRIPT.format(port=ports.ssh)


@dataclass(frozen=True)
class OsImage:
    owner: str
    name: str
    root_device: str
    data_device: str
    root_gb: int


OS_IMAGES: dict[str, OsImage] = {
    "amazon-linux": OsImage("amazon", "al2023-ami-2023.*-x86_64", "/dev/xvda", "/dev/sdf", 20),
    "ubuntu": OsImage("099720109477", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*", "/dev/sda1", "/dev/sdf", 20),
    "windows": OsImage("amazon", "Windows_Server-2022-English-Full-Base-*", "/dev/sda1", "xvdf", 60),
}
MANAGED_POLICIES = ("AmazonSSMManagedInstanceCore", "CloudWatchAgentServerPolicy")


def _port_range(port: int | tuple[int, int]) -> tuple[int, int]:
    return port if isinstance(port, tuple) else (port, port)


@dataclass(frozen=True, kw_only=True)
class DataHostsArgs(AccountArgs):
    vpc: VpcHandle
    hosts: tuple[DataHost, ...]
    app_security_group_id: pulumi.Input[str]
    data_key_arn: pulumi.Input[str]
    admin_cidr: str | None = None  # the Client VPN range for SSH/RDP; ignored when the VPC has an admin SG
    admin_ports: AdminPorts = DEFAULT_ADMIN_PORTS  # network.admin_ports: what sshd / the RDP listener use


class DataHosts(AccountComponent[DataHostsArgs]):
    """The EC2 data hosts of one account and region, one security group per role."""

    security_group_ids: dict[str, pulumi.Output[str]]
    instance_ids: list[pulumi.Output[str]]
    instance_ids_by_role: dict[str, list[pulumi.Output[str]]]
    data_volume_arns: list[pulumi.Output[str]]
    instance_arns: list[pulumi.Output[str]]

    TOKEN = "workloads:DataHosts"

    def __init__(self, name: str, args: DataHostsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(name, args, opts)
        account, region, vpc, hosts = args.account, args.region, args.vpc, args.hosts
        subnets = vpc.subnet_ids.get("data") or []
        if hosts and not subnets:
            raise ValueError(f"accounts[{account.name}].workloads.data_hosts: the VPC in {region} has no data subnets")
        roles = [h.role for h in hosts]
        duplicates = sorted({r for r in roles if roles.count(r) > 1})
        if duplicates:
            raise ValueError(f"accounts[{account.name}].workloads.data_hosts: role {duplicates[0]} is listed twice")
        self._vpc, self._key = vpc, args.data_key_arn
        self._app_sg, self._admin_cidr, self._subnets = args.app_security_group_id, args.admin_cidr, subnets
        self.security_group_ids, self.instance_ids_by_role = {}, {}
        self.instance_ids, self.instance_arns, self.data_volume_arns = [], [], []
        profile = self._instance_profile() if hosts else None
        self._admin_sg = self._admin_security_group(hosts) if hosts else None
        amis = {os: self._ami(os) for os in sorted({h.os for h in hosts})}
        for host in hosts:
            sg = self._security_group(host)
            self.security_group_ids[host.role] = sg.id
            self.instance_ids_by_role[host.role] = [
                self._host(host, index, sg.id, profile, amis[host.os]) for index in range(host.count)]
        for os in sorted({h.os for h in hosts}):
            self._admin_port_association(os, [i for h in hosts if h.os == os for i in self.instance_ids_by_role[h.role]])
        self.register_outputs({
            "securityGroupIds": self.security_group_ids, "instanceIds": self.instance_ids,
            "dataVolumeArns": self.data_volume_arns,
        })

    def _ami(self, os: str) -> pulumi.Output[str]:
        image = OS_IMAGES[os]
        return lookup(
            aws.ec2.get_ami_output, account=self.account, region=self.region, parent=self, purpose=f"ami-{os}",
            most_recent=True, owners=[image.owner],
            filters=[{"name": "name", "values": [image.name]}, {"name": "architecture", "values": ["x86_64"]},
                     {"name": "state", "values": ["available"]}]).id

    def _instance_profile(self) -> aws.iam.InstanceProfile:
        """Session Manager and the CloudWatch agent only: hosts get no other AWS permissions."""
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                         "Principal": {"Service": "ec2.amazonaws.com"}}]}
        role = aws.iam.Role(self.child_name("data-hosts"), assume_role_policy=pulumi.Output.json_dumps(trust),
                            description="Data hosts: SSM Session Manager, patching and the CloudWatch agent",
                            opts=self.child_opts())
        partition = lookup(aws.get_partition_output, account=self.account, region=self.region, parent=self)
        for policy in MANAGED_POLICIES:
            aws.iam.RolePolicyAttachment(
                self.child_name(f"data-hosts-{policy}"), role=role.name,
                policy_arn=pulumi.Output.concat("arn:", partition.partition, ":iam::aws:policy/", policy),
                opts=self.child_opts())
        return aws.iam.InstanceProfile(self.child_name("data-hosts"), role=role.name, opts=self.child_opts())

    def _admin_security_group(self, hosts: list[DataHost]) -> pulumi.Input[str] | None:
        """SSH/RDP from the Client VPN range, in its own group so the role groups admit only security groups.

        The network's admin group is used when it exists; without it and without a VPN range, there is no admin
        port at all (Session Manager still works).
        """
        if self._vpc.admin_security_group_id is not None:
            return self._vpc.admin_security_group_id
        if not self._admin_cidr:
            return None
        labels = admin_ports(self.args.admin_ports)
        ports = sorted({host_admin_port(self.args.admin_ports, h.os) for h in hosts})
        return aws.ec2.SecurityGroup(
            self.child_name("data-hosts-admin-sg"), vpc_id=self._vpc.vpc_id,
            description="Administration of the data hosts from the Client VPN range only",
            ingress=[{"description": f"{labels[port]} from the Client VPN range", "protocol": "tcp",
                      "from_port": port, "to_port": port, "cidr_blocks": [self._admin_cidr]} for port in ports],
            egress=[], tags={"Name": self.child_name("data-hosts-admin-sg")}, opts=self.child_opts()).id

    def _admin_port_association(self, os: str, instance_ids: list[pulumi.Output[str]]) -> None:
        """Moves sshd / the RDP listener of these hosts to the configured port (nothing to do on the default)."""
        if host_admin_port(self.args.admin_ports, os) == host_admin_port(DEFAULT_ADMIN_PORTS, os):
            return
        document, script = admin_port_script(os, self.args.admin_ports)
        aws.ssm.Association(
            self.child_name(f"admin-port-{os}"), name=document, association_name=self.child_name(f"admin-port-{os}"),
            parameters={"commands": script}, targets=[{"key": "InstanceIds", "values": instance_ids}],
            max_concurrency="1", max_errors="0",  # one host at a time: a bad script never locks out a whole role
            opts=self.child_opts())

    def _security_group(self, host: DataHost) -> aws.ec2.SecurityGroup:
        ports = ROLE_PORTS[host.role]
        ingress = [{"description": f"{host.role} clients (port {lo}) from the application tier", "protocol": "tcp",
                    "from_port": lo, "to_port": hi, "security_groups": [self._app_sg]}
                   for lo, hi in map(_port_range, ports.client)]
        cluster = [{"description": f"{host.role} cluster traffic (port {lo}-{hi}) between members", "protocol": "tcp",
                    "from_port": lo, "to_port": hi, "self": True}
                   for lo, hi in map(_port_range, ports.cluster)]
        ingress += cluster
        egress = cluster + [{"description": "HTTPS to AWS APIs (SSM, CloudWatch, S3) through the VPC endpoints",
                             "protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}]
        return aws.ec2.SecurityGroup(
            self.child_name(f"{host.role}-sg"), vpc_id=self._vpc.vpc_id,
            description=f"{host.role} data hosts: clients from the application tier only",
            ingress=ingress, egress=egress, tags={"Name": self.child_name(f"{host.role}-sg"), "tier": "data"},
            opts=self.child_opts())

    def _host(self, host: DataHost, index: int, sg_id: pulumi.Output[str], profile: aws.iam.InstanceProfile,
              ami: pulumi.Output[str]) -> pulumi.Output[str]:
        image = OS_IMAGES[host.os]
        purpose = f"{host.role}-{index + 1}"
        tags = {"Name": self.child_name(purpose), "role": host.role, PATCH_GROUP_TAG: host.os, BACKUP_TAG[0]: BACKUP_TAG[1]}
        security_groups = [sg_id] + ([self._admin_sg] if self._admin_sg is not None else [])
        prod = self.account.environment == "prod"
        instance = aws.ec2.Instance(
            self.child_name(purpose), ami=ami, instance_type=host.instance_type,
            subnet_id=self._subnets[index % len(self._subnets)],  # spread members across the AZs
            vpc_security_group_ids=security_groups, iam_instance_profile=profile.name,
            associate_public_ip_address=False, monitoring=True, ebs_optimized=True,
            disable_api_termination=prod, disable_api_stop=prod,
            metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 1, "http_endpoint": "enabled",
                              "instance_metadata_tags": "disabled"},
            root_block_device={"encrypted": True, "kms_key_id": self._key, "volume_type": "gp3",
                               "volume_size": image.root_gb, "delete_on_termination": True,
                               "tags": {**tags, "Name": self.child_name(f"{purpose}-root")}},
            user_data=user_data(host.role, host.os),
            tags=tags,
            # a new AMI is rolled out by patching, not by replacement; user data runs at first boot only (changing it
            # would stop the host, which prod refuses): the security group is what closes a port on running hosts
            opts=self.child_opts(ignore_changes=["ami", "userData"]))
        volume = aws.ebs.Volume(
            self.child_name(f"{purpose}-data"), availability_zone=instance.availability_zone, size=host.data_volume_gb,
            type=host.volume_type, encrypted=True, kms_key_id=self._key,
            iops=3000 if host.volume_type == "io2" else None, final_snapshot=prod,
            tags={**tags, "Name": self.child_name(f"{purpose}-data")},
            opts=self.child_opts(protect=prod))
        aws.ec2.VolumeAttachment(
            self.child_name(f"{purpose}-data"), device_name=image.data_device, volume_id=volume.id,
            instance_id=instance.id, stop_instance_before_detaching=True, opts=self.child_opts())
        self.instance_ids.append(instance.id)
        self.instance_arns.append(instance.arn)
        self.data_volume_arns.append(volume.arn)
        return instance.id


# --- the piece ------------------------------------------------------------------------------------------------------


def build(ctx: BuildContext, hosts: list[DataHost]) -> DataHosts:
    return DataHosts(ctx.name("data-hosts"), DataHostsArgs(
        account=ctx.account, region=ctx.region, vpc=ctx.vpc, hosts=tuple(hosts),
        app_security_group_id=ctx.app_security_group_id, data_key_arn=ctx.keys["data"],
        admin_cidr=None, admin_ports=ctx.args.admin_ports), ctx.opts)  # SSH/RDP: the VPC's admin SG (the Client VPN's source-NATed range)


def watch(_: BuildContext, hosts: DataHosts) -> Watch:
    return Watch(instance_ids=tuple(hosts.instance_ids), widgets=(Widget("Data hosts CPU", [
        ["AWS/EC2", "CPUUtilization", "InstanceId", i] for i in hosts.instance_ids]),) if hosts.instance_ids else ())


PIECE = Piece(name="data_hosts", field="data_hosts", build=build, watch=watch,
              backup_targets=lambda hosts: [*hosts.instance_arns, *hosts.data_volume_arns])
