"""Enrichment done once at ingest: pure functions from request facts to columns.

Referrers and page URLs repeat heavily (a site has a few thousand pages and
referrers, an access log millions of lines), so their parses are cached
like user agents: bounded, and keyed by the exact string.
"""
import re
from functools import lru_cache
from types import MappingProxyType
from urllib.parse import parse_qsl, urlsplit

from user_agents import parse as parse_user_agent

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")


def _version(parts, count):
    numbers = [str(p) for p in parts[:count] if p is not None and p != ""]
    return ".".join(numbers)


# Android browsers put a " Mobile" token in a phone's user agent and leave it
# out on tablets (Chrome's documented rule). The parser only looks for
# "Mobile Safari", so a phone's "Chrome/134 Mobile DuckDuckGo/5" read as a tablet.
_ANDROID_PHONE = re.compile(r"\bAndroid\b.*\sMobile(?=[\s/;)]|$)")


@lru_cache(maxsize=4096)
def describe_user_agent(user_agent):
    """(browser, browser_version, os, os_version, device, is_bot) for a UA string.

    Parsing a UA costs far more than the rest of the pipeline and real traffic
    repeats a few hundred strings, hence the bounded cache.
    """
    ua = parse_user_agent(user_agent or "")
    if _ANDROID_PHONE.search(user_agent or ""):
        device = "mobile"
    elif ua.is_tablet:
        device = "tablet"
    elif ua.is_mobile:
        device = "mobile"
    else:
        device = "desktop"
    return (ua.browser.family, _version(ua.browser.version, 2), ua.os.family,
            _version(ua.os.version, 2), device, bool(ua.is_bot))


@lru_cache(maxsize=8192)
def host_of(url):
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def referrer_host(referrer, site):
    """The referring host, or '' when there is none or it is the site itself."""
    if not referrer:
        return ""
    try:
        host = host_of(referrer)
    except ValueError:
        return ""
    if not host or site.owns_hostname(host):
        return ""
    return host


@lru_cache(maxsize=8192)
def split_url(url):
    """(path, {query parameter: first non-empty value}): one parse serves every URL-derived column.

    The mapping is read-only: the same one is handed to every event of the URL.
    """
    parts = urlsplit(url)
    params = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        params.setdefault(key, value)
    return (parts.path or "/")[:2000], MappingProxyType(params)


def utm_tags_of(params):
    return {field: params.get(field, "")[:200] for field in UTM_FIELDS}


def utm_tags(url):
    return utm_tags_of(split_url(url)[1])


def site_search_term(params, parameters):
    """The words of a search on the site itself: the first of the site's search `parameters`
    that the page URL carries, trimmed, spaces collapsed and lowercased so that 'Red  Shoes'
    and 'red shoes' count as one term; '' when the URL has none of them."""
    for name in parameters:
        value = params.get(name, "")
        words = " ".join(value.split()).lower()
        if words:
            return words[:200]
    return ""


def pathname(url):
    return split_url(url)[0]


def language(accept_language):
    """The first language tag of an Accept-Language header, lowercased ('fr-fr')."""
    first = (accept_language or "").split(",")[0].split(";")[0].strip().lower()
    return first[:35] if first and first != "*" else ""


def event_language(payload_language, accept_language):
    """The tracker's navigator.language when it sent one, else the request's Accept-Language."""
    return language(payload_language) or language(accept_language)


# Upper bounds (exclusive) of CSS pixel widths, following common layout
# breakpoints; see docs/privacy.md. Width 0 means the sender did not say.
SCREEN_CLASSES = ((576, "mobile"), (992, "tablet"), (1440, "laptop"))


def screen_class(screen_width):
    """'mobile' (<576), 'tablet' (<992), 'laptop' (<1440), 'desktop' (>=1440), '' when unknown."""
    if not screen_width:
        return ""
    for bound, name in SCREEN_CLASSES:
        if screen_width < bound:
            return name
    return "desktop"


def privacy_signal(do_not_track, global_privacy_control):
    """True when the request says Do-Not-Track (DNT: 1) or Global Privacy Control (Sec-GPC: 1)."""
    return (do_not_track or "").strip() == "1" or (global_privacy_control or "").strip() == "1"
