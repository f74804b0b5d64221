"""`vigie serve`: the collector and the dashboard on one port, with the background jobs."""
from vigie.cli_common import _command, _port, _positive, _settings


def cmd_serve(args):
    from vigie.server import serve
    settings = _settings(args, host=args.host, port=args.port,
                         workers=args.workers, threads=args.threads)
    serve(settings)


def register(commands):
    serve = _command(commands, "serve", "serve the collector and the dashboard")
    serve.add_argument("--host", help="address to listen on")
    serve.add_argument("--port", type=_port, help="port to listen on")
    serve.add_argument("--workers", type=_positive, help="worker processes (ClickHouse server only)")
    serve.add_argument("--threads", type=_positive, help="threads per worker")
    serve.set_defaults(func=cmd_serve)
