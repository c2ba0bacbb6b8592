"""The demo's analytics section runs the workers and prints a dashboard from the rollups."""

import io

from rich.console import Console

from cli import demo_analytics, output


def test_the_analytics_demo_section_shows_a_dashboard(conn, settings, monkeypatch):
    printed = io.StringIO()
    monkeypatch.setattr(output, "stdout", Console(file=printed, width=200))
    demo_analytics.show_analytics(conn, settings)
    demo_analytics.show_analytics(conn, settings)  # re-runnable: no duplicate learners or double counting
    text = printed.getvalue()
    assert "Daily practice summaries" in text and "demo-learner-ana" in text
    assert "Practice metrics by mode" in text and "quiz" in text
    learners = conn.execute("select count(*) as n from public.profiles where nickname like 'demo-learner-%'")
    assert learners.fetchone()["n"] == 3
    totals = conn.execute("select sum(events) as rolled_up, (select count(*) from public.learning_events) as events "
                          "from analytics.user_daily").fetchone()
    assert totals["rolled_up"] == totals["events"] > 0
    goals = conn.execute("select count(*) filter (where daily_goal_met) as met, count(*) as days "
                         "from public.daily_practice_summaries").fetchone()
    assert 0 < goals["met"] < goals["days"]
