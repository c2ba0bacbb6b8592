"""The jobs learnkit runs on a schedule, by name."""

from cli.errors import UsageError
from workers import close_league_weeks, maintain_partitions, process_awards, recompute_streaks, refresh_rollups
from workers import purge_storage, reengagement, reports, retention, snapshots
from workers.jobs import Job

JOBS: dict[str, Job] = {job.name: job for job in [
    # Every minute is cron's finest grain; `learnkit worker run process-awards --follow` (or pg_cron's
    # '5 seconds' schedule on hosted Supabase) keeps the lag under a second or two.
    Job("process-awards", "Apply what answers and awards queued: progress, achievements, challenges, ranks.",
        process_awards.run, schedule="* * * * *",
        sql_entry="select private.run_worker_job('process-awards')", pg_cron_schedule="5 seconds"),
    Job("maintain-partitions", "Create the event tables' monthly partitions, 3 months ahead.",
        maintain_partitions.run, schedule="10 0 * * *",
        sql_entry="select private.run_worker_job('maintain-partitions')"),
    Job("refresh-rollups", "Fold events ingested since the last refresh into the daily rollups.",
        refresh_rollups.run, schedule="*/15 * * * *",
        sql_entry="select private.run_worker_job('refresh-rollups')"),
    Job("rebuild-rollups",
        "Fallback: rebuild the daily rollups from the events, keeping retired events' days (not scheduled).",
        refresh_rollups.run_full_rebuild, schedule=None),
    Job("recompute-streaks", "Recompute daily and weekly streaks of learners with new activity (set-based).",
        recompute_streaks.run, schedule="30 * * * *",
        sql_entry="select private.run_worker_job('recompute-streaks')"),
    Job("rebuild-streaks", "Fallback: recompute every learner's streaks (not scheduled).",
        recompute_streaks.run_for_everyone, schedule=None),
    Job("close-league-weeks", "Close league weeks that have ended everywhere and form the next ones.",
        close_league_weeks.run, schedule="5 14 * * 1",
        sql_entry="select private.run_worker_job('close-league-weeks')"),
    # The data lifecycle (docs/lifecycle.md). Jobs that write files have no sql_entry: pg_cron cannot run them.
    Job("snapshot-gamification", "Snapshot XP profiles and ledgers to gzip JSON lines in the archive.",
        snapshots.snapshot_gamification, schedule="15 1 * * *"),
    Job("retire-learning-events", "Aggregate, archive, then delete learning events past retention; drop "
        "their old partitions.", retention.retire_learning_events, schedule="30 2 * * *"),
    Job("strip-session-details", "Keep only the summary of sessions past the details window.",
        retention.strip_session_details, schedule="0 3 * * *",
        sql_entry="select private.run_lifecycle_job('strip-session-details')"),
    Job("archive-sessions", "Archive old sessions (not opted in) to cold storage, then delete them.",
        retention.archive_sessions, schedule="20 3 * * *"),
    Job("anonymise-session-archives", "Rewrite session archives past the anonymisation window without "
        "identities.", retention.anonymise_session_archives, schedule="40 3 * * *"),
    Job("expire-chat-sessions", "Delete tutor chats inactive past the chat window.",
        retention.expire_chat_sessions, schedule="0 4 * * *",
        sql_entry="select private.run_lifecycle_job('expire-chat-sessions')"),
    Job("send-reengagement-nudges", "Notify learners inactive past the window, once per lapse.",
        reengagement.run, schedule="0 16 * * 1",
        sql_entry="select private.run_lifecycle_job('send-reengagement-nudges')"),
    Job("purge-storage", "Delete the Storage objects queued by account deletion (through the Storage API).",
        purge_storage.run, schedule="50 4 * * *"),
    Job("build-progress-reports", "Write last week's PDF progress report for every student with a guardian.",
        reports.build_progress_reports, schedule="0 6 * * 1"),
]}


def get(name: str) -> Job:
    try:
        return JOBS[name]
    except KeyError:
        raise UsageError(f"unknown job {name!r}: choose one of {', '.join(JOBS)}") from None
