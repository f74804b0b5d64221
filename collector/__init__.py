"""The collector: POST /api/event, the ingestion pipeline and the write buffer."""
from vigie.collector.blueprint import create_collector_blueprint
from vigie.collector.pipeline import ClientInfo, Drop, STEPS
from vigie.collector.service import Collector, Result

__all__ = ["Collector", "ClientInfo", "Drop", "Result", "STEPS", "create_collector_blueprint"]
