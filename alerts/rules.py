"""Alert rules: which clients the retention team wants to hear about, per site.

A rule is a kind of condition with its parameters, a severity, a default owner
and the delivery channels its alerts go to. Rules live in `alert_rules`
(ReplacingMergeTree, read with FINAL); this module is the Python API the CLI
and the dashboard share. The conditions themselves are in alerts.conditions.
"""
import dataclasses
import datetime
import secrets
from dataclasses import dataclass

from vigie.alerts.clock import next_version, utcnow
from vigie.alerts.conditions import MATRIX_CELLS
from vigie.warehouse.sites import get_site, normalise_domain

SEVERITIES = ("low", "medium", "high")

# kind -> (plain description, parameters it needs)
KINDS = {
    "risk_above": ("latest churn probability at or above THRESHOLD (0-1)", ("threshold",)),
    "risk_rising": ("churn probability up by more than THRESHOLD points between the two "
                    "latest scores", ("threshold",)),
    "no_purchase": ("no purchase or renewal for MONTHS months", ("months",)),
    "contract_cancelled": ("the client's contract is cancelled (notice given)", ()),
    "purchase_drop": ("purchases over the last MONTHS months below THRESHOLD % of the client's "
                      "rate over the BASELINE_MONTHS before", ("threshold", "months")),
    **{f"matrix_{cell}": (f"the client is in the {label} cell of the loyalty-profitability matrix "
                          "(docs/customer-value.md)", ())
       for cell, label in MATRIX_CELLS.items()},
}


class RuleError(ValueError):
    """A rule cannot be created or removed as asked; the message says why."""


@dataclass(frozen=True)
class Rule:
    site: str
    rule_id: str
    name: str
    kind: str
    threshold: float
    months: int
    baseline_months: int
    severity: str
    owner: str
    channels: tuple
    created_at: datetime.datetime

    def describe(self):
        """The condition in words, with this rule's parameters."""
        if self.kind == "risk_above":
            return f"churn probability at or above {self.threshold:.0%}"
        if self.kind == "risk_rising":
            return f"churn probability up by more than {self.threshold:g} points"
        if self.kind == "no_purchase":
            return f"no purchase for {self.months} month(s)"
        if self.kind == "contract_cancelled":
            return "contract cancelled"
        if self.kind.startswith("matrix_"):
            return f"{MATRIX_CELLS[self.kind.removeprefix('matrix_')]} (loyalty-profitability matrix)"
        return (f"purchases over the last {self.months} month(s) below {self.threshold:g}% "
                f"of the usual rate (previous {self.baseline_months} months)")


_COLUMNS = ["site", "rule_id", "name", "kind", "threshold", "months", "baseline_months",
            "severity", "owner", "channels", "created_at", "version", "deleted"]
_SELECT = ("SELECT site, rule_id, name, kind, threshold, months, baseline_months, severity, "
           "owner, channels, created_at FROM alert_rules FINAL WHERE deleted = 0")


def _rule(row):
    return Rule(*row[:9], tuple(row[9]), row[10])


def _check_parameters(kind, threshold, months, baseline_months):
    if kind not in KINDS:
        raise RuleError(f"unknown rule kind {kind!r}; use one of {', '.join(KINDS)}")
    needs = KINDS[kind][1]
    if "threshold" in needs and threshold is None:
        raise RuleError(f"a {kind} rule needs a threshold ({KINDS[kind][0]})")
    if "months" in needs and months is None:
        raise RuleError(f"a {kind} rule needs a number of months ({KINDS[kind][0]})")
    if kind == "risk_above" and not 0 < threshold < 1:
        raise RuleError(f"threshold {threshold!r}: a probability must be between 0 and 1, e.g. 0.7")
    if kind == "risk_rising" and not 0 < threshold <= 100:
        raise RuleError(f"threshold {threshold!r}: points must be between 0 and 100, e.g. 15")
    if kind == "purchase_drop" and not 0 < threshold <= 100:
        raise RuleError(f"threshold {threshold!r}: a percentage must be between 0 and 100, e.g. 50")
    if "months" in needs and not 1 <= months <= 120:
        raise RuleError(f"months {months!r} must be between 1 and 120")
    if baseline_months is not None and not 1 <= baseline_months <= 120:
        raise RuleError(f"baseline months {baseline_months!r} must be between 1 and 120")


def add_rule(store, site, kind, threshold=None, months=None, baseline_months=None,
             severity="medium", owner="", channels=(), name=""):
    """Create a rule for a registered site; returns the Rule."""
    domain = normalise_domain(site)
    if get_site(store, domain) is None:
        raise RuleError(f"no site {site!r} is registered")
    _check_parameters(kind, threshold, months, baseline_months)
    if severity not in SEVERITIES:
        raise RuleError(f"severity {severity!r}: use low, medium or high")
    channel_names = tuple(dict.fromkeys(c.strip() for c in channels if c and c.strip()))
    rule = Rule(
        site=domain, rule_id="r" + secrets.token_hex(4), name=(name or "").strip()[:200],
        kind=kind, threshold=float(threshold or 0), months=int(months or 0),
        baseline_months=int(baseline_months or (12 if kind == "purchase_drop" else 0)),
        severity=severity, owner=(owner or "").strip()[:200], channels=channel_names,
        created_at=utcnow())
    if not rule.name:
        rule = dataclasses.replace(rule, name=rule.describe())
    _write(store, rule)
    return rule


def _write(store, rule, deleted=0):
    store.insert("alert_rules", _COLUMNS, [(
        rule.site, rule.rule_id, rule.name, rule.kind, rule.threshold, rule.months,
        rule.baseline_months, rule.severity, rule.owner, list(rule.channels), rule.created_at,
        next_version(), deleted)])


def list_rules(store, site=None):
    if site:
        rows = store.query(_SELECT + " AND site = %(site)s ORDER BY site, created_at, rule_id",
                           {"site": normalise_domain(site)})
    else:
        rows = store.query(_SELECT + " ORDER BY site, created_at, rule_id")
    return [_rule(row) for row in rows]


def get_rule(store, rule_id):
    rows = store.query(_SELECT + " AND rule_id = %(id)s", {"id": (rule_id or "").strip()})
    return _rule(rows[0]) if rows else None


def remove_rule(store, rule_id):
    """Delete a rule; its alerts stay (open ones can still be resolved)."""
    rule = get_rule(store, rule_id)
    if rule is None:
        raise RuleError(f"no alert rule {rule_id!r}")
    _write(store, rule, deleted=1)
    return rule
