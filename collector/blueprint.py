"""HTTP face of the collector: a thin layer over Collector.ingest."""
import logging
import os

from flask import Blueprint, Response, jsonify, request, send_file

from collector.limits import IngestLimits, site_key
from collector.pipeline import ClientInfo
from collector.validate import BadEvent, parse_body

log = logging.getLogger(__name__)

TRACKER_PATH = os.path.join(os.path.dirname(__file__), "static", "vigie.js")
TRACKER_MAX_AGE = 3600

# The tracker posts text/plain from any site's origin: no preflight is needed,
# but the response must be readable cross-origin for fetch() fallbacks.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}


class BodyTooLarge(ValueError):
    pass


def client_info(req, trust_proxy_headers):
    """The sender's facts. X-Forwarded-For is only believed behind a trusted proxy."""
    ip = req.remote_addr or ""
    if trust_proxy_headers:
        first = req.headers.get("X-Forwarded-For", "").split(",")[0].strip()
        if first:
            ip = first
    return ClientInfo(ip=ip, user_agent=req.headers.get("User-Agent", ""),
                      accept_language=req.headers.get("Accept-Language", ""),
                      do_not_track=req.headers.get("DNT", ""),
                      global_privacy_control=req.headers.get("Sec-GPC", ""))


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


# The answer to nearly every request, built once: jsonify per event is measurable.
ACCEPTED_BODY = b'{"accepted":1}\n'


ACCEPTED_HEADERS = [("Content-Type", "application/json"), *CORS_HEADERS.items()]


def _accepted():
    return Response(ACCEPTED_BODY, status=202, headers=ACCEPTED_HEADERS)


def _answer(body, status):
    response = jsonify(body)
    response.status_code = status
    response.headers.update(CORS_HEADERS)
    return response


def _refused(collector, refusal, domain):
    reason, message, retry_after = refusal
    collector.count_rate_limited(reason, domain)
    response = _answer({"error": message, "reason": reason}, 429)
    response.headers["Retry-After"] = str(retry_after)
    return response


def _domain_of(req, cap):
    """The site an over-limit request names, for its owner's count; '' if it names none.

    Read only to attribute the refusal: the body goes no further than the parse.
    """
    declared = req.content_length
    if declared is not None and declared > cap:
        return ""
    try:
        return site_key(parse_body(read_capped(req.stream, cap)))
    except (BodyTooLarge, BadEvent):
        return ""


def create_collector_blueprint(collector, settings, tracker_path=TRACKER_PATH):
    """Routes: POST/OPTIONS /api/event and GET /js/vigie.js (served from tracker_path)."""
    bp = Blueprint("collector", __name__)
    cap = settings.max_payload_bytes
    limits = IngestLimits(settings.rate_limit_per_ip, settings.rate_limit_per_site)

    def receive():
        client = client_info(request, settings.trust_proxy_headers)
        refusal = limits.refuse_ip(client.ip)  # before the pipeline: a flood costs little
        if refusal:
            return _refused(collector, refusal, _domain_of(request, cap))
        declared = request.content_length
        if declared is not None and declared > cap:
            collector.count_drop("too_large")
            return _answer({"error": f"body of {declared} bytes exceeds the {cap}-byte limit",
                            "reason": "too_large"}, 413)
        try:
            body = read_capped(request.stream, cap)
        except BodyTooLarge as exc:
            collector.count_drop("too_large")
            return _answer({"error": str(exc), "reason": "too_large"}, 413)
        try:
            # Parsed once here for the site's bucket; the pipeline takes the dict as is.
            # A body that does not parse goes in raw so the parse step words the 400.
            body = parse_body(body)
        except BadEvent:
            pass
        domain = site_key(body)
        refusal = limits.refuse_site(domain)
        if refusal:
            return _refused(collector, refusal, domain)
        result = collector.ingest(body, client)
        if result.accepted:
            if result.ignored:
                # Names fields the site does not accept (customer_id without opt-in).
                return _answer({"accepted": 1, "ignored": list(result.ignored)}, 202)
            return _accepted()
        if result.status == 202:  # dropped on purpose (bots, spam, privacy): nothing to fix
            return _answer({"accepted": 0, "dropped": result.reason}, 202)
        return _answer({"error": result.message, "reason": result.reason}, result.status)

    @bp.route("/api/event", methods=["POST"], provide_automatic_options=False)
    def event():
        try:
            return receive()
        except Exception:
            # Whatever broke, the tracker gets JSON, and the log gets the path, not the sender.
            log.exception("POST /api/event failed outside the pipeline")
            return _answer({"error": "the event could not be processed and was not stored; "
                                     "retry later", "reason": "internal_error"}, 503)

    @bp.route("/api/event", methods=["OPTIONS"])
    def event_preflight():
        response = Response(status=204)
        response.headers.update(CORS_HEADERS)
        return response

    @bp.route("/api/event", methods=["GET", "PUT", "DELETE", "PATCH"])
    def event_wrong_method():
        response = _answer({"error": f"{request.method} is not supported here; send events "
                                     "with POST", "reason": "method_not_allowed"}, 405)
        response.headers["Allow"] = "POST, OPTIONS"
        return response

    @bp.get("/js/vigie.js")
    def tracker():
        if not os.path.isfile(tracker_path):
            return _answer({"error": "the tracker has not been built (npm run build in js-snippet/)",
                            "reason": "not_found"}, 404)
        response = send_file(tracker_path, mimetype="application/javascript",
                             max_age=TRACKER_MAX_AGE, etag=True, conditional=True)
        response.cache_control.public = True
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    return bp
