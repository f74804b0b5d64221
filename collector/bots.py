"""Is this traffic a person? Bot and spam verdicts, each with its own drop reason.

Checks run from the most specific to the broadest so that the reason says
what was recognised:
  bot_headless     a headless browser or browser automation (HeadlessChrome,
                   PhantomJS, Selenium/WebDriver, Puppeteer, Playwright, ...)
  bot_http_client  a scripted HTTP client (curl, Wget, python-requests, ...)
  bot_pattern      a crawler in the maintained list of the crawler-user-agents
                   package (Googlebot, AhrefsBot, ...: about 1,500 patterns)
  bot_parser       what the user-agents parser itself calls a bot
  referrer_spam    a referrer host from collector/data/referrer_spam.txt
Patterns are compiled once; verdicts are cached per user agent and per host.
"""
import os
import re
from functools import lru_cache

from crawleruseragents import CRAWLER_USER_AGENTS_DATA
from user_agents import parse as parse_user_agent

SPAM_PATH = os.path.join(os.path.dirname(__file__), "data", "referrer_spam.txt")

HEADLESS = re.compile(
    r"HeadlessChrome|Headless|PhantomJS|SlimerJS|Selenium|WebDriver|Puppeteer|Playwright"
    r"|Cypress|Nightmare|\bjsdom/|Splash|HtmlUnit|Zombie\.js",
    re.IGNORECASE)
HTTP_CLIENTS = re.compile(
    r"^(?:curl|Wget|python-requests|Python-urllib|python-httpx|httpx|aiohttp|Go-http-client"
    r"|Java/|Apache-HttpClient|okhttp|axios|node-fetch|undici|got \(|libwww-perl|LWP::"
    r"|Ruby|Faraday|HTTPie|PostmanRuntime|insomnia|Dart/|Scrapy|Guzzle|GuzzleHttp|PHP/|Mechanize)",
    re.IGNORECASE)


@lru_cache(maxsize=1)
def _crawler_regex():
    # One alternation of the whole list: a single pass over the UA string
    # instead of 1,500 searches. The list's patterns are case sensitive.
    return re.compile("|".join(f"(?:{entry['pattern']})" for entry in CRAWLER_USER_AGENTS_DATA))


@lru_cache(maxsize=8192)
def bot_reason(user_agent):
    """The drop reason for a bot user agent, or '' for what looks like a person's browser.

    An empty user agent is not judged here: server-side senders may have none,
    and a browser always sends one, so the empty string gets ''.
    """
    if not user_agent:
        return ""
    if HEADLESS.search(user_agent):
        return "bot_headless"
    if HTTP_CLIENTS.search(user_agent):
        return "bot_http_client"
    if _crawler_regex().search(user_agent):
        return "bot_pattern"
    if parse_user_agent(user_agent).is_bot:
        return "bot_parser"
    return ""


def load_spam_hosts(path=SPAM_PATH):
    """The referrer spam domains of the data file, lowercased, comments dropped."""
    hosts = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            host = line.split("#", 1)[0].strip().lower()
            if host:
                hosts.add(host[4:] if host.startswith("www.") else host)
    return frozenset(hosts)


@lru_cache(maxsize=1)
def _spam_hosts():
    return load_spam_hosts()


@lru_cache(maxsize=8192)
def is_referrer_spam(referrer_host):
    """True when the host, or a domain it is under, is a known referrer spammer."""
    if not referrer_host:
        return False
    spam = _spam_hosts()
    labels = referrer_host.lower().split(".")
    return any(".".join(labels[i:]) in spam for i in range(len(labels) - 1))
