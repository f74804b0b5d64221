"""Realistic, deterministic demo traffic for a small shop.

`generate_traffic` yields (time, payload, client) triples in time order: the
payload is exactly what the JS tracker would send, the client the request
facts the collector sees. Visitors come from search, social, newsletters,
paid campaigns or nowhere; they bounce, read, sign up and buy, more on
weekdays and in the daytime of the site's time zone. They come from eleven
countries (real address blocks, so the collector's country lookup works),
and some sign in as the shop's clients.
"""
import datetime
import ipaddress
import random
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

DEVICES = [
    # (weight, user agent, screen width)
    (22, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/124.0.0.0 Safari/537.36", 1920),
    (8, "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0", 1536),
    (7, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.67", 1366),
    (10, "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
         "Version/17.4 Safari/605.1.15", 1440),
    (6, "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0", 1920),
    (20, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
         "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1", 390),
    (16, "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/124.0.6367.82 Mobile Safari/537.36", 412),
    (4, "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
        "SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36", 360),
    (5, "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Mobile/15E148 Safari/604.1", 820),
    (2, "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0.6367.82 Safari/537.36", 800),
]

# Crawlers the collector recognises and counts without storing; about one
# visit in thirty, as on a small public shop.
BOTS = [
    (5, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
    (2, "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"),
    (1, "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)"),
]
BOT_SHARE = 0.03

# (weight, first address of a /16 block) of visitors' countries; each block is
# allocated to that country in iptocc's table (tests/cli/test_demo.py checks it).
COUNTRY_NETWORKS = [(34, "90.100.0.0"),   # FR
                    (14, "73.0.0.0"),     # US
                    (9, "86.128.0.0"),    # GB
                    (9, "84.128.0.0"),    # DE
                    (7, "83.32.0.0"),     # ES
                    (6, "79.0.0.0"),      # IT
                    (6, "81.240.0.0"),    # BE
                    (5, "77.56.0.0"),     # CH
                    (4, "70.24.0.0"),     # CA
                    (4, "86.80.0.0"),     # NL
                    (2, "126.0.0.0")]     # JP

LANGUAGES = [(40, "fr-FR,fr;q=0.9,en;q=0.8"), (25, "en-US,en;q=0.9"), (10, "en-GB,en;q=0.9"),
             (10, "de-DE,de;q=0.9,en;q=0.7"), (8, "es-ES,es;q=0.9"), (7, "it-IT,it;q=0.9")]

# (weight, referrer, utm query) for the first page of a visit.
SOURCES = [
    (30, None, ""),
    (28, "https://www.google.com/", ""),
    (5, "https://www.bing.com/", ""),
    (4, "https://duckduckgo.com/", ""),
    (6, "https://www.facebook.com/", ""),
    (4, "https://www.linkedin.com/", ""),
    (3, "https://www.reddit.com/r/coffee/", ""),
    (2, "https://news.ycombinator.com/", ""),
    (6, None, "utm_source=newsletter&utm_medium=email&utm_campaign=spring_sale"),
    (7, "https://www.google.com/", "utm_source=google&utm_medium=cpc&utm_campaign=brand&gclid=demo"),
    (3, "https://l.instagram.com/", "utm_source=instagram&utm_medium=social&utm_campaign=reels"),
    (2, "https://blog.partner-roaster.example/", ""),
]

LANDINGS = [(35, "/"), (20, "/blog/how-to-brew-espresso"), (10, "/blog/coffee-origins"),
            (15, "/product/ethiopia-yirgacheffe"), (8, "/product/colombia-huila"), (12, "/pricing")]
BROWSE = ["/", "/pricing", "/about", "/blog/how-to-brew-espresso", "/blog/coffee-origins",
          "/blog/grinders-compared", "/product/ethiopia-yirgacheffe", "/product/colombia-huila",
          "/product/kenya-aa", "/contact"]
DOWNLOADS = ["/files/brewing-guide.pdf", "/files/wholesale-price-list.pdf"]
OUTBOUND = ["https://www.instagram.com/demo_roastery/", "https://github.com/demo-roastery",
            "https://maps.example.org/demo-roastery"]

# The shop's own search box: (weight, what is typed, the page it leads to, None when the
# shop has nothing for it). The results page sends NO_RESULTS_EVENT when nothing matched.
SEARCHES = [(12, "ethiopia", "/product/ethiopia-yirgacheffe"), (6, "Ethiopia", "/product/ethiopia-yirgacheffe"),
            (9, "espresso", "/blog/how-to-brew-espresso"), (7, "grinder", "/blog/grinders-compared"),
            (6, "kenya", "/product/kenya-aa"), (5, "colombia huila", "/product/colombia-huila"),
            (4, "price", "/pricing"), (3, "wholesale", "/contact"), (5, "decaf", None),
            (3, "gift card", None), (2, "french press", None)]
# One human visit in SEARCH_EVERY uses the search box, and one search in NOTHING_FOUND_EVERY
# finds nothing. Counted rather than drawn: a small demo (a few dozen visitors) would
# otherwise now and then have no search, or none that failed, and show an empty report.
SEARCH_EVERY = 7
NOTHING_FOUND_EVERY = 5
NO_RESULTS_EVENT = "Search: no results"
# Web vitals: every human page load sends its vitals report when it is left (the site has
# them on), so the Web vitals page always has rows. The values come from a generator of
# their own (seeded from the demo's seed), so adding them changed no other demo number.
# Product pages carry big photos (slow LCP), the blog's ads shift its layout, search
# answers are computed (slow TTFB); phones are slower than desktops.
VITALS_SEED_OFFSET = 1_000_003
# Relative traffic by local hour (0-23) and weekday (Mon-Sun).
HOURLY = [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 9, 9, 10, 9, 8, 8, 8, 9, 10, 10, 8, 6, 4, 2]
WEEKDAY = [10, 10, 9, 9, 8, 6, 6]


@dataclass(frozen=True)
class DemoClient:
    ip: str
    user_agent: str
    accept_language: str


def _pick(rng, weighted):
    total = sum(w for w, *_ in weighted)
    roll = rng.uniform(0, total)
    for item in weighted:
        roll -= item[0]
        if roll <= 0:
            return item[1:] if len(item) > 2 else item[1]
    return weighted[-1][1:] if len(weighted[-1]) > 2 else weighted[-1][1]


def _visitor_ip(rng, index):
    """An address from a country's block, unique per visitor (up to 65,534 per country).

    The collector turns it into a country code and keeps only that; the
    address itself is hashed into the daily visitor id, never stored.
    """
    network = _pick(rng, COUNTRY_NETWORKS)
    number = int(ipaddress.IPv4Address(network)) + 1 + index % 65534
    return str(ipaddress.IPv4Address(number))


def _visit_start(rng, now, days, tz, fading=False):
    """A start time in the `days` before `now`, busier in the local daytime and on weekdays.

    A fading visitor (a client about to leave) only visits in the first half.
    """
    span = days * 86400
    if fading:
        now, span = now - datetime.timedelta(seconds=span / 2), span / 2
    peak = max(HOURLY) * max(WEEKDAY)
    when = now
    # Rejection sampling; 200 tries are ample (the acceptance rate is over 30%).
    for _ in range(200):
        when = now - datetime.timedelta(seconds=rng.uniform(1, span))
        local = when.astimezone(tz)
        if rng.uniform(0, peak) <= HOURLY[local.hour] * WEEKDAY[local.weekday()]:
            break
    return when


def _visit_paths(rng):
    """The pages of one visit in order, and whether it ends in a purchase."""
    paths = [_pick(rng, LANDINGS)]
    if rng.random() < 0.45:
        return paths, False  # a one-page visit
    for _ in range(min(int(rng.expovariate(0.45)) + 1, 7)):
        paths.append(rng.choice([p for p in BROWSE if p != paths[-1]]))
    roll = rng.random()
    if roll < 0.12:
        return paths + ["/cart", "/checkout", "/thank-you"], True
    if roll < 0.22:  # abandoned carts, some at the checkout step
        return paths + ["/cart"] + (["/checkout"] if rng.random() < 0.5 else []), False
    return paths, False


def _search_path(typed):
    return "/search?" + urlencode({"q": typed})


_EMPTY_SEARCHES = frozenset(_search_path(typed) for _, typed, found in SEARCHES if not found)


_FOUND = [s for s in SEARCHES if s[2]]
_NOTHING_FOUND = [s for s in SEARCHES if not s[2]]


def _with_search(rng, paths, search_number):
    """The visit's pages with a search after the first page: the search, then the page it led to.

    `search_number` counts the demo's searches from 0; None when this visit does not search.
    """
    if search_number is None:
        return paths
    pool = _NOTHING_FOUND if search_number % NOTHING_FOUND_EVERY == 1 else _FOUND
    typed, found = _pick(rng, pool)
    return paths[:1] + [_search_path(typed)] + ([found] if found else []) + paths[1:]


def _vitals(vrng, path, phone, clicked):
    """The metrics of one page load's vitals report; INP only when a link was clicked."""
    slow = 1.8 if phone else 1.0
    lcp = vrng.uniform(700, 2600) * slow * (1.6 if path.startswith("/product/") else 1.0)
    cls = vrng.choice([0, 0, 0, 0.01, 0.02, 0.04, 0.07, 0.12]) + (
        vrng.choice([0.05, 0.1, 0.2]) if path.startswith("/blog/") else 0)
    ttfb = vrng.uniform(90, 700) + (vrng.uniform(300, 1500) if path.startswith("/search") else 0)
    metrics = {"lcp": round(lcp), "cls": round(cls, 4), "ttfb": round(ttfb)}
    if clicked:
        metrics["inp"] = round(vrng.uniform(24, 260) * slow)
    return metrics


def _visit_events(rng, domain, search_number=None, vitals_rng=None, phone=False):
    """The (offset seconds, payload) of one visit, tracker-shaped (with the vitals script's
    reports when `vitals_rng` is given)."""
    base = f"https://{domain}"
    referrer, query = _pick(rng, SOURCES)
    paths, buyer = _visit_paths(rng)
    paths = _with_search(rng, paths, search_number)
    events, clock, url = [], 0.0, None
    for page_index, path in enumerate(paths):
        # In a browser, a page reached by a link has the previous page as referrer.
        previous, url = url, base + path + (("?" + query) if query and page_index == 0 else "")
        events.append((clock, {"name": "pageview", "url": url,
                               "referrer": referrer if page_index == 0 else previous}))
        quick_exit = len(paths) == 1 and rng.random() < 0.7
        engaged = rng.uniform(1.5, 8) if quick_exit else rng.uniform(6, 150)
        if rng.random() < 0.06:
            events.append((clock + engaged * 0.6,
                           {"name": "outbound", "url": url, "props": {"url": rng.choice(OUTBOUND)}}))
        if path.startswith("/blog/") and rng.random() < 0.05:
            events.append((clock + engaged * 0.8, {"name": "download", "url": url,
                                                   "props": {"url": base + rng.choice(DOWNLOADS)}}))
        if path == "/pricing" and rng.random() < 0.25:
            events.append((clock + engaged * 0.7, {"name": "signup", "url": url,
                                                   "props": {"plan": rng.choice(["starter", "pro"])}}))
        if path in _EMPTY_SEARCHES:
            events.append((clock + 0.3, {"name": NO_RESULTS_EVENT, "url": url}))
        if path == "/thank-you" and buyer:
            events.append((clock + 0.5, {"name": "purchase", "url": url,
                                         "props": {"items": rng.randint(1, 4)},
                                         "revenue": {"amount": rng.choice([14.9, 19.9, 29.9, 44.7, 59.8]),
                                                     "currency": "EUR"}}))
        clock += engaged
        events.append((clock, {"name": "engagement", "url": url,
                               "engaged_ms": int(engaged * 1000),
                               "scroll_depth": rng.choice([10, 25, 40, 60, 80, 100])}))
        if vitals_rng is not None:
            clicked = page_index < len(paths) - 1  # the link to the next page
            events.append((clock, dict({"name": "vitals", "url": url},
                                       **_vitals(vitals_rng, path, phone, clicked))))
        clock += rng.uniform(0.5, 4)
    return events


def _client(rng, index):
    """(client, screen width, is a crawler) for the visitor number `index`."""
    ip = _visitor_ip(rng, index)
    if rng.random() < BOT_SHARE:
        return DemoClient(ip, _pick(rng, BOTS), ""), 0, True
    user_agent, width = _pick(rng, DEVICES)
    return DemoClient(ip, user_agent, _pick(rng, LANGUAGES)), width, False


def generate_traffic(domain, days, visitors, seed, now=None, timezone="Europe/Paris", customers=()):
    """Yield (aware UTC time, payload, DemoClient) in time order, all before `now`.

    `customers`: (customer_id, fading) of the shop's clients who may sign in,
    in the order they are handed to visitors. The same seed, `now` and
    customers give the same traffic, event for event.
    """
    rng = random.Random(seed)
    vitals_rng = random.Random(seed + VITALS_SEED_OFFSET)
    tz = ZoneInfo(timezone)
    now = (now or datetime.datetime.now(datetime.timezone.utc)).astimezone(datetime.timezone.utc)
    accounts = iter(customers)
    timeline = []
    human_visits = 0
    for index in range(visitors):
        client, width, crawler = _client(rng, index)
        # About one visitor in six has an account on the shop and is signed in:
        # the customer id is what ties web behaviour to purchases and churn.
        signed_in = rng.random() < 0.16 and not crawler
        customer_id, fading = next(accounts, (None, False)) if signed_in else (None, False)
        # A client often comes back; one about to leave comes back less.
        returns = 1 if rng.random() < 0.7 else rng.randint(2, 4)
        for _ in range(returns + (2 if customer_id and not fading else 0)):
            start = _visit_start(rng, now, days, tz, fading)
            search_number = None
            if not crawler:
                if human_visits % SEARCH_EVERY == 0:
                    search_number = human_visits // SEARCH_EVERY
                human_visits += 1
            for offset, payload in _visit_events(rng, domain, search_number,
                                                 None if crawler else vitals_rng, width < 900):
                when = start + datetime.timedelta(seconds=offset)
                if when >= now:
                    continue  # a visit still under way: its later events have not happened yet
                if crawler and payload["name"] != "pageview":
                    continue  # rendering crawlers load pages; they neither read nor click
                payload.setdefault("referrer", None)
                payload.update(domain=domain, screen_width=width)
                if customer_id:
                    payload["customer_id"] = customer_id
                timeline.append((when, index, payload, client))
    timeline.sort(key=lambda item: (item[0], item[1]))
    for when, _, payload, client in timeline:
        yield when.replace(microsecond=0), payload, client
