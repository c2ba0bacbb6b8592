"""`learnkit demo` section: the tutor's context in one call (issue 17).

SignifyAI's sync_chat_context edge function gathers, before each LLM call, what the tutor should know;
public.get_tutor_context returns it in one security-invoker call, as the learner, bounded in size.
"""

import psycopg

from cli import output, queries, testing
from cli.settings import Settings


def show_tutor_context(conn: psycopg.Connection, settings: Settings) -> None:
    chat = conn.execute(queries.query("demo_tutor.sql", "a_seeded_chat")).fetchone()
    if chat is None:
        return
    with testing.as_user(conn, chat["user_id"]) as learner:
        context = learner.execute(queries.query("demo_tutor.sql", "tutor_context"), chat).fetchone()["context"]
    streak = context["streak"] or {}
    progress = context["progress"] or {}
    output.table(f"Tutor context for {chat['nickname']}'s chat (public.get_tutor_context, as the learner)",
                 ["Part", "What the tutor model is given"], [
                     ["chat", f"{context['chat']['title']} ({context['chat']['context']})"],
                     ["progress", f"level {progress.get('level')}, {progress.get('xp')} XP, "
                                  f"streak {streak.get('current')} (alive: {streak.get('alive')})"],
                     ["recent lessons", ", ".join(lesson["title"] for lesson in context["recent_lessons"]) or "-"],
                     ["weakest concepts", ", ".join(f"{c['concept']} ({c['mastery']})"
                                                    for c in context["weakest_concepts"]) or "-"],
                     ["last messages", " / ".join(f"{m['sender']}: {m['content'][:40]}"
                                                  for m in context["messages"]) or "-"],
                 ])
