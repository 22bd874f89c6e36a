"""Ports (pure, no pulumi): which ports administrators reach hosts on (SSH, RDP), which return-traffic ranges the NACLs
open around them, and the ports the landing zone's own services listen on (an admin port must not take one).

components/network/vpc.py (the admin security group, the NACLs), components/workloads/data_hosts.py (security groups,
the hosts' sshd / RDP listener) and the policy pack (`adminPorts`, derived from the same config) read these facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from landing_zone.models import AdminPorts, LandingZoneConfig

DEFAULT_ADMIN_PORTS = AdminPorts()  # 22 / 3389: kept for configs that do not move them
RETURN_RANGE = (1024, 65535)  # where replies to outbound connections (NAT gateways included) arrive
# Custom ports stay below the hosts' own ephemeral ranges (Linux 32768-60999, Windows 49152-65535): a host never picks
# an admin port as the source port of an outbound connection whose reply the NACLs would then drop.
CUSTOM_ADMIN_RANGE = (1024, 32767)


@dataclass(frozen=True)
class RolePorts:
    client: tuple[int | tuple[int, int], ...]  # reachable from the application security group
    cluster: tuple[int | tuple[int, int], ...]  # between members of the role only


ROLE_PORTS: dict[str, RolePorts] = {  # the data hosts' TLS listeners (data_hosts.LISTENER_CONFIG configures them)
    "cassandra": RolePorts(client=(9142,), cluster=(7001,)),  # CQL over TLS; internode storage over TLS
    "mongodb": RolePorts(client=(27017,), cluster=(27017,)),  # requireTLS; replica-set members use the client port
    "kafka": RolePorts(client=(9094,), cluster=(9093, 9095)),  # SASL_SSL; KRaft controller (SSL), replication (SSL)
    "elasticsearch": RolePorts(client=(9200,), cluster=(9300,)),  # REST over TLS; transport over TLS
}
PLAINTEXT_PORTS = {"cassandra": (7000, 9042), "kafka": (9092,)}  # what must never be opened or configured again
# The managed services' listeners (components/workloads/aurora_global.py and cache.py read them from here).
AURORA_PORT = 3306
REDIS_PORT = 6379
SERVICE_PORTS = {80: "HTTP (load balancers)", 443: "HTTPS (load balancers, AWS APIs)", AURORA_PORT: "Aurora MySQL",
                 REDIS_PORT: "Redis", 7199: "Cassandra JMX"}


def admin_ports(ports: AdminPorts) -> dict[int, str]:
    """port -> protocol label, SSH first: what the admin security groups open from the Client VPN."""
    return {ports.ssh: "SSH", ports.rdp: "RDP"}


def host_admin_port(ports: AdminPorts, os: str) -> int:
    """The port a host's administrators use: RDP on Windows, SSH elsewhere."""
    return ports.rdp if os == "windows" else ports.ssh


def closed_to_internet(ports: AdminPorts) -> list[int]:
    """Ports the internet never reaches through a NACL: the configured admin ports and the defaults (nothing listens
    on a default once it moved, and a host that falls back to it stays unreachable)."""
    return sorted({DEFAULT_ADMIN_PORTS.ssh, DEFAULT_ADMIN_PORTS.rdp, ports.ssh, ports.rdp})


def return_traffic_ranges(ports: AdminPorts) -> tuple[tuple[int, int], ...]:
    """The return range 1024-65535 with every port of `closed_to_internet` carved out (NET-06)."""
    ranges, start = [], RETURN_RANGE[0]
    for port in closed_to_internet(ports):
        if RETURN_RANGE[0] <= port <= RETURN_RANGE[1]:
            if start < port:
                ranges.append((start, port - 1))
            start = port + 1
    if start <= RETURN_RANGE[1]:
        ranges.append((start, RETURN_RANGE[1]))
    return tuple(ranges)


def _listening_ports(cfg: LandingZoneConfig) -> dict[int, str]:
    """Every port a service of the landing zone listens on, with who listens there."""
    taken = dict(SERVICE_PORTS)
    for role, ports in ROLE_PORTS.items():
        for port in (*ports.client, *ports.cluster, *PLAINTEXT_PORTS.get(role, ())):
            lo, hi = port if isinstance(port, tuple) else (port, port)
            taken.update({p: role for p in range(lo, hi + 1)})
    for account in cfg.accounts:
        for service in account.workloads.ecs.services if account.workloads.ecs else ():
            taken.setdefault(service.port, f"the ECS service {account.name}/{service.name}")
    return taken


def admin_port_errors(cfg: LandingZoneConfig) -> list[str]:
    """`network.admin_ports` problems, one line each naming the field."""
    ports, errors = cfg.network.admin_ports, []
    taken = _listening_ports(cfg)
    lo, hi = CUSTOM_ADMIN_RANGE
    for field, default in (("ssh", DEFAULT_ADMIN_PORTS.ssh), ("rdp", DEFAULT_ADMIN_PORTS.rdp)):
        port, path = getattr(ports, field), f"network.admin_ports.{field}"
        if port != default and not lo <= port <= hi:
            errors.append(f"{path}: {port} is neither the default {default} nor in {lo}-{hi} (higher ports are the "
                          "hosts' ephemeral ports, whose replies the NACLs must admit)")
        elif port in taken:
            errors.append(f"{path}: {port} is taken by {taken[port]}; choose a port no service listens on")
    if ports.ssh == ports.rdp:
        errors.append(f"network.admin_ports: ssh and rdp are both {ports.ssh}; give each its own port")
    return errors
