"""Live servers for tests: `chronicle serve` processes on free ports, and a small HTTP client."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time

CLI = [sys.executable, "-m", "chronicle.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(env: dict) -> tuple[subprocess.Popen, int]:
    """Start `chronicle serve` on a free port and wait until it listens."""
    port = free_port()
    process = subprocess.Popen([*CLI, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wait_for(port, process)
    return process, port


def wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"chronicle serve exited: {process.stderr.read().decode()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("chronicle serve did not start listening within 60 s")


def request(port: int, method: str, path: str, body: dict | None = None, **headers: str):
    """One HTTP request; header names use _ for - (If_Match)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    data = json.dumps(body).encode() if body is not None else None
    if data is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=data, headers={k.replace("_", "-"): v for k, v in headers.items()})
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response, payload
