"""send-reengagement-nudges: the weekly nudge to learners inactive for longer than the window.

The work is private.send_reengagement_nudges (also what pg_cron runs): one
notification per learner and lapse, never twice for the same lapse, skipping
learners who turned re-engagement or in-app notifications off
(user_settings.notifications) and guardians and staff.
"""

from cli import queries
from workers.jobs import JobContext


def run(context: JobContext) -> int:
    sent = context.conn.execute(queries.query("reengagement.sql", "send_nudges", package="workers"),
                                {"now": context.now}).fetchone()["written"]
    context.note(f"{'would send' if context.dry_run else 'sent'} {sent} re-engagement nudge(s)")
    context.progress("nudges", 1, 1)
    return sent
