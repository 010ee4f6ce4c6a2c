"""The code's revision recorded in a calibration's manifest (model.version.revision)."""

import re
import subprocess

from model import version


def test_the_revision_is_the_checkouts_commit():
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=version.__file__.rsplit("/model/", 1)[0],
                          capture_output=True, text=True)
    found = version.revision()
    if head.returncode != 0:  # not a git checkout (an installed copy): nothing to record
        assert found is None
        return
    assert re.fullmatch(r"[0-9a-f]{40}(\+changes)?", found), found
    assert found.split("+")[0] == head.stdout.strip()


def test_without_git_the_revision_is_not_recorded(monkeypatch):
    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(subprocess, "run", no_git)
    assert version.revision() is None
