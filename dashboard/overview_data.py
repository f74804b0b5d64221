"""Every number the overview shows, fetched through the analytics query functions."""
from analytics import reports
from analytics.visits import VisitRules

TOP_ROWS = 10


def visit_rules(settings):
    return VisitRules(timeout_minutes=settings.visit_timeout_minutes,
                      engaged_seconds=settings.engaged_seconds)


def overview_data(store, site, period, settings):
    """{'overview', 'timeseries', 'pages', 'sources'} for one site and period."""
    return reports.overview_report(store, site, period, visit_rules(settings), limit=TOP_ROWS)
