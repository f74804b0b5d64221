"""A registered site, alert settings and loopback receivers (SMTP, webhook) for the alert tests."""
import pytest

from tests.alert_factories import SITE
from tests.alerts.receivers import SmtpInbox, WebhookReceiver
from vigie.warehouse.sites import add_site


@pytest.fixture
def site(store):
    add_site(store, SITE)
    return SITE


@pytest.fixture
def alert_settings(settings):
    """Small, explicit values so every expected count in the tests is written by hand."""
    return settings.replace(alert_cooldown_days=30, alert_cap_per_client=2, alert_cap_days=30,
                            alert_delivery_attempts=3, alert_retry_seconds=0.01)


@pytest.fixture
def inbox():
    with SmtpInbox() as server:
        yield server


@pytest.fixture
def webhook():
    with WebhookReceiver() as server:
        yield server
