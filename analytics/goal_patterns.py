"""Path patterns of pageview goals and funnel steps.

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
