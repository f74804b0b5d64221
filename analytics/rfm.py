"""RFM scoring and segment names: pure functions, no I/O.

Each client gets three scores from 1 (worst) to 5 (best), quintiles over the
site's scored clients:
- R (recency): fewer days since the last purchase is better;
- F (frequency): more purchases is better;
- M (monetary): more net revenue (purchases minus refunds) is better.

A score is 1 + floor(5 x below / n), where n is the number of scored clients
and `below` the number of them with a strictly worse value. Tied clients
therefore share one score (the lowest their tie reaches), so a site where
most clients bought once gives all of them F = 1 rather than splitting equal
clients across quintiles at random.

Segments are read from (R, F) alone, so every cell of the recency x frequency
grid the dashboard draws belongs to exactly one segment; M is reported next
to them. The rule table, first match wins, covers all 25 cells:

| Segment              | R     | F     |
|----------------------|-------|-------|
| Champions            | 5     | 4-5   |
| Loyal customers      | 3-4   | 4-5   |
| Potential loyalists  | 4-5   | 2-3   |
| New customers        | 5     | 1     |
| Promising            | 4     | 1     |
| Need attention       | 3     | 3     |
| About to sleep       | 3     | 1-2   |
| Cannot lose them     | 1-2   | 5     |
| At risk              | 1-2   | 3-4   |
| Lost                 | 1     | 1     |
| Hibernating          | 1-2   | 1-2   |
"""
from collections import namedtuple

SCORES = (1, 2, 3, 4, 5)

SegmentRule = namedtuple("SegmentRule", "name recency frequency description")

SEGMENT_RULES = (
    SegmentRule("Champions", (5,), (4, 5), "bought recently and often"),
    SegmentRule("Loyal customers", (3, 4), (4, 5), "buy often, fairly recently"),
    SegmentRule("Potential loyalists", (4, 5), (2, 3), "recent clients with a few purchases"),
    SegmentRule("New customers", (5,), (1,), "first purchase very recently"),
    SegmentRule("Promising", (4,), (1,), "one recent purchase"),
    SegmentRule("Need attention", (3,), (3,), "average recency and frequency"),
    SegmentRule("About to sleep", (3,), (1, 2), "few purchases, getting older"),
    SegmentRule("Cannot lose them", (1, 2), (5,), "bought most often, but long ago"),
    SegmentRule("At risk", (1, 2), (3, 4), "bought often, but long ago"),
    SegmentRule("Lost", (1,), (1,), "one purchase, longest ago"),
    SegmentRule("Hibernating", (1, 2), (1, 2), "few purchases, long ago"),
)
SEGMENTS = tuple(rule.name for rule in SEGMENT_RULES)


def segment_of(recency_score, frequency_score):
    """The segment name of an (R, F) pair of scores 1-5."""
    for rule in SEGMENT_RULES:
        if recency_score in rule.recency and frequency_score in rule.frequency:
            return rule.name
    raise ValueError(f"RFM scores must be 1-5, not R={recency_score!r} F={frequency_score!r}")


def quintile_scores(values, higher_is_better=True):
    """Scores 1-5 for `values`, in their order, as the module docstring defines them."""
    values = list(values)
    n = len(values)
    ordered = sorted(values, reverse=not higher_is_better)  # worst first
    first_at = {}
    for position, value in enumerate(ordered):
        first_at.setdefault(value, position)   # how many are strictly worse
    return [1 + (5 * first_at[v]) // n for v in values]


def rfm_scores(clients):
    """Add r, f, m scores and the segment to client dicts holding
    recency_days, orders and net_revenue; returns new dicts in the same order."""
    recency = quintile_scores([c["recency_days"] for c in clients], higher_is_better=False)
    frequency = quintile_scores([c["orders"] for c in clients])
    monetary = quintile_scores([c["net_revenue"] for c in clients])
    return [dict(c, r=r, f=f, m=m, rfm=f"{r}{f}{m}", segment=segment_of(r, f))
            for c, r, f, m in zip(clients, recency, frequency, monetary)]


def segment_counts(scored):
    """[{segment, customers, share, net_revenue, description}] in rule-table order, empty ones included."""
    total = len(scored)
    rows = []
    for rule in SEGMENT_RULES:
        members = [c for c in scored if c["segment"] == rule.name]
        rows.append({"segment": rule.name, "customers": len(members),
                     "share": round(100.0 * len(members) / total, 1) if total else 0.0,
                     "net_revenue": round(sum(c["net_revenue"] for c in members), 2),
                     "description": rule.description})
    return rows


def grid_counts(scored):
    """{(r, f): clients} for all 25 cells of the recency x frequency grid."""
    cells = {(r, f): 0 for r in SCORES for f in SCORES}
    for c in scored:
        cells[(c["r"], c["f"])] += 1
    return cells
