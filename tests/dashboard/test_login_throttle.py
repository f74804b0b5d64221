"""Wrong passwords are limited per account."""
from vigie.dashboard.throttle import LoginThrottle
from tests.dashboard.conftest import EMAIL, PASSWORD, login


def test_throttle_counts_failures_in_a_window():
    now = [1000.0]
    throttle = LoginThrottle(max_failures=3, window_seconds=60, clock=lambda: now[0])
    for _ in range(3):
        assert throttle.retry_after("a") == 0
        throttle.failed("a")
    assert 1 <= throttle.retry_after("a") <= 61
    assert throttle.retry_after("b") == 0
    now[0] += 61
    assert throttle.retry_after("a") == 0
    throttle.failed("a")
    throttle.succeeded("a")
    assert throttle.retry_after("a") == 0


def test_the_sixth_wrong_password_is_refused_even_when_right(client, account):
    for _ in range(5):
        response = login(client, password="wrong password")
        assert response.status_code == 200
    refused = login(client, password=PASSWORD)
    assert refused.status_code == 429
    assert "Too many wrong passwords" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    other = login(client, email="nobody@shop.test", password="whatever1")
    assert other.status_code == 200 and EMAIL not in other.get_data(as_text=True)
