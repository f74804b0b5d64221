"""Start and stop a throwaway ClickHouse server (Debian's clickhouse-server).

Used by the test session and the benchmarks: a generated config on a free
loopback port with its own data directory, removed afterwards.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time

SERVER_BINARY = "/usr/sbin/clickhouse-server"

CONFIG = """<?xml version="1.0"?>
<yandex>
    <logger>
        <level>warning</level>
        <log>{data}/log/server.log</log>
        <errorlog>{data}/log/server.err.log</errorlog>
        <size>10M</size>
        <count>1</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <tcp_port>{tcp_port}</tcp_port>
    <http_port>{http_port}</http_port>
    <max_connections>256</max_connections>
    <max_concurrent_queries>64</max_concurrent_queries>
    <mark_cache_size>268435456</mark_cache_size>
    <uncompressed_cache_size>268435456</uncompressed_cache_size>
    <path>{data}/</path>
    <tmp_path>{data}/tmp/</tmp_path>
    <user_files_path>{data}/user_files/</user_files_path>
    <format_schema_path>{data}/format_schemas/</format_schema_path>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <users>
        <default>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <load_balancing>random</load_balancing>
        </default>
    </profiles>
    <quotas><default></default></quotas>
</yandex>
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ClickHouseServer:
    """A clickhouse-server process on loopback; use as a context manager."""

    def __init__(self, binary=SERVER_BINARY, start_timeout=60.0):
        self.binary = binary
        self.start_timeout = start_timeout
        self.data_dir = None
        self.process = None
        self.tcp_port = None

    @property
    def url(self):
        return f"clickhouse://default@127.0.0.1:{self.tcp_port}/default"

    def start(self):
        if not os.path.exists(self.binary):
            raise RuntimeError(f"{self.binary} is missing: install Debian's clickhouse-server")
        self.data_dir = tempfile.mkdtemp(prefix="vigie-clickhouse-")
        os.makedirs(os.path.join(self.data_dir, "log"))
        self.tcp_port, http_port = free_port(), free_port()
        config = os.path.join(self.data_dir, "config.xml")
        with open(config, "w") as f:
            f.write(CONFIG.format(data=self.data_dir, tcp_port=self.tcp_port, http_port=http_port))
        self._log = open(os.path.join(self.data_dir, "log", "stdout.log"), "w")
        self.process = subprocess.Popen(
            [self.binary, f"--config-file={config}"],
            stdout=self._log, stderr=subprocess.STDOUT, cwd=self.data_dir,
        )
        self._wait_ready()
        return self

    def _wait_ready(self):
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"clickhouse-server exited with {self.process.returncode}: {self._tail_log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.tcp_port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"clickhouse-server did not listen within {self.start_timeout}s: {self._tail_log()}")

    def _tail_log(self):
        path = os.path.join(self.data_dir, "log", "server.err.log")
        try:
            with open(path) as f:
                return f.read()[-2000:]
        except OSError:
            return "(no log)"

    def kill(self):
        """Stop abruptly (SIGKILL); data stays so the server can be started again."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def restart(self):
        """Start again on the same port and data directory."""
        self.kill()
        config = os.path.join(self.data_dir, "config.xml")
        self.process = subprocess.Popen(
            [self.binary, f"--config-file={config}"],
            stdout=self._log, stderr=subprocess.STDOUT, cwd=self.data_dir,
        )
        self._wait_ready()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()
        if self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.data_dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
