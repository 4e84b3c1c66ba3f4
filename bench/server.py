"""One web worker for the benchmark: the real app under waitress, sharing its port with the other workers.

    python -m bench.server --port 8765 [--threads 4] [--app chronicle|hello]

Each worker binds the port with SO_REUSEPORT, so the kernel spreads connections over the workers
as a load balancer would spread them over servers. The store comes from the environment
(CHRONICLE_DATA or CHRONICLE_DATABASE_URL), as for ``chronicle serve``. ``--app hello`` serves instead
bench/hello.py's minimal Flask app on the very same stack (waitress, socket, threads): the bare baseline.
"""

from __future__ import annotations

import argparse
import logging
import socket

import waitress

from chronicle_web import create_app


def listening_socket(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1024)
    return sock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--app", choices=("chronicle", "hello"), default="chronicle")
    args = parser.parse_args()
    if args.app == "hello":
        from bench import hello
        app = hello.create_app()
    else:
        app = create_app()
    # Under load waitress logs "Task queue depth" for every queued request; the benchmark measures that wait.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    waitress.serve(app, sockets=[listening_socket(args.port)], threads=args.threads, ident="chronicle-bench",
                   _quiet=True)


if __name__ == "__main__":
    main()
