"""``fieldsolver serve``: the calculator page on a local web server (see :mod:`fieldsolver.web`).

Loopback only unless ``--host`` says otherwise; the page's solves run in their own processes,
each within the node budget and the time limit given here.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket

from ..errors import InputError, optional
from .arguments import count, positive

DEFAULT_PORT = 8000


def add_parsers(sub) -> None:
    s = sub.add_parser("serve", help="the calculator page on a local web server (http://127.0.0.1:8000/)")
    s.add_argument("--port", type=count, default=DEFAULT_PORT, help=f"port to listen on (default {DEFAULT_PORT})")
    s.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 exposes the page to the network)",
    )
    s.add_argument("--open", action="store_true", help="open the page in the default web browser")
    s.add_argument(
        "--workers",
        type=count,
        default=None,
        help="solves running at once, each in its own process (default: half the cores, at least 1)",
    )
    s.add_argument(
        "--time-limit",
        type=positive,
        default=600.0,
        help="seconds a solve, goal seek or check may run (default 600: a loss sweep takes minutes)",
    )
    s.add_argument(
        "--max-nodes", type=count, default=400_000, help="node budget of a solve from the page (default 400,000)"
    )


def run(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise InputError(f"--port {args.port}: expected 1 to 65535")
    if args.workers is not None and args.workers < 1:
        raise InputError("--workers: expected at least 1")
    if args.max_nodes < 20_000:
        raise InputError(f"--max-nodes {args.max_nodes:,}: the page needs at least 20,000")
    host = args.host.strip()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        if host != "localhost":
            raise InputError(f"--host {args.host}: expected an IP address such as 127.0.0.1 or 0.0.0.0") from None
    _check_free(host, args.port)
    optional("starlette", "web", "the web page")
    optional("uvicorn", "web", "the web page")
    from ..web.app import LOOPBACK, Settings
    from ..web.server import run as serve

    cores = os.cpu_count() or 1
    workers = args.workers or max(1, cores // 2)
    loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    settings = Settings(
        workers=workers,
        time_limit=args.time_limit,
        max_nodes=args.max_nodes,
        threads=max(1, cores // workers),
        # Starlette's host check does not parse [::1]:port: an IPv6 address goes unchecked
        hosts=(*LOOPBACK, host) if loopback and ":" not in host else None,
    )
    try:
        serve(host, args.port, open_browser=args.open, settings=settings)
    except KeyboardInterrupt:
        pass
    return 0


def _check_free(host: str, port: int) -> None:
    """One clear line if the address cannot be listened on (in use, or not this machine's)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as e:
            raise InputError(f"--port {port}: cannot listen on {host}: {e.strerror or e}") from None
