"""`vigie sites`: the tracked sites and their settings."""
import argparse

from vigie.cli_common import _command, _migrated_store, _settings
from vigie.warehouse.sites import add_site, list_sites


def _site_settings(site):
    """A site's settings as `vigie sites add` and `vigie sites list` print them."""
    return (f"hostnames: {','.join(site.extra_hostnames) or '-'}\t"
            f"customer ids: {'accepted' if site.identify_customers else 'removed'}\t"
            f"DNT/GPC: {'respected' if site.respect_privacy_signals else 'ignored'}\t"
            f"site search: {','.join(site.search_parameters) or 'off'}"
            + (f" (no results: {' or '.join(_no_results_signals(site))})"
               if _no_results_signals(site) else "")
            + f"\tweb vitals: {'on' if site.web_vitals else 'off'}")


def _no_results_signals(site):
    return ([f"page {site.search_no_results_page}"] if site.search_no_results_page else []) + \
        ([f"event {site.search_no_results_event!r}"] if site.search_no_results_event else [])


def _site_setting_flags(parser):
    """Flags for the settings of warehouse.sites.Site; unset flags keep the current value."""
    hosts = parser.add_mutually_exclusive_group()
    hosts.add_argument("--hostname", action="append", dest="hostnames", metavar="HOST",
                       help="a host beyond the domain and its subdomains whose pages belong to "
                            "the site (repeat for several; replaces the current list); localhost and "
                            "127.0.0.1 let you test the tracker on your machine (docs/snippet.md)")
    hosts.add_argument("--clear-hostnames", action="store_true",
                       help="remove every extra hostname")
    parser.add_argument("--identify-customers", action=argparse.BooleanOptionalAction,
                        help="store the customer_id events carry (default: removed before storage)")
    privacy = parser.add_mutually_exclusive_group()
    privacy.add_argument("--respect-privacy-signals", dest="respect_privacy_signals",
                         action="store_const", const=True,
                         help="drop events from browsers sending DNT: 1 or Sec-GPC: 1 (the default)")
    privacy.add_argument("--ignore-privacy-signals", dest="respect_privacy_signals",
                         action="store_const", const=False,
                         help="keep events from browsers sending DNT or Sec-GPC")
    search = parser.add_mutually_exclusive_group()
    search.add_argument("--search-parameter", action="append", dest="search_parameters", metavar="NAME",
                        help="a query parameter of the site's own search page, e.g. q (repeat for "
                             "several; replaces the current list; new sites: q, s, search, query; "
                             "docs/site-search.md)")
    search.add_argument("--no-site-search", action="store_true",
                        help="no search parameter: site search reports stay empty")
    parser.add_argument("--no-results-page", metavar="PATTERN",
                        help="path pattern of the page a search with no results shows, e.g. "
                             "/search/empty ('' for none)")
    parser.add_argument("--no-results-event", metavar="NAME",
                        help="custom event the search results page sends when nothing matched "
                             "('' for none)")
    parser.add_argument("--web-vitals", action=argparse.BooleanOptionalAction,
                        help="store the reports of the vitals script /js/vitals.js (default: off, "
                             "they are counted as dropped; docs/web-vitals.md)")


def cmd_sites_add(args):
    store = _migrated_store(_settings(args))
    try:
        site = add_site(store, args.domain, args.timezone,
                        extra_hostnames=[] if args.clear_hostnames else args.hostnames,
                        identify_customers=args.identify_customers,
                        respect_privacy_signals=args.respect_privacy_signals,
                        search_parameters=[] if args.no_site_search else args.search_parameters,
                        search_no_results_page=args.no_results_page,
                        search_no_results_event=args.no_results_event,
                        web_vitals=args.web_vitals)
        print(f"site {site.domain} registered (time zone {site.timezone})")
        print(_site_settings(site).replace("\t", "; "))
        print(f'snippet: <script defer data-domain="{site.domain}" '
              f'src="https://YOUR-VIGIE-HOST/js/vigie.js"></script>')
    finally:
        store.close()


def cmd_sites_list(args):
    store = _migrated_store(_settings(args))
    try:
        sites = list_sites(store)
        if not sites:
            print("no sites yet: vigie sites add DOMAIN")
        for site in sites:
            print(f"{site.domain}\t{site.timezone}\t{site.created_at:%Y-%m-%d}\t{_site_settings(site)}")
    finally:
        store.close()


def register(commands):
    sites = _command(commands, "sites", "tracked sites").add_subparsers(
        dest="sites_command", metavar="COMMAND", required=True)
    sites_add = _command(sites, "add", "register a site or change its settings")
    sites_add.add_argument("domain", help="the site's domain, e.g. shop.example.com")
    sites_add.add_argument("--timezone", help="IANA time zone for reports (new sites: UTC; existing: unchanged)")
    _site_setting_flags(sites_add)
    sites_add.set_defaults(func=cmd_sites_add)
    _command(sites, "list", "list registered sites").set_defaults(func=cmd_sites_list)
