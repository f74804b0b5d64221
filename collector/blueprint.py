"""HTTP face of the collector: a thin layer over Collector.ingest.

POST /api/event is answered by collector.event_endpoint, from the WSGI environ
alone; `vigie serve` even serves it outside Flask (EventFastPath). The route
here is the same endpoint for apps that mount only this blueprint.
"""
import os

from flask import Blueprint, Response, jsonify, request, send_file

from vigie.collector.event_endpoint import CORS_HEADERS, EventEndpoint

TRACKER_PATH = os.path.join(os.path.dirname(__file__), "static", "vigie.js")
# The opt-in web vitals script, served next to the tracker (docs/web-vitals.md).
VITALS_PATH = os.path.join(os.path.dirname(__file__), "static", "vitals.js")
TRACKER_MAX_AGE = 3600


def _answer(body, status):
    response = jsonify(body)
    response.status_code = status
    response.headers.update(CORS_HEADERS)
    return response


def _script(path):
    if not os.path.isfile(path):
        return _answer({"error": f"{os.path.basename(path)} has not been built (npm run build in "
                                 "js-snippet/)", "reason": "not_found"}, 404)
    response = send_file(path, mimetype="application/javascript",
                         max_age=TRACKER_MAX_AGE, etag=True, conditional=True)
    response.cache_control.public = True
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def create_collector_blueprint(collector, settings, tracker_path=TRACKER_PATH,
                               vitals_path=VITALS_PATH):
    """Routes: POST/OPTIONS /api/event, GET /js/vigie.js (served from tracker_path) and
    GET /js/vitals.js (from vitals_path).

    The blueprint's `event_endpoint` is what EventFastPath serves POST /api/event with.
    """
    bp = Blueprint("collector", __name__)
    endpoint = bp.event_endpoint = EventEndpoint(collector, settings)  # for EventFastPath

    @bp.route("/api/event", methods=["POST"], provide_automatic_options=False)
    def event():
        status, headers, body = endpoint.answer(request.environ)
        return Response(body, status=status, headers=headers)

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
        return _script(tracker_path)

    @bp.get("/js/vitals.js")
    def vitals_script():
        return _script(vitals_path)

    return bp
