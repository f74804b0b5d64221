"""`vigie demo`: demo traffic loaded into a local embedded store, then served."""
import os

from vigie.cli_common import _command, _port, _positive, _settings
from vigie.demo import run_demo


def cmd_demo(args):
    overrides = {"port": args.port, "host": args.host}
    if args.data_dir:
        overrides["store_url"] = "chdb:///" + os.path.abspath(args.data_dir).lstrip("/")
        # The demo's models live with its data, not in the current directory.
        overrides["churn_model_dir"] = os.path.join(os.path.abspath(args.data_dir), "churn-models")
    settings = _settings(args, **overrides)
    run_demo(settings, days=args.days, visitors=args.visitors, seed=args.seed,
             serve=not args.no_serve)


def register(commands):
    demo = _command(commands, "demo", "load demo traffic into a local store and serve it")
    demo.add_argument("--host", help="address to listen on")
    demo.add_argument("--port", type=_port, help="port to listen on (default 8000)")
    demo.add_argument("--days", type=_positive, default=28, help="days of traffic, ending now (default 28)")
    demo.add_argument("--visitors", type=_positive, default=3000, help="distinct visitors (default 3000)")
    demo.add_argument("--seed", type=int, default=7, help="random seed; a seed and a start time always give the same traffic (default 7)")
    demo.add_argument("--data-dir", metavar="DIR", help="embedded store directory (default ./vigie-data, or VIGIE_STORE_URL)")
    demo.add_argument("--no-serve", action="store_true", help="load the data and stop")
    demo.set_defaults(func=cmd_demo)
