"""HTTP face of the server-side API: POST /api/v1/events, authenticated by API key.

Thin: authentication, the byte cap and the batch shape are checked here, and
collector.batch does the rest. Every answer is JSON; failures never become a
500, and the log names the key id and site, never the token or an address.
"""
import logging

from flask import Blueprint, jsonify, request

from vigie.collector.batch import MAX_BATCH_EVENTS, BadBatch, ingest_batch, parse_batch
from vigie.collector.event_endpoint import BodyTooLarge, client_of, read_capped
from vigie.collector.pipeline import ClientInfo
from vigie.warehouse import StoreError
from vigie.warehouse.api_keys import bearer_token, verify_api_key

log = logging.getLogger(__name__)


def _error(status, reason, message, **headers):
    response = jsonify({"error": message, "reason": reason})
    response.status_code = status
    response.headers.update(headers)
    return response


def _unauthorized(message):
    # RFC 6750: a 401 says which scheme to use.
    return _error(401, "unauthorized", message, **{"WWW-Authenticate": 'Bearer realm="vigie"'})


def create_server_api_blueprint(collector, store, settings):
    """Routes: POST /api/v1/events (and a JSON 405 for other methods)."""
    bp = Blueprint("server_api", __name__)
    cap = settings.api_max_payload_bytes

    def authenticate():
        """(ApiKey, None) or (None, the 401 response)."""
        header = request.headers.get("Authorization", "")
        if not header.strip():
            return None, _unauthorized("an API key is required: send 'Authorization: Bearer "
                                       "<key>' (create one with: vigie keys add DOMAIN)")
        token = bearer_token(header)
        if not token:
            return None, _unauthorized("the Authorization header must read 'Bearer <key>'")
        key = verify_api_key(store, token)
        if key is None:
            return None, _unauthorized("the API key is unknown or revoked")
        return key, None

    def receive():
        key, refusal = authenticate()
        if refusal is not None:
            return refusal
        declared = request.content_length
        if declared is not None and declared > cap:
            return _error(413, "too_large", f"body of {declared} bytes exceeds the {cap}-byte "
                                            "limit (api_max_payload_bytes); send smaller batches")
        try:
            events = parse_batch(read_capped(request.stream, cap), MAX_BATCH_EVENTS)
        except BodyTooLarge:
            return _error(413, "too_large", f"body exceeds the {cap}-byte limit "
                                            "(api_max_payload_bytes); send smaller batches")
        except BadBatch as exc:
            return _error(400, "bad_request", str(exc))
        sender = client_of(request.environ, settings.trust_proxy_headers)
        caller = ClientInfo(ip=sender.ip, user_agent=f"vigie-api {key.key_id}")
        result = ingest_batch(collector, key.site, events, caller, settings.backfill_max_days)
        if result.rejected:
            log.info("API key %s (site %s): %d events accepted, %d rejected", key.key_id,
                     key.site, result.accepted, len(result.rejected))
        return jsonify(result.as_json()), (207 if result.rejected else 200)

    @bp.route("/api/v1/events", methods=["POST"])
    def events():
        try:
            return receive()
        except StoreError as exc:
            log.error("POST /api/v1/events: store unavailable: %s", exc)
            return _error(503, "store_unavailable", "the event store is unavailable; nothing "
                                                    "from this request was stored; retry later")
        except Exception:
            log.exception("POST /api/v1/events failed outside the pipeline")
            return _error(503, "internal_error", "the request could not be processed; retry later")

    @bp.route("/api/v1/events", methods=["GET", "PUT", "DELETE", "PATCH"])
    def events_wrong_method():
        return _error(405, "method_not_allowed", f"{request.method} is not supported here; send "
                                                 "events with POST", Allow="POST")

    return bp
