"""GET /api/v1/segments?site=DOMAIN: the saved segments of a site that the caller may apply.

Authentication and site access are the Stats API's (analytics.stats_request):
an API key lists its site's shared segments, a signed-in account the shared
ones and its own, an admin every one. Each entry gives the id to pass as
`segment=ID` to a stats endpoint. Segments are saved and changed from the
dashboard's report bar (docs/segments.md).
"""
from flask import Blueprint, jsonify, request

from vigie.analytics.stats_request import answer_errors, authenticate, readable_site
from vigie.warehouse.segments import site_segments

def segment_json(segment):
    return {"id": segment.segment_id, "name": segment.name, "filters": segment.filters,
            "visibility": segment.visibility, "owner": segment.owner,
            "created_at": segment.created_at.isoformat(), "updated_at": segment.updated_at.isoformat()}


def create_segments_blueprint(store, session_user):
    bp = Blueprint("segments_api", __name__, url_prefix="/api/v1/segments")

    @bp.route("", methods=["GET"], endpoint="list")
    def list_segments():
        principal = authenticate(store, request.headers.get("Authorization"), session_user)
        domain = readable_site(store, request.args, principal).domain
        segments = site_segments(store, domain, principal.reader)
        return jsonify(site=domain, results=[segment_json(s) for s in segments])

    answer_errors(bp, "segments api")
    return bp
