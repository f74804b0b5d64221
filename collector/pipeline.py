"""The ingestion pipeline: an ordered list of named steps.

Each step takes the incoming event and the pipeline context and returns the
event, enriched, or a Drop saying why it stops there. The HTTP route, the
demo and later the server-side APIs all go through `run_pipeline`.
"""
import datetime
import operator
import uuid
from dataclasses import dataclass, field
from typing import Any

from collector import enrich as enrichment
from collector.identity import visitor_id
from collector.validate import BadEvent, parse_body, validate_payload
from warehouse.events import EVENT_COLUMNS

_ROW = operator.itemgetter(*EVENT_COLUMNS)  # fields dict -> row tuple, in one C call


@dataclass(frozen=True)
class ClientInfo:
    """What the request tells about the sender. The IP only ever enters the visitor hash."""
    ip: str
    user_agent: str
    accept_language: str = ""


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
    return event


def enrich(event, ctx):
    """Columns derived from the user agent, URLs and headers; bots stop here."""
    f = event.fields
    browser, browser_version, os_name, os_version, device, is_bot = \
        enrichment.describe_user_agent(event.client.user_agent)
    if is_bot:
        return Drop("bot", 202, "bot traffic is counted, not stored")
    f.update(enrichment.utm_tags(f["url"]))
    f.update(
        browser=browser, browser_version=browser_version, os=os_name, os_version=os_version,
        device=device, pathname=enrichment.pathname(f["url"]),
        referrer_host=enrichment.referrer_host(f["referrer"], event.site),
        language=enrichment.language(event.client.accept_language),
        country="", region="",  # empty until a locally shipped IP database is added
        source="", search_term="", channel="", click_id="", screen_class="",
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
    """The row, in warehouse.events.EVENT_COLUMNS order, joins the write buffer."""
    values = dict(event.fields, event_id=uuid.uuid4(), site=event.site.domain,
                  ts=event.received_at.replace(microsecond=0))
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
