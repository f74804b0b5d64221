"""Every setting Vigie reads, declared once, and the one place that reads them.

A setting comes, by increasing priority, from its default, the TOML config file
named by VIGIE_CONFIG (keys are the setting names), the environment
(VIGIE_<NAME>), and explicit overrides (tests, CLI flags). Values are parsed
and validated here so that a bad value stops the program at start with a
message naming the setting, not deep inside a request.
"""
import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlsplit

ENV_PREFIX = "VIGIE_"


class SettingsError(ValueError):
    """A setting has a value Vigie cannot use; the message names it."""


def _bool(text):
    if isinstance(text, bool):
        return text
    value = str(text).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("expected true or false")


def _positive_int(text):
    value = int(text)
    if value <= 0:
        raise ValueError("must be a positive integer")
    return value


def _non_negative_int(text):
    value = int(text)
    if value < 0:
        raise ValueError("must be zero or a positive integer")
    return value


def _positive_float(text):
    value = float(text)
    if value <= 0:
        raise ValueError("must be a positive number")
    return value


def _non_negative_float(text):
    value = float(text)
    if not value >= 0 or value == float("inf"):
        raise ValueError("must be zero or a positive number")
    return value


def _directory(text):
    value = str(text).strip()
    if not value:
        raise ValueError("must name a directory")
    return value


def _store_url(text):
    text = str(text).strip()
    scheme = urlsplit(text).scheme
    if scheme not in ("chdb", "clickhouse"):
        raise ValueError("must start with chdb:/// (embedded) or clickhouse:// (server)")
    return text


def _log_level(text):
    value = str(text).strip().upper()
    if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
    return value


def _probability(text):
    value = float(text)
    if not 0 < value < 1:
        raise ValueError("must be a number between 0 and 1 (exclusive)")
    return value


def _discount_rate(text):
    value = float(text)
    if not 0 <= value < 1:
        raise ValueError("must be an annual rate from 0 to below 1, e.g. 0.1 for 10 %")
    return value


def _clv_horizon(text):
    value = int(text)
    if not 1 <= value <= 3650:
        raise ValueError("must be a number of days from 1 to 3650")
    return value


def _trend_months(text):
    value = int(text)
    if not 1 <= value <= 24:
        raise ValueError("must be a number of months from 1 to 24")
    return value


def _optional_cutoff(text):
    """Empty (the default): the median of the site's clients; otherwise a number >= 0."""
    if text is None or str(text).strip() == "":
        return None
    return _non_negative_float(text)


def _key_pages(value):
    """'pricing=/pricing**, cancel=/account/cancel**' -> (('pricing', '/pricing**'), ...).

    Also takes a list of 'NAME=PATTERN' strings (TOML) or the parsed pairs
    themselves (Settings.replace parses every value again).
    """
    items = value if isinstance(value, (list, tuple)) else str(value).split(",")
    pages = []
    for item in items:
        if isinstance(item, (list, tuple)) and len(item) == 2:
            item = f"{item[0]}={item[1]}"
        item = str(item).strip()
        if not item:
            continue
        name, sep, pattern = item.partition("=")
        name, pattern = name.strip(), pattern.strip()
        if not sep or not re.match(r"^[a-z][a-z0-9_]{0,30}$", name) or not pattern.startswith("/"):
            raise ValueError(f"{item!r} is not NAME=/path-pattern (NAME in lowercase letters, "
                             "digits and _)")
        if name in dict(pages):
            raise ValueError(f"key page {name!r} is named twice")
        pages.append((name, pattern))
    return tuple(pages)


def _port(text):
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError("must be a TCP port between 0 and 65535")
    return value


def _public_url(text):
    value = str(text).strip().rstrip("/")
    if value and (urlsplit(value).scheme not in ("http", "https") or not urlsplit(value).netloc):
        raise ValueError("expected an http:// or https:// address, e.g. https://stats.example.com")
    return value


def _report_mail_url(text):
    value = str(text).strip()
    if value and urlsplit(value).scheme not in ("mailto", "mailtos", "mbox"):
        raise ValueError("expected a mailto://, mailtos:// or mbox:// URL")
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[Any], Any] = str

    @property
    def env_var(self):
        return ENV_PREFIX + self.name.upper()


SETTINGS = (
    Setting("store_url", "chdb:///./vigie-data",
            "Where events live: chdb:///PATH for the embedded ClickHouse (one process owns it), "
            "or clickhouse://USER:PASSWORD@HOST:9000/DATABASE for a ClickHouse server.",
            _store_url),
    Setting("secret_key", "",
            "Key that signs dashboard login sessions. Empty: a random key per start, so logins do "
            "not survive a restart and several workers cannot share them; set it in production.",
            str),
    Setting("host", "127.0.0.1", "Address `vigie serve` listens on.", str),
    Setting("port", 8000, "Port `vigie serve` listens on.", _port),
    Setting("workers", 0,
            "Worker processes for `vigie serve`. 0 picks: 1 with the embedded store (one process "
            "owns it), 2 x CPU cores + 1 with a ClickHouse server.",
            _non_negative_int),
    Setting("threads", 8, "Threads per worker process for `vigie serve`.", _positive_int),
    Setting("max_payload_bytes", 8192,
            "Largest event body the collector accepts; bigger bodies get 413.", _positive_int),
    Setting("api_max_payload_bytes", 2_097_152,
            "Largest body POST /api/v1/events accepts (a batch of up to 1,000 events); "
            "bigger bodies get 413.", _positive_int),
    Setting("backfill_max_days", 365,
            "How far in the past (days) an event sent to POST /api/v1/events may be dated.",
            _positive_int),
    Setting("buffer_max_rows", 1000,
            "The write buffer flushes to ClickHouse when it holds this many events.", _positive_int),
    Setting("buffer_max_seconds", 2.0,
            "The write buffer flushes at least this often (seconds) while it holds events.",
            _positive_float),
    Setting("spool_dir", "./vigie-spool",
            "Directory of the on-disk spool: every accepted event is written there before its 202 "
            "and stays until ClickHouse confirmed it, so events survive a crash or a ClickHouse "
            "outage. Shared by all workers; each store gets its own sub-directory.",
            _directory),
    Setting("spool_degraded_seconds", 300.0,
            "GET /healthz answers \"status\": \"degraded\" when the oldest event waiting in the "
            "spool is older than this (seconds): events are accepted but not reaching the store.",
            _positive_float),
    Setting("insert_timeout_seconds", 10.0,
            "An insert into ClickHouse that takes longer counts as failed: its events wait in the "
            "spool and are retried (never written twice).",
            _positive_float),
    Setting("rate_limit_per_ip", 20.0,
            "Events per second one client address may send to /api/event, per worker process, "
            "with bursts of 10 seconds' worth; over it: 429. 0 turns the limit off.",
            _non_negative_float),
    Setting("rate_limit_per_site", 2000.0,
            "Events per second /api/event accepts for one site, per worker process, with bursts "
            "of 10 seconds' worth; over it: 429. 0 turns the limit off.",
            _non_negative_float),
    Setting("metrics_token", "",
            "Bearer token for GET /metrics. Empty: /metrics answers only direct requests from "
            "the loopback address (not proxied ones).",
            str),
    Setting("visit_timeout_minutes", 30,
            "Inactivity gap that ends a visit (session).", _positive_int),
    Setting("engaged_seconds", 10,
            "Foreground time after which a one-page visit counts as engaged (not a bounce).",
            _positive_int),
    Setting("sessions_job_interval_seconds", 300,
            "How often `vigie serve` runs the sessions job (visits appear within this delay).",
            _positive_int),
    Setting("sessions_lookback_minutes", 180,
            "Each scheduled sessions run re-covers this much time before its last run, so late "
            "events (spool replays, slow clients) join or extend their visits.",
            _positive_int),
    Setting("rollups_job_interval_seconds", 3600,
            "How often `vigie serve` runs the rollups job; it rolls up finished days only, so "
            "yesterday is rolled up within this delay after local midnight.",
            _positive_int),
    Setting("value_summaries_interval_seconds", 120,
            "How often `vigie serve` computes ahead the customer-value summaries of the Churn and "
            "Customers pages (portfolio value and trend, RFM, CLV, matrix) for every site; a site "
            "whose transactions, clients and scores have not changed costs two quick scans.",
            _positive_int),
    Setting("rollups_lookback_days", 2,
            "Each scheduled rollups run rebuilds this many finished days before its last run.",
            _positive_int),
    Setting("job_parallel_chunks", 2,
            "How many chunks (three days of sessions, one day of rollups) of a long job window, "
            "such as a backfill, run at once on a ClickHouse server; about the server's core "
            "count. The embedded store runs them one at a time.",
            _positive_int),
    Setting("job_claim_lease_seconds", 600,
            "With several `vigie serve` workers, how long a worker's claim on a scheduled "
            "analytics job run holds: others leave the job alone meanwhile, and retry the slot "
            "after it if the run never finished (a crashed worker). Make it longer than the "
            "longest run.",
            _positive_int),
    Setting("trust_proxy_headers", False,
            "Take the client address from X-Forwarded-For (only behind a proxy you control).",
            _bool),
    Setting("cookie_secure", False,
            "Send the dashboard login cookie over HTTPS only; turn on whenever Vigie is served "
            "over HTTPS (directly or behind a TLS proxy).",
            _bool),
    Setting("log_level", "INFO", "Logging level: DEBUG, INFO, WARNING or ERROR.", _log_level),
    Setting("churn_model_dir", "./vigie-models",
            "Directory of the churn model registry's artifacts (one sub-directory per site and "
            "model version); the churn_models table lists them.",
            str),
    Setting("churn_horizon_days", 90,
            "Churn horizon: a client is churned when nothing happens in this many days after the "
            "reference date (see docs/churn.md). `vigie churn train --horizon` overrides it.",
            _positive_int),
    Setting("churn_label_requires_no_visit", False,
            "Count a client without purchases in the horizon as churned only if they did not "
            "visit the website either.",
            _bool),
    Setting("churn_key_pages",
            "pricing=/pricing**, cancel=/cancel**, support=/support**, billing=/billing**",
            "Pages whose visits are churn features: comma-separated NAME=PATTERN pairs; "
            "patterns use * (one path segment) and ** (anything), as goal patterns do.",
            _key_pages),
    Setting("churn_risk_medium", 0.3,
            "Churn probability from which a client's risk band is medium.", _probability),
    Setting("churn_risk_high", 0.6,
            "Churn probability from which a client's risk band is high.", _probability),
    Setting("clv_horizon_days", 365,
            "Horizon of customer lifetime value, in days (1-3650): purchases expected over it "
            "count (docs/customer-value.md). The Stats API's horizon parameter overrides it.",
            _clv_horizon),
    Setting("clv_discount_rate", 0.10,
            "Annual discount rate of customer lifetime value (0.1 = 10 %), applied month by month "
            "at the monthly rate compounding to it: (1 + rate)^(1/12) - 1.",
            _discount_rate),
    Setting("portfolio_trend_months", 6,
            "Months (1-24) of the portfolio value trend on the Churn page; each month costs one "
            "read of the site's transactions and a model fit.",
            _trend_months),
    Setting("matrix_value_cutoff", "",
            "Loyalty-profitability matrix: CLV above which a client is high profit. Empty: the "
            "median CLV of the site's active clients.",
            _optional_cutoff),
    Setting("matrix_tenure_cutoff_days", "",
            "Loyalty-profitability matrix: days since the first purchase above which a client's "
            "relationship is long. Empty: the median of the site's active clients.",
            _optional_cutoff),
    Setting("alert_interval_minutes", 60,
            "How often `vigie serve` evaluates every site's churn alert rules and delivers new "
            "alerts (it runs after the scoring job when both are due).",
            _positive_int),
    Setting("alert_cooldown_days", 30,
            "After an alert is resolved, no new alert for the same client and rule for this many days.",
            _non_negative_int),
    Setting("alert_cap_per_client", 2,
            "At most this many new alerts per client, across all rules, within alert_cap_days "
            "(marketing pressure); further hits wait until the window allows them.",
            _positive_int),
    Setting("alert_cap_days", 30, "The window, in days, of alert_cap_per_client.", _positive_int),
    Setting("alert_delivery_attempts", 3,
            "Attempts per channel to deliver an alert message before it is logged as failed.",
            _positive_int),
    Setting("alert_retry_seconds", 2.0,
            "Wait before the second delivery attempt; it doubles for each further attempt.",
            _positive_float),
    Setting("public_url", "",
            "The address people open Vigie at (e.g. https://stats.example.com), for the links "
            "in emails: the dashboard link and the unsubscribe link of email reports. Empty: "
            "http://HOST:PORT of `vigie serve`, which only works on that machine.",
            _public_url),
    Setting("report_mail_url", "",
            "The apprise URL email reports are sent through, without a recipient: "
            "mailtos://USER:PASSWORD@SMTP_HOST?from=reports@example.com (or mailto:// for SMTP "
            "without TLS; mbox:///PATH to keep them in a local mail file). Each subscription's "
            "address is added as the recipient. Empty: no email report is sent.",
            _report_mail_url),
    Setting("report_interval_minutes", 60,
            "How often `vigie serve` looks for email reports due (a week or month just over) and "
            "retries the ones that failed.",
            _positive_int),
    Setting("report_retry_runs", 24,
            "How many runs may fail to send one email report before Vigie stops trying it (the "
            "failures stay in the send log and the delivery log).",
            _positive_int),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}
SECRET_SETTINGS = ("secret_key", "metrics_token", "report_mail_url")  # never shown in reprs or logs


class Settings:
    """Parsed settings as attributes (settings.store_url); immutable once built."""

    def __init__(self, values):
        object.__setattr__(self, "_values", dict(values))

    def __getattr__(self, name):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no setting named {name!r}") from None

    def __setattr__(self, name, value):
        raise AttributeError("settings are read-only; build new ones with load_settings(overrides=...)")

    def as_dict(self):
        return dict(self._values)

    def replace(self, **overrides):
        current = {k: v for k, v in self._values.items() if not k.startswith("_")}
        return load_settings(environ={}, overrides={**current, **overrides})

    @property
    def secret_key_generated(self):
        """True when no secret_key was configured and a random one was made for this start."""
        return self._values.get("_secret_key_generated", False)

    def __repr__(self):
        shown = {k: ("***" if k in SECRET_SETTINGS and v else v) for k, v in self._values.items()}
        return f"Settings({shown})"


def _read_config_file(path):
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise SettingsError(f"VIGIE_CONFIG: config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"VIGIE_CONFIG: {path} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(SETTINGS_BY_NAME))
    if unknown:
        raise SettingsError(f"{path}: unknown setting(s) {', '.join(unknown)}; "
                            f"known: {', '.join(SETTINGS_BY_NAME)}")
    return data


def load_settings(environ=None, overrides=None):
    """Build Settings from defaults < config file < environment < overrides."""
    environ = os.environ if environ is None else environ
    raw = {s.name: (s.default, "default") for s in SETTINGS}
    config_path = environ.get(ENV_PREFIX + "CONFIG")
    if config_path:
        for name, value in _read_config_file(config_path).items():
            raw[name] = (value, f"{config_path}: {name}")
    for setting in SETTINGS:
        if setting.env_var in environ:
            raw[setting.name] = (environ[setting.env_var], setting.env_var)
    for name, value in (overrides or {}).items():
        if name not in SETTINGS_BY_NAME:
            raise SettingsError(f"unknown setting {name!r}")
        raw[name] = (value, name)

    values = {}
    for setting in SETTINGS:
        value, origin = raw[setting.name]
        try:
            values[setting.name] = setting.parse(value)
        except (TypeError, ValueError) as exc:
            raise SettingsError(f"{origin}={value!r} is invalid: {exc}") from None
    if values["churn_risk_medium"] >= values["churn_risk_high"]:
        raise SettingsError(f"churn_risk_medium={values['churn_risk_medium']} must be below "
                            f"churn_risk_high={values['churn_risk_high']}")
    if not values["secret_key"]:
        values["secret_key"] = secrets.token_hex(32)
        values["_secret_key_generated"] = True
    return Settings(values)
