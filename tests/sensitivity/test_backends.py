"""Where the chunks run (model.sensitivity.pool, .cluster): local processes and a Dask cluster give the
same indices as one process; every way of not reaching a cluster is one message, exit status 2, no
traceback and no results folder. Addresses are on 127.0.0.1 / localhost only, with short timeouts."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from model.cli import main
from model.sensitivity import run_experiment
from model.sensitivity import cluster

from .common import ishigami_experiment, write


def test_local_processes_match_a_single_process(tmp_path):
    exp = write(tmp_path, ishigami_experiment(N=128, replications=2, chunk_size=64))
    one = run_experiment(exp, tmp_path / "one", workers=1, progress=False, plots=False)
    two = run_experiment(exp, tmp_path / "two", workers=2, progress=False, plots=False)
    assert one.stats.where == "in-process" and one.stats.workers == 1
    assert two.stats.where == "local processes" and two.stats.workers == 2
    pd.testing.assert_frame_equal(one.indices("y"), two.indices("y"))


def test_dask_cluster_gives_the_same_indices_as_local(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    exp = write(tmp_path, ishigami_experiment(N=128, chunk_size=100))
    local = run_experiment(exp, tmp_path / "local", workers=1, progress=False, plots=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) \
            as dask_cluster:
        address = dask_cluster.scheduler_address
        code = main(["sensitivity", str(exp), "--scheduler", address, "--check"])
        assert code == 0 and f"cluster    {address}: reached, 2 worker threads" in capsys.readouterr().out
        code = main(["sensitivity", str(exp), "--scheduler", address, "--out", str(tmp_path / "dask"), "--quiet",
                     "--no-plots"])
        assert code == 0, capsys.readouterr().err
    manifest = json.loads((tmp_path / "dask" / "manifest.json").read_text())
    assert manifest["execution"]["where"] == address
    assert manifest["execution"]["workers"] == 2
    dask_indices = pd.read_csv(tmp_path / "dask" / "indices" / "y.csv")
    pd.testing.assert_frame_equal(dask_indices, local.indices("y"), check_exact=False, rtol=1e-12)


UNREACHABLE = {
    "tcp, nothing listening": ("tcp://127.0.0.1:1", "cannot connect to a Dask scheduler there within 1 s"),
    "bare host:port, nothing listening": ("127.0.0.1:1", "cannot connect to a Dask scheduler there within 1 s"),
    "localhost, nothing listening": ("localhost:1", "cannot connect to a Dask scheduler there within 1 s"),
    "tls without security settings": ("tls://127.0.0.1:1", "a tls:// address needs TLS settings"),
    "inproc of another process": ("inproc://127.0.0.1/1/1", "cannot connect to a Dask scheduler there"),
    "garbage text": ("garbage text!!", "expected tcp://HOST:PORT"),
    "empty": ("", "the address is empty"),
    "unknown scheme": ("foo://127.0.0.1:1", "unknown address scheme 'foo'; allowed: tcp, tls, inproc"),
    "scheme without address": ("tcp://", "expected tcp://HOST:PORT"),
    "port out of range": ("tcp://127.0.0.1:99999", "port 99999 is not a port number (1 to 65535)"),
}


@pytest.mark.parametrize("case", list(UNREACHABLE))
@pytest.mark.parametrize("check", [False, True], ids=["run", "check"])
def test_a_cluster_not_reached_is_one_message_and_no_folder(tmp_path, capsys, monkeypatch, case, check):
    pytest.importorskip("distributed")
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    address, expected = UNREACHABLE[case]
    exp = write(tmp_path, ishigami_experiment(N=8))
    out = tmp_path / "out"
    code = main(["sensitivity", str(exp), "--scheduler", address, "--out", str(out), "--quiet",
                 *(["--check"] if check else [])])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("--scheduler ") and expected in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert not out.exists()


def test_a_scheduler_without_workers_is_refused(tmp_path, capsys, monkeypatch):
    distributed = pytest.importorskip("distributed")
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    exp = write(tmp_path, ishigami_experiment(N=8))
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as empty:
        code = main(["sensitivity", str(exp), "--scheduler", empty.scheduler_address, "--out",
                     str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "the scheduler has no workers (waited 1 s); start some with `dask worker" in err, err
    assert not (tmp_path / "out").exists()


def test_workers_and_scheduler_exclude_each_other(tmp_path, capsys):
    exp = write(tmp_path, ishigami_experiment(N=8))
    assert main(["sensitivity", str(exp), "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--workers, --scheduler: give one of them, not both" in capsys.readouterr().err


def test_a_client_without_workers_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    from model.errors import InputError

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)
    exp = write(tmp_path, ishigami_experiment(N=8))
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=None) as empty, \
            distributed.Client(empty) as client:
        with pytest.raises(InputError, match=r"^client: the scheduler has no workers \(waited 1 s\)"):
            run_experiment(exp, tmp_path / "out", client=client, progress=False, plots=False)
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_lost_dask_worker_is_one_line_and_the_same_command_resumes(tmp_path, capsys, monkeypatch):
    """One worker, killed mid-sweep (as by the out-of-memory killer): its scattered job dies with it.
    The sweep stops with one line saying so (exit 2, no traceback); the same command then finishes with the
    indices of an uninterrupted sweep."""
    distributed = pytest.importorskip("distributed")
    import os

    from model.sensitivity import testfunctions as tf

    exp = write(tmp_path, ishigami_experiment(N=128, chunk_size=40, model=f"{tf.__name__}:worker_killing_ishigami"))
    reference = run_experiment(exp, tmp_path / "reference", workers=1, progress=False, plots=False)
    monkeypatch.setenv(tf.KILL_ONCE_ENV, f"{tmp_path / 'killed'}:{os.getpid()}")  # before the workers start
    out = str(tmp_path / "out")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) \
            as dask_cluster:
        command = ["sensitivity", str(exp), "--scheduler", dask_cluster.scheduler_address, "--out", out,
                   "--quiet", "--no-plots"]
        capsys.readouterr()
        assert main(command) == 2
        err = capsys.readouterr().err
        assert (tmp_path / "killed").exists()
        assert "Traceback" not in err and "FutureCancelledError" not in err
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1, err
        assert "a Dask worker was lost" in lines[0] and f"what finished is kept in {out}" in lines[0]
        assert "run the same command again to resume" in lines[0]
        assert main(command) == 0, capsys.readouterr().err  # the nanny restarted the worker
    again = pd.read_csv(tmp_path / "out" / "indices" / "y.csv")
    pd.testing.assert_frame_equal(again, reference.indices("y"), check_exact=False, rtol=1e-12)


def test_what_a_cluster_failure_means():
    from concurrent.futures import CancelledError

    distributed = pytest.importorskip("distributed")
    from distributed.comm.core import CommClosedError

    where = "Dask cluster tcp://127.0.0.1:8786"
    assert "a Dask worker was lost" in str(cluster.cluster_lost(CancelledError("x"), where, "chunk 3"))
    killed = distributed.scheduler.KilledWorker("run_chunk-1", "tcp://127.0.0.1:1", 3)
    assert "every Dask worker that ran chunk 3 died" in str(cluster.cluster_lost(killed, where, "chunk 3"))
    assert "connection to the Dask scheduler was lost" in str(cluster.cluster_lost(CommClosedError(), where, "chunk 3"))
    assert cluster.cluster_lost(ValueError("the model's own error"), where, "chunk 3") is None
    message = str(cluster.ClusterLost("X: lost").in_folder("results/a"))
    assert message == "X: lost; what finished is kept in results/a: run the same command again to resume"
