"""``python -m aisclient.testing.local``: run a LocalCluster in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .cluster import LocalCluster


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m aisclient.testing.local",
        description="Run an in-process AIS-compatible cluster on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=0, help="proxy port (default: any free port)")
    parser.add_argument("--targets", type=int, default=2, help="number of targets (default: 2)")
    parser.add_argument("--root", default=None, help="keep data in this directory")
    parser.add_argument("--page-size", type=int, default=1000, help="default list page size")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    with LocalCluster(args.targets, port=args.port, root=args.root, page_size=args.page_size) as c:
        print(c.endpoint, flush=True)
        print(f"proxy {c.proxy_id}; targets: {', '.join(c.target_endpoints)}", file=sys.stderr)
        print("press Ctrl-C to stop", file=sys.stderr, flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
