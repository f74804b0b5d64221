"""Plain-words reasons behind a churn score.

The model says which features pushed a client's risk up (XGBoost per-feature
contributions, SHAP values in log-odds); this module says it the way a
retention team talks, each fact next to what makes it worrying: the client's
own baseline ("no purchase for 95 days - usually every 20", "spending down
60 % vs the previous 90 days") or the site's other clients ("among the
lowest 20 % of clients who bought"). Pure functions, no I/O.

A positive contribution is not enough: a tree model can push the risk up for
a value that, said in words, reads as good news ("spending up 163 %"). Each
template speaks only when the client's value lies on the worrying side of its
baseline (fewer, less, later, lower); otherwise the feature gives no reason
and the next one speaks. A change that rounds to 0 % is never a reason.

Several features can tell the same story (recency and overdue ratio both say
"late"); a text already given is skipped so three reasons say three things.
Purchase counts are purchase days (churn_features): three lines of one
basket are one purchase.
"""
import math
from dataclasses import dataclass

import numpy as np

REASON_COUNT = 3
# The days a client's usual gap between web visits is read from: the last 90
# days and the 90 before (the longest web window, twice).
WEB_RHYTHM_DAYS = 180


@dataclass(frozen=True)
class Buyers:
    """The site's clients who bought before the reference date, whom a client's
    spending is compared with. `total_spent` and `spent_per_purchase` are
    ((share %, quantile), ...), shares ascending: at least (100 - share) % of
    those clients are at or above the quantile. `currency` is the code all
    their purchases share, '' when there are several or none."""
    count: int = 0
    total_spent: tuple = ()
    spent_per_purchase: tuple = ()
    median_purchase_days: float = math.nan
    currency: str = ""


NO_BUYERS = Buyers()

# Features that can only ever say the same sentence for one client (or
# nothing): once one member of a group has given its text, the others are
# skipped without formatting anything.
SAME_SENTENCE = ({"recency_days", "overdue_ratio", "gap_median_days", "gap_mean_days",
                  "has_transactions", "recency_share", "missed_purchases"},
                 {"has_web", "days_since_last_visit"},
                 {"refunds_count", "refunds_amount"})
_LATE = SAME_SENTENCE[0]
_WINDOW_WORDS = {"purchases": "purchases", "spend": "spending", "visits": "web visits",
                 "pageviews": "pageviews", "engaged_minutes": "time on the website"}
# No feature reason_text sends elsewhere starts with one of these.
_WINDOW_PREFIXES = tuple(f"{kind}_" for kind in _WINDOW_WORDS)


def _known(value):
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _n(value):
    """12 -> '12', 12.5 -> '12.5', 1234.0 -> '1,234'."""
    value = float(value)
    if abs(value - round(value)) < 0.05:
        return f"{round(value):,}"
    return f"{value:,.1f}"


def _money(value, currency):
    """36.7 -> '36.70 EUR' (or '36.70' when the currency is not known)."""
    return f"{float(value):,.2f}" + (f" {currency}" if currency else "")


def _plural(count, word):
    return f"{_n(count)} {word}{'' if round(float(count)) == 1 else 's'}"


def _lowest_share(value, quantiles):
    """The smallest share s such that the value lies among the lowest s % of
    clients (strictly below the quantile at s), or None above the median."""
    for share, quantile in quantiles:
        if value < quantile:
            return share
    return None


def _late(row):
    """Late against the client's own rhythm; None when not late."""
    recency, usual = row.get("recency_days"), row.get("gap_median_days")
    if not _known(recency):
        tenure = row.get("tenure_days")
        return f"no purchase yet, client for {_plural(tenure, 'day')}" if _known(tenure) else "no purchase yet"
    if _known(usual) and usual > 0:
        if recency <= usual:
            return None
        return f"no purchase for {_plural(recency, 'day')} - usually every {_n(usual)}"
    return _single_purchase(recency)


def _single_purchase(recency):
    return f"only one purchase so far, {_plural(recency, 'day')} ago"


def _few_purchases(row, buyers):
    count = row.get("frequency")
    if not _known(count) or count < 1:
        return None     # no purchase at all: the recency group says so
    if count == 1:
        recency = row.get("recency_days")
        return _single_purchase(recency) if _known(recency) else None
    median = buyers.median_purchase_days
    if _known(median) and count < median:
        return f"only {_n(count)} purchases so far - half of the clients who bought have {_n(median)} or more"
    return None


def _low_spending(feature, row, buyers):
    value, bought = row.get(feature), row.get("frequency")
    if not (_known(value) and _known(bought) and bought > 0):
        return None
    total = feature == "monetary_total"
    share = _lowest_share(value, buyers.total_spent if total else buyers.spent_per_purchase)
    if share is None:
        return None
    what = "spent {} in total" if total else "spends {} per purchase"
    return f"{what.format(_money(value, buyers.currency))}, among the lowest {share} % of clients who bought"


def _refunds(row, buyers):
    count = row.get("refunds_count")
    if not _known(count) or count <= 0:
        return None
    text = f"{_plural(count, 'refund')} ({_money(row.get('refunds_amount', 0), buyers.currency)} refunded"
    spent = row.get("monetary_total")
    if _known(spent) and spent > 0:
        text += f" of {_money(spent, buyers.currency)} spent"
    return text + ")"


def _web_absence(row):
    """No visit for longer than the client's usual gap between visits."""
    days = row.get("days_since_last_visit")
    if not _known(days):
        return "never seen on the website"
    visits = row.get("visits_90d", 0) + row.get("visits_prev_90d", 0)
    if visits > 0:
        usual = max(1, round(WEB_RHYTHM_DAYS / visits))
        if days <= usual:
            return None
        return f"no web visit for {_plural(days, 'day')} - usually about every {_n(usual)}"
    if days >= WEB_RHYTHM_DAYS:
        return f"no web visit for {_plural(days, 'day')} - none in the last {WEB_RHYTHM_DAYS}"
    return None


def _key_page(feature, row):
    value = row.get(feature)
    if not _known(value) or value <= 0:
        return None
    page = feature[4:-len("_views_30d")]
    return (f"visited the {page} pages {_plural(value, 'time')} in the last 30 days "
            f"({_n(value)} of {_plural(row.get('pageviews_30d', value), 'pageview')})")


def _fewer_goals(row):
    """Goals of the last 30 days against the 60 days before, at the same rate."""
    recent, quarter = row.get("goal_completions_30d"), row.get("goal_completions_90d")
    if not (_known(recent) and _known(quarter)):
        return None
    before = quarter - recent
    if before <= 0 or 2 * recent >= before:
        return None
    return (f"{_plural(recent, 'goal')} completed in the last 30 days, "
            f"against {_n(before)} in the 60 days before")


def _windowed(feature):
    """'purchases_ratio_90d' -> ('purchases_ratio', 90)."""
    stem, _, days = feature.rpartition("_")
    return stem, int(days[:-1])


def _window_kind(feature):
    """The kind of a window feature ('spend_ratio_90d' -> ('spend', 90)), or
    None for a feature reason_text does not send to _window_drop."""
    if not feature.startswith(_WINDOW_PREFIXES):
        return None
    stem, days = _windowed(feature)
    return stem.replace("_ratio", "").replace("_trend", ""), days


def _window_drop(feature, row, buyers):
    """'spending down 60 % vs the previous 90 days (480.00 EUR vs 1,200.00 EUR)';
    None unless the last window is at least 1 % below the one before."""
    kind, days = _window_kind(feature)
    now, before = row.get(f"{kind}_{days}d"), row.get(f"{kind}_prev_{days}d")
    if not (_known(now) and _known(before)) or before <= 0 or now >= before:
        return None
    drop = round((before - now) / before * 100)
    if drop < 1:
        return None
    if kind == "spend":
        amounts = f"{_money(now, buyers.currency)} vs {_money(before, buyers.currency)}"
    elif kind == "engaged_minutes":
        amounts = f"{_n(now)} vs {_n(before)} minutes"
    else:
        amounts = f"{_n(now)} vs {_n(before)}"
    return f"{_WINDOW_WORDS[kind]} down {drop} % vs the previous {days} days ({amounts})"


def reason_text(feature, row, buyers=NO_BUYERS):
    """One sentence for a feature of one client (`row` maps feature -> value), or
    None when the feature has no words or the client's value is not worrying."""
    if feature in _LATE:
        return _late(row)
    if feature == "contract_cancelled":
        return "contract cancelled" if row.get(feature) else None
    if feature == "frequency":
        return _few_purchases(row, buyers)
    if feature in ("monetary_total", "monetary_avg"):
        return _low_spending(feature, row, buyers)
    if feature in ("refunds_count", "refunds_amount"):
        return _refunds(row, buyers)
    if feature in ("has_web", "days_since_last_visit"):
        return _web_absence(row)
    if feature.startswith("key_") and feature.endswith("_views_30d"):
        return _key_page(feature, row)
    if feature == "goal_completions_30d":
        return _fewer_goals(row)
    if feature.startswith(_WINDOW_PREFIXES):
        return _window_drop(feature, row, buyers)
    # tenure_capped_days (how long someone has been a client) is not worrying in
    # itself and nobody can act on it; goal_completions_90d has no earlier
    # window to compare with.
    return None


def top_reasons(contributions, row, count=REASON_COUNT, buyers=NO_BUYERS):
    """[(feature, text)] for the features pushing risk up the most, strongest first.

    `contributions` maps feature -> contribution to the log-odds; only positive
    ones can be reasons, and only when the client's value is worrying (see
    reason_text). Features without words, and texts already given, are
    skipped. Ties go to the later feature name. `buyers` places the client's
    spending among the site's clients (churn_features.site_buyers).
    """
    ranked = sorted(((c, f) for f, c in contributions.items() if c > 0), reverse=True)
    return _first_texts((f for _, f in ranked), row, count, buyers)


def _first_texts(features, row, count, buyers, group_of=None):
    reasons, seen, said = [], set(), set()
    for feature in features:
        group = group_of.get(feature) if group_of else None
        if group is not None and group in said:
            continue
        text = reason_text(feature, row, buyers)
        if text and text not in seen:
            reasons.append((feature, text))
            seen.add(text)
            if group is not None:
                said.add(group)
            if len(reasons) == count:
                break
    return reasons


class _Row:
    """One client's values read from the batch matrix by feature name (what
    reason_text needs), instead of a dict built for every client."""
    __slots__ = ("values", "index")

    def __init__(self, values, index):
        self.values, self.index = values, index

    def get(self, name, default=None):
        column = self.index.get(name)
        return default if column is None else self.values[column]


def batch_reasons(features, contributions, columns, values, count=REASON_COUNT, buyers=NO_BUYERS):
    """top_reasons for a whole batch: [[(feature, text)], ...], one list per row.

    `features` names the columns of `contributions` (clients x features);
    `columns` names those of `values` (the clients' feature and context
    values as floats). The ranking is done in numpy for all clients at once,
    in the same order as top_reasons (contribution, then feature name, both
    descending); Python then formats only the few sentences each client keeps.
    Window features whose drop would not be said (_window_drop returns None)
    are ruled out in numpy first: most of them, for most clients.
    """
    contributions = np.asarray(contributions, dtype=float)
    features = list(features)
    by_name = np.argsort(np.argsort(features))           # rank of each feature's name
    order = np.lexsort((np.broadcast_to(-by_name, contributions.shape), -contributions), axis=1)
    index = {name: i for i, name in enumerate(columns)}
    values = np.asarray(values, dtype=float)
    candidates = (contributions > 0) & ~_silent_windows(features, values, index)
    positive = np.take_along_axis(candidates, order, axis=1)
    group_of = {f: g for g, members in enumerate(SAME_SENTENCE) for f in members}
    result = []
    for row_values, row_order, row_positive in zip(values, order, positive):
        ranked = (features[j] for j in row_order[row_positive])
        result.append(_first_texts(ranked, _Row(row_values, index), count, buyers, group_of))
    return result


def _silent_windows(features, values, index):
    """(clients, features): True where the feature is a window whose
    _window_drop is surely None for the client (no drop of at least 1 %,
    rounded as there), False elsewhere (reason_text decides)."""
    silent = np.zeros((len(values), len(features)), dtype=bool)
    for j, feature in enumerate(features):
        window = _window_kind(feature)
        if window is None:
            continue
        kind, days = window
        now_column, before_column = index.get(f"{kind}_{days}d"), index.get(f"{kind}_prev_{days}d")
        if now_column is None or before_column is None:
            silent[:, j] = True
            continue
        now, before = values[:, now_column], values[:, before_column]
        with np.errstate(divide="ignore", invalid="ignore"):
            drop = np.round((before - now) / before * 100)
        # NaN compares False: an unknown value says nothing, as in _window_drop.
        silent[:, j] = ~((before > 0) & (now < before) & (drop >= 1))
    return silent
