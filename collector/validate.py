"""The shape an event body must have: pure checks that name the faulty field."""
import json
import math
import re
from functools import lru_cache
from urllib.parse import urlsplit

MAX_NAME = 120
MAX_URL = 2000
MAX_PROPS = 30
MAX_PROP_KEY = 300
MAX_PROP_VALUE = 2000
MAX_CUSTOMER_ID = 200
MAX_ENGAGED_MS = 24 * 3600 * 1000
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
_LANGUAGE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
MAX_LANGUAGE = 35
# The event the vitals script sends, and its metrics: payload field -> (stored as, upper bound).
# Milliseconds for all but CLS, which has no unit; ten minutes is beyond any real page load.
VITALS_EVENT = "vitals"
VITALS_METRICS = {"lcp": ("lcp_ms", 600_000), "inp": ("inp_ms", 600_000),
                  "ttfb": ("ttfb_ms", 600_000), "cls": ("cls", 100)}


class BadEvent(ValueError):
    """The body is not a valid event; the message names the field and the problem."""


def parse_body(body):
    """JSON text (bytes or str) -> dict, or BadEvent."""
    if isinstance(body, (bytes, bytearray)):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadEvent("body is not UTF-8 text") from None
    if not isinstance(body, str):
        raise BadEvent(f"body must be JSON text or an object, got {type(body).__name__}")
    if not body.strip():
        raise BadEvent("body is empty: expected a JSON object")
    try:
        payload = json.loads(body)
    except json.JSONDecodeError as exc:
        raise BadEvent(f"body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise BadEvent("body is not a usable JSON object: nested too deeply") from None
    if not isinstance(payload, dict):
        raise BadEvent(f"body must be a JSON object, got {type(payload).__name__}")
    return payload


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def _text(payload, field, max_length, required=False):
    value = payload.get(field)
    if value is None:
        if required:
            raise BadEvent(f"'{field}' is required")
        return ""
    if not isinstance(value, str):
        raise BadEvent(f"'{field}' must be a string, got {type(value).__name__}")
    if required and not value.strip():
        raise BadEvent(f"'{field}' must not be empty")
    if len(value) > max_length:
        raise BadEvent(f"'{field}' is longer than {max_length} characters")
    return value


def _bounded_int(payload, field, low, high):
    value = payload.get(field)
    if value is None:
        return 0
    if not _is_int(value):
        raise BadEvent(f"'{field}' must be an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise BadEvent(f"'{field}' must be between {low} and {high}, got {value}")
    return value


def _props(payload):
    props = payload.get("props")
    if props is None:
        return [], []
    if not isinstance(props, dict):
        raise BadEvent(f"'props' must be an object, got {type(props).__name__}")
    if len(props) > MAX_PROPS:
        raise BadEvent(f"'props' has {len(props)} entries; at most {MAX_PROPS} are accepted")
    keys, values = [], []
    for key, value in props.items():
        if not key or len(key) > MAX_PROP_KEY:
            raise BadEvent(f"prop name '{key[:50]}' must have 1 to {MAX_PROP_KEY} characters")
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif _is_number(value):
            value = repr(value) if isinstance(value, float) else str(value)
        elif isinstance(value, float):
            raise BadEvent(f"prop '{key[:50]}' must be a finite number, got {value}")
        elif not isinstance(value, str):
            raise BadEvent(f"prop '{key[:50]}' must be a string, number or boolean, "
                           f"got {type(value).__name__}")
        if len(value) > MAX_PROP_VALUE:
            raise BadEvent(f"prop '{key[:50]}' is longer than {MAX_PROP_VALUE} characters")
        keys.append(key)
        values.append(value)
    return keys, values


def _revenue(payload):
    revenue = payload.get("revenue")
    if revenue is None:
        return 0.0, ""
    if not isinstance(revenue, dict):
        raise BadEvent(f"'revenue' must be an object with amount and currency, got {type(revenue).__name__}")
    amount, currency = revenue.get("amount"), revenue.get("currency")
    if not _is_number(amount):
        raise BadEvent("'revenue.amount' must be a finite number")
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        raise BadEvent("'revenue.currency' must be a 3-letter currency code such as EUR")
    return float(amount), currency.upper()


def _language(payload):
    """navigator.language when the tracker sends it: a BCP 47 tag such as fr-FR."""
    value = _text(payload, "language", MAX_LANGUAGE).strip()
    if value and not _LANGUAGE.match(value):
        raise BadEvent("'language' must be a language tag such as fr-FR")
    return value


@lru_cache(maxsize=8192)
def _page_hostname(url):
    """The lowercased host of an absolute http(s) URL, or '' (pages repeat: cached)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not host:
        return ""
    return host.lower().rstrip(".")


def validate_payload(payload):
    """Check every field of a tracker payload; returns the normalised fields."""
    name = _text(payload, "name", MAX_NAME, required=True).strip()
    domain = _text(payload, "domain", 253, required=True).strip().lower().rstrip(".")
    if domain.startswith("www."):
        domain = domain[4:]  # sites are registered without www. (warehouse.sites.normalise_domain)
    url = _text(payload, "url", MAX_URL, required=True)
    hostname = _page_hostname(url)
    if not hostname:
        raise BadEvent("'url' must be an absolute http(s) URL")
    referrer = _text(payload, "referrer", MAX_URL)
    keys, values = _props(payload)
    amount, currency = _revenue(payload)
    return {
        "name": name,
        "domain": domain,
        "url": url,
        "hostname": hostname,
        "referrer": referrer,
        "screen_width": _bounded_int(payload, "screen_width", 0, 65535),
        "prop_keys": keys,
        "prop_values": values,
        "revenue": amount,
        "currency": currency,
        "customer_id": _text(payload, "customer_id", MAX_CUSTOMER_ID).strip(),
        "engaged_ms": _bounded_int(payload, "engaged_ms", 0, MAX_ENGAGED_MS),
        "scroll_depth": _bounded_int(payload, "scroll_depth", 0, 100),
        "language": _language(payload),
    }


def validate_vitals(payload, not_measured):
    """The metrics of a vitals event: {column: value}, `not_measured` for those absent.

    Each is a finite number from 0 to its bound; at least one must be there.
    """
    found = {}
    for field, (column, high) in VITALS_METRICS.items():
        value = payload.get(field)
        if value is None:
            found[column] = not_measured
            continue
        if not _is_number(value):
            raise BadEvent(f"'{field}' must be a finite number, got {type(value).__name__}")
        if not 0 <= value <= high:
            raise BadEvent(f"'{field}' must be between 0 and {high}, got {value}")
        found[column] = float(value)
    if all(value == not_measured for value in found.values()):
        raise BadEvent("a vitals event needs at least one of 'lcp', 'cls', 'inp', 'ttfb'")
    return found
