"""`spridning dashboard`: a port already taken is refused before anything is announced, `--port 0` announces
the port really served, and the Solara server it starts calls no one (no version check, no telemetry)."""

import os
import socket

import pytest

from model.dashboard import server
from tests.support import cli_lines


@pytest.fixture
def taken_port():
    """A port another program listens on (127.0.0.1)."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


class FakeServer:
    """Stands in for the server process: records its command line and ends at once."""

    started: list = []

    def __init__(self, command, env):
        FakeServer.started.append((command, env))

    def wait(self, timeout=None):
        return 0


def test_a_taken_port_is_refused_with_one_line_and_nothing_announced(capsys, monkeypatch, taken_port):
    monkeypatch.setattr("subprocess.Popen", FakeServer)
    FakeServer.started = []
    code, out, err = cli_lines(capsys, "dashboard", "--port", taken_port)
    assert code == 2 and out == [] and FakeServer.started == []
    assert err == [f"--port {taken_port}: 127.0.0.1:{taken_port} is already in use by another program; stop it or "
                   "choose another --port (0 picks a free one)"]


def test_claim_port_names_a_taken_port_and_picks_a_free_one_for_0(taken_port):
    with pytest.raises(server.PortInUse, match="already in use"):
        server.claim_port(taken_port)
    free = server.claim_port(0)
    assert 0 < free != taken_port
    assert server.claim_port(free) == free  # nothing holds it after the check


def test_port_0_announces_the_port_the_server_is_given(capsys, monkeypatch):
    monkeypatch.setattr("subprocess.Popen", FakeServer)
    FakeServer.started = []
    code, out, _ = cli_lines(capsys, "dashboard", "--port", "0")
    (command, env), = FakeServer.started
    port = command[command.index("--port") + 1]
    assert code == 0 and int(port) > 0
    assert out == [f"dashboard: http://127.0.0.1:{port}/  (Ctrl-C stops it)"]
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"


def test_the_solara_server_is_configured_to_call_no_one(monkeypatch):
    solara_cli = pytest.importorskip("solara.__main__")
    monkeypatch.setattr(solara_cli, "_check_version", solara_cli._check_version)  # restored afterwards
    monkeypatch.setenv("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "True")  # restored (and the setting below) afterwards
    from solara.server import settings
    monkeypatch.setattr(settings.telemetry, "mixpanel_enable", True)

    configured = server.quiet_solara()
    assert configured is solara_cli
    assert settings.telemetry.mixpanel_enable is False
    assert os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    calls = []
    monkeypatch.setattr("requests.get", lambda *a, **k: calls.append(a))  # what the check would call
    solara_cli._check_version()
    assert calls == []
    arguments = server.solara_arguments(solara_cli, ["--host", "127.0.0.1", "--port", "8765"])
    assert arguments[:2] == ["run", "model.dashboard.app"] and "--no-check-version" in arguments
    # telemetry's own guard: with the setting off, nothing is queued or sent
    from solara.server import telemetry
    monkeypatch.setattr("requests.post", lambda *a, **k: calls.append(a), raising=False)
    telemetry.track("test", {})
    assert calls == []


def test_solara_arguments_leave_out_an_option_a_solara_does_not_have():
    class OldSolara:  # a Solara whose run command has no version-check option
        run = type("Run", (), {"params": ()})()

    assert server.solara_arguments(OldSolara, ["--port", "1"]) == ["run", "model.dashboard.app", "--port", "1"]


def test_lang_reaches_the_page_through_the_environment(capsys, monkeypatch):
    monkeypatch.setattr("subprocess.Popen", FakeServer)
    FakeServer.started = []
    assert cli_lines(capsys, "dashboard", "--port", "0", "--lang", "sv")[0] == 0
    (_, env), = FakeServer.started
    assert env[server.LANG_ENV] == "sv"
    with pytest.raises(SystemExit) as exit_:
        cli_lines(capsys, "dashboard", "--lang", "de")
    assert exit_.value.code == 2 and "invalid choice: 'de'" in capsys.readouterr().err


def test_only_the_named_warnings_are_silenced(monkeypatch):
    import warnings

    monkeypatch.setattr(warnings, "filters", list(warnings.filters))  # restored afterwards
    server.quiet_warnings()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        server.quiet_warnings()  # as at the server's start, after any other filter
        warnings.warn_explicit("Cookies with samesite=none require https, but ...", UserWarning,
                               "starlette.py", 578, module="solara.server.starlette")
        warnings.warn_explicit("a hook in a loop", UserWarning, "validate_hooks.py", 122,
                               module="solara.validate_hooks")
        warnings.warn_explicit("something else", UserWarning, "starlette.py", 600, module="solara.server.starlette")
        warnings.warn_explicit("our own", UserWarning, "live.py", 1, module="model.dashboard.live")
    assert sorted(str(w.message) for w in caught) == ["our own", "something else"]


@pytest.mark.slow
def test_the_server_ends_when_spridning_dashboard_is_killed(tmp_path):
    """SIGTERM (or the out-of-memory killer) of `spridning dashboard` leaves no Solara server listening."""
    import signal
    import subprocess
    import sys
    import time

    import psutil

    log = tmp_path / "out.log"
    with open(log, "w") as out:
        command = subprocess.Popen([sys.executable, "-m", "model", "dashboard", "--port", "0"], stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        children = []
        while time.monotonic() < deadline and not children:  # wait for the state: the server started
            children = [c for c in psutil.Process(command.pid).children() if "model.dashboard.server" in
                        " ".join(c.cmdline())]
            time.sleep(0.2)
        assert children, log.read_text()
        command.send_signal(signal.SIGTERM)
        command.wait(timeout=30)
        gone, alive = psutil.wait_procs(children, timeout=10)
        assert not alive, f"the server outlived its command: {alive}"
    finally:
        if command.poll() is None:
            command.kill()
