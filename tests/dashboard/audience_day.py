"""A worked day for the Audience page: who the visitors were, and the numbers by hand.

Site in UTC, day 2024-03-10. Visits (a visit's country, device, browser, OS,
language and screen are those of its first event):

  visitor 1  09:00 / + 09:05 /pricing   FR  desktop laptop  Chrome 124.0  Windows 10  fr-fr  engaged
  visitor 1  11:00 /  (a second visit)  FR  desktop laptop  Chrome 124.0  Windows 10  fr-fr  bounce
  visitor 2  10:00 /                    FR  desktop desktop Firefox 125.0 Linux       fr-fr  bounce
  visitor 3  12:00 /                    DE  mobile  mobile  Safari 17.4   iOS 17.4    de-de  bounce
  visitor 4  13:00 / + 40 s engaged     US  mobile  mobile  Chrome 123.0  Android 14  en-us  engaged
             (customer c-9, first seen 2024-03-01 by another visitor id)
  visitor 5  14:00 /                    (no country) desktop (no screen) Chrome 124.0 macOS 14 en-us bounce

Visits 6, visitors 5. By visits (visitors, bounce rate):
  country   FR 3 (2, 66.7 %), DE 1 (1, 100.0 %), US 1 (1, 0.0 %), unknown 1 (1, 100.0 %)
  device    desktop 4 (3, 75.0 %), mobile 2 (2, 50.0 %)
  screen    laptop 2 (1, 50.0 %), mobile 2 (2, 50.0 %), not set 1, desktop 1 (1, 100.0 %)
  browser   Chrome 4 (3, 50.0 %), Firefox 1, Safari 1
  versions  Chrome 124.0 3 (2, 66.7 %), Chrome 123.0 1, Firefox 125.0 1, Safari 17.4 1
  os        Windows 2 (1, 50.0 %), Android 1, Linux 1, iOS 1, macOS 1
  os version 'Windows 10' 2, 'Android 14' 1, 'Linux ' 1 (no version sent), 'iOS 17.4' 1, 'macOS 14' 1
  language  fr-fr 3 (2, 66.7 %), en-us 2 (2, 50.0 %), de-de 1
  regions   none: every visit has region ''
New vs returning: visitor 1's second visit is returning (same id earlier that
day), visitor 4's visit is returning (its customer was seen on the 1st):
new visits 4, returning visits 2 (share 33.3 %), new visitors 3 (2, 3, 5),
returning visitors 2 (1, 4). The map: France 2 visitors, Germany 1, United
States 1; the visit without a country is not on it.
"""
from tests.factories import event

SITE = "audience.example"
DAY = "2024-03-10"

_FR_PC = dict(country="FR", device="desktop", screen_class="laptop", browser="Chrome",
              browser_version="124.0", os="Windows", os_version="10", language="fr-fr")


def audience_events():
    return [
        event(SITE, "2024-03-10 09:00:00", visitor=1, pathname="/", **_FR_PC),
        event(SITE, "2024-03-10 09:05:00", visitor=1, pathname="/pricing", **_FR_PC),
        event(SITE, "2024-03-10 11:00:00", visitor=1, pathname="/", **_FR_PC),
        event(SITE, "2024-03-10 10:00:00", visitor=2, pathname="/", country="FR", device="desktop",
              screen_class="desktop", browser="Firefox", browser_version="125.0", os="Linux",
              os_version="", language="fr-fr"),
        event(SITE, "2024-03-10 12:00:00", visitor=3, pathname="/", country="DE", device="mobile",
              screen_class="mobile", browser="Safari", browser_version="17.4", os="iOS",
              os_version="17.4", language="de-de"),
        event(SITE, "2024-03-01 08:00:00", visitor=40, pathname="/", customer_id="c-9"),
        event(SITE, "2024-03-10 13:00:00", visitor=4, pathname="/", customer_id="c-9", country="US",
              device="mobile", screen_class="mobile", browser="Chrome", browser_version="123.0",
              os="Android", os_version="14", language="en-us"),
        event(SITE, "2024-03-10 13:00:40", "engagement", visitor=4, pathname="/", engaged_ms=40_000,
              customer_id="c-9", country="US"),
        event(SITE, "2024-03-10 14:00:00", visitor=5, pathname="/", country="", device="desktop",
              screen_class="", browser="Chrome", browser_version="124.0", os="macOS",
              os_version="14", language="en-us"),
    ]
