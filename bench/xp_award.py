"""Benchmark: the answer-submission RPC with its XP award vs pgbench TPC-B, same server, same run.

Each transaction is what PostgREST runs for POST /rpc/submit_answer: set the role and JWT claims, then
public.submit_answer() — graded against the hidden key, attempt and progress recorded (issue 3's triggers),
XP awarded by the rules, ledger, streak, challenges, achievements, leaderboard entries updated. Clients are
separate processes, each with its own connection and its own students (a correct first try every time).
Then 32 clients hammer one learner (each submission sent twice with the same idempotency key) and the
ledger is checked against the profile.

  .venv/bin/python bench/xp_award.py                 # 10 s per client count
  .venv/bin/python bench/xp_award.py --seconds 3 --fast
"""

import argparse
import multiprocessing
import re
import subprocess
import time
import uuid

from common import act_as, connection, migrated_database, pg_binary, scratch_server

CLIENT_COUNTS = (1, 8, 32)
STUDENTS_PER_CLIENT = 20
QUESTIONS = 1000

SETUP = """
insert into public.organizations (id, name, slug, kind, max_students) values (%(org)s, 'Bench School', 'bench', 'school', 100000);
insert into public.gamification_settings (organization_id, rate_limit_awards, daily_xp_cap)
values (%(org)s, 100000, 1000000);
insert into auth.users (id, email, raw_user_meta_data)
select gen_random_uuid(), 'bench' || n || '@bench.learnkit.dev', jsonb_build_object('nickname', 'learner' || n)
from generate_series(1, %(students)s) n;
insert into public.organization_members (organization_id, user_id, role)
select %(org)s, id, 'student' from public.profiles;
insert into public.learning_sessions (user_id, session_type, container)
select id, 'container', 'learn' from public.profiles;
insert into public.questions (id, organization_id, question_type, operand1, operand2, operation, is_published)
select gen_random_uuid(), %(org)s, 'math_fact', n, n + 1, '+', true from generate_series(1, %(questions)s) n;
insert into public.question_answer_keys (question_id, correct_answer, correct_value)
select id, to_jsonb(operand1 + operand2), operand1 + operand2 from public.questions;
"""
STUDENTS = """
select s.user_id, s.id as session_id from public.learning_sessions s order by s.user_id
"""
QUESTION_LIST = "select id, operand1 + operand2 as answer from public.questions order by operand1"
SUBMIT = """
select public.submit_answer(%(session)s, %(question)s, to_jsonb(%(answer)s), 900, %(key)s) as result
"""
CHECK = """
select s.xp, s.lifetime_xp,
       (select sum(delta) from public.xp_transactions t where t.user_id = s.user_id) as ledger_sum,
       (select count(*) from public.xp_transactions t where t.user_id = s.user_id
          and t.idempotency_key like 'attempt:%%') as answer_awards,
       (select sum(amount) from public.xp_transactions t where t.user_id = s.user_id
          and t.idempotency_key like 'attempt:%%') as answer_xp
from public.xp_profiles s where s.user_id = %(user)s
"""


def client(url, students, questions, seconds, start, results, replay=False):
    done = 0
    replays_ok = True
    with connection.connect(url) as conn:
        conn.autocommit = False
        start.wait()
        deadline = time.perf_counter() + seconds
        position = 0
        while time.perf_counter() < deadline or (seconds == 0 and position < len(students) * len(questions)):
            if seconds == 0 and position >= len(students) * len(questions):
                break
            user, session = students[position % len(students)]
            question, answer = questions[(position // len(students)) % len(questions)]
            position += 1
            key = str(uuid.uuid4())
            for attempt in range(2 if replay else 1):
                with conn.transaction():
                    act_as(conn, user)
                    result = conn.execute(SUBMIT, {"session": session, "question": question, "answer": answer,
                                                   "key": key}).fetchone()["result"]
                replays_ok &= result["replayed"] == (attempt == 1)
            done += 1
    results.put((done, replays_ok))


def run_clients(url, clients, students, questions, seconds, replay=False, per_client_questions=None):
    start = multiprocessing.Barrier(clients + 1)
    results = multiprocessing.Queue()
    processes = []
    for index in range(clients):
        mine = students[index * STUDENTS_PER_CLIENT:(index + 1) * STUDENTS_PER_CLIENT] if not replay else students
        theirs = per_client_questions[index] if per_client_questions else questions
        processes.append(multiprocessing.Process(target=client, args=(url, mine, theirs, seconds, start, results,
                                                                      replay)))
    for process in processes:
        process.start()
    start.wait()
    began = time.perf_counter()
    outcomes = [results.get() for _ in processes]
    elapsed = time.perf_counter() - began
    for process in processes:
        process.join()
    return sum(done for done, _ in outcomes), elapsed, all(ok for _, ok in outcomes)


def pgbench_tps(server, clients, seconds):
    result = subprocess.run([pg_binary("pgbench"), "-n", "-M", "prepared", "-c", str(clients), "-j", str(clients),
                             "-T", str(seconds), server.url("pgbench")], capture_output=True, text=True, check=True)
    return float(re.search(r"tps = ([0-9.]+)", result.stdout).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--fast", action="store_true", help="fsync off (the test suite's settings) for both")
    options = parser.parse_args()

    with scratch_server(durable=not options.fast) as server:
        url = migrated_database(server)
        org = uuid.uuid4()
        with connection.connect(url) as conn:
            for statement in SETUP.strip().split(";\n"):
                conn.execute(statement, {"org": org, "students": STUDENTS_PER_CLIENT * max(CLIENT_COUNTS) + 1,
                                         "questions": QUESTIONS})
            conn.execute("analyze")
            students = [(r["user_id"], r["session_id"]) for r in conn.execute(STUDENTS)]
            questions = [(r["id"], r["answer"]) for r in conn.execute(QUESTION_LIST)]
        hammered, students = students[-1], students[:-1]
        connection.connect(server.url()).execute("create database pgbench")
        subprocess.run([pg_binary("pgbench"), "-i", "-q", "-s", str(max(CLIENT_COUNTS)), server.url("pgbench")],
                       capture_output=True, check=True)

        print(f"server: PostgreSQL 15, {'fsync off' if options.fast else 'durable (fsync on)'}; "
              f"{options.seconds} s per run; pgbench TPC-B scale {max(CLIENT_COUNTS)}, -M prepared")
        print(f"{'clients':>7}  {'submit_answer TPS':>17}  {'pgbench TPS':>11}  {'ratio':>6}")
        offset = 0
        for clients in CLIENT_COUNTS:
            # Each run starts on questions nobody answered yet, so every submission is a paid first try.
            per_client = [questions[offset:] for _ in range(clients)]
            done, elapsed, _ = run_clients(url, clients, students, questions, options.seconds,
                                           per_client_questions=per_client)
            offset += done // (STUDENTS_PER_CLIENT) + 1
            ours = done / elapsed
            theirs = pgbench_tps(server, clients, options.seconds)
            print(f"{clients:>7}  {ours:>17.0f}  {theirs:>11.0f}  {ours / theirs:>6.2f}")

        per_client = [[q] for q in questions[:32 * 20]]
        chunks = [questions[i * 20:(i + 1) * 20] for i in range(32)]
        done, elapsed, replays_ok = run_clients(url, 32, [hammered], None, 0, replay=True,
                                                per_client_questions=chunks)
        del per_client
        with connection.connect(url) as conn:
            check = conn.execute(CHECK, {"user": hammered[0]}).fetchone()
        consistent = check["xp"] == check["lifetime_xp"] == check["ledger_sum"]
        print(f"32 clients × 20 submissions (+ 20 replays each) to one learner in {elapsed:.1f} s: "
              f"xp {check['xp']}, lifetime_xp {check['lifetime_xp']}, ledger sum {check['ledger_sum']}, "
              f"answer awards {check['answer_awards']} ({check['answer_xp']} XP, expected {32 * 20} / {32 * 20 * 10}); "
              f"replays flagged and added nothing: {replays_ok}; "
              f"{'OK' if consistent and check['answer_awards'] == 640 and replays_ok else 'MISMATCH'}")


if __name__ == "__main__":
    main()
