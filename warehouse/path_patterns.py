"""Path patterns of pageview goals, funnel steps and churn key pages.

They are stored as written and matched inside ClickHouse, so their one
translation to a regular expression lives with the store: analytics (goals,
funnels, sessions) and alerts (churn features) both query with it.

`*` matches any characters within one path segment (not `/`), `**` matches any
characters including `/`; everything else is literal. `/blog/*` matches
`/blog/hello` but not `/blog/a/b`; `/docs/**` matches both. The regex is
anchored, so it can go to ClickHouse's `match()` (re2) or Python's `re`.
"""
import re


def pattern_to_regex(pattern):
    """An anchored regular expression for a path pattern."""
    parts = re.split(r"(\*\*|\*)", pattern)
    body = "".join("[^/]*" if p == "*" else ".*" if p == "**" else re.escape(p) for p in parts)
    return "^" + body + "$"


def path_matches(pattern, path):
    return re.match(pattern_to_regex(pattern), path) is not None
