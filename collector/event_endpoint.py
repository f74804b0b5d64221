"""POST /api/event as a plain WSGI handler, and the middleware that serves it outside Flask.

This route takes nearly all of a collector's traffic, and Flask's request
context (URL matching, the whole app's before/after hooks, sessions, a
Response object) costs about as much CPU as the pipeline behind it while the
route needs none of it. So the answer is worked out from the WSGI environ
alone; the blueprint's route and `EventFastPath` both call the same
`EventEndpoint`, so the answers are the same whichever way a request comes.
"""
import json
import logging

from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wsgi import get_content_length, get_input_stream

from vigie.collector.limits import IngestLimits, site_key
from vigie.collector.pipeline import ClientInfo
from vigie.collector.validate import BadEvent, parse_body

log = logging.getLogger(__name__)

EVENT_PATH = "/api/event"

# The tracker posts text/plain from any site's origin: no preflight is needed,
# but the response must be readable cross-origin for fetch() fallbacks.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}
_JSON_HEADERS = (("Content-Type", "application/json"), *CORS_HEADERS.items())
# The answer to nearly every request, built once.
ACCEPTED_BODY = b'{"accepted":1}\n'
_STATUS_LINES = {code: f"{code} {phrase}" for code, phrase in HTTP_STATUS_CODES.items()}


class BodyTooLarge(ValueError):
    pass


def read_capped(stream, cap):
    """At most cap bytes of the body; BodyTooLarge as soon as byte cap+1 arrives.

    A declared Content-Length can lie or be absent (chunked uploads), so the
    bytes actually read are what is counted. Each read returns at least one
    byte or ends the body, so the loop runs at most cap+1 times.
    """
    chunks, size = [], 0
    while size <= cap:
        chunk = stream.read(cap + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > cap:
        raise BodyTooLarge(f"body exceeds the {cap}-byte limit")
    return b"".join(chunks)


def client_of(environ, trust_proxy_headers):
    """The sender's facts. X-Forwarded-For is only believed behind a trusted proxy."""
    ip = environ.get("REMOTE_ADDR") or ""
    if trust_proxy_headers:
        first = environ.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        if first:
            ip = first
    return ClientInfo(ip=ip, user_agent=environ.get("HTTP_USER_AGENT", ""),
                      accept_language=environ.get("HTTP_ACCEPT_LANGUAGE", ""),
                      do_not_track=environ.get("HTTP_DNT", ""),
                      global_privacy_control=environ.get("HTTP_SEC_GPC", ""))


def json_answer(status, body, *extra_headers):
    """(status, headers, body) with the JSON Flask's jsonify would write (compact, sorted keys)."""
    data = (json.dumps(body, sort_keys=True, separators=(",", ":")) + "\n").encode()
    return status, [*_JSON_HEADERS, *extra_headers], data


class EventEndpoint:
    """What POST /api/event answers: the checks before the pipeline, then Collector.ingest."""

    def __init__(self, collector, settings):
        self.collector = collector
        self.cap = settings.max_payload_bytes
        self.trust_proxy_headers = settings.trust_proxy_headers
        self.limits = IngestLimits(settings.rate_limit_per_ip, settings.rate_limit_per_site)

    def answer(self, environ):
        """(status, headers, body bytes) for one request; never raises."""
        try:
            return self._receive(environ)
        except Exception:
            # Whatever broke, the tracker gets JSON, and the log gets the path, not the sender.
            log.exception("POST /api/event failed outside the pipeline")
            return json_answer(503, {"error": "the event could not be processed and was not "
                                              "stored; retry later", "reason": "internal_error"})

    def __call__(self, environ, start_response):
        """The WSGI application for this one route."""
        status, headers, body = self.answer(environ)
        headers.append(("Content-Length", str(len(body))))
        start_response(_STATUS_LINES[status], headers)
        return [body]

    def _receive(self, environ):
        collector, cap = self.collector, self.cap
        client = client_of(environ, self.trust_proxy_headers)
        refusal = self.limits.refuse_ip(client.ip)  # before the pipeline: a flood costs little
        if refusal:
            return self._refused(refusal, self._domain_of(environ))
        declared = get_content_length(environ)
        if declared is not None and declared > cap:
            collector.count_drop("too_large")
            return json_answer(413, {"error": f"body of {declared} bytes exceeds the {cap}-byte "
                                              "limit", "reason": "too_large"})
        try:
            body = read_capped(get_input_stream(environ, max_content_length=None), cap)
        except BodyTooLarge as exc:
            collector.count_drop("too_large")
            return json_answer(413, {"error": str(exc), "reason": "too_large"})
        try:
            # Parsed once here for the site's bucket; the pipeline takes the dict as is.
            # A body that does not parse goes in raw so the parse step words the 400.
            body = parse_body(body)
        except BadEvent:
            pass
        domain = site_key(body)
        refusal = self.limits.refuse_site(domain)
        if refusal:
            return self._refused(refusal, domain)
        result = collector.ingest(body, client)
        if result.accepted:
            if result.ignored:
                # Names fields the site does not accept (customer_id without opt-in).
                return json_answer(202, {"accepted": 1, "ignored": list(result.ignored)})
            return 202, list(_JSON_HEADERS), ACCEPTED_BODY
        if result.status == 202:  # dropped on purpose (bots, spam, privacy): nothing to fix
            return json_answer(202, {"accepted": 0, "dropped": result.reason})
        return json_answer(result.status, {"error": result.message, "reason": result.reason})

    def _refused(self, refusal, domain):
        reason, message, retry_after = refusal
        self.collector.count_rate_limited(reason, domain)
        return json_answer(429, {"error": message, "reason": reason},
                           ("Retry-After", str(retry_after)))

    def _domain_of(self, environ):
        """The site an over-limit request names, for its owner's count; '' if it names none.

        Read only to attribute the refusal: the body goes no further than the parse.
        """
        declared = get_content_length(environ)
        if declared is not None and declared > self.cap:
            return ""
        try:
            return site_key(parse_body(read_capped(get_input_stream(environ, max_content_length=None),
                                                   self.cap)))
        except (BodyTooLarge, BadEvent):
            return ""


class EventFastPath:
    """WSGI middleware: POST /api/event goes straight to the endpoint, the rest to Flask.

    The route stays registered in Flask too (tests and apps that mount only
    the blueprint use it); this only spares the tracker's requests the framework.
    """

    def __init__(self, wsgi_app, endpoint):
        self.wsgi_app, self.endpoint = wsgi_app, endpoint

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == EVENT_PATH and environ.get("REQUEST_METHOD") == "POST":
            return self.endpoint(environ, start_response)
        return self.wsgi_app(environ, start_response)
