"""Settings area: the signed-in account's own email reports (any account, not only admins).

Subscribe one of your sites, weekly or monthly, to an address (your sign-in
email by default); list and end your subscriptions. Every callback checks
again on the server who is signed in and that the account sees the site; a
subscription of another account is refused like an unknown one. Dash's
callbacks carry the session's CSRF token (dashboard.auth.guard_dash_routes).
"""
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from vigie.dashboard.auth import signed_in_user
from vigie.dashboard.settings_areas.common import STORE_DOWN, current_store, field, site_field
from vigie.dashboard.settings_view import notice
from vigie.warehouse import StoreError
from vigie.warehouse.report_subscriptions import (FREQUENCIES, SubscriptionError, account_subscriptions,
                                                  add_subscription, remove_subscription)

SIGNED_OUT = "Sign in with your own account to manage email reports."


def reporting_user():
    """The signed-in account, if it may have reports (traffic reports, not a shared link)."""
    user = signed_in_user(current_store())
    return user if user is not None and not user.read_only and user.can("analytics") else None


def subscription_list(user):
    subs = account_subscriptions(current_store(), user.email)
    if not subs:
        return html.P("You have no email report yet.", className="muted", id="report-subscriptions-empty")
    return html.Ul(id="report-subscriptions", children=[
        html.Li(className="report-subscription", children=[
            html.Span(f"{s.site}: {s.frequency} report to {s.recipient} "),
            html.Button("Unsubscribe", id={"type": "report-remove", "id": s.subscription_id},
                        className="button-quiet", n_clicks=0),
        ]) for s in subs])


def section(sites, user=None):
    user = user or reporting_user()
    domains = [s.domain for s in user.visible_sites(sites)] if user else []
    return html.Section(className="card", id="email-reports", children=[
        html.H2("Email reports"),
        html.P("Your own weekly (Monday to Sunday) or monthly report of a site: its overview numbers "
               "against the period before, top sources, pages and goals. Each email has a one-click "
               "unsubscribe link.", className="muted"),
        html.Div(className="form-row", children=[
            site_field("report-site", domains),
            field("Every", dcc.RadioItems(id="report-frequency", options=list(FREQUENCIES), value="weekly",
                                          inline=True)),
            field("Send to", dcc.Input(id="report-recipient", type="email",
                                       value=user.email if user else "")),
            html.Button("Subscribe", id="report-subscribe", className="button", n_clicks=0),
        ]),
        html.Div(id="report-message", role="status"),
        html.Div(subscription_list(user) if user else "", id="report-list"),
    ])


def _change(user, action, said):
    """Run action(store) for a signed-in account: (its message, the refreshed list)."""
    try:
        sub = action(current_store())
        listing = subscription_list(user)
    except SubscriptionError as exc:
        return notice(str(exc), "error"), no_update
    except StoreError:
        return notice(STORE_DOWN, "error"), no_update
    return notice(said(sub)), listing


def subscribe(_clicks, domain, frequency, recipient):
    user = reporting_user()
    if user is None:
        return notice(SIGNED_OUT, "error"), no_update
    if not domain or not user.can_see_site(domain):
        return notice("Choose one of your sites.", "error"), no_update
    return _change(user, lambda store: add_subscription(store, user.email, domain, frequency, recipient),
                   lambda sub: f"{sub.recipient} will get the {sub.frequency} report of {sub.site}.")


def remove(clicks):
    user = reporting_user()
    if user is None:
        return notice(SIGNED_OUT, "error"), no_update
    if not ctx.triggered_id or not any(clicks):
        return no_update, no_update
    return _change(user, lambda store: remove_subscription(store, user.email, ctx.triggered_id["id"]),
                   lambda sub: (f"{sub.recipient} will no longer get the {sub.frequency} report "
                                f"of {sub.site}."))


def register_callbacks():
    """Called by the settings page while Dash imports it, so each app gets these callbacks."""
    callback(Output("report-message", "children"), Output("report-list", "children"),
             Input("report-subscribe", "n_clicks"), State("report-site", "value"),
             State("report-frequency", "value"), State("report-recipient", "value"),
             prevent_initial_call=True)(subscribe)
    callback(Output("report-message", "children", allow_duplicate=True),
             Output("report-list", "children", allow_duplicate=True),
             Input({"type": "report-remove", "id": ALL}, "n_clicks"),
             prevent_initial_call=True)(remove)
