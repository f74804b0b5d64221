"""Country of an IP address, from the database inside the `iptocc` wheel.

No network call and no download step: the lookup table is compiled into the
package, which is rebuilt from the five Regional Internet Registries' public
allocation files. Why this database and not another: docs/privacy.md. It
knows countries, not regions, so the region column stays ''.
The IP itself is never returned or stored, only the country code.
"""
import ipaddress
from functools import lru_cache

from iptocc import country_code


@lru_cache(maxsize=65536)
def country(ip):
    """ISO 3166-1 alpha-2 code ('FR'), or '' for private, loopback, unknown or malformed IPs."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return ""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if not address.is_global:
        return ""
    return country_code(str(address)) or ""
