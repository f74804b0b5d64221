"""The churn page over HTTP: numbers from hand-built scores, CSV export, and who may see what."""
import datetime
import json

from vigie.alerts.churn_queries import risk_trend
from vigie.dashboard.churn_view import importance_table, model_card
from tests.dashboard.conftest import dash_post, find_component, login
from tests.dashboard.retention_data import (MARKETER, OTHER, PASSWORD, RETENTION, SITE, accounts,
                                            churn_world, model, scores)
from tests.dashboard.test_overview_callbacks import call
from tests.dashboard.test_settings_page import page
from vigie.warehouse.sites import add_site

OUTPUTS = [("churn-message", "children"), ("churn-bands-panel", "children"),
           ("churn-histogram", "children"), ("churn-table", "children"),
           ("churn-model", "children"), ("churn-report", "style"), ("churn-shown", "data")]


def show(client, **query):
    answer = call(client, OUTPUTS, [("churn-query", "data", query)])
    shown = {name: answer[name][prop] for name, prop in OUTPUTS}
    # Once the bands and the table are drawn, the value card starts from the same query.
    assert shown.pop("churn-shown") == query
    return shown


def export(client, **query):
    return call(client, [("churn-download", "data"), ("churn-export-message", "children")],
                [("churn-export", "n_clicks", 1)], [("churn-query", "data", query)])


def texts(component):
    """Every string inside a component, in document order."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, list):
        return [t for c in component for t in texts(c)]
    if isinstance(component, dict):
        return texts(component.get("props", {}).get("children"))
    return []


def table_rows(table):
    """The at-risk table's rows as shown; the client cell must link to the client's timeline."""
    rows = []
    for row in find_component(table, "at-risk-table")["props"]["data"]:
        assert row["client"] == f"[{row['customer_id']}](/customers?site={SITE}&client={row['customer_id']})"
        rows.append([row[key] for key in ("customer_id", "probability", "risk_band", "reason_1",
                                          "reason_2", "reason_3", "last_purchase", "owner")])
    return rows


def signed_in_as(client, email):
    assert login(client, email, PASSWORD).status_code == 302
    return client


def test_bands_table_and_model_card_come_from_the_latest_run(client, store):
    churn_world(store)
    shown = show(signed_in_as(client, RETENTION), site=SITE)
    assert shown["churn-message"] is None and shown["churn-report"] == {}
    assert [texts(find_component(shown["churn-bands-panel"], f"band-{b}")) for b in ("high", "medium", "low")] \
        == [["High risk", "2"], ["Medium risk", "1"], ["Low risk", "1"]]
    histogram = find_component(shown["churn-histogram"], "churn-probabilities")
    # Clients per 5-point bin, counted in the store: 0.08, 0.42, 0.75 and 0.91 of the latest run.
    bars = histogram["props"]["figure"]["data"][0]
    assert bars["y"] == [0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0]
    assert bars["x"][:2] == [0.025, 0.075] and len(bars["x"]) == 20
    assert texts(find_component(shown["churn-table"], "at-risk-count")) == ["1–4 of 4 clients"]
    assert table_rows(shown["churn-table"]) == [
        ["c1", "91.0%", "high", "no purchase for 142 days", "visits down 80%", "plan downgraded",
         "2026-07-01", "zoe"],
        ["c2", "75.0%", "high", "orders down 50%", "no visit for 30 days", "", "2026-10-02", "—"],
        ["c3", "42.0%", "medium", "new client", "", "", "—", "yann"],
        ["c4", "8.0%", "low", "", "", "", "2026-11-10", "—"]]
    card = texts(shown["churn-model"])
    assert card[:4] == ["Version", "v1", "Trained", "2026-11-20 02:00 UTC"]
    assert "2026-08-22 to 2026-11-20" in card and "1,200 (300 churned)" in card
    metrics = texts(find_component(shown["churn-model"], "model-metrics"))
    assert metrics[6:] == ["Model", "0.812", "0.605", "0.142", "0.030", "2.50×",
                           "Recency baseline", "0.700", "0.500", "0.200", "—", "1.75×"]
    # The reliability curve: predicted against observed per bin, beside the diagonal.
    [diagonal, curve] = find_component(shown["churn-model"], "model-reliability")["props"]["figure"]["data"]
    assert diagonal["x"] == [0, 1] and diagonal["y"] == [0, 1]
    assert curve["x"] == [0.04, 0.55, 0.93] and curve["y"] == [0.05, 0.5, 0.96]
    assert list(curve["customdata"]) == [700, 300, 200]
    # Top features: shares of total gain, the unused one left out, bars relative to the first.
    importance = find_component(shown["churn-model"], "model-importance")
    assert texts(importance) == ["Feature", "Share of gain", "", "days_since_last_purchase", "62.5%",
                                 "visits_ratio_30d", "25.0%", "pricing_visits_30d", "12.5%"]
    bars = [row["props"]["children"][2]["props"]["children"]["props"]["style"]["width"]
            for row in importance["props"]["children"][1]["props"]["children"]]
    assert bars == ["100%", "40%", "20%"]
    assert "Top features (of 4)" in card


def test_band_filter_and_sort_order(client, store):
    churn_world(store)
    signed_in_as(client, RETENTION)
    assert [r[0] for r in table_rows(show(client, site=SITE, band="high")["churn-table"])] == ["c1", "c2"]
    assert [r[0] for r in table_rows(show(client, site=SITE, sort="asc")["churn-table"])] == \
        ["c4", "c3", "c2", "c1"]
    assert find_component(show(client, site=SITE, band="medium", sort="asc")["churn-table"],
                          "at-risk-table") is not None
    assert texts(show(client, site=OTHER + "x")["churn-message"]) == \
        ["No site named “other.examplex” is registered. Pick one from the list."]


def test_the_at_risk_table_is_paged_by_the_store_with_links(client, store):
    from vigie.dashboard.pages.churn import PAGE_SIZE
    churn_world(store)
    extra = [(f"k{n:03d}", 0.5 - n / 1000, "medium", []) for n in range(PAGE_SIZE + 2)]
    scores(store, SITE, "2026-11-20", extra)
    signed_in_as(client, RETENTION)
    first = show(client, site=SITE, band="medium")
    assert [r[0] for r in table_rows(first["churn-table"])] == ["k000"] + [f"k{n:03d}" for n in range(1, PAGE_SIZE)]
    assert texts(find_component(first["churn-table"], "at-risk-count")) == [f"1–{PAGE_SIZE} of {PAGE_SIZE + 3} clients"]
    assert find_component(first["churn-table"], "at-risk-next")["props"]["href"] == \
        f"/churn?site={SITE}&band=medium&page=2"
    second = show(client, site=SITE, band="medium", page="2")
    # 0.5 - 50/1000 = 0.45 and 0.449 rank above c3's 0.42, which comes last.
    assert [r[0] for r in table_rows(second["churn-table"])] == [f"k{PAGE_SIZE:03d}", f"k{PAGE_SIZE + 1:03d}", "c3"]
    assert texts(find_component(second["churn-table"], "at-risk-count")) == \
        [f"{PAGE_SIZE + 1}–{PAGE_SIZE + 3} of {PAGE_SIZE + 3} clients"]
    assert find_component(second["churn-table"], "at-risk-previous")["props"]["href"] == \
        f"/churn?site={SITE}&band=medium"
    assert texts(show(client, site=SITE, page="9")["churn-table"]) == ["No client on page 9."]
    assert texts(show(client, site=SITE, page="0")["churn-message"]) == ["Page “0” is not a page number."]


def test_csv_export_holds_the_filtered_rows(client, store):
    churn_world(store)
    download = export(signed_in_as(client, RETENTION), site=SITE, band="high")["churn-download"]["data"]
    assert download["filename"] == "churn-shop.example-high.csv"
    assert download["content"] == (
        "customer_id,probability,risk_band,reason_1,reason_2,reason_3,last_purchase,owner\n"
        "c1,0.91,high,no purchase for 142 days,visits down 80%,plan downgraded,2026-07-01,zoe\n"
        "c2,0.75,high,orders down 50%,no visit for 30 days,,2026-10-02,\n")


def test_empty_states_say_what_to_run(client, store):
    add_site(store, SITE)
    accounts(store)
    signed_in_as(client, RETENTION)
    shown = show(client, site=SITE)
    assert "vigie churn train --site shop.example" in texts(shown["churn-message"])
    assert shown["churn-report"] == {"display": "none"}
    model(store, SITE, promoted=False, note="ROC AUC 0.650 does not beat the recency baseline's 0.700")
    refused = texts(show(client, site=SITE)["churn-message"])
    assert refused[:2] == ["No model promoted yet", "Model v1 was trained but not promoted: ROC AUC 0.650 "
                           "does not beat the recency baseline's 0.700. Train again once more history "
                           "is imported:"]
    model(store, SITE, version="v2")
    shown = show(client, site=SITE)
    assert "No scores yet" in texts(shown["churn-message"])
    assert "v2" in texts(shown["churn-model"])


def test_a_marketer_cannot_open_churn(client, store):
    churn_world(store)
    signed_in_as(client, MARKETER)
    assert page(client, "/churn")["props"]["id"] == "churn-refused"
    assert "for the retention team" in texts(show(client, site=SITE)["churn-message"])[0]
    answer = export(client, site=SITE)
    assert "churn-download" not in answer
    assert "for the retention team" in texts(answer["churn-export-message"]["children"])[0]


def test_a_team_limited_to_one_site_cannot_read_another(client, store):
    churn_world(store)
    signed_in_as(client, RETENTION)
    layout = page(client, "/churn")
    assert find_component(layout, "churn-site")["props"]["options"] == [SITE]
    refused = show(client, site=OTHER)
    assert texts(refused["churn-message"]) == \
        ["No site named “other.example” is registered. Pick one from the list."]
    assert refused["churn-table"] is None and "b1" not in json.dumps(refused)
    answer = export(client, site=OTHER)
    assert "churn-download" not in answer and "b1" not in json.dumps(answer)


def test_a_model_without_recorded_importance_says_to_retrain():
    assert importance_table([]).children == (
        "This model was trained before Vigie recorded feature importance; train again to see it.")
    assert importance_table([("a", 0.0)]).id == "model-importance-empty"


def trend(http, **query):
    """The one-output risk trend callback, posted as dash-renderer does."""
    answer = dash_post(http, {
        "output": "churn-trend.children", "outputs": {"id": "churn-trend", "property": "children"},
        "inputs": [{"id": "churn-query", "property": "data", "value": query}],
        "changedPropIds": ["churn-query.data"]})
    assert answer.status_code == 200
    return answer.get_json()["response"]["churn-trend"]["children"]


def test_risk_trend_shares_per_scoring_date(client, store):
    churn_world(store)
    # An earlier run of 20 November, replaced by the 03:00 run: not counted.
    scores(store, SITE, "2026-11-20", [("c1", 0.1, "low", []), ("c7", 0.9, "high", [])],
           scored_at="01:00:00")
    assert risk_trend(store, SITE) == [
        {"as_of": datetime.date(2026, 11, 1), "clients": 2, "high": 1, "medium": 1, "low": 0,
         "high_share": 50.0, "medium_share": 50.0, "low_share": 0.0},
        {"as_of": datetime.date(2026, 11, 20), "clients": 4, "high": 2, "medium": 1, "low": 1,
         "high_share": 50.0, "medium_share": 25.0, "low_share": 25.0}]
    chart = find_component(trend(signed_in_as(client, RETENTION), site=SITE), "churn-trend-chart")
    bars = {bar["name"]: (bar["x"], bar["y"], bar["customdata"]) for bar in chart["props"]["figure"]["data"]}
    assert bars["High risk"] == (["2026-11-01", "2026-11-20"], [50.0, 50.0], [1, 2])
    assert bars["Low risk"] == (["2026-11-01", "2026-11-20"], [0.0, 25.0], [0, 1])
    assert chart["props"]["config"]["modeBarButtons"] == [["toImage"]]
    refused = trend(client, site=OTHER)
    assert refused["props"]["id"] == "churn-trend-error"


def test_risk_trend_waits_for_a_second_scoring_date(client, store):
    add_site(store, SITE)
    accounts(store)
    scores(store, SITE, "2026-11-20", [("c1", 0.9, "high", [])])
    shown = trend(signed_in_as(client, RETENTION), site=SITE)
    assert shown["props"]["id"] == "churn-trend-empty"


def _as_json(component):
    import plotly.utils
    return json.loads(json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder))


def test_a_champion_card_shows_every_candidate_the_folds_and_why_it_won():
    def entry(auc, pr, brier, ece, lift):
        return {"roc_auc": auc, "pr_auc": pr, "brier": brier, "ece": ece, "lift_top_decile": lift}
    candidates = {"xgboost": entry(0.80, 0.5, 0.15, 0.03, 2.0), "paretonbd": entry(0.84, 0.6, 0.12, 0.02, 2.5),
                  "logistic": entry(0.83, 0.55, 0.13, 0.025, 2.2), "bgnbd": entry(0.82, 0.52, 0.14, 0.04, 2.1)}
    why = "Pareto/NBD won: validation ROC AUC 0.840 (mean of 2 folds), 0.010 above the next best, logistic regression (0.830)"
    card = {"version": "v3", "created_at": datetime.datetime(2026, 11, 20, 2, 0),
            "parameters": {"kind": "paretonbd"}, "features": ["recency_days", "frequency"],
            "feature_importance": [], "promotion_note": why + "; ROC AUC 0.840 beats the recency baseline's 0.800",
            "data_window": {"as_of": "2026-11-20", "horizon_days": 90, "fold_note": "2 validation folds",
                            "folds": [{"validation_labels": ["2026-05-24", "2026-08-22"]},
                                      {"validation_labels": ["2026-08-22", "2026-11-20"]}],
                            "refit_labels": ["2026-08-22", "2026-11-20"], "refit_clients": 1500},
            "metrics": {"model": candidates["paretonbd"], "recency_baseline": entry(0.80, 0.5, 0.2, 0.1, 1.5),
                        "candidates": candidates}}
    shown = _as_json(model_card(card))
    facts = texts(find_component(shown, "model-facts"))
    assert facts[8:] == ["Champion", "Pareto/NBD",
                         "Validation", "2 validation folds: 2026-05-24 to 2026-08-22; 2026-08-22 to 2026-11-20",
                         "Refitted on", "2026-08-22 to 2026-11-20 (1,500 clients)",
                         "Promotion", card["promotion_note"]]
    rows = texts(find_component(shown, "model-metrics"))[6:]
    assert [rows[i] for i in range(0, len(rows), 6)] == [
        "Model", "Recency baseline", "Candidate: Pareto/NBD", "Candidate: logistic regression",
        "Candidate: BG/NBD", "Candidate: XGBoost"]
    assert rows[12:18] == ["Candidate: Pareto/NBD", "0.840", "0.600", "0.120", "0.020", "2.50×"]
    assert find_component(shown, "model-importance-purchases") is not None
    # A candidate that could not be fitted is listed with why.
    del candidates["bgnbd"]
    card["metrics"]["skipped_candidates"] = {"bgnbd": "fewer than 10 clients with purchases to fit on"}
    rows = texts(find_component(_as_json(model_card(card)), "model-metrics"))
    assert rows[-2:] == ["Candidate: BG/NBD", "left out: fewer than 10 clients with purchases to fit on"]
