"""numba's compile cache of the dynamics, as a fresh environment meets it: the first run compiles and says so
(one line), the next loads everything from the cache and says nothing, and a change to the life cycle's
source recompiles the life cycle and the quarter loop that calls it (numba keys each function's cache on
its own file only: :func:`model.dynamics.quarters._key_on_all_kernels` adds the files it compiles in or
whose constants it reads) while
the kernels that do not depend on it are still loaded. Seen through numba's documented ``NUMBA_DEBUG_CACHE``
output, so a numba upgrade that changes the internals this relies on (``is_compiled``, the cache's source
stamp) fails here instead of silently compiling at every start or running stale code."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from model.runner import COMPILING

ROOT = Path(__file__).resolve().parents[2]

RUN = ("import model; model.run(model.load_scenario({scenario!r}), seed=1)")


def _run(package: Path, cache: Path) -> tuple[set[str], set[str], str]:
    """A run of the baseline in a fresh process with the package copy ``package`` and numba cache ``cache``:
    (kernels saved to the cache, kernels loaded from it, stderr without numba's cache lines)."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache), NUMBA_DEBUG_CACHE="1", PYTHONPATH=str(package))
    env.pop("SPRIDNING_ENVIRONMENT_SAID", None)
    done = subprocess.run([sys.executable, "-c", RUN.format(scenario=str(ROOT / "scenarios" / "baseline.yaml"))],
                          cwd=package, env=env, capture_output=True, text=True, check=True)
    kernels = {verb: set(re.findall(rf"\[cache\] data {verb} (?:from|to) '[^']*?([\w.]+)-\d+\.py\d+\.\d+\.nbc'",
                                   done.stdout + done.stderr)) for verb in ("saved", "loaded")}
    said = "\n".join(line for line in done.stderr.splitlines() if not line.startswith("[cache]"))
    return kernels["saved"], kernels["loaded"], said


@pytest.mark.slow  # three fresh processes, two of which compile the dynamics (10-40 s each)
def test_a_fresh_cache_compiles_once_loads_after_and_a_changed_life_cycle_recompiles_what_calls_it(tmp_path):
    package = tmp_path / "src"
    shutil.copytree(ROOT / "model", package / "model", ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "numba-cache"

    # (the life cycle itself may be compiled by a forked process, model.dynamics.compiling, which says nothing)
    saved, loaded, said = _run(package, cache)
    assert {"quarters._quarters", "people._update", "packed.pack"} <= saved
    assert said.count(COMPILING) == 1  # announced, once

    saved, loaded, said = _run(package, cache)
    # the life cycle too, which the loop calls by address (model.dynamics.native)
    assert not saved and {"quarters._quarters", "lifecycle._advance", "people._update", "packed.pack"} <= loaded
    assert COMPILING not in said

    lifecycle = package / "model" / "dynamics" / "lifecycle.py"
    lifecycle.write_text(lifecycle.read_text() + "\n# a change to the life cycle's source\n")
    saved, loaded, said = _run(package, cache)
    assert "quarters._quarters" in saved  # the loop is compiled again, though its own file is unchanged
    assert "people._update" in loaded and "people._update" not in saved
    assert "lifecycle._advance" in loaded | saved  # compiled again (here or in the forked process), loaded
    assert said.count(COMPILING) == 1


def test_the_loop_s_body_is_keyed_on_the_files_the_loop_is_keyed_on():
    """The quarter loop's body (``quarters._run_quarters``), inlined into the loop and called on its own by
    the compiled levers' loop (model/levers/compiled.py), is cached apart: its cache is stamped with the same
    hash of the files it compiles in as the loop's, so a change to any of them recompiles it too (else the
    compiled levers' runs would load stale dynamics)."""
    import hashlib

    from model.dynamics import quarters

    digest = hashlib.sha256()
    for source in quarters.LOOP_SOURCES:
        digest.update(Path(getattr(source, "__file__", source)).read_bytes())
    for kernel in (quarters._quarters, quarters._run_quarters):
        assert kernel._cache._cache_file._source_stamp == digest.digest(), kernel.__name__
