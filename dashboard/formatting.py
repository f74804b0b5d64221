"""How numbers read on the dashboard: one place, so every card and table agrees."""


def format_count(value):
    """12345 -> '12,345'; a missing value reads as a dash rather than 0."""
    if value is None:
        return "—"
    return f"{int(value):,}"


def format_ratio(value):
    """Views per visit: two decimals, thousands separated ('1,234.50')."""
    if value is None:
        return "—"
    return f"{float(value):,.2f}"


def format_percent(value):
    """Bounce rate is None when there were no visits; 0% would be a lie."""
    if value is None:
        return "—"
    return f"{float(value):.1f}%"


def format_duration(seconds):
    """Visit duration as a person reads it: '45s', '1m 05s', '2h 03m'."""
    if seconds is None:
        return "—"
    seconds = max(int(round(seconds)), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
