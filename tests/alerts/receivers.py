"""Real loopback receivers for delivery tests: an SMTP server and an HTTP webhook."""
import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def closed_port():
    """A loopback port nothing listens on: connections are refused at once."""
    return free_port()


class SmtpInbox:
    """aiosmtpd on a free loopback port; .messages are parsed email.message objects."""

    def __init__(self):
        self.messages = []
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def url(self, to="retention@shop.example.com"):
        return (f"mailto://127.0.0.1:{self.port}?from=vigie@shop.example.com&to={to}"
                "&format=text")

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self._controller.stop()


class WebhookReceiver:
    """http.server on a free loopback port collecting JSON POST bodies."""

    def __init__(self):
        self.bodies = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = min(int(self.headers.get("Content-Length", 0)), 1_000_000)
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path="hook"):
        return f"json://127.0.0.1:{self.port}/{path}"

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
