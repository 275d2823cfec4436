"""`eventdesk run` on a big event, as a desk opens it: the time from starting the command to the
first scan accepted, and the memory the open desk holds.

The app runs as a new process in a real pseudo-terminal (160 x 45). As soon as its check-in
screen has drawn the scan box (its placeholder text in what the terminal shows, whatever the
colours: the box's cursor sits on the first letter and is drawn in other colours until it
blinks off), a badge code is typed into the terminal with Enter, as a USB
scanner does; the scan is accepted when its record is in the database (polled by this process
every 2 ms). Then the desk stays open ~3 s with a few scans and searches, and its peak resident
memory (VmHWM of /proc, Linux) is read before it quits.

Figures: ``start_s`` (at 100,000 people), ``rss_100k_mb`` and, with 1,000,000 in ``--sizes``,
``start_1m_s`` and ``rss_1m_mb``; ``start_cpu_s`` (``start_1m_cpu_s``) is the CPU time the desk
process used until the scan was recorded (user + system, from /proc: what a busy machine skews
least).

The desk runs from compiled bytecode, as pip installs it: this clone's modules are compiled
before the first start (with PYTHONDONTWRITEBYTECODE set, as on this machine, a clone would
otherwise compile every module of eventdesk again at every start: ~0.5 s of CPU).

    python benchmarks/startup.py [--sizes 100000] [--keep DIR] [--quick] [--json]
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

import _bench

# Colours and cursor moves in what the app writes: the text a person sees is what is left.
TERMINAL_CONTROLS = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def shows_scan_box(written: bytes) -> bool:
    return b"Scan a badge" in TERMINAL_CONTROLS.sub(b"", written)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def scans_recorded(db: str) -> int:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        return connection.execute("SELECT count(*) FROM checkin_record").fetchone()[0]
    finally:
        connection.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def desk_env() -> dict[str, str]:
    """The desk's environment, this clone's modules compiled first (into their ``__pycache__``,
    as an installed package has them)."""
    env = {**_bench.child_env(), "TERM": "xterm-256color", "COLUMNS": "160", "LINES": "45"}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(_bench.REPO / "src" / "eventdesk")],
        env={k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return env


def open_desk(db: str, codes: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds from start to the first scan recorded, the CPU seconds the desk used until then,
    and its peak RSS in MB."""
    before = scans_recorded(db)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 160, 0, 0))
    start = time.perf_counter()
    app = subprocess.Popen(
        [sys.executable, "-m", "eventdesk", "run", "--db", db, "--desk", "Bench desk"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
        start_new_session=True,
    )
    os.close(slave)
    screen = bytearray()
    ready = threading.Event()

    def drain() -> None:  # a terminal reads everything the app writes
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            if not ready.is_set():
                screen.extend(data)
                if shows_scan_box(screen):
                    ready.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    if not ready.wait(60):
        app.kill()
        raise SystemExit("the desk did not show its scan box within 60 s:\n" + screen.decode(errors="replace")[-2000:])
    os.write(master, codes[0].encode() + b"\r")
    while scans_recorded(db) == before:
        if app.poll() is not None:
            raise SystemExit("the desk quit before accepting the scan")
        time.sleep(0.002)
    start_s = time.perf_counter() - start
    start_cpu_s = cpu_seconds(app.pid)
    for code in codes[1:6]:  # a few more scans and a search, as the first minutes at a desk
        os.write(master, code.encode() + b"\r")
        time.sleep(0.3)
    for ch in "sermuk":
        os.write(master, ch.encode())
        time.sleep(0.1)
    time.sleep(1.0)
    rss = peak_rss_mb(app.pid)
    os.write(master, b"\x11")  # Ctrl+Q
    try:
        app.wait(10)
    except subprocess.TimeoutExpired:
        app.kill()
        app.wait()
    os.close(master)
    return start_s, start_cpu_s, rss


def main() -> None:
    parser = _bench.parser(__doc__)
    parser.add_argument("--sizes", default=None, help="default 100000; --quick 10000")
    parser.add_argument("--runs", type=int, default=None, help="starts per size (default 3, --quick 1)")
    parser.add_argument("--keep", type=Path, help="a folder where built databases are kept and reused")
    args = parser.parse_args()
    sizes = [int(s) for s in (args.sizes or ("10000" if args.quick else "100000")).split(",")]
    runs = args.runs or (1 if args.quick else 3)
    out = _bench.Output(args, "startup")
    _bench.quiet()
    from checkin import build_database, check_in_half

    folder = tempfile.TemporaryDirectory()
    where = args.keep or Path(folder.name)
    where.mkdir(parents=True, exist_ok=True)
    out.print(
        f"eventdesk run: start to first scan accepted, and peak RSS ({runs} starts per size; "
        f"targets at 100,000: <= 1.5 s, <= 100 MB; at 1,000,000: <= 350 MB)"
    )
    out.print(f"{'people':>10} {'start s (median)':>17} {'worst':>7} {'CPU s (median)':>15} {'peak RSS MB':>12}")
    env = desk_env()
    for size in sizes:
        path = where / f"startup-{size}.db"
        codes_file = where / f"startup-{size}.codes"
        if not path.exists():
            codes = build_database(str(path) + ".part", size)
            check_in_half(str(path) + ".part", size)
            codes_file.write_text("\n".join(codes[: size // 2]))
            Path(str(path) + ".part").rename(path)
        codes = codes_file.read_text().split()
        measured = [open_desk(str(path), codes[run * 10 : run * 10 + 10], env) for run in range(runs)]
        start_s = statistics.median(s for s, _, _ in measured)
        cpu_s = statistics.median(c for _, c, _ in measured)
        rss = statistics.median(r for _, _, r in measured)
        out.print(f"{size:>10,} {start_s:>17.2f} {max(s for s, _, _ in measured):>7.2f} {cpu_s:>15.2f} {rss:>12.0f}")
        label = {100_000: "100k", 1_000_000: "1m"}.get(size, str(size))
        out.figure("start_s" if size == 100_000 else f"start_{label}_s", start_s)
        out.figure("start_cpu_s" if size == 100_000 else f"start_{label}_cpu_s", cpu_s)
        out.figure(f"rss_{label}_mb", rss)
    folder.cleanup()
    out.finish()


if __name__ == "__main__":
    main()
