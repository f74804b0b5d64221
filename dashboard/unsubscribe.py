"""The one-click unsubscribe link of email reports: no sign-in, no enumeration.

GET /reports/unsubscribe/ID/TOKEN shows what the link would end and a button;
POST to the same address ends it. A mail client's RFC 8058 one-click request
(the List-Unsubscribe-Post header) is that same POST. The link's token is the
only key, so the POST needs no CSRF token: a forged request would already
hold the link. Any link that is not a live subscription's own, wrong token or
unknown id alike, gets the same page, so the link answers nothing about other
subscriptions; the token is 256 random bits, beyond guessing.
"""
from flask import Blueprint, render_template

from vigie.warehouse import StoreError
from vigie.warehouse.report_subscriptions import subscription_for_link, unsubscribe


def create_unsubscribe_blueprint(store, stylesheet_url):
    bp = Blueprint("reports", __name__, template_folder="templates")

    def page(outcome, status=200, sub=None):
        body = render_template("reports/unsubscribe.html", outcome=outcome, stylesheet_url=stylesheet_url,
                               recipient=sub.recipient if sub else "", site=sub.site if sub else "",
                               frequency=sub.frequency if sub else "")
        return body, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}

    def answer(read, shown):
        try:
            found = read()
        except StoreError:
            return "Vigie cannot reach its database right now; try the link again shortly.", 503
        return shown(found) if found else page("unknown", 404)

    @bp.get("/reports/unsubscribe/<subscription_id>/<token>")
    def confirm(subscription_id, token):
        return answer(lambda: subscription_for_link(store, subscription_id, token),
                      lambda sub: page("confirm", 200, sub))

    @bp.post("/reports/unsubscribe/<subscription_id>/<token>")
    def end(subscription_id, token):
        return answer(lambda: unsubscribe(store, subscription_id, token), lambda _: page("done"))

    return bp
