"""Administrative ports: what the NACLs leave open for return traffic around them."""

from landing_zone.models import AdminPorts
from landing_zone.ports import closed_to_internet, host_admin_port, return_traffic_ranges


def test_default_ports_keep_the_historical_return_ranges():
    assert return_traffic_ranges(AdminPorts()) == ((1024, 3388), (3390, 65535))


def test_custom_ports_are_carved_out_of_the_return_range_with_the_defaults():
    ports = AdminPorts(ssh=2222, rdp=13389)
    assert closed_to_internet(ports) == [22, 2222, 3389, 13389]
    assert return_traffic_ranges(ports) == ((1024, 2221), (2223, 3388), (3390, 13388), (13390, 65535))


def test_return_ranges_cover_every_other_port_exactly_once():
    ports = AdminPorts(ssh=1024, rdp=3390)  # at the range's edge, next to a default
    covered = [p for lo, hi in return_traffic_ranges(ports) for p in range(lo, hi + 1)]
    assert covered == [p for p in range(1024, 65536) if p not in (1024, 3389, 3390)]


def test_hosts_use_rdp_on_windows_and_ssh_elsewhere():
    ports = AdminPorts(ssh=2222, rdp=13389)
    assert [host_admin_port(ports, os) for os in ("windows", "amazon-linux", "ubuntu")] == [13389, 2222, 2222]
