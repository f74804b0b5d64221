"""POST /api/v1/customers and /api/v1/transactions: client data from a CRM or billing system.

A thin layer: authenticate the API key (its site is the site written to),
read a bounded JSON body, turn each item into the field -> text mapping the
CSV importer also builds, and hand it to the same validator. Valid items are
stored in one batch; the others come back with their index and reason.
"""
import json
import logging
from zoneinfo import ZoneInfo

from flask import Blueprint, jsonify, request

from vigie.alerts.client_data.fields import Parsing
from vigie.alerts.client_data.kinds import CUSTOMERS, TRANSACTIONS
from vigie.alerts.client_data.writes import ORIGIN_API, new_version
from vigie.warehouse.api_keys import bearer_token, verify_api_key
from vigie.warehouse.sites import get_site
from vigie.warehouse.store import StoreError

log = logging.getLogger(__name__)

MAX_ITEMS = 1000
# 1,000 items of a couple of kilobytes each, with room for attributes.
MAX_BODY_BYTES = 4 * 1024 * 1024


class ApiError(Exception):
    """A request refused as a whole: status, message and a machine-readable reason."""

    def __init__(self, status, message, reason):
        super().__init__(message)
        self.status, self.reason = status, reason


def _error(status, message, reason):
    response = jsonify(error=message, reason=reason)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="vigie"'
    return response


def _site_of_request(store):
    token = bearer_token(request.headers.get("Authorization"))
    if not token:
        raise ApiError(401, "missing API key: send 'Authorization: Bearer <key>' "
                            "(an API key of the site)", "unauthorized")
    key = verify_api_key(store, token)
    if key is None:
        raise ApiError(401, "the API key is not valid (mistyped or revoked)", "unauthorized")
    site = get_site(store, key.site)
    if site is None:
        raise ApiError(403, f"the key's site {key.site} is no longer registered", "forbidden")
    return site, key


def _read_body():
    declared = request.content_length
    if declared is not None and declared > MAX_BODY_BYTES:
        raise ApiError(413, f"body of {declared} bytes exceeds the {MAX_BODY_BYTES}-byte limit",
                       "too_large")
    # The bytes actually received are counted (a chunked upload declares no
    # length); each read returns at least one byte or ends the body.
    chunks, size = [], 0
    while size <= MAX_BODY_BYTES:
        chunk = request.stream.read(MAX_BODY_BYTES + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    body = b"".join(chunks)
    if size > MAX_BODY_BYTES:
        raise ApiError(413, f"body exceeds the {MAX_BODY_BYTES}-byte limit", "too_large")
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "body is not UTF-8", "bad_request") from None
    except ValueError as exc:
        raise ApiError(400, f"body is not valid JSON: {exc}", "bad_request") from None
    except RecursionError:
        raise ApiError(400, "body is nested too deeply: expected an object or a list of "
                            "flat objects", "bad_request") from None


def _items(payload, kind):
    if not isinstance(payload, dict):
        raise ApiError(400, f"body must be a JSON object like {{\"{kind.name}\": [...]}}, "
                            f"got {type(payload).__name__}", "bad_request")
    items = payload.get(kind.name)
    if not isinstance(items, list):
        raise ApiError(400, f"body must have a {kind.name!r} list", "bad_request")
    if not items:
        raise ApiError(400, f"the {kind.name!r} list is empty", "bad_request")
    if len(items) > MAX_ITEMS:
        raise ApiError(413, f"{len(items)} {kind.name} in one request; at most {MAX_ITEMS}",
                       "too_large")
    return items


def _text(value):
    """An item's value as the text the shared validator reads; ValueError for other types."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"must be a string or a number, got {type(value).__name__}")


def _item_values(item, kind):
    """(values, attributes, problems) of one item: the same shape a CSV row takes."""
    if not isinstance(item, dict):
        return {}, [], [("", f"item must be a JSON object, got {type(item).__name__}")]
    values, attributes, problems = {}, [], []
    for key, value in item.items():
        if key == "attributes" and kind.keeps_attributes:
            if not isinstance(value, dict):
                problems.append(("attributes", "must be a JSON object of name: value"))
                continue
            for name, text in value.items():
                try:
                    attributes.append((name, _text(text)))
                except ValueError as exc:
                    problems.append((f"attributes.{name}", str(exc)))
        elif key in kind.fields:
            try:
                values[key] = _text(value)
            except ValueError as exc:
                problems.append((key, str(exc)))
        else:
            problems.append((key, f"unknown field (fields: {', '.join(kind.fields)}"
                                  f"{', attributes' if kind.keeps_attributes else ''})"))
    return values, attributes, problems


def receive(store, kind):
    """Validate and store one request's items; returns (body, status)."""
    site, key = _site_of_request(store)
    items = _items(_read_body(), kind)
    session = kind.session(Parsing(timezone=ZoneInfo(site.timezone)))
    records, rejected = [], []
    for index, item in enumerate(items):
        values, attributes, problems = _item_values(item, kind)
        if not problems:
            record, found = session.validate(values, attributes, f"item {index}")
            problems = [(p.field, p.reason) for p in found]
            if record is not None:
                records.append(record)
        rejected.extend({"index": index, "field": f, "reason": r} for f, r in problems)
    if records:
        kind.session.write(store, site.domain, records, ORIGIN_API, new_version())
    log.info("API key %s stored %d %s for %s; %d items rejected", key.key_id, len(records),
             kind.name, site.domain, len({r["index"] for r in rejected}))
    body = {"accepted": len(records), "rejected": rejected}
    if records:
        return body, 200
    return dict(body, error=f"none of the {len(items)} {kind.name} could be stored",
                reason="invalid"), 400


def create_client_data_blueprint(store):
    """Routes: POST /api/v1/customers and POST /api/v1/transactions."""
    bp = Blueprint("client_data", __name__)

    def handle(kind):
        try:
            body, status = receive(store, kind)
            return jsonify(body), status
        except ApiError as exc:
            return _error(exc.status, str(exc), exc.reason)
        except StoreError:
            log.exception("POST /api/v1/%s: the store failed", kind.name)
            return _error(503, f"the {kind.name} could not be stored; nothing was written, "
                               "retry later", "unavailable")
        except Exception:
            log.exception("POST /api/v1/%s failed", kind.name)
            return _error(503, f"the {kind.name} could not be processed; retry later",
                          "internal_error")

    for kind in (CUSTOMERS, TRANSACTIONS):
        path = f"/api/v1/{kind.name}"
        bp.add_url_rule(path, f"post_{kind.name}", lambda kind=kind: handle(kind),
                        methods=["POST"])
        bp.add_url_rule(path, f"other_{kind.name}", _wrong_method,
                        methods=["GET", "PUT", "DELETE", "PATCH"])
    return bp


def _wrong_method():
    response = _error(405, f"{request.method} is not supported here; send data with POST",
                      "method_not_allowed")
    response.headers["Allow"] = "POST"
    return response
