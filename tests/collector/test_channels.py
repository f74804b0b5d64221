"""The channel rules, one row per rule of the table in docs/channels.md, in its order."""
import re

import pytest

from vigie.collector.channels import CHANNELS, RULES, Touch, channel
from vigie.collector.sources import classify_source, click_id
from vigie.collector.enrichment import host_of, utm_tags

DOC = "docs/channels.md"

# (order, channel, landing URL, referrer): each row matches its rule and no earlier one.
RULE_ROWS = [
    (1, "Cross-network", "https://shop.test/?utm_source=google&utm_medium=cpc"
                         "&utm_campaign=Cross-network-spring", ""),
    (2, "Paid Shopping", "https://shop.test/?utm_source=amazon&utm_medium=cpc", ""),
    (3, "Paid Search", "https://shop.test/?gclid=Cj0", "https://www.google.com/"),
    (4, "Paid Social", "https://shop.test/?utm_source=fb&utm_medium=paid_social", ""),
    (5, "Paid Video", "https://shop.test/?utm_source=youtube&utm_medium=cpv", ""),
    (6, "Display", "https://shop.test/?utm_source=partner-network&utm_medium=banner", ""),
    (7, "Paid Other", "https://shop.test/?utm_source=partner-network&utm_medium=ppc", ""),
    (8, "Organic Shopping", "https://shop.test/", "https://www.ebay.co.uk/itm/1"),
    (9, "Organic Social", "https://shop.test/?fbclid=IwAR0", "https://l.facebook.com/"),
    (10, "Organic Video", "https://shop.test/", "https://www.youtube.com/watch?v=1"),
    (11, "Organic Search", "https://shop.test/", "https://duckduckgo.com/?q=beans"),
    (12, "AI Assistants", "https://shop.test/?utm_source=chatgpt.com", ""),
    (13, "Email", "https://shop.test/?utm_source=news&utm_medium=email", ""),
    (14, "Affiliates", "https://shop.test/?utm_source=coupons-site&utm_medium=affiliate", ""),
    (15, "Audio", "https://shop.test/?utm_source=spotify-ads&utm_medium=audio", ""),
    (16, "SMS", "https://shop.test/?utm_source=sms&utm_campaign=spring", ""),
    (17, "Mobile Push Notifications", "https://shop.test/?utm_source=app&utm_medium=push", ""),
    (18, "Referral", "https://shop.test/", "https://blog.example.org/best-coffee"),
    (19, "Direct", "https://shop.test/", ""),
    (20, "Unassigned", "https://shop.test/?utm_source=partner-network", ""),
]


def touch_for(url, referrer):
    """The Touch the enrich step builds for a landing URL and a referrer."""
    utm = utm_tags(url)
    host = host_of(referrer) if referrer else ""
    click = click_id(url)
    _, category, _ = classify_source(referrer, host, utm["utm_source"], click)
    return Touch.of(utm["utm_medium"], utm["utm_source"], utm["utm_campaign"], click, category, host)


@pytest.mark.parametrize("order, expected, url, referrer", RULE_ROWS,
                         ids=[row[1] for row in RULE_ROWS])
def test_one_row_per_rule(order, expected, url, referrer):
    touch = touch_for(url, referrer)
    assert channel(touch) == expected
    # the row reaches its own rule: no earlier rule matches it
    names = [name for name, _ in RULES] + ["Unassigned"]
    assert names.index(expected) == order - 1
    assert not any(matches(touch) for _, matches in RULES[:order - 1])


def test_the_rows_cover_every_rule_in_the_documented_order():
    with open(DOC, encoding="utf-8") as f:
        table = re.findall(r"^\| (\d+) \| ([A-Za-z -]+?) \|", f.read(), re.MULTILINE)
    documented = [(int(order), name) for order, name in table]
    assert documented == [(order, name) for order, name, _, _ in RULE_ROWS]
    assert [name for _, name in documented] == list(CHANNELS)


@pytest.mark.parametrize("url, referrer, expected", [
    # a paid medium wins over the organic category of the same source
    ("https://shop.test/?utm_source=google&utm_medium=cpc", "https://www.google.com/", "Paid Search"),
    # msclkid alone is Microsoft Ads search
    ("https://shop.test/?msclkid=1", "", "Paid Search"),
    # a click id with explicit UTM tags follows the tags
    ("https://shop.test/?gclid=1&utm_source=news&utm_medium=email", "", "Email"),
    # ttclid without a medium: TikTok ads
    ("https://shop.test/?ttclid=1", "", "Paid Social"),
    # cpm on a social network is paid social, elsewhere display
    ("https://shop.test/?utm_source=linkedin&utm_medium=cpm", "", "Paid Social"),
    ("https://shop.test/?utm_source=partner-network&utm_medium=cpm", "", "Display"),
    # newsletter tools are email even without UTM tags
    ("https://shop.test/", "https://buttondown.email/coffee/archive/1", "Email"),
    # utm_medium=referral without a referrer is still Referral
    ("https://shop.test/?utm_source=partner&utm_medium=referral", "", "Referral"),
    ("https://shop.test/?utm_medium=organic", "", "Organic Search"),
    # AI assistants by their referrer, whatever else the source database says of the host
    ("https://shop.test/", "https://www.perplexity.ai/search/abc", "AI Assistants"),
    ("https://shop.test/", "https://gemini.google.com/app", "AI Assistants"),
    ("https://shop.test/", "https://claude.ai/chat/1", "AI Assistants"),
    ("https://shop.test/", "https://copilot.microsoft.com/", "AI Assistants"),
    # GA4's other spellings of a push notification
    ("https://shop.test/?utm_source=firebase", "", "Mobile Push Notifications"),
    ("https://shop.test/?utm_source=app&utm_medium=web-notification", "", "Mobile Push Notifications"),
    ("https://shop.test/?utm_source=app&utm_medium=mobile", "", "Mobile Push Notifications"),
])
def test_notable_cases(url, referrer, expected):
    assert channel(touch_for(url, referrer)) == expected
