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


def test_a_flood_of_made_up_emails_never_unlocks_a_locked_account():
    now = [1000.0]
    throttle = LoginThrottle(max_failures=3, window_seconds=60, clock=lambda: now[0])
    for _ in range(3):
        throttle.failed("owner@shop.test")
    throttle.failed("half@shop.test")  # one failure: may be let go under the flood
    for n in range(100_050):  # more than the default number of accounts remembered
        throttle.failed(f"made-up-{n}@flood.test")
    assert throttle.retry_after("owner@shop.test") > 0
    assert throttle.tracked() <= 100_001  # the locked one on top of the bounded rest
    now[0] += 61
    assert throttle.retry_after("owner@shop.test") == 0  # the lock ends on time, not earlier


def test_eviction_lets_go_the_accounts_that_failed_longest_ago_first():
    now = [0.0]
    throttle = LoginThrottle(max_failures=2, window_seconds=600, clock=lambda: now[0],
                             max_tracked=3)
    throttle.failed("locked")
    throttle.failed("locked")
    for n in range(5):
        now[0] += 1
        throttle.failed(f"user-{n}")
    for n in range(2, 5):  # the three most recent are remembered: one more failure locks them
        throttle.failed(f"user-{n}")
        assert throttle.retry_after(f"user-{n}") > 0
    throttle.failed("user-0")
    assert throttle.retry_after("user-0") == 0  # let go: its one failure was the oldest
    assert throttle.retry_after("locked") > 0
    assert throttle.tracked() == 4 + 1  # four locked, and user-0 counting again
