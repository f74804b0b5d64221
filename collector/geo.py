"""Country of an IP address, from the database inside the `iptocc` wheel.

No network call and no download step: the lookup table is compiled into the
package, which is rebuilt from the five Regional Internet Registries' public
allocation files. Why this database and not another: docs/privacy.md. It
knows countries, not regions, so the region column stays ''.
The IP itself is never returned or stored, only the country code.
"""
import bisect
import ipaddress
import socket
from functools import lru_cache

from iptocc import country_code

# IPv4 blocks that are never a visitor's public address: the IANA special-purpose
# registry's blocks that are not globally reachable, multicast and reserved.
# Checked as integer ranges with one bisect: building an ipaddress object and
# asking is_global costs tens of microseconds, more than the rest of the lookup,
# and every address not yet in the cache pays it (a backfill sees thousands).
NOT_PUBLIC_V4 = (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
    "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
)
_RANGES = sorted((int(n.network_address), int(n.broadcast_address))
                 for n in map(ipaddress.IPv4Network, NOT_PUBLIC_V4))
_STARTS = [start for start, _ in _RANGES]
_ENDS = [end for _, end in _RANGES]


@lru_cache(maxsize=65536)
def country(ip):
    """ISO 3166-1 alpha-2 code ('FR'), or '' for private, loopback, unknown or malformed IPs."""
    text = (ip or "").strip()
    if ":" not in text:
        try:
            packed = socket.inet_pton(socket.AF_INET, text)  # strict dotted quad, no shorthand
        except OSError:
            return ""
        return _public_v4_country(packed)
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError:
        return ""
    if address.ipv4_mapped:
        return _public_v4_country(address.ipv4_mapped.packed)
    if not address.is_global:
        return ""
    return country_code(str(address)) or ""


def _public_v4_country(packed):
    number = int.from_bytes(packed, "big")
    index = bisect.bisect_right(_STARTS, number) - 1
    if index >= 0 and number <= _ENDS[index]:
        return ""
    return country_code(socket.inet_ntoa(packed)) or ""
