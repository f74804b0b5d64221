"""ClickHouse server backend over the native protocol (clickhouse-driver).

A clickhouse-driver Client is one connection and not thread-safe, so each
thread gets its own client; the server handles the concurrency.
"""
import logging
import threading

from clickhouse_driver import Client
from clickhouse_driver import errors as ch_errors

from vigie.warehouse.store import Store, StoreError, StoreUnavailable, check_row_width

# clickhouse-driver logs every failed connection attempt with a traceback; the
# failure reaches callers as StoreUnavailable with the same facts, so its own
# warnings would only duplicate them (and leak tracebacks into CLI output).
logging.getLogger("clickhouse_driver.connection").setLevel(logging.ERROR)

_UNREACHABLE = (ch_errors.NetworkError, ch_errors.SocketTimeoutError, EOFError,
                ConnectionError, OSError)


class ServerStore(Store):
    backend = "clickhouse"
    concurrent_statements = True

    def __init__(self, host, port, user, password, database,
                 connect_timeout=3, send_receive_timeout=60):
        super().__init__(database)
        self._options = dict(host=host, port=port, user=user, password=password,
                             connect_timeout=connect_timeout,
                             send_receive_timeout=send_receive_timeout,
                             settings={"strings_encoding": "utf-8"})
        self._local = threading.local()
        self._clients = []
        self._clients_lock = threading.Lock()
        self.address = f"{host}:{port}/{database}"

    def _client(self, database=True):
        key = "client" if database else "bare_client"
        client = getattr(self._local, key, None)
        if client is None:
            options = dict(self._options)
            if database:
                options["database"] = self.database
            client = Client(**options)
            setattr(self._local, key, client)
            with self._clients_lock:
                self._clients.append(client)
        return client

    def _run(self, fn, sql):
        try:
            return fn()
        except _UNREACHABLE as exc:
            self._drop_client()
            raise StoreUnavailable(f"ClickHouse server {self.address} unreachable: {exc}") from exc
        except ch_errors.Error as exc:
            message = getattr(exc, "message", None) or str(exc)
            raise StoreError(f"ClickHouse server rejected a statement: {message.splitlines()[0]}"
                             f" [SQL: {sql.strip()[:200]}]") from exc

    def _drop_client(self):
        for key in ("client", "bare_client"):
            client = getattr(self._local, key, None)
            if client is not None:
                client.disconnect()
                setattr(self._local, key, None)
                with self._clients_lock:
                    if client in self._clients:
                        self._clients.remove(client)

    def release_thread(self):
        self._drop_client()

    def create_database(self):
        sql = f"CREATE DATABASE IF NOT EXISTS `{self.database}`"
        self._run(lambda: self._client(database=False).execute(sql), sql)

    def execute(self, sql, params=None):
        self._run(lambda: self._client().execute(sql, params), sql)

    def query_with_columns(self, sql, params=None):
        rows, columns = self._run(
            lambda: self._client().execute(sql, params, with_column_types=True), sql)
        return [name for name, _ in columns], [tuple(r) for r in rows]

    def insert(self, table, columns, rows):
        rows = list(rows)
        if not rows:
            return 0
        check_row_width(table, columns, rows)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES"
        self._run(lambda: self._client().execute(sql, rows), sql)
        return len(rows)

    def close(self):
        with self._clients_lock:
            for client in self._clients:
                client.disconnect()
            self._clients.clear()
        self._local = threading.local()
