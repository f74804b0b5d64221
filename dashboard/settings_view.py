"""What the settings page shows: plain builders from stored objects to Dash components.

Kept apart from the page's callbacks so tests can check what an admin reads
without a browser. Dash escapes every string, so domains and names typed by
users are shown, never interpreted.
"""
from dash import html

YES, NO = "yes", "no"


def _table(table_id, headers, rows, empty_text):
    if not rows:
        return html.P(empty_text, className="empty", id=f"{table_id}-empty")
    return html.Table(className="ranked settings-table", id=table_id, children=[
        html.Thead(html.Tr([html.Th(h) for h in headers])),
        html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows]),
    ])


def snippet(domain, origin):
    """The tag a site owner pastes into every page."""
    return (f'<script defer data-domain="{domain}" '
            f'src="{origin.rstrip("/")}/js/vigie.js"></script>')


def sites_table(sites, origin):
    rows = [[s.domain, s.timezone, ", ".join(s.extra_hostnames) or "—",
             YES if s.identify_customers else NO,
             "respected" if s.respect_privacy_signals else "ignored",
             html.Code(snippet(s.domain, origin), className="snippet")] for s in sites]
    return _table("sites-table", ["Domain", "Time zone", "Extra hostnames", "Customer ids",
                                  "Do-Not-Track / GPC", "Snippet"], rows,
                  "No site yet: add the first one below.")


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
