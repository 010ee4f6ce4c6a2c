"""Serving the dashboard: the port it listens on, and the Solara server, started without calls home.

``spridning dashboard`` checks the port with :func:`claim_port` before it announces an address, then runs
:func:`command` — ``python -m model.dashboard.server``, which is Solara's ``solara run`` on 127.0.0.1 after
:func:`quiet_solara` has switched off what Solara does on its own: the check of the package index for a
newer Solara at every start, and the usage telemetry it would send (to Mixpanel) as pages are served.
Solara is imported only in that server process.
"""

from __future__ import annotations

import errno
import os
import re
import socket
import sys
import warnings
from typing import Any

HOST = "127.0.0.1"  # never reachable from another machine
#: the Solara settings, read from the environment when Solara starts, that keep it from calling anywhere
QUIET_ENVIRONMENT = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}
APP = "model.dashboard.app"
LANG_ENV = "SPRIDNING_LANG"  # the page's language at start (``spridning dashboard --lang``)


class PortInUse(OSError):
    """``HOST:port`` cannot be listened on (``reason``: why, in words for the user)."""

    def __init__(self, port: int, reason: str):
        super().__init__(f"{HOST}:{port} {reason}")
        self.port, self.reason = port, reason


def claim_port(port: int) -> int:
    """The port to serve on: ``port`` if a server can listen on ``HOST:port`` now (tried the way the
    server will, address reuse on, so a port left in TIME_WAIT counts as free), or for ``port`` 0 a free
    port the system picks. Raises :class:`PortInUse` when another program listens there (or the port is
    refused otherwise). The port is free when this returns; another program could still take it before
    the server starts, which the server then reports itself."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(port, "is already in use by another program") from None
            raise PortInUse(port, f"cannot be listened on ({error.strerror or error})") from None
        return probe.getsockname()[1]


def command(port: int) -> list[str]:
    """The server process's command line: this module serving the dashboard on ``HOST:port``."""
    return [sys.executable, "-m", "model.dashboard.server", "--host", HOST, "--port", str(port), "--no-open", "--production"]


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with :data:`QUIET_ENVIRONMENT` set, for the server."""
    return {**(os.environ if base is None else base), **QUIET_ENVIRONMENT}


def quiet_solara() -> Any:
    """Switch off Solara's version check and telemetry in this process; returns Solara's command-line
    module. Solara's settings read the environment when first imported, so :data:`QUIET_ENVIRONMENT` is set
    first; the setting is also assigned, in case a Solara already imported read another value. The version
    check is replaced by nothing (and ``--no-check-version`` passed where the command has it:
    :func:`solara_arguments`), so an older or newer Solara stays quiet either way."""
    os.environ.update(QUIET_ENVIRONMENT)
    import solara.__main__ as solara_cli
    from solara.server import settings

    settings.telemetry.mixpanel_enable = False
    if hasattr(solara_cli, "_check_version"):
        solara_cli._check_version = _no_version_check
    return solara_cli


def _no_version_check() -> None:
    """Solara's version check, switched off: the dashboard calls no one."""


def solara_arguments(solara_cli: Any, arguments: list[str]) -> list[str]:
    """``solara run APP ARGUMENTS`` for Solara's command line, with ``--no-check-version`` when its ``run``
    command knows the option."""
    run = getattr(solara_cli, "run", None)
    options = {o for p in getattr(run, "params", ()) for o in (*p.opts, *p.secondary_opts)}
    return ["run", APP, *arguments, *(["--no-check-version"] if "--no-check-version" in options else [])]


#: warnings Solara prints to the terminal that are not the user's to act on (module, start of the message):
#: served on 127.0.0.1 over http, Solara warns at every page that its session cookie falls back to
#: SameSite=lax (which is what a loopback page needs); its hook checker warns about hooks in libraries' code
QUIET_WARNINGS = (("solara.server.starlette", "Cookies with samesite=none require https"),
                  ("solara.validate_hooks", ""))


def quiet_warnings() -> None:
    """Ignore exactly :data:`QUIET_WARNINGS` (UserWarnings from those modules), nothing else."""
    for module, message in QUIET_WARNINGS:
        warnings.filterwarnings("ignore", message=re.escape(message), category=UserWarning,
                                module=re.escape(module))


def main(arguments: list[str] | None = None) -> None:
    """Serve the dashboard with Solara (``arguments``: ``solara run``'s options, default ``sys.argv[1:]``).
    The server ends with the process that started it (``spridning dashboard``), however that one ends: a
    SIGTERM or the out-of-memory killer must not leave it listening (:func:`model.processes.worker_start`)."""
    import os

    from ..processes import worker_start

    worker_start(os.getppid())
    quiet_warnings()
    solara_cli = quiet_solara()
    solara_cli.cli(solara_arguments(solara_cli, list(sys.argv[1:] if arguments is None else arguments)))


if __name__ == "__main__":
    main()
