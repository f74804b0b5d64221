"""Where a visit came from: named sources, search terms and ad click ids.

The known sources live in collector/data/sources.json so that adding a search
engine or a newsletter tool is a data change reviewed on its own. The file is
read and its host patterns compiled once, on first use; every answer for a
host or a utm_source value is then cached (bounded), because real traffic
repeats the same few hundred referrers.
"""
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

SOURCES_PATH = os.path.join(os.path.dirname(__file__), "data", "sources.json")
CATEGORIES = ("search", "social", "video", "shopping", "email")
# Ad click ids, in the order they are looked for when a URL carries several.
CLICK_IDS = ("gclid", "gbraid", "wbraid", "msclkid", "fbclid", "ttclid", "li_fat_id", "twclid")
MAX_SOURCE = 200
MAX_SEARCH_TERM = 200
# 'name.*': the name under a top-level domain (google.fr) or a country
# second-level one (google.co.uk, google.com.br).
_ANY_SUFFIX = r"\.[a-z]{2,6}(?:\.[a-z]{2})?"


@dataclass(frozen=True)
class Source:
    name: str
    category: str
    query_param: str = ""


class SourcesError(ValueError):
    """The known-sources file is malformed; the message names the entry."""


def host_pattern_regex(pattern):
    """A host pattern as a regex matching the host and its subdomains.

    'example.com' -> example.com, www.example.com, l.example.com;
    'google.*'    -> google.com, google.co.uk, news.google.de.
    """
    pattern = pattern.strip().lower()
    if pattern.endswith(".*"):
        body, suffix = pattern[:-2], _ANY_SUFFIX
    else:
        body, suffix = pattern, ""
    return r"(?:^|\.)" + re.escape(body) + suffix + "$"


def load_sources(path=SOURCES_PATH):
    """(ordered [(compiled host regex, Source)], {utm alias: Source}, {click id: Source})."""
    with open(path, encoding="utf-8") as f:
        entries = json.load(f)["sources"]
    hosts, aliases, clicks = [], {}, {}
    for index, entry in enumerate(entries):
        name, category = entry.get("name"), entry.get("category")
        if not name or category not in CATEGORIES:
            raise SourcesError(f"{path}: entry {index} ({name!r}) needs a name and a category "
                               f"among {', '.join(CATEGORIES)}")
        source = Source(name, category, entry.get("query_param", ""))
        for pattern in entry.get("hosts", ()):
            hosts.append((re.compile(host_pattern_regex(pattern)), source))
        for alias in entry.get("utm", ()):
            aliases.setdefault(alias.strip().lower(), source)
        for click_id in entry.get("click_ids", ()):
            if click_id not in CLICK_IDS:
                raise SourcesError(f"{path}: entry {name!r} names unknown click id {click_id!r}")
            clicks.setdefault(click_id, source)
    return hosts, aliases, clicks


@lru_cache(maxsize=1)
def _known():
    return load_sources()


@lru_cache(maxsize=8192)
def source_for_host(host):
    """The known Source of a referrer host ('' -> None; unknown hosts -> None)."""
    if not host:
        return None
    for regex, source in _known()[0]:
        if regex.search(host):
            return source
    return None


@lru_cache(maxsize=4096)
def source_for_utm(utm_source):
    """The known Source a utm_source value stands for ('fb' -> Facebook), or None."""
    value = (utm_source or "").strip().lower()
    if not value:
        return None
    known = _known()[1].get(value)
    if known is None and "." in value:
        known = source_for_host(value[4:] if value.startswith("www.") else value)
    return known


def click_id_of(params):
    """The name of the first ad click id among URL parameters ({name: non-empty value}), or ''."""
    return next((name for name in CLICK_IDS if params.get(name)), "")


def click_id(url):
    """The name of the first ad click id parameter the URL carries, or ''."""
    return click_id_of(dict(parse_qsl(urlsplit(url).query)))


def search_term(referrer, source):
    """The search words of a search engine referrer, when it still carries them."""
    if source is None or not source.query_param:
        return ""
    try:
        query = urlsplit(referrer).query
    except ValueError:
        return ""
    for key, value in parse_qsl(query):
        if key == source.query_param:
            return " ".join(value.split())[:MAX_SEARCH_TERM]
    return ""


def classify_source(referrer, referrer_host, utm_source, click):
    """(source name, category, search term) of an event.

    utm_source wins over the referrer (the site owner tagged the link on
    purpose), the referrer over a click id; unknown utm_source values are
    kept lowercased and unknown referrers keep their host, so nothing is
    lost; category is '' for sources not in the known list.
    """
    by_utm = source_for_utm(utm_source)
    by_host = source_for_host(referrer_host)
    term = search_term(referrer, by_host) if by_host else ""
    if by_utm is not None:
        return by_utm.name, by_utm.category, term if by_host == by_utm else ""
    if utm_source and utm_source.strip():
        return utm_source.strip().lower()[:MAX_SOURCE], "", ""
    if by_host is not None:
        return by_host.name, by_host.category, term
    if referrer_host:
        return referrer_host[:MAX_SOURCE], "", ""
    by_click = _known()[2].get(click)
    if by_click is not None:
        return by_click.name, by_click.category, ""
    return "", "", ""
