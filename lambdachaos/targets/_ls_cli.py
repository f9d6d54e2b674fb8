"""``lambdachaos localstack up | down | status | logs``."""

from __future__ import annotations

import argparse
import json
import sys
import time

from lambdachaos.targets import _ls_manager as m

EXIT_OK, EXIT_ERROR, EXIT_NOT_RUNNING, EXIT_REFUSED = 0, 1, 1, 2
"""Exit codes: 0 done; 1 an error (or, for ``status``, nothing running); 2 refused before starting
(no Docker engine, a LocalStack of the other mode running, a listener beyond loopback)."""
START_HINT = "lambdachaos localstack up --fast"


def _up(args: argparse.Namespace) -> int:
    settings = dict(m.FAST_SETTINGS) if args.fast else {}
    for item in args.set or ():
        key, _, value = item.partition("=")
        settings[key] = value
    if args.docker:
        from lambdachaos.targets._ls_docker import start_container

        running = m.status()
        if running is not None and running.mode != "docker":
            raise m.LocalStackRefused(_conflict(running, "docker"))
        conn = running or start_container(settings)
        m.save_state(conn)
    else:
        conn = m.up(port=args.port, settings=settings, timeout=args.timeout,
                    log=lambda line: print(line, file=sys.stderr))
    print(f"LocalStack {m.LOCALSTACK_VERSION} is up at {conn.endpoint_url} ({conn.mode} mode)")
    for key, value in conn.environment().items():
        print(f"export {key}={value}")
    return 0


def _down(args: argparse.Namespace) -> int:
    print("stopped LocalStack" if m.down(grace=args.grace) else "no LocalStack started by lambdachaos was running")
    return 0


def _conflict(running: m.Connection, wanted: str) -> str:
    where = f"pid {running.pid}" if running.mode == "host" else f"container {str(running.container_id)[:12]}"
    return (f"a {running.mode}-mode LocalStack is already running at {running.endpoint_url} ({where}); "
            f"stop it with 'lambdachaos localstack down' before starting one in {wanted} mode")


def _status(args: argparse.Namespace) -> int:
    conn = m.status()
    info: dict[str, object] = {"running": conn is not None, "version": m.LOCALSTACK_VERSION,
                               "state_dir": str(m.state_dir()), "log": str(m.log_path())}
    if conn is not None:
        info.update(endpoint_url=conn.endpoint_url, mode=conn.mode, pid=conn.pid, settings=conn.settings,
                    environment=conn.environment())
    else:
        info["start"] = START_HINT
    if args.json:
        print(json.dumps(info, indent=2, sort_keys=True))
    elif conn is None:
        print(f"LocalStack is not running (state: {m.state_dir()}); start it with: {START_HINT}")
    else:
        where = f"pid {conn.pid}" if conn.mode == "host" else f"container {str(conn.container_id)[:12]}"
        print(f"LocalStack {m.LOCALSTACK_VERSION} is running at {conn.endpoint_url} ({conn.mode} mode, {where})")
        print(f"log: {m.log_path()}")
        if conn.settings:
            print("settings: " + " ".join(f"{k}={v}" for k, v in sorted(conn.settings.items())))
        for key, value in conn.environment().items():
            print(f"export {key}={value}")
    return EXIT_OK if conn is not None else EXIT_NOT_RUNNING


def _logs(args: argparse.Namespace) -> int:
    print(m.tail(args.lines))
    if not args.follow:
        return 0
    path = m.log_path()
    with open(path, errors="replace") as fh:
        fh.seek(0, 2)
        try:
            while True:
                line = fh.readline()
                if line:
                    print(line, end="")
                else:
                    time.sleep(0.3)
        except KeyboardInterrupt:
            return 0


def localstack_main(argv: list[str]) -> int:
    """Entry point of ``lambdachaos localstack ...``; returns the exit status."""
    parser = argparse.ArgumentParser(prog="lambdachaos localstack",
                                     description=f"Run the pinned LocalStack {m.LOCALSTACK_VERSION} for the "
                                     "localstack target (host mode: Python functions run as local processes).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    up = sub.add_parser("up", help="install (once) and start LocalStack on 127.0.0.1, then wait for health")
    up.add_argument("--port", type=int, help="gateway port (default: the previous run's port when it is free, "
                    "else 4566, else any free port)")
    up.add_argument("--fast", action="store_true",
                    help="shorten LocalStack's retry and poll delays (LAMBDA_RETRY_BASE_DELAY=1, ...)")
    up.add_argument("--set", action="append", metavar="NAME=VALUE", help="another LocalStack setting")
    up.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for health (default 120)")
    up.add_argument("--docker", action="store_true",
                    help="run the localstack/localstack image with testcontainers instead of host mode")
    up.set_defaults(func=_up)
    down = sub.add_parser("down", help="stop the LocalStack started by 'up'")
    down.add_argument("--grace", type=float, default=5.0, help="seconds between SIGTERM and SIGKILL (default 5)")
    down.set_defaults(func=_down)
    st = sub.add_parser("status", help="show where LocalStack runs and the export lines to reach it "
                        "(exit 0); when nothing runs, say how to start it (exit 1)")
    st.add_argument("--json", action="store_true", help="print JSON")
    st.set_defaults(func=_status)
    logs = sub.add_parser("logs", help="print LocalStack's log")
    logs.add_argument("-n", "--lines", type=int, default=50, help="lines from the end (default 50)")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing new lines")
    logs.set_defaults(func=_logs)
    args = parser.parse_args(argv)
    try:
        result: int = args.func(args)
    except m.LocalStackRefused as exc:
        print(f"lambdachaos localstack: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except m.LocalStackError as exc:
        print(f"lambdachaos localstack: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return result


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(localstack_main(sys.argv[1:]))
