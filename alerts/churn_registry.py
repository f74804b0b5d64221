"""The churn model registry: versioned artifacts on disk, listed in `churn_models`.

Each model gets a version (v1, v2... per site) and a directory
MODEL_DIR/SITE/VERSION holding model.json (the estimator: XGBoost's own
JSON, or Vigie's for the other kinds), calibration.json and card.json (the
model card, whose `kind` says which). The kind is also in the row's
parameters. The table row repeats the card's facts so models
can be listed and compared without reading files. Rows are never changed:
the promoted model of a site is its newest row with promoted = 1, so a model
that fails its baseline leaves the previous promoted one in place.
"""
import datetime
import json
import os
from dataclasses import dataclass

from vigie.alerts.churn_model import ChurnModel, ordered_importance

# The kinds of model a champion can be (alerts/churn_candidates), as people read them.
KIND_NAMES = {"paretonbd": "Pareto/NBD", "bgnbd": "BG/NBD", "logistic": "logistic regression",
              "xgboost": "XGBoost"}
_COLUMNS = ["site", "version", "created_at", "features", "parameters", "data_window", "metrics",
            "promoted", "promotion_note", "artifact_path", "feature_importance"]


class RegistryError(RuntimeError):
    """A model cannot be found or loaded; the message says which and why."""


@dataclass(frozen=True)
class ModelRecord:
    site: str
    version: str
    created_at: datetime.datetime
    features: tuple
    parameters: dict
    data_window: dict
    metrics: dict
    promoted: bool
    promotion_note: str
    artifact_path: str
    # ((feature, share of total gain), ...), largest first; () for models
    # registered before feature importance was recorded.
    feature_importance: tuple = ()


def _record(row):
    site, version, created_at, features, parameters, window, metrics, promoted, note, path, weights = row
    importance = tuple(tuple(p) for p in ordered_importance(json.loads(weights))) if weights else ()
    return ModelRecord(site, version, created_at, tuple(features), json.loads(parameters),
                       json.loads(window), json.loads(metrics), bool(promoted), note, path,
                       importance)


def next_version(store, site):
    count = store.query_value("SELECT count() FROM churn_models WHERE site = %(site)s", {"site": site})
    return f"v{int(count or 0) + 1}"


def register_model(store, model_dir, site, model, promoted, note):
    """Write the artifacts, then the row (a row never points at missing files)."""
    version = model.card["version"]
    path = os.path.abspath(os.path.join(model_dir, site, version))
    if os.path.exists(path):
        raise RegistryError(f"{path} already exists; the model directory and the store disagree")
    model.save(path)
    card = model.card
    store.insert("churn_models", _COLUMNS, [(
        site, version, datetime.datetime.fromisoformat(card["created_at"]), list(model.features),
        json.dumps(card["parameters"], sort_keys=True), json.dumps(card["data_window"], sort_keys=True),
        json.dumps(card["metrics"], sort_keys=True), int(promoted), note, path,
        json.dumps(ordered_importance(card.get("feature_importance", ()))))])
    return path


def _order(record):
    return record.created_at, int(record.version[1:])


def list_models(store, site):
    """Every model of a site, oldest first."""
    rows = store.query(f"SELECT {', '.join(_COLUMNS)} FROM churn_models WHERE site = %(site)s",
                       {"site": site})
    return sorted((_record(r) for r in rows), key=_order)


def promoted_record(store, site):
    """The record of the model that scores a site's clients, or None."""
    promoted = [r for r in list_models(store, site) if r.promoted]
    return promoted[-1] if promoted else None


def load_promoted(store, site):
    record = promoted_record(store, site)
    if record is None:
        raise RegistryError(f"{site} has no promoted churn model yet: run `vigie churn train --site {site}`")
    try:
        return record, ChurnModel.load(record.artifact_path)
    except (OSError, ValueError) as exc:
        raise RegistryError(f"model {record.version} of {site} cannot be loaded from "
                            f"{record.artifact_path}: {exc}") from exc
