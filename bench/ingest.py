"""Benchmark: learning-event ingestion, public.record_learning_events in batches of 500 vs single-row inserts.

Both workloads write the same events (an answer each: type, mode, correctness, response time, active seconds,
device time a minute ago, a fresh client event id) into public.learning_events, on one server in one run:

  batched     each call is one request as PostgREST makes it (role, JWT claims of a learner, request settings),
              then public.record_learning_events(500 events): validated, rate-limited, stored in one statement;
              one transaction per call. Learners rotate so none passes the per-minute limit.
  single-row  one plain INSERT per event, committed on its own, as the owner: no request set-up and no
              validation, so the cheapest way to write events one at a time (a per-event API call costs more).

With --ceiling, two more workloads measure what the table itself costs, the ceiling of any API over it:

  insert-select  the same batches of 500 in one plain INSERT ... SELECT from the JSON, as the owner (the
                 table's indexes, checks, foreign keys and trigger; no request, validation or rate counter)
  copy           COPY of the same 500 rows per transaction, formatted by the client before the clock starts

Each workload runs `--repeats` times for `--seconds` with `--clients` connections (one process each); the
bench prints every run, the median and spread (min-max) of events/s, the ratio of the medians, the load
(`uptime`) before and after, and checks that every event sent was stored exactly once.

  .venv/bin/python bench/ingest.py                  # durable server, 2 clients, 3 x 5 s per workload
  .venv/bin/python bench/ingest.py --ceiling        # and the table's own ceiling, same run
  .venv/bin/python bench/ingest.py --fast --seconds 2 --repeats 1
"""

import argparse
import hashlib
import json
import multiprocessing
import statistics
import subprocess
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from common import act_as, connection, migrated_database, scratch_server
from cli import queries

BATCH = 500
LEARNERS = 1_000
SQL = queries.parse_named_blocks((Path(__file__).parent / "sql" / "ingest.sql").read_text())


def learner(index: int) -> uuid.UUID:
    """The bench's learner ids, as bench/sql/ingest.sql computes them: md5('learner' || i)::uuid."""
    return uuid.UUID(hashlib.md5(f"learner{index}".encode()).hexdigest())


def make_event(number: int) -> dict:
    return {"event_id": str(uuid.uuid4()), "event_type": "answer", "mode": "practice",
            "is_correct": number % 3 != 0, "response_ms": 800 + number % 2000, "active_seconds": 4,
            "occurred_at": (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat(timespec="milliseconds")}


def reporting(client):
    """A client that puts its error on the queue rather than leaving the bench waiting for it."""
    def run_client(url, learners, seconds, start, results) -> None:
        try:
            client(url, learners, seconds, start, results)
        except Exception as error:
            start.abort()
            results.put(error)
    return run_client


@reporting
def batched_client(url: str, learners: list[uuid.UUID], seconds: float, start, results) -> None:
    # Enough batches for the run, made before the clock starts: the bench times the server, not json.dumps.
    batches = [json.dumps([make_event(n) for n in range(BATCH)]) for _ in range(int(seconds * 150) + 1)]
    sent = calls = 0
    with connection.connect(url) as conn:
        start.wait()
        deadline = time.perf_counter() + seconds
        began = time.perf_counter()
        while time.perf_counter() < deadline and calls < len(batches):
            with conn.transaction():
                act_as(conn, learners[calls % len(learners)])
                row = conn.execute(SQL["record"], {"events": batches[calls]}).fetchone()
            sent += row["recorded"]
            calls += 1
        results.put((sent, time.perf_counter() - began))


@reporting
def single_row_client(url: str, learners: list[uuid.UUID], seconds: float, start, results) -> None:
    events = [make_event(n) for n in range(int(seconds * 3_000) + 1)]
    sent = 0
    with connection.connect(url) as conn:  # autocommit: each INSERT commits on its own
        start.wait()
        deadline = time.perf_counter() + seconds
        began = time.perf_counter()
        while time.perf_counter() < deadline and sent < len(events):
            item = events[sent]
            conn.execute(SQL["insert_one"], {
                "user_id": learners[sent % len(learners)], "is_correct": item["is_correct"],
                "response_ms": item["response_ms"], "active_seconds": item["active_seconds"],
                "occurred_at": item["occurred_at"], "event_id": item["event_id"]}, prepare=True)
            sent += 1
        results.put((sent, time.perf_counter() - began))


@reporting
def insert_select_client(url: str, learners: list[uuid.UUID], seconds: float, start, results) -> None:
    batches = [json.dumps([make_event(n) for n in range(BATCH)]) for _ in range(int(seconds * 150) + 1)]
    sent = calls = 0
    with connection.connect(url) as conn:
        start.wait()
        deadline = time.perf_counter() + seconds
        began = time.perf_counter()
        while time.perf_counter() < deadline and calls < len(batches):
            with conn.transaction():
                sent += conn.execute(SQL["insert_batch"], {"user_id": learners[calls % len(learners)],
                                                           "events": batches[calls]}, prepare=True).rowcount
            calls += 1
        results.put((sent, time.perf_counter() - began))


def copy_text(user_id: uuid.UUID, events: list[dict]) -> bytes:
    return "".join(f"{user_id}\t{e['event_type']}\t{e['mode']}\t{'t' if e['is_correct'] else 'f'}\t"
                   f"{e['response_ms']}\t{e['active_seconds']}\t{e['occurred_at']}\t{e['event_id']}\n"
                   for e in events).encode()


@reporting
def copy_client(url: str, learners: list[uuid.UUID], seconds: float, start, results) -> None:
    batches = [copy_text(learners[i % len(learners)], [make_event(n) for n in range(BATCH)])
               for i in range(int(seconds * 150) + 1)]
    calls = 0
    with connection.connect(url) as conn:
        start.wait()
        deadline = time.perf_counter() + seconds
        began = time.perf_counter()
        while time.perf_counter() < deadline and calls < len(batches):
            with conn.transaction():
                with conn.cursor().copy(SQL["copy_batch"]) as copy:
                    copy.write(batches[calls])
            calls += 1
        results.put((calls * BATCH, time.perf_counter() - began))


def run(url: str, target, clients: int, seconds: float) -> tuple[int, float]:
    """Events stored per second by `clients` processes running `target`, and the events stored."""
    start = multiprocessing.Barrier(clients + 1)
    results = multiprocessing.Queue()
    everyone = [learner(i) for i in range(1, LEARNERS + 1)]
    processes = [multiprocessing.Process(target=target, args=(url, everyone[i::clients], seconds, start, results))
                 for i in range(clients)]
    for process in processes:
        process.start()
    try:
        start.wait()
    except threading.BrokenBarrierError:
        pass  # a client failed before the start: its error is on the queue
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
    for outcome in outcomes:
        if isinstance(outcome, Exception):
            raise SystemExit(f"a client failed: {outcome}")
    events = sum(sent for sent, _ in outcomes)
    return events, events / max(elapsed for _, elapsed in outcomes)


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def summary(rates: list[float]) -> str:
    return (f"median {statistics.median(rates):>9,.0f} events/s  (min {min(rates):,.0f}, max {max(rates):,.0f}, "
            f"spread {(max(rates) - min(rates)) / statistics.median(rates):.0%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--fast", action="store_true", help="fsync off (the test suite's settings)")
    parser.add_argument("--ceiling", action="store_true",
                        help="also the table's own ceiling: plain INSERT ... SELECT and COPY of the same batches")
    options = parser.parse_args()

    with scratch_server(durable=not options.fast) as server:
        url = migrated_database(server)
        with connection.connect(url) as conn:
            for statement in SQL["setup"].strip().split(";\n"):
                conn.execute(statement, {"learners": LEARNERS})
        print(f"server: PostgreSQL 15, {'fsync off' if options.fast else 'durable (fsync on)'}; {options.clients} "
              f"client process(es), {options.repeats} x {options.seconds:g} s per workload, {LEARNERS} learners, "
              f"batches of {BATCH}")
        print(f"load before: {uptime()}")
        workloads = [("batched", batched_client), ("single-row", single_row_client)]
        if options.ceiling:
            workloads += [("insert-select", insert_select_client), ("copy", copy_client)]
        rates: dict[str, list[float]] = {name: [] for name, _ in workloads}
        stored = 0
        for repeat in range(1, options.repeats + 1):
            for name, target in workloads:
                events, rate = run(url, target, options.clients, options.seconds)
                stored += events
                rates[name].append(rate)
                print(f"  run {repeat} {name:<13} {events:>9,} events  {rate:>9,.0f} events/s")
        print(f"load after:  {uptime()}")
        for name, values in rates.items():
            print(f"{name:<13} {summary(values)}")
        ratio = statistics.median(rates["batched"]) / statistics.median(rates["single-row"])
        print(f"ratio (medians): batched / single-row = {ratio:.1f}x; target >= 50,000 events/s batched: "
              f"{'met' if statistics.median(rates['batched']) >= 50_000 else 'NOT met'}")
        if options.ceiling:
            for name in ("insert-select", "copy"):
                share = statistics.median(rates["batched"]) / statistics.median(rates[name])
                print(f"batched / {name} (medians): {share:.0%} of the table's own ceiling this run")
        with connection.connect(url) as conn:
            count = conn.execute(SQL["count_events"]).fetchone()
        print(f"stored {count['events']:,} events, {count['distinct_ids']:,} distinct ids, sent {stored:,}: "
              f"{'OK' if count['events'] == count['distinct_ids'] == stored else 'MISMATCH'}")


if __name__ == "__main__":
    main()
