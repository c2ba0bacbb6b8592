"""The weekly guardian progress report: the PDF's text and chart (rendered by poppler), where it is stored,
and who may fetch it (the student and linked guardians only, through RLS)."""

import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
from PIL import Image

from cli import testing
from tests import personas as persona_data
from workers import reports, runner
from workers.lifecycle_store import LocalStore
from workers.reports.pdf import CHART_BOX

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)  # a Monday: the report covers 2026-W47
PERIOD = "2026-W47"
pytestmark = pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils (scripts/setup.sh test)")


@pytest.fixture
def week_of_learning(conn):
    people = persona_data.create_personas(conn)
    student = people.student
    conn.execute("select private.create_monthly_partitions('public.learning_events', '2026-11-01', 1)")
    for day, minutes in ((16, 12), (18, 30), (21, 5)):  # Mon 16, Wed 18, Sat 21 November (Paris time)
        at = datetime(2026, 11, day, 15, tzinfo=timezone.utc)
        conn.execute("insert into public.learning_events (user_id, event_type, mode, active_seconds, xp, occurred_at)"
                     " values (%s, 'session_completed', 'practice', %s, 10, %s)", [student, minutes * 60, at])
        conn.execute("select private.increment_xp(%s, 25, 'practice', 'learning', %s, at => %s)",
                     [student, f"day-{day}", at])
    testing.drain_awards(conn)  # the activity days the report reads come from process-awards
    conn.execute("select analytics.refresh_rollups(false)")
    next_concept = conn.execute(
        "insert into public.concepts (organization_id, subject_id, code, name, is_published) "
        "values (%s, %s, 'math.add20', 'Addition to 20', true) returning id",
        [people.org, people.content["subject"]]).fetchone()["id"]
    conn.execute("insert into public.concept_prerequisites (concept_id, prerequisite_id) values (%s, %s)",
                 [next_concept, people.content["concept"]])
    conn.execute("insert into public.skill_progress (user_id, concept_id) values (%s, %s) "
                 "on conflict do nothing", [student, people.content["concept"]])
    conn.execute("update public.skill_progress set final_mastery_score = 1, mastered_at = %s "
                 "where user_id = %s and concept_id = %s",
                 [datetime(2026, 11, 18, 16, tzinfo=timezone.utc), student, people.content["concept"]])
    return people


def blue_pixels(image):
    width, height = image.size
    return [pixel for pixel in (image.getpixel((x, y)) for x in range(width) for y in range(height))
            if pixel[2] > 150 and pixel[0] < 100]


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_weekly_report_renders_text_and_chart(conn, db_url, week_of_learning, tmp_path, monkeypatch):
    monkeypatch.setenv("LEARNKIT_LIFECYCLE_DIR", str(tmp_path))
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    student = week_of_learning.student
    # Two students have a guardian: the student, and the other organization's (other_guardian's child).
    assert runner.run(db_url, "build-progress-reports", now=NOW, dry_run=True).rows == 2
    assert not (tmp_path / "reports").exists()
    assert runner.run(db_url, "build-progress-reports", now=NOW).rows == 2

    path = tmp_path / "reports" / str(student) / PERIOD / "summary.pdf"
    text = pdf_text(path)
    for expected in ("Weekly progress report", "week 2026-W47", "Level", "75 XP earned in all",
                     "This week: 75 XP earned", "Current streak", "47 min of active learning on 3 of 7 days",
                     "Addition to 10 (new)", "Daily activity (minutes)", "Mon 16", "Sun 22",
                     "Suggested next concepts", "Addition to 20"):
        assert expected in text, (expected, text)

    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    page = Image.open(tmp_path / "page.png").convert("RGB")
    pixels_per_mm = page.width / 210
    x, y, width, height = (round(value * pixels_per_mm) for value in CHART_BOX)
    chart = page.crop((x, y, x + width, y + height))
    blue = sum(1 for r, g, b in blue_pixels(chart))
    assert blue > 100, "the chart's bars are drawn in its frame"
    above_chart = page.crop((x, y - height - 5, x + width, y - 5))
    assert sum(1 for _ in blue_pixels(above_chart)) == 0

    row = conn.execute("select * from public.progress_reports where student_id = %s", [student]).fetchone()
    assert (row["object_path"], row["target"], row["period_start"].isoformat()) == (
        f"{student}/{PERIOD}/summary.pdf", "local", "2026-11-16")
    first = path.read_bytes()
    assert runner.run(db_url, "build-progress-reports", now=NOW).rows == 2  # idempotent
    assert path.read_bytes() == first
    assert conn.execute("select count(*) from public.progress_reports").fetchone()["count"] == 2


def test_only_the_student_and_linked_guardians_can_fetch_a_report(conn, week_of_learning, tmp_path):
    people = week_of_learning
    store = LocalStore(tmp_path / "reports")
    reports.write_report(conn, store, people.student, NOW)
    expected = str(tmp_path / "reports" / str(people.student) / PERIOD / "summary.pdf")
    for persona in ("student", "guardian"):
        with testing.as_user(conn, people.users[persona]) as acting:
            link = reports.report_link(acting, people.student, PERIOD)
            assert (link.target, link.link) == ("local", expected)
    for persona in ("unlinked_guardian", "classmate", "educator"):
        with testing.as_user(conn, people.users[persona]) as acting:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="that you may fetch"):
                reports.report_link(acting, people.student, PERIOD)
    with testing.as_user(conn, people.guardian) as acting:  # a week with no report: the same refusal
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reports.report_link(acting, people.student, "2026-W01")
    with testing.as_anon(conn) as acting:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reports.report_link(acting, people.student, PERIOD)


class FakeBucket:
    """Stands in for supabase-py's bucket API (no Storage server in the test suite): records the calls."""

    def __init__(self):
        self.objects, self.signed = {}, []

    def upload(self, key, data, options):
        self.objects[key] = bytes(data)

    def download(self, key):
        return self.objects[key]

    def remove(self, keys):
        for key in keys:
            self.objects.pop(key, None)

    def create_signed_url(self, key, expires_in):
        self.signed.append((key, expires_in))
        return {"signedURL": f"https://storage.example/sign/{key}?token=t&expires={expires_in}"}


def test_on_storage_the_fetch_is_a_signed_expiring_url(conn, week_of_learning):
    from workers.lifecycle_store import StorageStore

    bucket = FakeBucket()
    client = type("Client", (), {"storage": type("Storage", (), {"from_": staticmethod(lambda name: bucket)})()})()
    store = StorageStore(client, "progress-reports")
    path = reports.write_report(conn, store, week_of_learning.student, NOW)
    assert bucket.objects[path][:5] == b"%PDF-"
    with testing.as_user(conn, week_of_learning.guardian) as acting:
        link = reports.report_link(acting, week_of_learning.student, PERIOD, store=store, expires_in=600)
    assert link.target == "storage" and link.expires_in == 600 and "expires=600" in link.link
    assert bucket.signed == [(path, 600)]


def test_report_week_is_the_last_whole_iso_week():
    assert reports.report_week(NOW) == (PERIOD, datetime(2026, 11, 16).date())
    assert reports.report_week(NOW + timedelta(days=6, hours=17)) == (PERIOD, datetime(2026, 11, 16).date())
    assert reports.report_week(datetime(2027, 1, 4, tzinfo=timezone.utc))[0] == "2026-W53"
