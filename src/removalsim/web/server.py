"""Run the web app in a background thread on 127.0.0.1 and a free port (tests, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def running(startup_timeout: float = 120.0) -> Iterator[str]:
    """Serve the explorer on a free local port for the duration of the block.

    Yields
    ------
    str
        The base URL, e.g. ``http://127.0.0.1:40123``.
    """
    import uvicorn

    from removalsim.web.app import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@contextmanager
def serving(startup_timeout: float = 120.0) -> Iterator[str]:
    """Run ``removalsim serve`` in its own process on a free local port (as a user would).

    Benchmarks use this rather than :func:`running`: a server thread shares the interpreter
    (and its lock) with the client driving the browser, which delays answers by tens of ms.

    Yields
    ------
    str
        The base URL.
    """
    import subprocess
    import sys
    import urllib.request

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-c", "from removalsim.cli import main; main()", "serve",
               "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_timeout
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"removalsim serve did not start (exit {process.poll()})")
            try:
                with urllib.request.urlopen(f"{url}/api/scenarios", timeout=5):
                    break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a stuck server
            process.kill()
            process.wait()
