"""Checks shared by the test modules."""

import textwrap

import pytest

import model
from model.cli import main


def assert_scenario_rejected(tmp_path, capsys, text: str, *expected: str, name: str = "bad.yaml") -> str:
    """A scenario file with ``text`` is refused by the loader and by ``spridning validate`` (exit 2, no
    traceback) with one message that starts with the file's path and contains every ``expected`` part."""
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(model.InputError) as err:
        model.load_scenario(path)
    message = str(err.value)
    assert message.startswith(str(path)), message
    for part in expected:
        assert part in message, (part, message)
    assert main(["validate", str(path)]) == 2
    stderr = capsys.readouterr().err
    assert str(path) in stderr and "Traceback" not in stderr
    return message
