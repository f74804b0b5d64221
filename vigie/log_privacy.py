"""No client address in any line the server logs.

Vigie's own code never logs an address; gunicorn does, in its error log
(`Invalid request from ip=...` for a request line that is too long or
malformed, and in some connection errors). A filter on gunicorn's loggers
replaces every IPv4 or IPv6 address in a line by `[address]` before it is
written, whatever the message, so a gunicorn upgrade that adds another such
line is covered too.
"""
import ipaddress
import logging
import re

from gunicorn.glogging import Logger

HIDDEN = "[address]"
# Candidates only: runs of hex digits, dots and colons (an IPv6 zone after %);
# each is confirmed with ipaddress, so times (12:30:05) and versions stay.
_CANDIDATE = re.compile(r"(?<![\w.:])[0-9A-Fa-f.:]*[.:][0-9A-Fa-f.:]*(?:%[\w.]+)?")


def _is_address(text):
    try:
        ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    return True


def _hide(match):
    token = match.group(0)
    core = token.rstrip(":.")
    if _is_address(core):
        return HIDDEN + token[len(core):]
    host, colon, port = core.rpartition(":")
    if colon and port.isdigit() and "." in host and _is_address(host):  # 192.0.2.1:8000
        return HIDDEN + colon + token[len(host) + 1:]
    return token


def without_addresses(text):
    """`text` with every IP address in it replaced by [address]."""
    return _CANDIDATE.sub(_hide, text)


class AddressFilter(logging.Filter):
    """Rewrites a record's message without addresses (the arguments are merged in first)."""

    def filter(self, record):
        message = record.getMessage()
        cleaned = without_addresses(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


ADDRESS_FILTER = AddressFilter()


class PrivateLogger(Logger):
    """gunicorn's logger with the address filter on its error and access logs."""

    def setup(self, cfg):
        super().setup(cfg)
        for logger in (self.error_log, self.access_log):
            logger.addFilter(ADDRESS_FILTER)
