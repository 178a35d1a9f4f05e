"""What the General page reads from the operating system."""

import fcntl
import ipaddress
import platform
import socket
import struct
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

SIOCGIFADDR = 0x8915
RESOLV_CONF = Path("/etc/resolv.conf")
IF_INET6 = Path("/proc/net/if_inet6")


def ipv4_addresses() -> list[str]:
    """The IPv4 address of every network interface that has one."""
    found: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _, name in socket.if_nameindex():
            request = struct.pack("256s", name.encode()[:15])
            try:
                answer = fcntl.ioctl(sock.fileno(), SIOCGIFADDR, request)
            except OSError:
                continue  # an interface without an IPv4 address
            found.append(socket.inet_ntoa(answer[20:24]))
    return found


def ipv6_addresses() -> list[str]:
    """IPv6 addresses from /proc/net/if_inet6 (Linux), link-local ones left out."""
    if not IF_INET6.exists():
        return []
    found: list[str] = []
    for line in IF_INET6.read_text().splitlines():
        fields = line.split()
        if not fields:
            continue
        address = ipaddress.IPv6Address(bytes.fromhex(fields[0]))
        if not address.is_link_local:
            found.append(str(address))
    return found


def local_ip_addresses(excluded: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The server's addresses, minus those --excludeLocalIP removed."""
    skip = {str(ipaddress.ip_address(item)) for item in excluded}
    return [address for address in [*ipv4_addresses(), *ipv6_addresses()] if address not in skip]


def dns_servers() -> list[str]:
    """The name servers the OS resolver uses."""
    if not RESOLV_CONF.exists():
        return []
    servers = []
    for line in RESOLV_CONF.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            servers.append(parts[1])
    return servers


def ipv6_supported() -> bool:
    return socket.has_ipv6 and IF_INET6.exists()


def os_name() -> str:
    return f"{platform.system()} {platform.release()}"


def hardware() -> str:
    bits = struct.calcsize("P") * 8
    return f"{platform.machine()} ({bits}-bit)"


def server_time() -> str:
    """The OS local time with its zone, as CommuniGate shows it: Wed, 06 Dec 2006 00:38:40 -0800."""
    return format_datetime(datetime.now().astimezone())


def host_name() -> str:
    return socket.getfqdn() or socket.gethostname()
