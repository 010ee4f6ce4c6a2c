"""``spridning dashboard``: the live dashboard (Mesa SolaraViz) in the browser, on this computer only."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..dashboard.words import LANGUAGES
from .args import whole_number


def port(text: str) -> int:
    """A TCP port, 1024-65535 (0: any free port)."""
    value = whole_number(text, 0)
    if value and not 1024 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1024-65535 (or 0 for any free one), got {value}")
    return value


def add_parser(sub) -> None:
    """Register the ``dashboard`` command."""
    p = sub.add_parser("dashboard", help="start the live dashboard in the browser (127.0.0.1 only)",
                       description="Start the live dashboard: pick a scenario, set the main levers' budgets and "
                                   "key parameters, press Reset, then Step or Play to watch the map, diffusion and "
                                   "equality change. Stop it with Ctrl-C.")
    p.add_argument("--port", type=port, default=8765, help="port on 127.0.0.1 (default: 8765)")
    p.add_argument("--lang", choices=LANGUAGES, default="en",
                   help="the page's language at start: en (English) or sv (Swedish); the page has a switch too")
    p.add_argument("--scenarios", metavar="DIR", help="folder of scenario files to pick from (default: scenarios/)")
    p.set_defaults(func=cmd_dashboard)


def cmd_dashboard(args: argparse.Namespace) -> int:
    """Serve the dashboard until Ctrl-C (the server process is stopped with it). InputError, before anything
    is announced, when the port is taken; ``--port 0`` serves on a free port and announces that one."""
    import subprocess  # here, not for every command's parser (as the server's helpers)

    from ..dashboard.server import HOST, LANG_ENV, PortInUse, claim_port, command, environment
    from ..errors import InputError

    env = environment()  # Solara's version check and telemetry off
    if args.scenarios:
        folder = Path(args.scenarios).resolve()
        if not any(folder.glob("*.yaml")):
            raise InputError(f"--scenarios {args.scenarios}: no scenario files (*.yaml) there")
        env["SPRIDNING_SCENARIOS"] = str(folder)
    env[LANG_ENV] = args.lang
    try:
        port_number = claim_port(args.port)
    except PortInUse as error:
        raise InputError(f"--port {args.port}: {error}; stop it or choose another --port (0 picks a free one)"
                         if error.reason.startswith("is already") else
                         f"--port {args.port}: {error}; choose another --port (0 picks a free one)") from None
    print(f"dashboard: http://{HOST}:{port_number}/  (Ctrl-C stops it)", flush=True)
    server = subprocess.Popen(command(port_number), env=env)
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        raise
