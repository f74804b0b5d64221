"""A small hand-built retention world for the churn, alerts and customers pages.

shop.example has four scored clients (two high, one medium, one low) and a
promoted model; other.example has one client the shop's team must never see.
Every number the tests expect is readable from the rows below.
"""
import datetime
import json

from tests.alert_factories import add_customers, add_purchases
from tests.factories import at
from vigie.warehouse.sites import add_site
from vigie.warehouse.users import add_user

SITE, OTHER = "shop.example", "other.example"
PASSWORD = "a long password"
RETENTION = "rita@shop.example"
MARKETER = "mia@shop.example"

_SCORE_COLUMNS = ["site", "customer_id", "as_of", "scored_at", "model_version", "probability",
                  "risk_band", "reasons", "reason_features"]
_MODEL_COLUMNS = ["site", "version", "created_at", "features", "parameters", "data_window",
                  "metrics", "promoted", "promotion_note", "artifact_path", "feature_importance"]

RELIABILITY = [{"low": 0.0, "high": 0.1, "clients": 700, "predicted": 0.04, "observed": 0.05},
               {"low": 0.5, "high": 0.6, "clients": 300, "predicted": 0.55, "observed": 0.5},
               {"low": 0.9, "high": 1.0, "clients": 200, "predicted": 0.93, "observed": 0.96}]
METRICS = {"model": {"roc_auc": 0.8123, "pr_auc": 0.6049, "brier": 0.1417, "lift_top_decile": 2.5,
                     "ece": 0.0304, "reliability": RELIABILITY},
           "recency_baseline": {"roc_auc": 0.7004, "pr_auc": 0.5, "brier": 0.2, "lift_top_decile": 1.75}}
# Shares of total gain as the registry stores them: [feature, share] pairs,
# largest first (not alphabetical); one unused feature.
IMPORTANCE = [["days_since_last_purchase", 0.625], ["visits_ratio_30d", 0.25], ["pricing_visits_30d", 0.125],
              ["refunds_count", 0.0]]
WINDOW = {"as_of": "2026-11-20", "horizon_days": 90, "training_clients": 1200, "training_churned": 300,
          "evaluation_labels": ["2026-08-22", "2026-11-20"]}


def scores(store, site, day, rows, scored_at="03:00:00"):
    """rows: (customer_id, probability, band, reasons)."""
    store.insert("churn_scores", _SCORE_COLUMNS, [
        (site, cid, datetime.date.fromisoformat(day), at(f"{day} {scored_at}"), "v1", p, band,
         list(reasons), ["f"] * len(reasons)) for cid, p, band, reasons in rows])


def model(store, site, promoted=True, version="v1",
          note="ROC AUC 0.812 beats the recency baseline's 0.700"):
    store.insert("churn_models", _MODEL_COLUMNS, [(
        site, version, at("2026-11-20 02:00:00"), [name for name, _ in IMPORTANCE], "{}",
        json.dumps(WINDOW), json.dumps(METRICS), int(promoted), note, f"/nowhere/{version}",
        json.dumps(IMPORTANCE))])


def accounts(store):
    add_user(store, RETENTION, PASSWORD, role="retention", sites=[SITE])
    add_user(store, MARKETER, PASSWORD, role="marketer", sites=[SITE])


def churn_world(store):
    add_site(store, SITE)
    add_site(store, OTHER)
    accounts(store)
    model(store, SITE)
    add_customers(store, ("c1", "2024-01-01", "active", "zoe"), ("c2", "2024-02-01", "active"),
                  ("c3", "2024-03-01", "active", "yann"), ("c4", "2024-04-01", "active"), site=SITE)
    add_purchases(store, "c1", "2026-07-01", site=SITE)
    add_purchases(store, "c2", "2026-09-15", "2026-10-02", site=SITE)
    add_purchases(store, "c4", "2026-11-10", site=SITE)
    # An older run: none of it may show.
    scores(store, SITE, "2026-11-01", [("c1", 0.5, "medium", ["old"]), ("c9", 0.99, "high", [])])
    scores(store, SITE, "2026-11-20", [
        ("c1", 0.91, "high", ["no purchase for 142 days", "visits down 80%", "plan downgraded"]),
        ("c2", 0.75, "high", ["orders down 50%", "no visit for 30 days"]),
        ("c3", 0.42, "medium", ["new client"]),
        ("c4", 0.08, "low", [])])
    model(store, OTHER)
    add_customers(store, ("b1", "2024-01-01", "active", "boris"), site=OTHER)
    scores(store, OTHER, "2026-11-20", [("b1", 0.99, "high", ["secret reason"])])


def alert(alert_id, customer_id, rule_name, severity="high", owner="", probability=0.91,
          site=SITE, opened="2026-11-20 06:00:00"):
    """An open alert as the alert run would write it."""
    from vigie.alerts.clock import NEVER
    from vigie.alerts.state import Alert
    return Alert(site=site, alert_id=alert_id, customer_id=customer_id, rule_id=f"r-{rule_name}",
                 rule_kind="risk_above", rule_name=rule_name, severity=severity, owner=owner,
                 state="open", detail=f"churn probability {probability:.0%} (threshold 70%)",
                 value=probability, probability=probability, reasons=("no purchase for 142 days",),
                 last_purchase=at("2026-07-01 12:00:00"), opened_at=at(opened), updated_at=at(opened),
                 snoozed_until=NEVER, resolved_at=NEVER, outcome="", note="")


def alerts_world(store):
    from vigie.alerts.state import resolve, save_run
    churn_world(store)
    opened = [alert("a00000000001", "c1", "Risk above 70%", owner="zoe"),
              alert("a00000000002", "c2", "Risk above 70%", severity="medium", probability=0.75,
                    opened="2026-11-21 06:00:00"),
              alert("a00000000003", "c3", "Spend dropped", probability=0.42),
              alert("a00000000004", "c4", "Spend dropped", probability=0.08),
              alert("b00000000001", "b1", "Risk above 70%", site=OTHER, probability=0.99)]
    save_run(store, opened, [], at("2026-11-21 06:00:00"))
    resolve(store, "a00000000003", "churned", "vigie", now=at("2026-11-22 09:00:00"))
    resolve(store, "a00000000004", "retained", "vigie", now=at("2026-11-22 09:00:00"))
    store.insert("alert_deliveries", ["site", "alert_id", "channel", "target", "attempt", "status",
                                      "error", "ts"],
                 [(SITE, "a00000000001", "team-mail", "mailto://team@shop.example", 1, "sent", "",
                   at("2026-11-20 06:01:00")),
                  (OTHER, "b00000000001", "other-hook", "https://other.example/hook", 1, "sent", "",
                   at("2026-11-20 06:01:00"))])
