"""Revenue events of identified clients become transactions.

When a site passes `customer_id` for signed-in clients, an event with revenue
(an order confirmation) is a purchase by that client. Copying those events
into `transactions` lets the churn features see web orders next to the CRM's.
The transaction_id is the event_id, so copying a period again replaces rows
instead of adding them: the copy is idempotent over any window.

Do not copy web revenue for a site whose CRM export already contains its web
orders: the same order would then be counted twice, under two ids.
"""
import logging

from vigie.alerts.client_data.writes import ORIGIN_WEB, new_version

log = logging.getLogger(__name__)

_CONDITIONS = "site = %(site)s AND customer_id != '' AND revenue > 0 AND ts >= %(since)s"


def copy_web_revenue(store, site, since):
    """Copy `site`'s revenue events at or after `since` (aware datetime); returns the count.

    Events carry revenue in the currency the snippet sent; a currency left
    empty by the tracker stays empty.
    """
    params = {"site": site, "since": since, "version": new_version()}
    count = store.query_value("SELECT count() FROM events WHERE " + _CONDITIONS, params)
    if count:
        store.execute(
            "INSERT INTO transactions (site, customer_id, transaction_id, ts, amount, currency, "
            "type, origin, version) "
            "SELECT site, customer_id, toString(event_id), ts, revenue, upper(currency), "
            f"'purchase', '{ORIGIN_WEB}', toUInt64(%(version)s) FROM events WHERE " + _CONDITIONS,
            params)
    log.info("copied %d revenue events of %s since %s into transactions", count, site, since)
    return count
