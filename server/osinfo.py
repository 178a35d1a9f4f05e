"""What the General page reads from the operating system."""

import fcntl
import ipaddress
import platform
import socket
import struct
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

SIOCGIFCONF = 0x8912
RESOLV_CONF = Path("/etc/resolv.conf")
IF_INET6 = Path("/proc/net/if_inet6")


def ipv4_addresses(buffer_size: int = 16 * 1024) -> list[str]:
    """The IPv4 address of every interface, read with SIOCGIFCONF into a buffer of buffer_size bytes
    (--localIPBuffer: a system with thousands of addresses needs a bigger one)."""
    import array

    record = 40 if struct.calcsize("P") == 8 else 32  # sizeof(struct ifreq)
    buffer = array.array("B", b"\0" * max(buffer_size, record))
    address, length = buffer.buffer_info()
    request = struct.pack("iL", length, address)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        answer = fcntl.ioctl(sock.fileno(), SIOCGIFCONF, request)
    used = struct.unpack("iL", answer)[0]
    data = buffer.tobytes()[:used]
    found: list[str] = []
    for offset in range(0, used - record + 1, record):
        found.append(socket.inet_ntoa(data[offset + 20:offset + 24]))
    return list(dict.fromkeys(found))


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


def local_ip_addresses(excluded: list[str] | tuple[str, ...] = (), *, ipv6: bool = True,
                       buffer_size: int = 16 * 1024) -> list[str]:
    """The server's addresses, minus those --excludeLocalIP removed (IPv4 only with --IPv6 NO)."""
    skip = {str(ipaddress.ip_address(item)) for item in excluded}
    found = [*ipv4_addresses(buffer_size), *(ipv6_addresses() if ipv6 else [])]
    return [address for address in found if address not in skip]


def runtime_local_ip_addresses(runtime: dict) -> list[str]:
    """The local addresses as the running server's options say (its Runtime document)."""
    return local_ip_addresses(
        [str(item) for item in runtime.get("ExcludedLocalIPs") or []],
        ipv6=runtime.get("IPv6") != "NO",
        buffer_size=int(runtime.get("LocalIPBuffer") or 16 * 1024),
    )


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
    """The computer's name as the OS reports it (uname's node name), completed with its domain when the
    resolver knows a fully qualified form of that same name; never the resolver's `localhost`."""
    name = socket.gethostname()
    if "." in name:
        return name
    qualified = socket.getfqdn(name)
    return qualified if qualified.lower().startswith(f"{name.lower()}.") else name
