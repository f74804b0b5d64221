"""Security headers of the dashboard's answers: a Content-Security-Policy, nosniff and
Referrer-Policy (with X-Frame-Options from the guard).

The policy allows scripts from Vigie itself and, inline, only the ones whose
SHA-256 is listed: Dash's one-line renderer start-up and any inline callback
script, hashed by Dash itself (`csp_hashes`). Everything else a page needs is
served by Vigie (Dash's and Plotly's bundles, the stylesheets, the world map
data), so nothing outside it can be loaded or framed. Styles may be inline:
Plotly writes <style> rules and style attributes as it draws, and a style
cannot run code.
"""
import functools


def content_security_policy(script_hashes):
    scripts = " ".join(("'self'",) + tuple(script_hashes))
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def install_security_headers(server, dash_app, covers):
    """Add the headers to every answer for which covers() is true (dashboard and sign-in).

    The hashes are taken at the first answer: Dash gathers inline callback
    scripts when it sets itself up for its first request.
    """

    @functools.lru_cache(maxsize=1)
    def policy():
        return content_security_policy(dash_app.csp_hashes())

    @server.after_request
    def security_headers(response):
        if covers():
            response.headers.setdefault("Content-Security-Policy", policy())
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            # Dashboard URLs name sites, filters and share links: never send them elsewhere.
            response.headers.setdefault("Referrer-Policy", "same-origin")
        return response
