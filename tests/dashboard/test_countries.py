"""Country codes as the Audience page shows and maps them."""
import pytest

from vigie.dashboard.countries import alpha3, country_name


@pytest.mark.parametrize("code, name, iso3", [
    ("FR", "France", "FRA"),
    ("fr", "France", "FRA"),          # codes are matched whatever their case
    ("KR", "South Korea", "KOR"),     # the common name where ISO's is formal
    ("US", "United States", "USA"),
    ("XK", "Kosovo", None),           # a registry code outside ISO 3166: named, not mapped
    ("EU", "European Union (no single country)", None),
    ("ZZ", "ZZ", None),               # unknown: shown as it is
    ("", "", None),
])
def test_names_and_map_codes(code, name, iso3):
    assert country_name(code) == name
    assert alpha3(code) == iso3
