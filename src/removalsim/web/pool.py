"""Heavy model work (Monte Carlo draws) in worker processes, with a time budget and cancellation.

The server's own process answers the cheap requests (one deterministic run takes milliseconds).
Requests with draws run in a small pool of worker processes, each with one engine thread and a
lower CPU priority (nice 10), so that they never hold up the cheap ones. A job that runs past its
time budget, or whose client has gone away, is stopped by ending its worker process, which is
replaced at once.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

HEAVY_SECONDS = float(os.environ.get("REMOVALSIM_HEAVY_SECONDS", "60"))
"""Time budget of one heavy request, in seconds (environment: REMOVALSIM_HEAVY_SECONDS)."""

_POLL = 0.02


class TooSlow(Exception):
    """The job ran past its time budget and was stopped."""


class Cancelled(Exception):
    """The client went away, so the job was stopped."""


@dataclass
class JobFailed(Exception):
    """The job raised an error in the worker (its kind and message)."""

    kind: str
    message: str


def _serve(conn: Connection) -> None:  # pragma: no cover - runs in the worker process
    """A worker's loop: run bands jobs one at a time until the pipe closes."""
    import numba

    from removalsim.web import runs
    from removalsim.web.schemas import RunSpec
    from removalsim.yamlio import InputError

    numba.set_num_threads(1)
    os.nice(10)  # draws yield the processor to the server's cheap runs
    runs.compute_bands(RunSpec(years=0.1, draws=2))  # load the compiled engine before any job
    conn.send(("ready", None))
    while True:
        try:
            body = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", runs.compute_bands(RunSpec.model_validate(body))))
        except InputError as error:
            conn.send(("input", str(error)))
        except Exception as error:  # noqa: BLE001 - reported to the server, which answers 500
            conn.send(("error", f"{type(error).__name__}: {error}"))


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True,
                                       name="removalsim-worker")
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for the worker to have loaded the engine; True once it has."""
        try:
            if not self.ready and self.conn.poll(max(0.0, seconds)):
                self.ready = self.conn.recv()[0] == "ready"
        except (EOFError, OSError):  # it died while starting; the pool replaces it
            return False
        return self.ready

    def stop(self) -> None:
        self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class Pool:
    """Worker processes for heavy jobs.

    Parameters
    ----------
    size
        Worker processes (default: one fewer than the cores, at least one).
    """

    def __init__(self, size: int | None = None) -> None:
        self.size = size or max(1, (os.cpu_count() or 1) - 1)
        self._context = multiprocessing.get_context("spawn")
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._slots: asyncio.Semaphore | None = None
        self.replaced = 0

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.process.is_alive():
                    return worker
                worker.stop()
            return _Worker(self._context)

    def _give(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)

    async def bands(self, body: dict[str, Any], deadline: float,
                    gone: Callable[[], Awaitable[bool]] | None = None) -> dict[str, Any]:
        """Run the bands of a request body in a worker.

        Parameters
        ----------
        body
            The request's :class:`removalsim.web.schemas.RunSpec`, as JSON data.
        deadline
            When to give up (``time.monotonic()``), waiting for a free worker included.
        gone
            Tells whether the client has gone away; checked while the job runs.

        Raises
        ------
        TooSlow, Cancelled
            When the job was stopped.
        JobFailed
            When the job raised an error.
        """
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.size)
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout=deadline - time.monotonic())
        except TimeoutError:
            raise TooSlow from None
        try:
            worker = await asyncio.to_thread(self._take)
            while not await asyncio.to_thread(worker.wait_ready, _POLL * 5):
                if time.monotonic() > deadline:  # still starting: keep it, give up the job
                    self._give(worker)
                    raise TooSlow
            await asyncio.to_thread(worker.conn.send, body)
            while not worker.conn.poll():
                if time.monotonic() > deadline or (gone is not None and await gone()):
                    stopped = time.monotonic() > deadline
                    await asyncio.to_thread(self._replace, worker)
                    raise TooSlow if stopped else Cancelled
                await asyncio.sleep(_POLL)
            try:
                kind, value = worker.conn.recv()
            except (EOFError, OSError):  # the worker died (out of memory, killed)
                await asyncio.to_thread(self._replace, worker)
                raise JobFailed("error", "the worker process stopped") from None
            self._give(worker)
        finally:
            self._slots.release()
        if kind != "ok":
            raise JobFailed(kind, value)
        return value

    def _replace(self, worker: _Worker) -> None:
        """Stop a worker and start another, which loads the engine while it waits."""
        worker.stop()
        self.replaced += 1
        self._give(_Worker(self._context))

    def warm(self, body: dict[str, Any]) -> None:
        """Start every worker and run a small job in each, so the first request is quick."""
        workers = [self._take() for _ in range(self.size)]
        for worker in workers:
            worker.wait_ready(600)
            worker.conn.send(body)
        for worker in workers:
            worker.conn.recv()
            self._give(worker)

    def close(self) -> None:
        """Stop every idle worker."""
        with self._lock:
            workers, self._idle = self._idle, []
        for worker in workers:
            worker.stop()
