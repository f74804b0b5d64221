"""Waiting on a page that runs under the dashboard's Content-Security-Policy."""
import time


def wait_until(page, expression, timeout=30.0):
    """Poll the JavaScript `expression` from the test side until it is true, bounded in time.

    Playwright's own wait_for_function evaluates its predicate with eval inside
    the page, which the dashboard's policy (rightly) refuses; evaluate() goes
    through the debugging protocol instead.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"not true within {timeout:g}s: {expression}")
