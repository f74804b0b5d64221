"""The churn settings: key pages and risk bands are checked at start, naming the setting."""
import pytest

from vigie.settings import SettingsError, load_settings


def test_key_pages_parse_into_names_and_patterns():
    settings = load_settings(environ={"VIGIE_CHURN_KEY_PAGES": "pricing=/pricing**, cancel=/account/*/cancel"})
    assert settings.churn_key_pages == (("pricing", "/pricing**"), ("cancel", "/account/*/cancel"))
    assert load_settings(environ={}).churn_key_pages[0] == ("pricing", "/pricing**")
    # Settings.replace parses every value again, and a TOML file may give a list.
    assert settings.replace(port=9000).churn_key_pages == settings.churn_key_pages
    assert load_settings(environ={}, overrides={"churn_key_pages": ["a=/a", "b=/b/*"]}).churn_key_pages == \
        (("a", "/a"), ("b", "/b/*"))


@pytest.mark.parametrize("environ, message", [
    ({"VIGIE_CHURN_KEY_PAGES": "pricing"}, "'pricing' is not NAME=/path-pattern"),
    ({"VIGIE_CHURN_KEY_PAGES": "Pricing Page=/pricing"}, "is not NAME=/path-pattern"),
    ({"VIGIE_CHURN_KEY_PAGES": "a=/x, a=/y"}, "key page 'a' is named twice"),
    ({"VIGIE_CHURN_RISK_HIGH": "1.5"}, "VIGIE_CHURN_RISK_HIGH='1.5' is invalid"),
    ({"VIGIE_CHURN_RISK_MEDIUM": "0.7"}, "churn_risk_medium=0.7 must be below churn_risk_high=0.6"),
])
def test_bad_churn_settings_are_named(environ, message):
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")):
        load_settings(environ=environ)
