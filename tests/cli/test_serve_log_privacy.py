"""No client address in the lines `vigie serve` logs, gunicorn's own included."""
import socket
import subprocess
import sys

import pytest

from tests.cli.test_serve import register_site, stop, vigie_env, wait_until_healthy
from tests.clickhouse_server import free_port
from vigie.log_privacy import without_addresses


@pytest.mark.parametrize("line, expected", [
    ("Invalid request from ip=203.0.113.9: Request Line is too large (5000 > 4094)",
     "Invalid request from ip=[address]: Request Line is too large (5000 > 4094)"),
    ("from ip=::1: bad", "from ip=[address]: bad"),
    ("peer 2001:db8::7 and ::ffff:192.0.2.1 gone", "peer [address] and [address] gone"),
    ("fe80::1%eth0 reset", "[address] reset"),
    ("Listening at: http://127.0.0.1:8000 (12)", "Listening at: http://[address]:8000 (12)"),
    ("at 12:30:05, gunicorn 23.0.1, 1.2.3.4.5, 10.0.0.300", "at 12:30:05, gunicorn 23.0.1, "
                                                             "1.2.3.4.5, 10.0.0.300"),
])
def test_addresses_are_taken_out_of_a_line_and_nothing_else(line, expected):
    assert without_addresses(line) == expected


def test_a_too_long_request_line_is_logged_without_the_client_address(tmp_path):
    url = f"chdb://{tmp_path}/data"
    assert register_site(url).returncode == 0
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "vigie", "serve"],
                               env=vigie_env(url, port=port, log_level="info"),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}")
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            answer = conn.recv(1024)
        assert answer.startswith(b"HTTP/1.1 414")
    finally:
        stop(process)
    log = process.stderr.read()
    assert "Invalid request from ip=[address]" in log
    assert "127.0.0.1" not in log
