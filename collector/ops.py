"""GET /metrics for Prometheus, guarded, and the spool figures /healthz reports.

Without a metrics_token only direct requests from the loopback address get
the figures: a request that came through a reverse proxy carries
X-Forwarded-For and is refused even though its TCP peer is 127.0.0.1, so
putting Vigie behind nginx never publishes /metrics by accident.
"""
import hashlib
import hmac
import ipaddress

from flask import Blueprint, Response, jsonify, request

from vigie.collector.metrics import merge, read_snapshots, render

PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _is_loopback(address):
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


def _digest(text):
    return hashlib.sha256(text.encode()).digest()


def _oldest_and_quarantined(collector):
    """(age in seconds of the oldest spooled row, quarantined segments) over every spool: a
    vitals report stuck on disk says as much about the store as an event does."""
    spools = collector.spools()
    return (max(spool.oldest_segment_age() for spool in spools),
            sum(spool.quarantined_count() for spool in spools))


def spool_health(collector):
    """The spool part of /healthz: this worker's spooled rows, every worker's oldest one."""
    oldest, quarantined = _oldest_and_quarantined(collector)
    return {"spooled_events": collector.spooled_count(),
            "oldest_spooled_seconds": round(oldest, 1),
            "quarantined_segments": quarantined}


def health_report(store, collector, settings):
    """(body, HTTP status) of GET /healthz.

    "degraded" (still 200) when the oldest spooled event is older than
    spool_degraded_seconds: events are accepted and kept on disk, but are not
    reaching the store. Still 200 because taking the worker out of a load
    balancer would refuse events the spool can keep; only a store that does
    not answer gives 503.
    """
    body = {"status": "ok", "store": store.backend,
            "buffered_events": collector.buffered_count(), **spool_health(collector)}
    if not store.ping():
        body["status"] = "unavailable"
        return body, 503
    if body["oldest_spooled_seconds"] > settings.spool_degraded_seconds:
        body["status"] = "degraded"
        body["reason"] = (f"the oldest spooled event is {body['oldest_spooled_seconds']:g}s old, "
                          f"over spool_degraded_seconds ({settings.spool_degraded_seconds:g}s): "
                          "events are not reaching the store")
    return body, 200


def metrics_text(collector):
    """Figures of every live process sharing the spool, this one's taken fresh."""
    spool = collector.buffer.spool
    own = spool.metrics_path()
    others = read_snapshots(p for p in spool.live_metrics_paths() if p != own)
    snapshots = [collector.metrics_snapshot()] + others
    return render(merge(snapshots), len(snapshots), *_oldest_and_quarantined(collector))


def create_ops_blueprint(collector, settings):
    bp = Blueprint("collector_ops", __name__)
    token_digest = _digest(settings.metrics_token) if settings.metrics_token else None

    def refusal():
        if token_digest is not None:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(_digest(token.strip()),
                                                                  token_digest):
                return None
            return jsonify({"error": "GET /metrics needs 'Authorization: Bearer <metrics_token>'",
                            "reason": "unauthorized"}), 401
        if _is_loopback(request.remote_addr) and "X-Forwarded-For" not in request.headers:
            return None
        return jsonify({"error": "/metrics is only served to loopback clients unless "
                                 "metrics_token is set", "reason": "forbidden"}), 403

    @bp.get("/metrics")
    def metrics():
        refused = refusal()
        if refused is not None:
            return refused
        return Response(metrics_text(collector), mimetype=None, content_type=PROMETHEUS_TYPE)

    return bp
