"""Benchmark: the answer-submission RPC with its XP award vs pgbench TPC-B, same server, same run.

Both workloads are driven by pgbench (-M prepared, one connection per client), so the client costs the same
on either side. Each submit_answer transaction is what PostgREST runs for POST /rpc/submit_answer: set the
role, the JWT claims and the request settings, then public.submit_answer() — graded against the hidden key,
attempt and progress recorded (issue 3's triggers), XP awarded by the rules, ledger, activity day, streak,
analytics event, challenges, achievements and leaderboard updated. Every submission is a learner's first,
correct try at an unanswered question (the most expensive path: it pays), each client with its own learners of
one organization (bench/pgbench/submit_answer.sql); the bench checks afterwards that every one was paid.
Then 32 Python clients hammer one learner (each submission sent twice with the same idempotency key) and the
ledger is checked against the profile.

The naive peer a seed app would write (an increment_xp RPC that only adds to a balance under RLS,
bench/sql/xp_award.sql naive_peer) runs beside them, for the same learners.

  scripts/setup.sh bench && .venv/bin/python bench/xp_award.py       # 10 s per run
  .venv/bin/python bench/xp_award.py --seconds 3 --fast              # fsync off, a quick look
  .venv/bin/python bench/xp_award.py --quick                         # 8 clients, 5 s runs, no hammer: about 60 s;
                                                                     # the last line is the 8-client ratio

Issue 16 (the lean answer path): the request pays and queues the rest in private.award_outbox. For each client
count the bench runs submit_answer three ways: alone (the request's own throughput, the "ratio" column), leaving its
queue as a backlog that private.process_awards then applies alone (the job's rate in answers per second: it must
keep up at >= 5,000, <= 0.2 ms each); and again while a process-awards follower (workers.process_awards.follow,
as `learnkit worker run process-awards --follow` runs it) applies the queue and a probe learner answers every
200 ms ("ratio w/ job"). The probe's lag is the time from its answer's commit until its progress (question_progress),
its organization's count (organization_xp) and its rank count (counted_xp) are all visible; the bench prints the
p50/p95 lag under the 8-client load.

Before the measured runs every learner answers once, not counted (warm_up): the job applies it and the tables are
analyzed, as on a server that has served since the morning. A fresh database's statistics say the tables are
empty, so the plans the first connections cache scan answer_attempts whole while it grows (until autovacuum
analyzes it, within a minute on a real server), and every answer would be its learner's first of the day (the
streak): neither is the steady state the ratio is about.
"""

import argparse
import hashlib
import multiprocessing
import re
import subprocess
import time
import uuid
from pathlib import Path

from common import act_as, connection, migrated_database, percentile, pg_binary, scratch_server
from cli import queries
from workers import process_awards

CLIENT_COUNTS = (1, 8, 32)
# Enough learners per client that each answers at a human pace (about one answer every few seconds), as
# in a class, rather than one learner answering hundreds of questions a minute.
STUDENTS_PER_CLIENT = 500
QUESTIONS = 2_000
HAMMER_SUBMISSIONS = 20
SQL = queries.parse_named_blocks((Path(__file__).parent / "sql" / "xp_award.sql").read_text())
SUBMIT_SCRIPT = Path(__file__).parent / "pgbench" / "submit_answer.sql"
NAIVE_SCRIPT = Path(__file__).parent / "pgbench" / "naive_increment_xp.sql"


def run_pgbench(url: str, clients: int, *arguments: str) -> str:
    """One pgbench run (-M prepared, a thread per client); its report."""
    result = subprocess.run([pg_binary("pgbench"), "-n", "-M", "prepared", "-c", str(clients), "-j", str(clients),
                             *arguments, url], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"pgbench failed: {result.stderr.strip().splitlines()[-1]}")
    return result.stdout


def pgbench(url: str, clients: int, seconds: int, *extra: str) -> tuple[float, int]:
    """TPS and transactions of one pgbench run."""
    report = run_pgbench(url, clients, "-T", str(seconds), *extra)
    transactions = int(re.search(r"number of transactions actually processed: (\d+)", report).group(1))
    return float(re.search(r"tps = ([0-9.]+)", report).group(1)), transactions


def warm_up(url: str, clients: int) -> int:
    """Every bench learner answers once (pgbench -t: each client once through its learners); then the queue is
    applied and the tables analyzed. Returns the submissions."""
    run_pgbench(url, clients, "-t", str(STUDENTS_PER_CLIENT), "-f", str(SUBMIT_SCRIPT), "-D", "n=0",
                "-D", f"students_per_client={STUDENTS_PER_CLIENT}", "-D", "first_question=1")
    drain_rate(url)
    with connection.connect(url) as conn:
        conn.execute("vacuum analyze")
    return clients * STUDENTS_PER_CLIENT


def hammer(url: str, user: uuid.UUID, session: uuid.UUID, questions: list[int], start, results) -> None:
    """Submit each question twice with one key; report whether exactly the second was flagged a replay."""
    replays_ok = True
    with connection.connect(url) as conn:
        start.wait()
        for question in questions:
            key = str(uuid.uuid4())
            for attempt in range(2):
                with conn.transaction():
                    act_as(conn, user)
                    result = conn.execute(SQL["submit"], {
                        "session": session, "question": uuid.UUID(md5_hex(f"question{question}")),
                        "answer": 2 * question + 1, "key": key}).fetchone()["result"]
                replays_ok &= result["replayed"] == (attempt == 1)
    results.put(replays_ok)


def md5_hex(text: str) -> str:
    """The bench's ids, as the SQL computes them: md5(text)::uuid."""
    return hashlib.md5(text.encode()).hexdigest()


def hammer_one_learner(url: str, student: int, first_question: int) -> tuple[float, bool]:
    user, session = uuid.UUID(md5_hex(f"student{student}")), uuid.UUID(md5_hex(f"session{student}"))
    start = multiprocessing.Barrier(33)
    results = multiprocessing.Queue()
    processes = [multiprocessing.Process(target=hammer, args=(
        url, user, session, list(range(first_question + i * HAMMER_SUBMISSIONS,
                                       first_question + (i + 1) * HAMMER_SUBMISSIONS)), start, results))
        for i in range(32)]
    for process in processes:
        process.start()
    start.wait()
    began = time.perf_counter()
    replays_ok = all(results.get() for _ in processes)
    elapsed = time.perf_counter() - began
    for process in processes:
        process.join()
    return elapsed, replays_ok



def follower(url: str, stop, applied) -> None:
    """A process-awards follower (the job as `worker run process-awards --follow` runs it) until stop is set."""
    stats = process_awards.follow(url, should_stop=stop.is_set)
    applied.put(stats.applied)


def probe(url: str, student: int, stop, lags) -> None:
    """A learner answering every 200 ms; for each answer, seconds from its commit until its progress, its
    organization's XP and its rank count are visible."""
    user, session = uuid.UUID(md5_hex(f"student{student}")), uuid.UUID(md5_hex(f"session{student}"))
    samples = []
    with connection.connect(url) as conn:
        question = QUESTIONS - 1
        while not stop.is_set() and question > QUESTIONS - 400:
            with conn.transaction():
                act_as(conn, user)
                attempt = conn.execute(SQL["submit"], {
                    "session": session, "question": uuid.UUID(md5_hex(f"question{question}")),
                    "answer": 2 * question + 1, "key": str(uuid.uuid4())}).fetchone()["result"]["attempt_id"]
            committed = time.perf_counter()
            while not stop.is_set():
                if conn.execute(SQL["visible"], {"user": user, "question": uuid.UUID(md5_hex(f"question{question}")),
                                                 "attempt": attempt}).fetchone()["visible"]:
                    samples.append(time.perf_counter() - committed)
                    break
                time.sleep(0.005)
            question -= 1
            time.sleep(0.2)
    lags.put(samples)


def drain_rate(url: str) -> tuple[int, float]:
    """Answers in the queue and the seconds process_awards takes to apply them alone."""
    with connection.connect(url) as conn:
        answers = conn.execute(SQL["queued_answers"]).fetchone()["answers"]
        began = time.perf_counter()
        while conn.execute(SQL["process_batch"]).fetchone()["applied"]:
            pass
        return answers, time.perf_counter() - began

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--fast", action="store_true", help="fsync off (the test suite's settings) for both")
    parser.add_argument("--quick", action="store_true",
                        help="8 clients only, 5 s runs, no one-learner hammer; the last line is the 8-client ratio")
    parser.add_argument("--server", choices=("system", "embedded"), default="system",
                        help="Debian's PostgreSQL 15 (default) or the embedded server (learnkit db start's)")
    options = parser.parse_args()
    client_counts = (8,) if options.quick else CLIENT_COUNTS
    seconds = min(options.seconds, 5) if options.quick else options.seconds
    # As many learners and TPC-B branches as the most clients need: --quick builds a quarter of the full set-up.
    students = STUDENTS_PER_CLIENT * max(client_counts) + 1

    with scratch_server(durable=not options.fast, kind=options.server) as server:
        url = migrated_database(server)
        with connection.connect(url) as conn:
            for statement in SQL["setup"].strip().split(";\n"):
                # One more learner than the clients and the hammer use: the freshness probe.
                conn.execute(statement, {"students": students + 1, "questions": QUESTIONS})
            for statement in SQL["naive_peer"].strip().split(";\n"):
                conn.execute(statement)
        connection.connect(server.url()).execute("create database pgbench")
        subprocess.run([pg_binary("pgbench"), "-i", "-q", "-s", str(max(client_counts)), server.url("pgbench")],
                       capture_output=True, check=True)

        with connection.connect(url) as conn:
            version = conn.execute("show server_version").fetchone()["server_version"]
        print(f"server: PostgreSQL {version.split()[0]} ({options.server}), "
              f"{'fsync off' if options.fast else 'durable (fsync on)'}; "
              f"{seconds} s per run; all driven by pgbench -M prepared, one connection per client; "
              f"TPC-B scale {max(client_counts)}")
        print(f"{'clients':>7}  {'submit_answer TPS':>17}  {'with process-awards':>21}  {'naive increment_xp TPS':>22}  "
              f"{'pgbench TPS':>11}  {'naive ratio':>11}  {'ratio':>6}  {'ratio w/ job':>13}")
        # Not counted: each learner answers once, the job applies it and the tables are analyzed, as on a server
        # that has served since the morning: plans from the tables' statistics, each learner's streak day started
        # (a learner's first answer of a day also extends their streak, once a day).
        first_question, submitted = 1, warm_up(url, max(client_counts))
        first_question += 2
        lags: list[float] = []
        followed = 0
        drained = None
        for clients in client_counts:
            def submit_run() -> float:
                nonlocal submitted, first_question
                tps, done = pgbench(url, clients, seconds, "-f", str(SUBMIT_SCRIPT), "-D", "n=0",
                                    "-D", f"students_per_client={STUDENTS_PER_CLIENT}",
                                    "-D", f"first_question={first_question}")
                submitted += done
                # The busiest client sent about done / clients requests; the next run starts past its questions.
                first_question += done // clients // STUDENTS_PER_CLIENT * 2 + 2
                if first_question + HAMMER_SUBMISSIONS * 32 > QUESTIONS:
                    raise SystemExit("ran out of unanswered questions: raise QUESTIONS")
                return tps

            # 1. The request alone (what the learner waits for); its queue is left as a backlog ...
            ours = submit_run()
            # 2. ... which process_awards then applies alone: the job's rate.
            backlog, drain_seconds = drain_rate(url)
            if clients == 8:
                drained = (backlog, drain_seconds)
            # 3. The request again while a follower applies the queue and a probe learner measures the lag.
            stop, applied_queue, lag_queue = multiprocessing.Event(), multiprocessing.Queue(), multiprocessing.Queue()
            helpers = [multiprocessing.Process(target=follower, args=(url, stop, applied_queue)),
                       multiprocessing.Process(target=probe, args=(url, students + 1, stop, lag_queue))]
            for helper in helpers:
                helper.start()
            ours_live = submit_run()
            stop.set()
            followed += applied_queue.get()
            probe_lags = lag_queue.get()
            if clients == 8:
                lags = probe_lags
            for helper in helpers:
                helper.join()
            naive, _ = pgbench(url, clients, seconds, "-f", str(NAIVE_SCRIPT), "-D", "n=0",
                               "-D", f"students_per_client={STUDENTS_PER_CLIENT}")
            theirs, _ = pgbench(server.url("pgbench"), clients, seconds)
            print(f"{clients:>7}  {ours:>17.0f}  {ours_live:>21.0f}  {naive:>22.0f}  {theirs:>11.0f}  "
                  f"{naive / theirs:>11.2f}  {ours / theirs:>6.2f}  {ours_live / theirs:>13.2f}")
        if drained:
            backlog, drain_seconds = drained
            print(f"process-awards at 8 clients: a backlog of {backlog} answers applied alone in {drain_seconds:.2f} s: "
                  f"{backlog / drain_seconds:,.0f} answers/s ({1000 * drain_seconds / max(backlog, 1):.3f} ms per "
                  f"answer, target <= 0.2); a follower applied {followed} queued rows during the live runs")
        if lags:
            print(f"freshness under the 8-client load: {len(lags)} probe answers, lag from commit to progress, "
                  f"organization XP and rank count visible: p50 {percentile(lags, 0.5):.3f} s, "
                  f"p95 {percentile(lags, 0.95):.3f} s, max {max(lags):.3f} s (target p95 <= 2 s)")
        with connection.connect(url) as conn:
            paid = conn.execute(SQL["paid_first_tries"]).fetchone()
        print(f"submissions {paid['submissions']} (pgbench counted {submitted}), paid first tries "
              f"{paid['paid_first_tries']}: {'OK' if paid['paid_first_tries'] == paid['submissions'] == submitted else 'MISMATCH'}")
        if options.quick:
            print(f"submit_answer / TPC-B at 8 clients: {ours / theirs:.2f} "
                  f"({ours_live / theirs:.2f} while process-awards keeps up)")
            return

        elapsed, replays_ok = hammer_one_learner(url, students, first_question)
        with connection.connect(url) as conn:
            check = conn.execute(SQL["ledger_check"], {"user": uuid.UUID(md5_hex(f"student{students}"))}).fetchone()
        expected = 32 * HAMMER_SUBMISSIONS
        consistent = check["xp"] == check["lifetime_xp"] == check["ledger_sum"]
        print(f"32 clients × {HAMMER_SUBMISSIONS} submissions (+ a replay of each) to one learner in {elapsed:.1f} s: "
              f"xp {check['xp']}, lifetime_xp {check['lifetime_xp']}, ledger sum {check['ledger_sum']}, "
              f"answer awards {check['answer_awards']} ({check['answer_xp']} XP, expected {expected} / {expected * 10}); "
              f"replays flagged and added nothing: {replays_ok}; "
              f"{'OK' if consistent and check['answer_awards'] == expected and replays_ok else 'MISMATCH'}")


if __name__ == "__main__":
    main()
