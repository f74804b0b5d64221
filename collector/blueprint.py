"""HTTP face of the collector: a thin layer over Collector.ingest."""
import os

from flask import Blueprint, Response, jsonify, request, send_file

from collector.pipeline import ClientInfo

TRACKER_PATH = os.path.join(os.path.dirname(__file__), "static", "vigie.js")

# The tracker posts text/plain from any site's origin: no preflight is needed,
# but the response must be readable cross-origin for fetch() fallbacks.
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "86400",
}


def client_info(req, trust_proxy_headers):
    ip = req.remote_addr or ""
    if trust_proxy_headers:
        forwarded = req.headers.get("X-Forwarded-For", "")
        first = forwarded.split(",")[0].strip()
        if first:
            ip = first
    return ClientInfo(ip=ip, user_agent=req.headers.get("User-Agent", ""),
                      accept_language=req.headers.get("Accept-Language", ""))


def _answer(body, status):
    response = jsonify(body)
    response.status_code = status
    response.headers.update(CORS_HEADERS)
    return response


def create_collector_blueprint(collector, settings, tracker_path=TRACKER_PATH):
    bp = Blueprint("collector", __name__)
    cap = settings.max_payload_bytes

    @bp.route("/api/event", methods=["POST"], provide_automatic_options=False)
    def event():
        declared = request.content_length
        if declared is not None and declared > cap:
            return _answer({"error": f"body of {declared} bytes exceeds the {cap}-byte limit"}, 413)
        body = request.stream.read(cap + 1)
        if len(body) > cap:
            return _answer({"error": f"body exceeds the {cap}-byte limit"}, 413)
        result = collector.ingest(body, client_info(request, settings.trust_proxy_headers))
        if result.accepted:
            return _answer({"accepted": 1}, 202)
        if result.status == 202:  # dropped on purpose (bots): the sender has nothing to fix
            return _answer({"accepted": 0, "dropped": result.reason}, 202)
        return _answer({"error": result.message, "reason": result.reason}, result.status)

    @bp.route("/api/event", methods=["OPTIONS"])
    def event_preflight():
        response = Response(status=204)
        response.headers.update(CORS_HEADERS)
        return response

    @bp.route("/api/event", methods=["GET", "PUT", "DELETE", "PATCH"])
    def event_wrong_method():
        return _answer({"error": "send events with POST"}, 405)

    @bp.get("/js/vigie.js")
    def tracker():
        if not os.path.exists(tracker_path):
            return _answer({"error": "the tracker has not been built (npm run build in js-snippet/)"}, 404)
        response = send_file(tracker_path, mimetype="application/javascript", max_age=3600,
                             etag=True, conditional=True)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    return bp


