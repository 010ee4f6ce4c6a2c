"""The package's version, in one place (recorded in every manifest)."""

__version__ = "0.1.0"


def revision() -> str | None:
    """The git commit of the code that is running (with ``+changes`` when the checkout has uncommitted
    changes to tracked files), or None outside a git checkout: recorded where a result's random stream
    depends on the code (a calibration's proposals), so the result can be reproduced exactly."""
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True,
                                timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}+changes" if dirty else commit
