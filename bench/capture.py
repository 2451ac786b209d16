#!/usr/bin/env python
"""Capture benchmark: how many notes a second the API takes from many agents at once.

Self-contained: creates a throw-away PostgreSQL database, migrates it, creates agents with API
tokens, starts gunicorn on a free port with production settings, runs N concurrent clients that
POST realistic notes over keep-alive HTTP/1.1 connections for a fixed time, checks that every 201
is a row in ``voc_insight``, stops gunicorn, drops the database and prints ONE JSON object.

    .venv/bin/python bench/capture.py [--clients 50] [--seconds 20] [--workers 2 --threads 8
                                      --worker-class gthread]

The load generator is one asyncio process with raw sockets and hand-written HTTP/1.1 (Content-
Length framing), so it costs a few percent of a core; the JSON reports the CPU seconds of the
load generator, gunicorn, the PostgreSQL backends of the bench database and the rest of the
machine, so you can see who used the two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common as common

TARGETS = {"notes_per_s": 300, "p95_ms": 100, "errors": 0, "lost": 0}
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- CPU accounting from /proc ------------------------------------------------------------------


def _proc_cpu_ticks(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            out.append(int(entry))
    return out


def _pg_processes(database: str, mine: bool) -> list[int]:
    """PostgreSQL processes: the backends serving ``database`` (cmdline "postgres: user db host(port)
    ...") when ``mine``, else every other PostgreSQL process (server, WAL writer, other databases)."""
    out = []
    needle = f" {database} ".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if not (cmd.startswith(b"postgres") or b"/bin/postgres" in cmd.split(b"\0")[0]):
            continue
        if (cmd.startswith(b"postgres: ") and needle in cmd) == mine:
            out.append(int(entry))
    return out


def _machine_ticks() -> tuple[int, int]:
    """(busy, irq + softirq) ticks of the whole machine since boot."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # user nice system idle iowait irq softirq steal
    return sum(values[:8]) - idle, values[5] + values[6]


class CpuSnapshot:
    def __init__(self, gunicorn_pid: int, database: str) -> None:
        self.gunicorn_pid = gunicorn_pid
        self.database = database
        self.pids: set[int] = set()
        self.taken = self._take()

    def _take(self) -> dict[str, Any]:
        workers = _children(self.gunicorn_pid)
        self.pids.update(workers)
        return {
            "gunicorn": {pid: _proc_cpu_ticks(pid) for pid in [self.gunicorn_pid, *workers]},
            "postgres": {pid: _proc_cpu_ticks(pid) for pid in _pg_processes(self.database, True)},
            "postgres_other": {pid: _proc_cpu_ticks(pid) for pid in _pg_processes(self.database, False)},
            "loadgen": time.process_time(),
            "machine": _machine_ticks(),
            "wall": time.perf_counter(),
        }

    def since(self) -> dict[str, float]:
        now, before = self._take(), self.taken

        def delta(kind: str) -> float:
            return sum(t - before[kind].get(pid, 0) for pid, t in now[kind].items()) / CLK_TCK

        gunicorn, postgres, pg_other = delta("gunicorn"), delta("postgres"), delta("postgres_other")
        loadgen = now["loadgen"] - before["loadgen"]
        machine = (now["machine"][0] - before["machine"][0]) / CLK_TCK
        irq = (now["machine"][1] - before["machine"][1]) / CLK_TCK
        wall = now["wall"] - before["wall"]
        return {
            "wall_s": round(wall, 2),
            "gunicorn_s": round(gunicorn, 2),
            "postgres_backends_s": round(postgres, 2),
            "postgres_other_s": round(pg_other, 2),
            "loadgen_s": round(loadgen, 2),
            "irq_softirq_s": round(irq, 2),
            "machine_busy_s": round(machine, 2),
            "other_s": round(max(machine - gunicorn - postgres - pg_other - loadgen - irq, 0.0), 2),
            "machine_capacity_s": round(wall * (os.cpu_count() or 1), 2),
        }


# --- a minimal HTTP/1.1 client ------------------------------------------------------------------


class Connection:
    """One keep-alive connection over a bare non-blocking socket (``loop.sock_*``: a third of the
    CPU of asyncio streams, which matters when sync workers close every connection); reconnects
    when the server closes it."""

    def __init__(self, host: str, port: int, max_idle: float = 1e9) -> None:
        self.address = (host, port)
        self.sock: socket.socket | None = None
        self.buffer = b""
        self.opened = 0
        self.max_idle = max_idle  # the server closes idle keep-alive connections: do not reuse those
        self.last_used = 0.0

    async def ensure(self) -> None:
        if self.sock is not None and time.monotonic() - self.last_used > self.max_idle:
            self.close()
        if self.sock is None:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                await asyncio.get_running_loop().sock_connect(sock, self.address)
            except BaseException:
                sock.close()
                raise
            self.sock, self.buffer = sock, b""
            self.opened += 1

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""

    async def _fill(self) -> bool:
        """Read what has arrived; False at end of stream."""
        assert self.sock is not None
        data = await asyncio.get_running_loop().sock_recv(self.sock, 65536)
        self.buffer += data
        return bool(data)

    async def _until(self, separator: bytes) -> bytes:
        while (i := self.buffer.find(separator)) < 0:
            if not await self._fill():
                raise asyncio.IncompleteReadError(self.buffer, None)
        out, self.buffer = self.buffer[: i + len(separator)], self.buffer[i + len(separator) :]
        return out

    async def _exactly(self, n: int) -> bytes:
        while len(self.buffer) < n:
            if not await self._fill():
                raise asyncio.IncompleteReadError(self.buffer, n)
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        await self.ensure()
        assert self.sock is not None
        await asyncio.get_running_loop().sock_sendall(self.sock, raw)
        head = await self._until(b"\r\n\r\n")
        status = int(head[9:12])
        length = None
        chunked = False
        keep_alive = head.startswith(b"HTTP/1.1")
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection":
                v = value.strip().lower()
                keep_alive = v == b"keep-alive" or (keep_alive and v != b"close")
        if chunked:
            body = b""
            while True:
                size = int((await self._until(b"\r\n")).split(b";")[0], 16)
                chunk = await self._exactly(size + 2)
                if size == 0:
                    break
                body += chunk[:-2]
        elif length is not None:
            body = await self._exactly(length)
        else:
            while await self._fill():
                pass
            body, self.buffer, keep_alive = self.buffer, b"", False
        self.last_used = time.monotonic()
        if not keep_alive:
            self.close()
        return status, body


def http_post(path: str, host: str, port: int, body: bytes, token: str | None = None) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Content-Type: application/json",
        "Accept: application/json",
        f"Content-Length: {len(body)}",
    ]
    if token:
        lines.append(f"Authorization: Token {token}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


# --- the load -----------------------------------------------------------------------------------


def make_payload(rng: random.Random, texts: list[str], run_id: str, client: int, seq: int) -> dict[str, Any]:
    note: dict[str, Any] = {
        "kind": common.pick_kind(rng),
        "text": common.note_text(rng, texts),
        "channel": common.pick_channel(rng),
    }
    r = rng.random()
    if r < 0.30:  # logged a little after the call
        note["occurred_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - rng.randint(60, 3 * 86400)))
    if rng.random() < 0.40:
        note["product_area"] = rng.choice(common.PRODUCT_AREAS)
    if rng.random() < 0.10:
        note["caused_by_us"] = True
    if rng.random() < 0.05:
        note["customer_abroad"] = True
        note["abroad_country"] = rng.choice(common.COUNTRIES)
    if rng.random() < 0.03:
        note["lonely"] = True
    if rng.random() < 0.04:
        note["vulnerable"] = True
    if rng.random() < 0.20:  # notes pushed by a CRM integration carry its id (all unique here)
        note["source"] = "crm"
        note["external_id"] = f"{run_id}-{client}-{seq}"
    return note


class Results:
    def __init__(self) -> None:
        self.latencies: list[float] = []  # measured phase only, seconds
        self.status: Counter[int] = Counter()  # measured phase only
        self.created_total = 0  # 201s in every phase: what must be in the database
        self.warmup_requests = 0
        self.connection_failures = 0
        self.samples: list[str] = []
        self.last_done = 0.0
        self.worker_pids: set[int] = set()


async def client_loop(
    n: int,
    token: str,
    host: str,
    port: int,
    texts: list[str],
    run_id: str,
    t_measure: float,
    t_end: float,
    results: Results,
    seed: int,
    rate: float = 0.0,
    max_idle: float = 1e9,
) -> int:
    """One client on one keep-alive connection. ``rate`` 0: closed loop, the next note as soon as
    the answer is in. ``rate`` > 0: notes are due at random (Poisson) times, ``rate`` a second on
    average, and latency counts from when a note was due, so a note that waited for a slow answer
    to the one before is charged the wait (no coordinated omission, as in wrk2)."""
    rng = random.Random(seed * 1000 + n)
    conn = Connection(host, port, max_idle)
    seq = 0
    perf = time.perf_counter
    dumps = json.dumps
    due = perf() + (rng.expovariate(rate) if rate else 0.0)
    while True:
        if rate:
            wait = due - perf()
            if wait > 0:
                await asyncio.sleep(wait)
            start = due
            due += rng.expovariate(rate)
        else:
            start = perf()
        if start >= t_end:
            break
        seq += 1
        body = dumps(make_payload(rng, texts, run_id, n, seq)).encode()
        raw = http_post("/api/v1/notes/", host, port, body, token)
        measured = start >= t_measure
        try:
            status, reply = await conn.request(raw)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            conn.close()
            results.connection_failures += 1
            if len(results.samples) < 5:
                results.samples.append(f"connection: {exc!r}")
            await asyncio.sleep(0.05)
            continue
        done = perf()
        if status == 201:
            results.created_total += 1
        if measured:
            results.latencies.append(done - start)
            results.status[status] += 1
            results.last_done = max(results.last_done, done)
        else:
            results.warmup_requests += 1
        if status != 201 and len(results.samples) < 5:
            results.samples.append(f"{status}: {reply[:300].decode(errors='replace')}")
    conn.close()
    return conn.opened


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


async def run_load(
    agents: list[dict[str, Any]], args: argparse.Namespace, port: int, gunicorn_pid: int, rate: float
) -> tuple[Results, dict[str, float], float, int]:
    """One phase: ``args.clients`` clients for ``args.warmup`` + ``args.seconds``; ``rate`` notes a
    second in all (0: closed loop)."""
    texts = common.banking77_texts()
    run_id = uuid.uuid4().hex[:8]
    results = Results()
    now = time.perf_counter()
    t_measure = now + args.warmup
    t_end = t_measure + args.seconds
    cpu: dict[str, Any] = {}

    async def sampler() -> None:
        await asyncio.sleep(max(t_measure - time.perf_counter(), 0))
        snapshot = CpuSnapshot(gunicorn_pid, args.database)
        await asyncio.sleep(max(t_end - time.perf_counter(), 0))
        cpu.update(snapshot.since())
        results.worker_pids.update(snapshot.pids)

    tasks = [
        client_loop(
            i,
            agents[i % len(agents)]["token"],
            "127.0.0.1",
            port,
            texts,
            run_id,
            t_measure,
            t_end,
            results,
            args.seed + int(rate),
            rate / args.clients,
            max((2 if args.keep_alive is None else args.keep_alive) - 1.0, 0.5),  # 2: gunicorn default
        )
        for i in range(args.clients)
    ]
    sampled = asyncio.ensure_future(sampler())
    opened = await asyncio.gather(*tasks)
    await sampled
    elapsed = max(results.last_done, t_end) - t_measure
    return results, cpu, elapsed, sum(opened)


# --- gunicorn -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_once(port: int, method: str, path: str, body: bytes = b"", token: str | None = None) -> tuple[int, bytes]:
    async def go() -> tuple[int, bytes]:
        conn = Connection("127.0.0.1", port)
        try:
            if method == "POST":
                raw = http_post(path, "127.0.0.1", port, body, token)
            else:
                raw = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
            return await asyncio.wait_for(conn.request(raw), 10)
        finally:
            conn.close()

    return asyncio.run(go())


def note_ids_in(database_url: str) -> set[int]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM voc_insight")}


def embedding_coverage(note_ids: set[int], tasks: list[tuple[str, list[Any]]]) -> dict[str, Any]:
    """Were all notes queued for embedding (``insights.tasks.embed_notes``), and in how many messages?"""
    batches = [args[0] for name, args in tasks if name == "insights.tasks.embed_notes" and args]
    queued = [note_id for batch in batches for note_id in batch]
    return {
        "messages": len(batches),
        "notes_per_message": round(len(queued) / len(batches), 2) if batches else None,
        "largest_message": max((len(b) for b in batches), default=0),
        "notes_not_queued": len(note_ids - set(queued)),
        "queued_twice": len(queued) - len(set(queued)),
    }


def start_gunicorn(args: argparse.Namespace, env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    cmd = [
        str(Path(common.PYTHON).parent / "gunicorn"),
        "config.wsgi:application",
        "--config", "config/gunicorn.conf.py",  # production's settings and hooks; flags given here win
        "--bind", f"127.0.0.1:{port}",
        "--backlog", "2048",
        "--log-level", "warning",
        *(["--workers", str(args.workers)] if args.workers else []),
        *(["--worker-class", args.worker_class] if args.worker_class else []),
        *(["--threads", str(args.threads)] if args.threads else []),
        *(["--keep-alive", str(args.keep_alive)] if args.keep_alive is not None else []),
        *args.gunicorn_arg,
    ]  # fmt: skip
    out = log.open("wb")
    proc = subprocess.Popen(cmd, cwd=common.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    proc.cmd = cmd  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            status, _body = http_once(port, "GET", "/healthz")
            if status == 200:
                return proc
        except (TimeoutError, OSError, asyncio.IncompleteReadError):
            pass
        time.sleep(0.2)
    stop_gunicorn(proc)
    raise SystemExit(f"gunicorn did not answer /healthz within 60 s:\n{log.read_text()[-4000:]}")


def stop_gunicorn(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


# --- main ---------------------------------------------------------------------------------------


def phase_report(
    results: Results, cpu: dict[str, float], elapsed: float, connections: int, rate: float
) -> dict[str, Any]:
    lat = sorted(results.latencies)
    requests = len(lat)
    created = results.status.get(201, 0)
    non_201 = requests - created
    notes_per_s = created / elapsed if elapsed else 0.0
    ms = lambda v: round(v * 1000, 1)  # noqa: E731
    busy = cpu.get("gunicorn_s", 0) + cpu.get("postgres_backends_s", 0)
    own = busy + cpu.get("loadgen_s", 0) + cpu.get("irq_softirq_s", 0)
    return {
        "load": f"open loop, {rate:g} notes/s offered (Poisson)" if rate else "closed loop (back to back)",
        "offered_per_s": rate or None,
        "notes_per_s": round(notes_per_s, 1),
        "requests": requests,
        "status": {str(k): v for k, v in sorted(results.status.items())},
        "errors": non_201 + results.connection_failures,
        "error_detail": {
            "non_201": non_201,
            "connection_failures": results.connection_failures,
            "samples": results.samples,
        },
        "latency_ms": {
            "p50": ms(percentile(lat, 50)),
            "p95": ms(percentile(lat, 95)),
            "p99": ms(percentile(lat, 99)),
            "max": ms(lat[-1]) if lat else 0.0,
            "mean": ms(sum(lat) / len(lat)) if lat else 0.0,
        },
        "seconds": round(elapsed, 2),
        "warmup_requests": results.warmup_requests,
        "connections_opened": connections,
        "created_201": results.created_total,
        "cpu": cpu,
        # gunicorn + PostgreSQL CPU per created note: the real cost of a note.
        "server_cpu_ms_per_note": round(1000 * busy / created, 2) if created else None,
        # What the two cores could do if nothing else ran: capacity / CPU the note costs (server + load).
        "estimate_notes_per_s_machine_to_ourselves": round(cpu["machine_capacity_s"] / own * notes_per_s, 1)
        if created and own and not rate
        else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--seconds", type=float, default=20, help="measured duration of each phase (default 20)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of load before measuring (default 3)")
    parser.add_argument(
        "--rate",
        type=float,
        default=TARGETS["notes_per_s"],
        help="notes a second the clients offer in the open-loop phase (default 300)",
    )
    parser.add_argument(
        "--phases",
        default="capacity,rate",
        help="capacity (closed loop: clients send back to back), rate (open loop at --rate), or both",
    )
    parser.add_argument("--agents", type=int, default=50, help="agent accounts the clients share (default 50)")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: config/gunicorn.conf.py's)")
    parser.add_argument("--worker-class", help="sync, gthread … (default: config/gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, help="threads a gthread worker (default: gunicorn's, 1)")
    parser.add_argument("--keep-alive", type=int, help="seconds (default: gunicorn's, 2; sync workers close)")
    parser.add_argument("--gunicorn-arg", action="append", default=[], help="extra gunicorn argument (repeatable)")
    parser.add_argument("--database", default="voc_bench_capture")
    parser.add_argument("--seed", type=int, default=77)
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    if not phases or set(phases) - {"capacity", "rate"} or ("rate" in phases and args.rate <= 0):
        parser.error("--phases takes capacity and/or rate; the rate phase needs --rate > 0")

    load_before = common.load_average()
    database_url = common.pg_url(args.database)
    env = common.django_env(database_url)
    t0 = time.monotonic()
    common.create_database(args.database)
    proc = None
    report_phases: dict[str, dict[str, Any]] = {}
    created_total = 0
    worker_pids: set[int] = set()
    try:
        common.manage(env, "migrate", "--noinput")
        agents = common.create_agents(env, args.agents, tokens=True)
        setup_s = time.monotonic() - t0
        port = free_port()
        with tempfile.TemporaryDirectory(prefix="voc-bench-capture-") as tmp:
            log = Path(tmp) / "gunicorn.log"
            proc = start_gunicorn(args, env, port, log)
            # Smoke test the documented sign-in path once (the bench's own tokens were made at set-up).
            status, body = http_once(
                port, "POST", "/api/v1/auth/token/",
                json.dumps({"username": agents[0]["username"], "password": common.PASSWORD}).encode(),
            )  # fmt: skip
            if status != 200 or json.loads(body).get("token") != agents[0]["token"]:
                raise SystemExit(f"token sign-in failed: {status} {body[:300]!r}")
            for phase in phases:
                rate = args.rate if phase == "rate" else 0.0
                results, cpu, elapsed, connections = asyncio.run(run_load(agents, args, port, proc.pid, rate))
                report_phases[phase] = phase_report(results, cpu, elapsed, connections, rate)
                created_total += results.created_total
                worker_pids |= results.worker_pids
            time.sleep(0.5)
            workers_running = len(_children(proc.pid))
            worker_pids.update(_children(proc.pid))
            stop_gunicorn(proc)  # its workers publish the notes they still hold for embedding
            rows = common.count_rows(database_url)
            note_ids = note_ids_in(database_url)
            tasks: list[tuple[str, list[Any]]] = []
            broker_messages = common.purge_broker_messages(worker_pids | {proc.pid}, tasks=tasks)
            embedding = embedding_coverage(note_ids, tasks)
            server_log = log.read_text(errors="replace")
    finally:
        if proc is not None:
            stop_gunicorn(proc)
        if not args.keep_db:
            common.drop_database(args.database)

    lost = created_total - rows
    errors = sum(p["errors"] for p in report_phases.values())
    targets: dict[str, bool] = {}
    if "capacity" in report_phases:
        targets["capacity: notes_per_s>=300"] = report_phases["capacity"]["notes_per_s"] >= TARGETS["notes_per_s"]
    if "rate" in report_phases:
        at_rate = report_phases["rate"]
        targets[f"at {args.rate:g}/s: served>=98% of offered"] = at_rate["notes_per_s"] >= 0.98 * args.rate
        targets[f"at {args.rate:g}/s: p95_ms<100"] = at_rate["latency_ms"]["p95"] < TARGETS["p95_ms"]
    targets["errors==0"] = errors == 0
    targets["lost==0"] = lost == 0
    report = {
        "benchmark": "capture",
        "clients": args.clients,
        "phases": report_phases,
        "errors": errors,
        "created_201": created_total,
        "rows_in_db": rows,
        "lost": lost,
        "gunicorn": {
            "config": "config/gunicorn.conf.py",
            "workers_running": workers_running,
            "overrides": proc.cmd[proc.cmd.index("--log-level") + 2 :],  # type: ignore[attr-defined]
        },
        "broker_messages_discarded": broker_messages,
        "embedding": embedding,
        "targets": targets,
        "warmup_s": args.warmup,
        "setup_s": round(setup_s, 1),
        "load_avg_before": load_before,
        "load_avg_after": common.load_average(),
        "cpus": os.cpu_count(),
        "server_log_tail": server_log.strip().splitlines()[-5:] if server_log.strip() else [],
    }
    print(json.dumps(report))
    sys.exit(0 if lost == 0 and embedding["notes_not_queued"] == 0 else 1)


if __name__ == "__main__":
    main()
