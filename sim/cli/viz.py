"""``alliance-sim viz``: serve the browser page (:mod:`sim.app`) on this machine.

The page must work with no internet. Solara's server keeps a local copy of the page's
JavaScript and CSS (installed by the ``solara-assets`` package) and serves it under
``/_solara/cdn`` when its assets proxy is on; this command turns the proxy on, turns off
solara's usage telemetry and version check, and runs in production mode (development mode
embeds a call-home iframe), so the browser never asks anything of a host but this one.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import warnings
from pathlib import Path


from sim.errors import InputError

#: Environment solara must see before it is imported, for a page that works offline.
OFFLINE_ENV = {
    "SOLARA_ASSETS_PROXY": "True",  # serve page assets from the installed copy
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",  # no usage reports to mixpanel.com
    "SOLARA_THEME_LOADER": "plain",  # a loader with no remote fonts or images
}


def register(subparsers) -> None:
    """Add the ``viz`` sub-command."""
    parser = subparsers.add_parser(
        "viz", help="watch a scenario in the browser (Mesa/Solara page, works offline)",
        description="Start the browser visualisation on this machine and print its address. "
                    "Step, Play and Reset the model, move the mechanism weights, and read why "
                    "each pair aligns. Stop with Ctrl+C.")
    parser.add_argument("scenario", nargs="?", default=None,
                        help="scenario file to open first (default: one from scenarios/)")
    parser.add_argument("--port", type=int, default=8765,
                        help="port to listen on; 0 picks a free one (default 8765)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1, this machine only)")
    parser.set_defaults(func=handle)


def free_port(host: str) -> int:
    """A port the operating system says is free on ``host`` right now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def check_host(host: str) -> None:
    """Refuse an address that names no interface of this machine, before choosing a port
    (binding to it was a traceback with --port 0, and blamed --port otherwise). An empty
    address is refused too: the socket takes it as every interface, which --host 0.0.0.0
    says openly, and the page printed an address (``http://:PORT/``) no browser opens."""
    if not host.strip():
        raise InputError(None, "--host", "an address of this machine to listen on, e.g. 127.0.0.1 "
                         "(0.0.0.0 for every interface)", got=host)
    try:
        free_port(host)
    except OSError as exc:
        raise InputError(None, "--host", f"an address of this machine to listen on, e.g. 127.0.0.1 "
                         f"({exc.strerror or exc})", got=host) from None


#: Hosts that keep the page on this machine.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def check_port(host: str, port: int) -> None:
    """Refuse a port that is taken (or a host that is not this machine's) before serving."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
            sock.bind((host, port))
    except OSError as exc:
        raise InputError(None, "--port", f"a free port on {host} ({exc.strerror}); choose "
                         "another with --port, or --port 0 for any free one", got=port) from None


def check_scenario(path: str) -> Path:
    """Refuse a missing or invalid scenario before the server starts, not inside the page."""
    from sim.reading import load_yaml, read_text

    scenario = Path(path)
    text = read_text(scenario)
    data = load_yaml(text, scenario)  # a regular, bounded UTF-8 YAML file
    if not isinstance(data, dict):
        raise InputError(scenario, None, "a scenario file (a YAML mapping of scenario keys)")
    from sim.scenario.kind import kind_of

    if kind_of(data) != "agent":
        raise InputError(scenario, "mechanism", "an agent-model scenario (landscape scenarios "
                         "have no browser page)")
    from sim.scenario.schema import load_scenario  # the model's own validation and messages

    load_scenario(scenario, read=(data, text))  # the file as read above, not again
    return scenario.resolve()


def solara_argv(host: str, port: int) -> list[str]:
    """Arguments of ``solara run`` for the page, with nothing that reaches the internet."""
    return ["sim.app:Page", "--host", host, "--port", str(port), "--production",
            "--no-open", "--no-check-version"]


def handle(args: argparse.Namespace) -> int:
    """Run the server until interrupted; returns the exit status."""
    if not 0 <= args.port <= 65535:
        raise InputError(None, "--port", "a port number from 0 to 65535",
                         got=args.port)
    env = dict(OFFLINE_ENV)
    if args.scenario is not None:
        env["ALLIANCE_SIM_SCENARIO"] = str(check_scenario(args.scenario))
    check_host(args.host)
    if args.host not in LOCAL_HOSTS:
        print(f"alliance-sim viz: warning: --host {args.host} makes the page reachable from other machines; "
              "anyone who reaches it can run the model on this one (the default 127.0.0.1 keeps it local)",
              file=sys.stderr, flush=True)
    port = args.port or free_port(args.host)
    check_port(args.host, port)
    for key, value in env.items():
        os.environ[key] = value  # read by solara's settings and sim.app at import
    print(f"alliance-sim viz: serving at http://{args.host}:{port}/ (Ctrl+C to stop)",
          flush=True)
    # Solara warns on every page load served over plain http on 127.0.0.1 that it falls
    # back to SameSite=lax cookies: right for a local page, so not worth a screenful each.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    from click.exceptions import Abort
    from solara.__main__ import run  # imported late: solara reads the environment once

    try:
        run.main(solara_argv(args.host, port), prog_name="solara run",
                 standalone_mode=False)
    except OSError as exc:  # most often: the port is taken
        raise InputError(None, "--port", f"a free port ({exc.strerror})",
                         got=port) from exc
    except (Abort, KeyboardInterrupt):  # Ctrl+C is how a server is meant to stop
        pass
    print("alliance-sim viz: stopped", flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(handle(argparse.Namespace(scenario=None, port=8765, host="127.0.0.1")))
