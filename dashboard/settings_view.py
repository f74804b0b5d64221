"""What the settings page shows: plain builders from stored objects to Dash components.

Kept apart from the page's callbacks so tests can check what an admin reads
without a browser. Dash escapes every string, so domains and names typed by
users are shown, never interpreted.
"""
import re

from dash import dcc, html

YES, NO = "yes", "no"


def with_code(text):
    """Text whose `backquoted` parts (commands, setting names) show as code, not as backquotes."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backquote: not markup, show the text as it is
        return text
    return [html.Code(part) if i % 2 else part for i, part in enumerate(parts) if part]


def _table(table_id, headers, rows, empty_text):
    if not rows:
        return html.P(with_code(empty_text), className="empty", id=f"{table_id}-empty")
    return html.Table(className="ranked settings-table", id=table_id, children=[
        html.Thead(html.Tr([html.Th(h) for h in headers])),
        html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows]),
    ])


def snippet(domain, origin):
    """The tag a site owner pastes into every page."""
    return (f'<script defer data-domain="{domain}" '
            f'src="{origin.rstrip("/")}/js/vigie.js"></script>')


def snippet_cell(domain, origin):
    """The snippet with a button that copies it (dcc.Clipboard: the browser's clipboard, no server)."""
    text = snippet(domain, origin)
    return html.Div(className="snippet-cell", children=[
        html.Code(text, className="snippet"),
        dcc.Clipboard(content=text, id={"type": "site-snippet-copy", "domain": domain},
                      title="Copy the snippet", className="copy-button")])


def sites_table(sites, origin, edit_button=None):
    """edit_button(domain) -> the controls of a site's row (edit, delete), if any."""
    rows = [[s.domain, s.timezone, ", ".join(s.extra_hostnames) or "—",
             YES if s.identify_customers else NO,
             "respected" if s.respect_privacy_signals else "ignored",
             snippet_cell(s.domain, origin)]
            + ([edit_button(s.domain)] if edit_button else []) for s in sites]
    return _table("sites-table", ["Domain", "Time zone", "Extra hostnames", "Customer ids",
                                  "Do-Not-Track / GPC", "Snippet"] + ([""] if edit_button else []), rows,
                  "No site yet: add the first one below.")


def search_settings_table(sites):
    """Per site: its search parameters and how a search with no results shows."""
    rows = [[s.domain, ", ".join(s.search_parameters) or "off",
             s.search_no_results_page or "—", s.search_no_results_event or "—"] for s in sites]
    return _table("search-settings-table", ["Domain", "Search parameters", "No-results page",
                                            "No-results event"], rows,
                  "No site yet: add one above, then set how its visitors search.")


def vitals_settings_table(sites):
    """Per site: whether the collector stores its web vitals."""
    rows = [[s.domain, "on" if s.web_vitals else "off"] for s in sites]
    return _table("vitals-settings-table", ["Domain", "Web vitals"], rows,
                  "No site yet: add one above, then turn its web vitals on here.")


def users_table(users):
    rows = [[u.email, u.role, "every site" if u.is_admin else (", ".join(u.sites) or "none yet")]
            for u in users]
    return _table("users-table", ["Email", "Role", "Sites"], rows, "No account yet.")


def api_keys_table(keys, revoke_button):
    """revoke_button(key_id) -> the component that revokes that key."""
    rows = [[k.key_id, k.site, k.name or "—", k.created_at.strftime("%Y-%m-%d %H:%M UTC"),
             revoke_button(k.key_id)] for k in keys]
    return _table("api-keys-table", ["Key id", "Site", "Name", "Created", ""], rows,
                  "No API key yet. Server-side APIs (backfills, client data) need one.")


def new_key_notice(token):
    return html.Div(className="message message-ok", id="new-key-notice", children=[
        html.P("Copy this key now: Vigie keeps only a hash of it and cannot show it again."),
        html.Pre(html.Code(token, id="new-key-token")),
    ])


def notice(text, kind="ok"):
    return html.P(text, className=f"message message-{kind}")


def _utc(moment):
    return "—" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def share_links_table(links, revoke_button):
    """revoke_button(link_id) -> the component that revokes that link."""
    rows = [[link.site, link.link_id, link.created_by or "—", _utc(link.created_at),
             revoke_button(link.link_id)] for link in links]
    return _table("share-links-table", ["Site", "Link id", "Created by", "Created (UTC)", ""], rows,
                  "No shared link. Create one to show a site's statistics to people without an account.")


def new_share_notice(url):
    return html.Div(className="message message-ok", id="new-share-notice", children=[
        html.P("Copy this link now: anyone holding it sees this site's web analytics, read-only. "
               "Vigie keeps only a hash of it and cannot show it again."),
        html.Pre(html.Code(url, id="new-share-url")),
    ])


def channels_table(channels, buttons):
    """buttons(channel_name) -> the test and remove controls of that channel.

    Only the masked target is shown: channel URLs carry passwords and tokens.
    """
    rows = [[c.name, "one message per alert" if c.mode == "each" else "daily digest", c.target,
             _utc(c.created_at), buttons(c.name)] for c in channels]
    return _table("channels-table", ["Name", "Sends", "Target (secrets hidden)", "Added (UTC)", ""],
                  rows, "No channel yet: alerts of this site reach nobody. Add an email or webhook below.")


# apprise's captured warnings start with "2026-11-23 15:17:56,565 - WARNING - ".
_LOG_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ - [A-Z]+ - ")


def notification_outcome(channel_name, ok, error):
    if ok:
        return notice(f"Test notification sent through {channel_name}.")
    reason = _LOG_PREFIX.sub("", error or "").rstrip(".") or "no reason given"
    return notice(f"Test notification through {channel_name} failed: {reason}. "
                  "Check the URL, then see the delivery log on the Alerts page.", "error")


def job_status_table(jobs):
    """analytics.jobs.job_status rows: the latest run of each job per site and its watermark."""
    rows = [[j["job"], j["site"], j["status"], f"{_utc(j['since'])} → {_utc(j['until'])}",
             _utc(j["finished"]), str(j["rows"]), _utc(j["watermark"]), str(j["failures"]),
             j["error"] or "—"] for j in jobs]
    return _table("job-status-table", ["Job", "Site", "Last run", "Window (UTC)", "Finished (UTC)",
                                       "Rows", "Done up to (UTC)", "Failed runs", "Last error"], rows,
                  "No analytics job has run yet. `vigie serve` runs them on a schedule; "
                  "`vigie jobs run` runs one by hand.")


def alert_runs_table(last_runs):
    """{site: when its latest alerts run started}, from warehouse.run_claims.last_runs."""
    rows = [[site, _utc(started)] for site, started in sorted(last_runs.items())]
    return _table("alert-runs-table", ["Site", "Latest alerts run started (UTC)"], rows,
                  "No alerts run yet. `vigie serve` runs them every alert_interval_minutes.")
