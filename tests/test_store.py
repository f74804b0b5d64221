"""The store interface behaves the same on both backends."""
import datetime
import uuid

import pytest

from vigie.warehouse import StoreError, open_store
from vigie.warehouse.migrations import MIGRATIONS, applied_versions, migrate

UTC = datetime.timezone.utc


def test_migrations_are_recorded_and_idempotent(store):
    assert applied_versions(store) == {m[0] for m in MIGRATIONS}
    assert migrate(store) == []
    assert store.query_value("SELECT count() FROM schema_migrations") == len(MIGRATIONS)


def test_migration_numbers_are_strictly_increasing():
    numbers = [m[0] for m in MIGRATIONS]
    assert numbers == sorted(set(numbers))


HOSTILE = ["it's", "back\\slash", "new\nline", "tab\t", "quote' OR 1=1 --", "%(x)s", "é🙂", "nul\0byte"]


@pytest.mark.parametrize("text", HOSTILE)
def test_bound_strings_round_trip_unchanged(store, text):
    store.insert("events", ["event_id", "site", "ts", "name", "pathname"],
                 [(uuid.uuid4(), "a.test", datetime.datetime(2024, 1, 1, tzinfo=UTC), "pageview", text)])
    assert store.query("SELECT pathname FROM events WHERE pathname = %(p)s", {"p": text}) == [(text,)]
    assert store.query_value("SELECT count() FROM events") == 1


def test_values_come_back_as_the_same_python_types(store):
    ts = datetime.datetime(2024, 3, 31, 0, 30, 5, tzinfo=UTC)
    eid = uuid.uuid4()
    store.insert("events", ["event_id", "site", "ts", "name", "visitor_id", "prop_keys", "prop_values",
                            "revenue", "engaged_ms", "screen_width"],
                 [(eid, "a.test", ts, "buy", 2**64 - 1, ["plan"], ["pro"], 19.5, 1500, 1280)])
    row = store.query_dicts(
        "SELECT event_id, ts, toDate(ts, 'Europe/Paris') AS local_day, visitor_id, prop_keys, "
        "prop_values, revenue, engaged_ms, screen_width FROM events")[0]
    assert row["event_id"] == eid
    assert row["ts"] == ts and row["ts"].utcoffset() == datetime.timedelta(0)
    assert row["local_day"] == datetime.date(2024, 3, 31)
    assert row["visitor_id"] == 2**64 - 1
    assert row["prop_keys"] == ["plan"] and row["prop_values"] == ["pro"]
    assert row["revenue"] == 19.5 and row["engaged_ms"] == 1500 and row["screen_width"] == 1280


def test_parameters_bind_dates_lists_and_tuples(store):
    rows = [(uuid.uuid4(), site, datetime.datetime(2024, 1, d, 12, tzinfo=UTC), "pageview")
            for site, d in [("a.test", 1), ("b.test", 2), ("c.test", 3)]]
    store.insert("events", ["event_id", "site", "ts", "name"], rows)
    got = store.query(
        "SELECT site FROM events WHERE site IN %(sites)s AND ts >= %(since)s "
        "AND has(%(names)s, name) ORDER BY site",
        {"sites": ("a.test", "b.test"), "since": datetime.datetime(2024, 1, 2, tzinfo=UTC),
         "names": ["pageview"]})
    assert got == [("b.test",)]


def test_query_frame_holds_the_same_values_as_the_rows(store):
    """The bulk read (Arrow from chdb, rows from the server) means the same numbers."""
    sql = ("SELECT concat('c', toString(number)) AS customer_id, toUInt8(number > 0) AS flag, "
           "number * 1.5 AS amount, if(number = 1, nan, 2.0) AS ratio, toUInt64(number) AS count "
           "FROM numbers(%(n)s) WHERE number >= %(low)s")
    frame = store.query_frame(sql, {"n": 3, "low": 0})
    columns, rows = store.query_with_columns(sql, {"n": 3, "low": 0})
    assert list(frame.columns) == columns == ["customer_id", "flag", "amount", "ratio", "count"]
    assert frame["customer_id"].tolist() == ["c0", "c1", "c2"]
    assert frame["flag"].tolist() == [0, 1, 1] and frame["count"].tolist() == [0, 1, 2]
    assert frame["amount"].tolist() == [0.0, 1.5, 3.0]
    ratio = frame["ratio"].tolist()
    assert ratio[0] == 2.0 and ratio[1] != ratio[1] and ratio[2] == 2.0  # NaN stays NaN
    empty = store.query_frame(sql, {"n": 3, "low": 5})
    assert len(empty) == 0 and list(empty.columns) == columns


def test_batched_insert_of_many_rows(store):
    base = datetime.datetime(2024, 1, 1, tzinfo=UTC)
    rows = [(uuid.uuid4(), "a.test", base + datetime.timedelta(seconds=i), "pageview", i)
            for i in range(5000)]
    assert store.insert("events", ["event_id", "site", "ts", "name", "visitor_id"], rows) == 5000
    assert store.query("SELECT count(), sum(visitor_id) FROM events") == [(5000, sum(range(5000)))]


def test_inserted_values_keep_their_meaning(store):
    """Inserts reach both backends with the same values: aware datetimes in
    UTC, dates, NaN and empty arrays."""
    paris = datetime.timezone(datetime.timedelta(hours=2))
    store.insert("churn_scores", ["site", "customer_id", "as_of", "scored_at", "model_version",
                                  "probability", "risk_band", "reasons", "reason_features"],
                 [("a.test", "c1", datetime.date(2024, 2, 29), datetime.datetime(2024, 3, 1, 2, 0, tzinfo=paris),
                   "v1", float("nan"), "high", ["it's 95 days", "é"], []),
                  ("a.test", "c2", datetime.date(2024, 3, 1), datetime.datetime(2024, 3, 1, tzinfo=UTC),
                   "v2", 0.25, "low", [], ["recency_days"])])
    rows = store.query_dicts("SELECT customer_id, as_of, scored_at, model_version, probability, reasons, "
                             "reason_features FROM churn_scores ORDER BY customer_id")
    assert [r["as_of"] for r in rows] == [datetime.date(2024, 2, 29), datetime.date(2024, 3, 1)]
    assert [r["scored_at"] for r in rows] == [datetime.datetime(2024, 3, 1, tzinfo=UTC)] * 2
    assert rows[0]["probability"] != rows[0]["probability"]  # NaN
    assert rows[1]["model_version"] == "v2" and rows[1]["probability"] == 0.25
    assert rows[0]["reasons"] == ["it's 95 days", "é"] and rows[1]["reason_features"] == ["recency_days"]


def test_rows_of_the_wrong_width_are_refused(store):
    with pytest.raises(StoreError, match="row 1 has 2 values for 3 columns"):
        store.insert("events", ["event_id", "site", "ts"], [(uuid.uuid4(), "a.test")])
    assert store.query_value("SELECT count() FROM events") == 0


def test_a_bad_statement_raises_store_error_naming_it(store):
    with pytest.raises(StoreError, match="no_such_table"):
        store.query("SELECT * FROM no_such_table")


def test_missing_placeholder_value_is_an_error(store):
    with pytest.raises((KeyError, StoreError)):
        store.query("SELECT %(a)s + %(b)s", {"a": 1})


def test_unknown_scheme_is_rejected_with_a_clear_message():
    with pytest.raises(StoreError, match="unknown store scheme"):
        open_store("postgres://x/y")
