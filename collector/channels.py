"""The marketing channel of an event: an ordered rule list, first match wins.

In the spirit of GA4's default channel grouping, from what the landing URL
and the referrer say: UTM medium, source and campaign, the ad click id and
the category of the known source. docs/channels.md shows the same rules as a
table and tests/collector/test_channels.py has one row per rule: change the
three together.
"""
import re
from dataclasses import dataclass

_PAID_MEDIUM = re.compile(r"^(.*cp.*|ppc|retargeting|paid.*)$")
_SHOPPING_CAMPAIGN = re.compile(r"^(.*(([^a-df-z]|^)shop|shopping).*)$")
_EMAIL = re.compile(r"email|e-mail|e_mail|e mail|newsletter")
DISPLAY_MEDIA = frozenset({"display", "banner", "expandable", "interstitial", "cpm"})
SOCIAL_MEDIA = frozenset({"social", "social-network", "social-media", "sm", "social network",
                          "social media"})
REFERRAL_MEDIA = frozenset({"referral", "app", "link"})
_PUSH_MEDIUM = re.compile(r"push$|mobile|notification")
# Click ids that only ad networks add. fbclid is not one: Facebook appends it
# to ordinary shared links as well, so it names the source, not a payment.
PAID_SEARCH_CLICK_IDS = frozenset({"gclid", "gbraid", "wbraid", "msclkid"})
PAID_SOCIAL_CLICK_IDS = frozenset({"ttclid", "li_fat_id", "twclid"})


@dataclass(frozen=True)
class Touch:
    """What the channel rules look at; text fields are compared lowercased."""
    medium: str = ""          # utm_medium
    utm_source: str = ""      # utm_source as tagged
    campaign: str = ""        # utm_campaign
    click_id: str = ""        # name of the ad click id parameter, e.g. 'gclid'
    category: str = ""        # of the known source: search, social, video, shopping, email, ai
    referrer_host: str = ""   # '' for direct visits and self-referrals

    @classmethod
    def of(cls, medium, utm_source, campaign, click_id, category, referrer_host):
        return cls((medium or "").strip().lower(), (utm_source or "").strip().lower(),
                   (campaign or "").strip().lower(), click_id or "", category or "",
                   referrer_host or "")


def _paid(t):
    return bool(_PAID_MEDIUM.match(t.medium))


def _shopping(t):
    return t.category == "shopping" or bool(_SHOPPING_CAMPAIGN.match(t.campaign))


RULES = (
    # Google Ads campaigns that run across networks (Performance Max) say so in their name.
    ("Cross-network", lambda t: "cross-network" in t.campaign),
    ("Paid Shopping", lambda t: _shopping(t) and _paid(t)),
    ("Paid Search", lambda t: t.category == "search" and _paid(t)
        or t.click_id in PAID_SEARCH_CLICK_IDS and not t.medium),
    ("Paid Social", lambda t: t.category == "social" and _paid(t)
        or t.click_id in PAID_SOCIAL_CLICK_IDS and not t.medium),
    ("Paid Video", lambda t: t.category == "video" and _paid(t)),
    ("Display", lambda t: t.medium in DISPLAY_MEDIA),
    ("Paid Other", _paid),
    ("Organic Shopping", _shopping),
    ("Organic Social", lambda t: t.category == "social" or t.medium in SOCIAL_MEDIA),
    ("Organic Video", lambda t: t.category == "video" or "video" in t.medium),
    ("Organic Search", lambda t: t.category == "search" or t.medium == "organic"),
    # Answers of AI assistants (ChatGPT, Perplexity, Claude, ...), a channel GA4 lacks.
    ("AI Assistants", lambda t: t.category == "ai"),
    ("Email", lambda t: t.category == "email" or bool(_EMAIL.search(t.medium))
        or bool(_EMAIL.search(t.utm_source))),
    ("Affiliates", lambda t: t.medium == "affiliate"),
    ("Audio", lambda t: t.medium == "audio"),
    ("SMS", lambda t: t.medium == "sms" or t.utm_source == "sms"),
    ("Mobile Push Notifications", lambda t: bool(_PUSH_MEDIUM.search(t.medium))
        or t.utm_source == "firebase"),
    ("Referral", lambda t: t.medium in REFERRAL_MEDIA or bool(t.referrer_host)),
    ("Direct", lambda t: not (t.medium or t.utm_source or t.campaign or t.click_id)),
)
UNASSIGNED = "Unassigned"  # tagged traffic no rule recognises, as GA4 names it
CHANNELS = tuple(name for name, _ in RULES) + (UNASSIGNED,)


def channel(touch):
    """The first rule's channel that matches the touch, else Unassigned."""
    for name, matches in RULES:
        if matches(touch):
            return name
    return UNASSIGNED
