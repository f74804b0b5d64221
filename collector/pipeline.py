"""The ingestion pipeline: an ordered list of named steps.

Each step takes the incoming event and the pipeline context and returns the
event, enriched, or a Drop saying why it stops there. The HTTP route, the
demo and later the server-side APIs all go through `run_pipeline`.
"""
import datetime
import operator
from dataclasses import dataclass, field
from typing import Any

from vigie.collector import enrichment
from vigie.collector.bots import bot_reason, is_referrer_spam
from vigie.collector.channels import Touch, channel
from vigie.collector.event_id_generator import new_event_id
from vigie.collector.geo import country
from vigie.collector.identity import visitor_id
from vigie.collector.sources import classify_source, click_id_of
from vigie.collector.validate import (VITALS_EVENT, BadEvent, parse_body, validate_payload,
                                      validate_vitals)
from vigie.warehouse.events import EVENT_COLUMNS
from vigie.warehouse.web_vitals import NOT_MEASURED, VITALS_COLUMNS

_ROW = operator.itemgetter(*EVENT_COLUMNS)  # fields dict -> row tuple, in one C call
_VITALS_ROW = operator.itemgetter(*VITALS_COLUMNS)


@dataclass(frozen=True)
class ClientInfo:
    """What the request tells about the sender.

    The IP only ever enters the visitor hash and the country lookup; do_not_track
    and global_privacy_control are the raw DNT and Sec-GPC header values.
    """
    ip: str
    user_agent: str
    accept_language: str = ""
    do_not_track: str = ""
    global_privacy_control: str = ""


@dataclass(frozen=True)
class Drop:
    reason: str    # short machine name, counted per reason
    status: int    # HTTP status for the sender
    message: str   # readable explanation naming the problem


@dataclass
class Incoming:
    body: Any                      # raw bytes/str from HTTP, or an already-parsed dict
    client: ClientInfo
    received_at: datetime.datetime
    payload: dict | None = None
    fields: dict = field(default_factory=dict)
    site: Any = None
    ignored: list = field(default_factory=list)  # payload fields accepted but not stored
    event_id: Any = None  # a derived id (collector.event_id_generator), else a random one is drawn


def parse(event, ctx):
    """Raw body (HTTP) or dict (Python callers) -> event.payload."""
    try:
        event.payload = event.body if isinstance(event.body, dict) else parse_body(event.body)
    except BadEvent as exc:
        return Drop("bad_request", 400, str(exc))
    return event


def validate(event, ctx):
    """Field checks, then the site must exist and own the page's host."""
    try:
        event.fields = validate_payload(event.payload)
        if event.fields["name"] == VITALS_EVENT:
            event.fields.update(validate_vitals(event.payload, NOT_MEASURED))
    except BadEvent as exc:
        return Drop("bad_request", 400, str(exc))
    domain = event.fields["domain"]
    site = ctx.find_site(domain)
    if site is None:
        return Drop("unknown_site", 404,
                    f"site '{domain}' is not registered (add it with: vigie sites add {domain})")
    hostname = event.fields["hostname"]
    if not site.owns_hostname(hostname):
        return Drop("foreign_hostname", 403,
                    f"page host '{hostname}' does not belong to site '{site.domain}'")
    event.site = site
    if event.fields["name"] == VITALS_EVENT and not site.web_vitals:
        # The page has the vitals script but the site's owner has not opted in.
        return Drop("vitals_off", 202, f"web vitals are off for site '{site.domain}' (an admin "
                                       "turns them on in Settings); the report is counted, not stored")
    return event


def enrich(event, ctx):
    """Privacy signals, bots and referrer spam stop here; the rest gains derived columns."""
    f, client, site = event.fields, event.client, event.site
    if site.respect_privacy_signals and enrichment.privacy_signal(
            client.do_not_track, client.global_privacy_control):
        return Drop("privacy_signal", 202, "the browser asks not to be tracked (DNT or "
                                           "Sec-GPC); the event is counted, not stored")
    reason = bot_reason(client.user_agent)
    if reason:
        return Drop(reason, 202, "bot traffic is counted, not stored")
    ref_host = enrichment.referrer_host(f["referrer"], site)
    if is_referrer_spam(ref_host):
        return Drop("referrer_spam", 202, "referrer spam is counted, not stored")
    if f["customer_id"] and not site.identify_customers:
        # The site has not opted in to linking visits to its clients.
        f["customer_id"] = ""
        event.ignored.append("customer_id")
    browser, browser_version, os_name, os_version, device, _ = \
        enrichment.describe_user_agent(client.user_agent)
    path, params = enrichment.split_url(f["url"])
    if f["name"] == VITALS_EVENT:
        # A vitals report is stored by page, device and country only (warehouse.web_vitals):
        # one comes with every page load, so the sources, channel and language are not derived.
        f.update(browser=browser, os=os_name, device=device, pathname=path, country=country(client.ip))
        return event
    f.update(enrichment.utm_tags_of(params))
    click = click_id_of(params)
    source, category, term = classify_source(f["referrer"], ref_host, f["utm_source"], click)
    f.update(
        browser=browser, browser_version=browser_version, os=os_name, os_version=os_version,
        device=device, pathname=path, referrer_host=ref_host,
        language=enrichment.event_language(f.get("language", ""), client.accept_language),
        country=country(client.ip), region="",  # the shipped database knows countries only
        source=source, search_term=term, click_id=click,
        site_search_term=enrichment.site_search_term(params, site.search_parameters),
        channel=channel(Touch.of(f["utm_medium"], f["utm_source"], f["utm_campaign"], click,
                                 category, ref_host)),
        screen_class=enrichment.screen_class(f["screen_width"]),
    )
    return event


def identify(event, ctx):
    """Visitor id for the event's UTC day; a visit crossing midnight keeps yesterday's id."""
    day = event.received_at.date()
    args = (event.site.domain, event.client.ip, event.client.user_agent)
    vid = visitor_id(ctx.salts.salt(day), *args)
    since_midnight = event.received_at - datetime.datetime.combine(
        day, datetime.time(), event.received_at.tzinfo)
    if not ctx.recent.seen_in_memory(event.site.domain, vid, event.received_at):
        previous_salt = ctx.salts.known_salt(day - datetime.timedelta(days=1))
        if previous_salt:
            previous = visitor_id(previous_salt, *args)
            in_window = since_midnight <= ctx.visit_timeout
            if ctx.recent.seen(event.site.domain, previous, event.received_at, check_store=in_window):
                vid = previous
    ctx.recent.note(event.site.domain, vid, event.received_at)
    event.fields["visitor_id"] = vid
    return event


def buffer(event, ctx):
    """The row, in warehouse.events.EVENT_COLUMNS order, joins the write buffer; a vitals
    report's row (warehouse.web_vitals.VITALS_COLUMNS) joins the vitals buffer instead."""
    derived = event.event_id is not None
    values = dict(event.fields, event_id=event.event_id if derived else new_event_id(),
                  site=event.site.domain, ts=event.received_at.replace(microsecond=0))
    if values["name"] == VITALS_EVENT:
        ctx.vitals_buffer.add(_VITALS_ROW(values), dedup=derived)
    elif derived:
        ctx.buffer.add(_ROW(values), dedup=True)  # may have been sent (and stored) before
    else:
        ctx.buffer.add(_ROW(values))
    return event


STEPS = (
    ("parse", parse),
    ("validate", validate),
    ("enrich", enrich),
    ("identify", identify),
    ("buffer", buffer),
)


class StepFailed(RuntimeError):
    """A step raised; carries the step name so logs say where it broke."""

    def __init__(self, step, error):
        super().__init__(f"pipeline step '{step}' failed: {error}")
        self.step = step
        self.error = error


def run_pipeline(event, ctx, steps=STEPS):
    """(final event, None) when accepted, or (None, Drop) with the step's reason."""
    for name, step in steps:
        try:
            outcome = step(event, ctx)
        except Exception as exc:
            raise StepFailed(name, exc) from exc
        if isinstance(outcome, Drop):
            return None, outcome
        event = outcome
    return event, None
