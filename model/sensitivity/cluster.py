"""Running the chunks of a sweep on a Dask cluster (``--scheduler ADDRESS`` or a ``distributed.Client``).

A backend of the same shape as :mod:`.pool`'s (:class:`~.evaluate.Backend`), keeping tasks in flight as
they do (:class:`~.pool.InFlight`). It connects when it is
created, before anything is written: every way of not reaching a cluster (a malformed address, an unknown
scheme, ``tls://`` without TLS settings, nothing listening, no workers) is one
:class:`~model.errors.InputError` ``--scheduler ADDRESS: problem; what to do``, and the sweep never starts.
The job is scattered to every worker once; a few chunks per worker thread are in flight at a time.

A cluster that loses a worker with the only copy of the job (one worker, killed or out of memory), a
chunk whose workers keep dying, or a lost scheduler stops the sweep with one :class:`ClusterLost` line
saying so, that the chunks finished are kept, and to run the same command again to resume (exit 2).
"""

from __future__ import annotations

from concurrent.futures import CancelledError
from typing import Any, Iterable, Iterator

from ..errors import InputError
from .evaluate import Job, RunFailed, Task, run_chunk
from .pool import InFlight

CONNECT_TIMEOUT = 10.0  # seconds to reach the scheduler, and again to see a worker
IN_FLIGHT_PER_THREAD = 2
SCHEMES = ("tcp", "tls", "inproc", "ucx", "ws", "wss")
TLS_KEYS = "distributed.comm.tls.ca-file, distributed.comm.tls.client.cert and distributed.comm.tls.client.key"


def check_address(address: str) -> str:
    """``address`` with its scheme made explicit (a bare ``host:port`` is ``tcp://host:port``).

    Raises InputError for an empty address, an unknown scheme, a missing or impossible port."""
    from distributed.comm.addressing import parse_host_port

    text = address.strip()
    shown = address if text and not any(c.isspace() for c in address) else repr(address)
    given = f"--scheduler {shown}"
    example = "give the address `dask scheduler` prints, e.g. tcp://127.0.0.1:8786"
    if not text:
        raise InputError(f"{given}: the address is empty; {example}")
    scheme, rest = text.split("://", 1) if "://" in text else ("tcp", text)
    if scheme not in SCHEMES:
        raise InputError(f"{given}: unknown address scheme '{scheme}'; allowed: {', '.join(SCHEMES)} "
                         f"(or a bare HOST:PORT, which is tcp); {example}")
    if scheme in ("tcp", "tls", "ws", "wss"):
        try:
            _, port = parse_host_port(rest)
        except ValueError:
            raise InputError(f"{given}: expected {scheme}://HOST:PORT; {example}") from None
        if not 0 < int(port) < 65536:
            raise InputError(f"{given}: port {port} is not a port number (1 to 65535); {example}")
    elif not rest:
        raise InputError(f"{given}: the address after {scheme}:// is missing; {example}")
    return f"{scheme}://{rest}"


def connect(address: str, timeout: float | None = None) -> Any:
    """A ``distributed.Client`` connected to the scheduler at ``address`` with at least one worker.

    Waits ``timeout`` seconds (default :data:`CONNECT_TIMEOUT`) for the scheduler and as long again for a
    worker. Raises InputError (never anything else) if that fails, saying why and what to do."""
    try:
        from distributed import Client
        from distributed.security import Security
    except ImportError:  # pragma: no cover - dask is a dependency
        raise InputError("--scheduler needs dask.distributed: pip install 'dask[distributed]'") from None
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    full = check_address(address)
    security = Security()  # TLS settings from Dask's configuration
    if full.startswith("tls://") and not (security.tls_ca_file and security.tls_client_cert):
        raise InputError(f"--scheduler {address}: a tls:// address needs TLS settings (a CA file and this "
                         f"client's certificate and key) in Dask's configuration: {TLS_KEYS} (or the "
                         "DASK_DISTRIBUTED__COMM__TLS__... environment variables); or use a tcp:// address")
    try:
        client = Client(full, timeout=f"{timeout}s", security=security)
    except Exception as exc:  # OSError, TimeoutError, ValueError, TypeError, ...: all mean "not reached"
        raise InputError(f"--scheduler {address}: cannot connect to a Dask scheduler there within {timeout:g} s "
                         f"({type(exc).__name__}: {' '.join(str(exc).split()) or 'no detail'}); start one "
                         "with `dask scheduler` and give the address it prints") from None
    try:
        wait_for_a_worker(client, f"--scheduler {address}", timeout)
    except InputError:
        client.close()
        raise
    return client


def wait_for_a_worker(client: Any, what: str, timeout: float | None = None) -> None:
    """Return once the cluster of ``client`` has a worker; InputError naming ``what`` after ``timeout``
    seconds (default :data:`CONNECT_TIMEOUT`) without one."""
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    try:
        client.wait_for_workers(1, timeout=timeout)
    except Exception:
        address = getattr(client.scheduler, "address", "ADDRESS")
        raise InputError(f"{what}: the scheduler has no workers (waited {timeout:g} s); start some with "
                         f"`dask worker {address}`") from None


class ClusterLost(InputError):
    """The cluster lost a worker (and with it work it held) or the scheduler: what finished is kept, and
    running the same command again resumes. ``in_folder(out)`` names where it is kept."""

    def __init__(self, problem: str, folder: Any = None) -> None:
        self.problem = problem
        kept = f" in {folder}" if folder is not None else ""
        super().__init__(f"{problem}; what finished is kept{kept}: run the same command again to resume")

    def in_folder(self, folder: Any) -> "ClusterLost":
        """The same fault, saying that what finished is kept in ``folder``."""
        return ClusterLost(self.problem, folder)


def cluster_lost(exc: BaseException, where: str, what: str) -> ClusterLost | None:
    """The :class:`ClusterLost` that ``exc`` (raised by a future of ``what``, e.g. "chunk 12", on the
    cluster at ``where``) means, or None if it is not the cluster's fault (a run's own error)."""
    from distributed.scheduler import KilledWorker

    if isinstance(exc, CancelledError):  # FutureCancelledError: "already forgotten" when the job was lost
        return ClusterLost(f"{where}: a Dask worker was lost (ended, killed, or out of memory?) while running "
                           f"{what}, and with it data the cluster cannot recompute")
    if isinstance(exc, KilledWorker):
        return ClusterLost(f"{where}: every Dask worker that ran {what} died (out of memory? give workers more "
                           "memory, or use smaller chunks via chunk_size)")
    if isinstance(exc, (OSError, TimeoutError)):  # CommClosedError, StreamClosedError, a scheduler gone
        return ClusterLost(f"{where}: the connection to the Dask scheduler was lost while running {what} "
                           f"({type(exc).__name__})")
    return None


def raise_if_lost(futures: Iterable[Any], where: str, what: str) -> None:
    """Raise :class:`ClusterLost` if any of the finished ``futures`` failed because the cluster lost a
    worker or its scheduler (other failures are left to the caller)."""
    for future in futures:
        if future.status == "cancelled":
            raise ClusterLost(f"{where}: a Dask worker was lost (ended, killed, or out of memory?) while running "
                              f"{what}, and with it data the cluster cannot recompute")
        if future.status == "error":
            lost = cluster_lost(future.exception(), where, what)
            if lost is not None:
                raise lost


class DaskCluster(InFlight):
    """Runs chunks on the workers of a Dask cluster: connects to ``scheduler`` now (see :func:`connect`),
    or uses ``client`` (a ``distributed.Client`` the caller owns and closes)."""

    def __init__(self, scheduler: str | None = None, client: Any = None, timeout: float | None = None) -> None:
        self.own = client is None
        if client is not None:
            wait_for_a_worker(client, "client", timeout)
        self.client = connect(scheduler, timeout) if client is None else client
        self.where = scheduler or str(self.client.scheduler.address)
        self.workers = sum(self.client.nthreads().values()) or 1
        self.pending = {}
        self.job_future = None

    def start(self, job: Job, tasks: Iterator[Task], n_tasks: int) -> Iterator[tuple[int, dict]]:
        """Scatters the job to every worker and submits the first tasks; the returned iterator yields
        ``(chunk, columns)`` as chunks finish. A task that fails raises RunFailed."""
        from distributed import as_completed

        self.workers = sum(self.client.nthreads().values()) or 1
        self.done = as_completed()
        self.job_future = self.client.scatter(job, broadcast=True, hash=False)
        self.fill(tasks, IN_FLIGHT_PER_THREAD * self.workers)
        return (self.collect(future) for future in self.done)

    def _send(self, task: Task) -> Any:
        future = self.client.submit(run_chunk, self.job_future, task.start, task.stop, task.rows,
                                    task.first_point, pure=False)
        self.done.add(future)
        return future

    def _failure(self, exc: Exception, chunk: int) -> Exception:
        lost = cluster_lost(exc, f"Dask cluster {self.where}", f"chunk {chunk}")
        return lost or RunFailed(f"chunk {chunk} failed on the Dask cluster: {type(exc).__name__}: {exc}")

    def close(self) -> None:
        """Cancels the chunks still pending and the scattered job; closes the connection if it made it."""
        try:
            if self.pending:
                self.client.cancel(list(self.pending))
            if self.job_future is not None:
                self.client.cancel([self.job_future])
        except Exception:
            pass
        self.pending.clear()
        if self.own:
            self.client.close()
