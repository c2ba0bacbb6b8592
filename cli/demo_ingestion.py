"""`learnkit demo` section: learning-event ingestion, then the Storage purge after an account deletion.

A learner's device sends a batch of learning events and analytics through public.record_learning_events,
sends it again (nothing is stored twice), then a batch with one bad event (refused whole, naming it). The
learner then deletes their account: their recording is queued, and the purge-storage job deletes it (here,
the local emulation: the storage.objects row; on Supabase, through the Storage API).
"""

import json
import uuid
from datetime import datetime, timedelta, timezone

import psycopg

from cli import output, queries, testing
from cli.settings import Settings
from workers import runner


def _query(name: str) -> str:
    return queries.query("demo_ingestion.sql", name)


def _event(minutes_ago: int, **fields) -> dict:
    at = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
    return {"event_id": str(uuid.uuid4()), "occurred_at": at.isoformat(timespec="seconds"), **fields}


def show_ingestion(conn: psycopg.Connection, settings: Settings) -> None:
    learner = uuid.uuid4()
    conn.execute(_query("create_learner"), {"id": learner, "nickname": "Noor", "email": f"{learner}@demo.learnkit.dev"})
    batch = [_event(3, event_type="session_started", mode="practice"),
             _event(2, event_type="answer", mode="practice", is_correct=True, response_ms=1400, active_seconds=6),
             _event(1, stream="analytics", event_type="hint.opened", event_data={"skill": "addition"})]
    calls = []
    for label, events in (("first send", batch), ("resent, plus one new event",
                                                  batch + [_event(0, event_type="session_completed")])):
        with testing.as_user(conn, learner, commit=True) as acting:
            result = acting.execute(_query("record"), {"events": json.dumps(events)}).fetchone()
        calls.append([label, str(len(events)), str(result["recorded"]), str(result["duplicates"])])
    bad = [_event(1, event_type="answer", is_correct=False), _event(-60, event_type="answer", is_correct=True)]
    try:
        with testing.as_user(conn, learner) as acting:
            acting.execute(_query("record"), {"events": json.dumps(bad)})
        refusal = "accepted?"
    except psycopg.Error as error:
        refusal = f"{error.sqlstate}: {error.diag.message_primary}"
    calls.append(["a batch with an event an hour ahead", str(len(bad)), "0", "-"])
    output.table("Learning-event ingestion (public.record_learning_events)",
                 ["Call", "Events sent", "Recorded", "Duplicates"], calls)
    output.stdout.print(f"Refused, nothing stored: {refusal}", markup=False, highlight=False)
    stored = conn.execute(_query("stored_events"), {"user_id": learner}).fetchall()
    output.table("Stored learning events (each once)", ["Type", "Mode", "Correct", "Partition"],
                 [[row["event_type"], row["mode"], str(row["is_correct"]), row["partition_name"]] for row in stored])

    recording = f"{learner}/first-words.webm"
    conn.execute(_query("recordings_bucket"))
    conn.execute(_query("upload_object"), {"name": recording, "owner": learner})
    conn.execute(_query("delete_account"), {"id": learner})
    queued = len(conn.execute(_query("purge_queue")).fetchall())
    outcome = runner.run_on(conn, "purge-storage")
    present = conn.execute(_query("object_exists"), {"name": recording}).fetchone()["present"]
    output.table("Storage purge after the account deletion (purge-storage)",
                 ["Queued objects", "Job", "Purged", "Recording still stored"],
                 [[str(queued), outcome.status, str(outcome.rows), str(present)]])
