"""Settings are read in one place, with precedence and clear errors."""
import pytest

from vigie.settings import SettingsError, load_settings


def test_defaults_apply_when_nothing_is_set():
    s = load_settings(environ={})
    assert s.store_url == "chdb:///./vigie-data"
    assert s.port == 8000 and s.visit_timeout_minutes == 30 and s.engaged_seconds == 10
    assert s.secret_key_generated and len(s.secret_key) == 64


def test_precedence_default_file_environment_override(tmp_path):
    config = tmp_path / "vigie.toml"
    config.write_text('port = 9001\nthreads = 3\nlog_level = "debug"\n')
    s = load_settings(environ={"VIGIE_CONFIG": str(config), "VIGIE_THREADS": "5"},
                      overrides={"log_level": "ERROR"})
    assert (s.port, s.threads, s.log_level) == (9001, 5, "ERROR")


@pytest.mark.parametrize("environ, message", [
    ({"VIGIE_PORT": "eighty"}, "VIGIE_PORT"),
    ({"VIGIE_PORT": "70000"}, "between 0 and 65535"),
    ({"VIGIE_STORE_URL": "mysql://x"}, "chdb:///"),
    ({"VIGIE_TRUST_PROXY_HEADERS": "maybe"}, "true or false"),
    ({"VIGIE_BUFFER_MAX_SECONDS": "-1"}, "positive"),
    ({"VIGIE_LOG_LEVEL": "LOUD"}, "DEBUG, INFO"),
    ({"VIGIE_CONFIG": "/nonexistent/vigie.toml"}, "does not exist"),
])
def test_bad_values_name_the_setting(environ, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(environ=environ)


def test_unknown_keys_in_the_config_file_are_errors(tmp_path):
    config = tmp_path / "vigie.toml"
    config.write_text('prot = 1\n')
    with pytest.raises(SettingsError, match="unknown setting.*prot"):
        load_settings(environ={"VIGIE_CONFIG": str(config)})


def test_invalid_toml_is_reported(tmp_path):
    config = tmp_path / "vigie.toml"
    config.write_text('port = \n')
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(environ={"VIGIE_CONFIG": str(config)})


def test_settings_are_read_only_and_mask_the_secret():
    s = load_settings(environ={"VIGIE_SECRET_KEY": "hunter2-hunter2"})
    with pytest.raises(AttributeError):
        s.port = 1
    assert "hunter2" not in repr(s) and not s.secret_key_generated


def test_cookie_secure_reaches_the_session_cookie(store, store_url):
    from vigie.app import create_app
    from vigie.warehouse.users import add_user
    add_user(store, "ana@shop.test", "correct horse battery")
    for secure in (False, True):
        settings = load_settings(environ={}, overrides={
            "store_url": store_url, "secret_key": "k" * 32, "cookie_secure": secure})
        app = create_app(settings, store=store, start_background=False)
        client = app.test_client()
        response = client.get("/login")
        cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
        assert ("Secure" in cookies["session"]) is secure and "HttpOnly" in cookies["session"]
        # The CSRF copy the page's scripts read follows the same setting.
        assert ("Secure" in cookies["_csrf_token"]) is secure
        app.extensions["vigie"].close()


def test_customer_value_settings_are_checked():
    settings = load_settings(environ={"VIGIE_CLV_DISCOUNT_RATE": "0.08",
                                      "VIGIE_MATRIX_VALUE_CUTOFF": "250"})
    assert (settings.clv_discount_rate, settings.matrix_value_cutoff) == (0.08, 250.0)
    assert settings.matrix_tenure_cutoff_days is None     # empty: the median
    for name, value in (("clv_discount_rate", "1.5"), ("clv_horizon_days", "0"),
                        ("portfolio_trend_months", "25"), ("matrix_tenure_cutoff_days", "-3")):
        with pytest.raises(SettingsError, match=name):
            load_settings(environ={}, overrides={name: value})
