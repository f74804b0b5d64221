"""The client half of the demo: goals, client data, the churn model, scores and alerts.

Every step goes through the product's own functions, the ones the commands
call: goals and a funnel as `vigie goals|funnels add` makes them, client
data through the CSV importer of `vigie import`, the model through the
training and registry of `vigie churn train`, scores as `vigie churn score`
writes them, and alerts through the engine `vigie alerts run` uses,
delivered to a local mail file (an mbox:// channel).
"""
import os
import tempfile
import time

from vigie.demo_clients import write_csvs

GOALS = [  # (kind, pattern, name, carries revenue)
    ("event", "purchase", "Purchase", True),
    ("event", "signup", "Signup", False),
    ("pageview", "/pricing", "Saw pricing", False),
]
FUNNEL = ("Checkout", ["page:/product/**", "page:/cart", "page:/checkout", "page:/thank-you"])
MAILBOX_CHANNEL = "demo-mailbox"
# Past month starts scored (score_past_months): with the default 90-day horizon,
# the first three have a realised churn to compare with by the time the demo runs.
PAST_SCORED_MONTHS = 6
RULES = [  # (kind, parameters, severity)
    ("risk_above", {"threshold": 0.7}, "high"),
    ("contract_cancelled", {}, "high"),
    ("purchase_drop", {"months": 3, "threshold": 50, "baseline_months": 6}, "medium"),
    ("no_purchase", {"months": 3}, "low"),
    # High value, short relationship: worth a campaign while they still buy.
    ("matrix_butterflies", {}, "low"),
]


class DemoDataError(RuntimeError):
    """A step of the demo refused its own data; the message says which and why."""


class Step:
    """Prints `label ...` then `label: outcome (N s)`, so a slow step is visible as it runs."""

    def __init__(self, label, out):
        self.label, self.out = label, out

    def __enter__(self):
        self.started = time.monotonic()
        print(f"demo {self.label} ...", file=self.out, flush=True)
        return self

    def done(self, outcome):
        print(f"demo {self.label}: {outcome} ({time.monotonic() - self.started:.1f} s)",
              file=self.out, flush=True)

    def __exit__(self, *exc):
        return False


def define_conversions(store, site, out):
    """The goals and the funnel; those a load cut short already made are kept."""
    from vigie.analytics.funnels import add_funnel, list_funnels, parse_step
    from vigie.analytics.goals import add_goal, list_goals

    with Step("goals", out) as step:
        existing = {(g.kind, g.pattern) for g in list_goals(store, site)}
        for kind, pattern, name, revenue in GOALS:
            if (kind, pattern) not in existing:
                add_goal(store, site, kind, pattern, name=name, revenue=revenue)
        name, steps = FUNNEL
        if name not in {f.name for f in list_funnels(store, site)}:
            add_funnel(store, site, name, [parse_step(s) for s in steps], window_days=7)
        step.done(f"{len(GOALS)} goals (one with revenue) and the funnel {name!r}")


def import_clients(store, site, customers, out):
    """Write the clients as the two CSV files a CRM export would be, and import them."""
    from vigie.alerts.client_data.csv_import import import_csv
    from vigie.alerts.client_data.kinds import CUSTOMERS, TRANSACTIONS
    from vigie.warehouse.sites import get_site

    with Step("clients", out) as step, tempfile.TemporaryDirectory(prefix="vigie-demo-") as folder:
        paths = [os.path.join(folder, name) for name in ("customers.csv", "transactions.csv")]
        write_csvs(customers, *paths)
        registered = get_site(store, site)
        reports = [import_csv(store, registered, path, kind) for path, kind in
                   zip(paths, (CUSTOMERS, TRANSACTIONS))]
        rejected = sum(r.rejected_rows for r in reports)
        if rejected:
            raise DemoDataError(f"the demo's client data was refused: {reports[0].rejected[:3]}"
                             f"{reports[1].rejected[:3]}")
        step.done(f"{reports[0].imported:,} customers and {reports[1].imported:,} transactions "
                  "imported from CSV")


def run_jobs(store, settings, out):
    """Visits and daily rollups now, rather than at the server's first scheduled run."""
    from vigie.analytics.job_catalog import JOBS
    from vigie.analytics.jobs import run_scheduled
    from vigie.background_jobs import job_context

    with Step("analytics jobs", out) as step:
        context = job_context(settings)
        outcomes = {name: run_scheduled(store, job, context) for name, job in JOBS.items()}
        failed = {name: o for name, o in outcomes.items() if any(isinstance(v, str) for v in o.values())}
        if failed:
            raise DemoDataError(f"analytics jobs failed: {failed}")
        step.done(", ".join(f"{name} {sum(o.values()):,} rows" for name, o in outcomes.items()))


def train_and_score(store, settings, site, out):
    """Train, promote when it beats the baseline, score; False when no model could score."""
    from vigie.alerts.churn_registry import promoted_record
    from vigie.alerts.churn_scoring import score_clients
    from vigie.alerts.churn_training import TrainingError, train_churn_model

    with Step("churn model", out) as step:
        try:
            train_churn_model(store, site, settings.churn_key_pages, settings.churn_model_dir,
                              horizon_days=settings.churn_horizon_days,
                              require_no_visit=settings.churn_label_requires_no_visit,
                              progress=lambda line: None)
        except TrainingError as exc:
            step.done(f"not trained: {exc}")
            return False
        record = promoted_record(store, site)
        if record is None:
            step.done("trained but not promoted (it does not beat the recency baseline); "
                      "no scores")
            return False
        step.done(f"model {record.version} trained and promoted in {settings.churn_model_dir}")
    with Step("churn scores", out) as step:
        run = score_clients(store, site, settings.churn_risk_medium, settings.churn_risk_high,
                            progress=lambda line: None)
        step.done(f"{run.clients:,} clients scored: " +
                  ", ".join(f"{n} {band} risk" for band, n in run.bands.items()))
    score_past_months(store, settings, site, out)
    return True


def score_past_months(store, settings, site, out, months=PAST_SCORED_MONTHS):
    """Scores as of the first day of each of the last `months` months, as a daily
    `vigie churn score` would have left them, so the Customers page can set the
    predicted churn of past periods beside the realised one. The demo has only
    today's model: these are back-scored with it (a model that has seen part of
    those months), which the step says."""
    import datetime

    from vigie.alerts.churn_scoring import score_clients

    with Step("past churn scores", out) as step:
        today = datetime.datetime.now(datetime.timezone.utc).date()
        first = today.replace(day=1)
        dates = []
        for _ in range(months):
            dates.insert(0, first)
            first = (first - datetime.timedelta(days=1)).replace(day=1)
        for as_of in dates:
            score_clients(store, site, settings.churn_risk_medium, settings.churn_risk_high,
                          as_of=as_of, exact_reasons=False, progress=lambda line: None)
        step.done(f"back-scored with today's model as of {dates[0]} .. {dates[-1]} "
                  "(first day of each month)")


def mailbox_path(settings):
    """The demo's mail file: in the embedded store's directory, or the current directory."""
    from vigie.warehouse.backends import embedded_directory
    return os.path.join(os.path.abspath(embedded_directory(settings.store_url) or "."), "alerts.mbox")


DEMO_SPIKE_VISITORS, DEMO_DROP_PERCENT = 25, 30


def alerts_and_deliveries(store, settings, site, scored, out):
    from vigie.alerts.destinations import add_channel
    from vigie.alerts.engine import run_site
    from vigie.alerts.rules import add_rule, list_rules
    from vigie.alerts.traffic_settings import set_traffic_settings
    from vigie.audiences import matrix_audiences

    with Step("alerts", out) as step:
        mailbox = mailbox_path(settings)
        add_channel(store, site, MAILBOX_CHANNEL, "mbox://" + mailbox)
        rules = [(kind, params, severity) for kind, params, severity in RULES
                 if scored or kind != "risk_above"]
        existing = {r.kind for r in list_rules(store, site)}
        for kind, params, severity in rules:
            if kind not in existing:
                add_rule(store, site, kind, severity=severity, channels=(MAILBOX_CHANNEL,), **params)
        # Traffic alerts too, at levels the demo's steady traffic does not reach (docs/alerts.md).
        set_traffic_settings(store, site, spike_visitors=DEMO_SPIKE_VISITORS,
                             drop_percent=DEMO_DROP_PERCENT, baseline_weeks=4,
                             channels=(MAILBOX_CHANNEL,))
        summary = run_site(store, settings, site, audiences=matrix_audiences(settings))
        step.done(f"{len(rules)} rules, {len(summary.opened)} alerts opened, {summary.sent} "
                  f"delivered to {mailbox} ({summary.failed} failed)")
    return mailbox
