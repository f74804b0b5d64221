"""Plain-words reasons behind a churn score.

The model says which features pushed a client's risk up (XGBoost per-feature
contributions, SHAP values in log-odds); this module says it the way a
retention team talks: the feature's value next to the client's own baseline,
"no purchase for 95 days - usually every 20". Pure functions, no I/O.

Several features can tell the same story (recency and overdue ratio both say
"late"); a text already given is skipped so three reasons say three things.
"""
import math

import numpy as np

REASON_COUNT = 3

# Features that can only ever say the same sentence for one client (or
# nothing): once one member of a group has given its text, the others are
# skipped without formatting anything.
SAME_SENTENCE = ({"recency_days", "overdue_ratio", "gap_median_days", "gap_mean_days",
                  "has_transactions"}, {"has_web", "days_since_last_visit"})


def _known(value):
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _n(value):
    """12 -> '12', 12.5 -> '12.5', 1234.0 -> '1,234'."""
    value = float(value)
    if abs(value - round(value)) < 0.05:
        return f"{round(value):,}"
    return f"{value:,.1f}"


def _plural(count, word):
    return f"{_n(count)} {word}{'' if round(float(count)) == 1 else 's'}"


def _change(now, before, what, days):
    """'web visits down 80 % vs the previous 30 days (1 vs 5)'."""
    if not _known(before) or before <= 0:
        return None
    change = (now - before) / before * 100
    direction = "down" if change < 0 else "up"
    return (f"{what} {direction} {abs(change):.0f} % vs the previous {days} days "
            f"({_n(now)} vs {_n(before)})")


def _late(row):
    recency, usual = row.get("recency_days"), row.get("gap_median_days")
    if not _known(recency):
        return "no purchase yet"
    text = f"no purchase for {_plural(recency, 'day')}"
    if _known(usual) and usual > 0:
        text += f" - usually every {_n(usual)}"
    return text


def _windowed(feature):
    """'purchases_ratio_90d' -> ('purchases_ratio', 90)."""
    stem, _, days = feature.rpartition("_")
    return stem, int(days[:-1])


def reason_text(feature, row):
    """One sentence for a feature of one client (`row` maps feature -> value), or None."""
    value = row.get(feature)
    if feature in ("recency_days", "overdue_ratio", "gap_median_days", "gap_mean_days",
                   "has_transactions"):
        return _late(row)
    if feature == "contract_cancelled":
        return "contract cancelled" if value else None
    if feature == "frequency":
        return f"only {_plural(value, 'purchase')} so far" if _known(value) else None
    if feature in ("monetary_total", "monetary_avg"):
        label = "spent in total" if feature == "monetary_total" else "spent per purchase"
        return f"{_n(value)} {label}" if _known(value) else None
    if feature == "tenure_days":
        return f"client for {_plural(value, 'day')}" if _known(value) else None
    if feature == "refunds_count":
        return f"{_plural(value, 'refund')} ({_n(row.get('refunds_amount', 0))} refunded)" if value else None
    if feature == "refunds_amount":
        return f"{_n(value)} refunded" if value else None
    if feature == "has_web":
        return "never seen on the website" if not value else None
    if feature == "days_since_last_visit":
        if not _known(value):
            return "never seen on the website"
        return f"no web visit for {_plural(value, 'day')}"
    if feature.startswith("key_") and feature.endswith("_views_30d"):
        page = feature[4:-len("_views_30d")]
        return f"visited the {page} pages {_plural(value, 'time')} in the last 30 days" if value else None
    if feature.startswith("goal_completions_"):
        _, days = _windowed(feature)
        return f"{_plural(value, 'goal')} completed in the last {days} days" if _known(value) else None
    if feature.startswith(("purchases_", "spend_", "visits_", "pageviews_", "engaged_minutes_")):
        return _window_reason(feature, row)
    return None


def _window_reason(feature, row):
    stem, days = _windowed(feature)
    kind = stem.replace("_ratio", "").replace("_trend", "")
    now = row.get(f"{kind}_{days}d")
    before = row.get(f"{kind}_prev_{days}d")
    words = {"purchases": "purchases", "spend": "spending", "visits": "web visits",
             "pageviews": "pageviews", "engaged_minutes": "time on the website (minutes)"}[kind]
    changed = _change(now, before, words, days) if _known(now) else None
    if changed:
        return changed
    if not _known(now):
        return None
    if kind == "engaged_minutes":
        return f"{_n(now)} minutes on the website in the last {days} days"
    if kind == "spend":
        return f"{_n(now)} spent in the last {days} days"
    return f"{_plural(now, words[:-1])} in the last {days} days"


def top_reasons(contributions, row, count=REASON_COUNT):
    """[(feature, text)] for the features pushing risk up the most, strongest first.

    `contributions` maps feature -> contribution to the log-odds; only positive
    ones are reasons. Features without words, and texts already given, are
    skipped. Ties go to the later feature name.
    """
    ranked = sorted(((c, f) for f, c in contributions.items() if c > 0), reverse=True)
    return _first_texts((f for _, f in ranked), row, count)


def _first_texts(features, row, count, group_of=None):
    reasons, seen, said = [], set(), set()
    for feature in features:
        group = group_of.get(feature) if group_of else None
        if group is not None and group in said:
            continue
        text = reason_text(feature, row)
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


def batch_reasons(features, contributions, columns, values, count=REASON_COUNT):
    """top_reasons for a whole batch: [[(feature, text)], ...], one list per row.

    `features` names the columns of `contributions` (clients x features);
    `columns` names those of `values` (the clients' feature and context
    values as floats). The ranking is done in numpy for all clients at once,
    in the same order as top_reasons (contribution, then feature name, both
    descending); Python then formats only the few sentences each client keeps.
    """
    contributions = np.asarray(contributions, dtype=float)
    features = list(features)
    by_name = np.argsort(np.argsort(features))           # rank of each feature's name
    order = np.lexsort((np.broadcast_to(-by_name, contributions.shape), -contributions), axis=1)
    positive = np.take_along_axis(contributions, order, axis=1) > 0
    index = {name: i for i, name in enumerate(columns)}
    group_of = {f: g for g, members in enumerate(SAME_SENTENCE) for f in members}
    values = np.asarray(values, dtype=float)
    result = []
    for row_values, row_order, row_positive in zip(values, order, positive):
        ranked = (features[j] for j in row_order[row_positive])
        result.append(_first_texts(ranked, _Row(row_values, index), count, group_of))
    return result
