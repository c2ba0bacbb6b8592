"""The weekly progress report as a one-page PDF, drawn with fpdf2.

fpdf2 rather than reportlab: pure Python, one small dependency set (Pillow, fonttools, defusedxml), and
its drawing primitives (rectangles, lines, text) are all a bar chart of seven days needs, so no plotting
library either. The core Helvetica font covers Latin-1; other characters (a nickname in another script)
print as "?" rather than failing the whole weekly run.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from fpdf import FPDF

# The chart's frame on the page, in millimetres (x, y, width, height): tests look for its bars here.
CHART_BOX = (20.0, 150.0, 170.0, 60.0)
BAR_COLOUR = (46, 117, 182)


@dataclass(frozen=True)
class DailyActivity:
    day: date
    active_seconds: int
    questions_answered: int
    lessons_completed: int
    earned_xp: int


@dataclass(frozen=True)
class ReportData:
    student_name: str
    period: str  # ISO week, e.g. 2026-W47
    period_start: date
    xp: int
    lifetime_xp: int
    level: int
    next_level_xp: int | None
    tier: str | None
    current_streak: int
    best_streak: int
    weekly_streak: int
    days: list[DailyActivity]
    mastered_skills: list[tuple[str, bool]] = field(default_factory=list)  # (name, mastered this week)
    next_concepts: list[str] = field(default_factory=list)

    @property
    def week_seconds(self) -> int:
        return sum(day.active_seconds for day in self.days)

    @property
    def week_xp(self) -> int:
        return sum(day.earned_xp for day in self.days)


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def _duration(seconds: int) -> str:
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def render(report: ReportData, generated_at: datetime) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(generated_at)  # the same data and clock give the same file
    pdf.set_title(_latin1(f"Weekly progress report: {report.student_name}, {report.period}"))
    pdf.set_author("learnkit")
    pdf.set_margins(20, 15)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    end = report.days[-1].day if report.days else report.period_start

    pdf.set_font("Helvetica", "B", 20)
    pdf.cell(0, 10, "Weekly progress report", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    pdf.cell(0, 7, _latin1(f"{report.student_name} - week {report.period} "
                           f"({report.period_start:%d %b} to {end:%d %b %Y})"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    _heading(pdf, "XP and level")
    next_level = f", {report.next_level_xp - report.lifetime_xp} XP to level {report.level + 1}" \
        if report.next_level_xp else ""
    _line(pdf, f"Level {report.level}{f' ({report.tier})' if report.tier else ''}: "
               f"{report.lifetime_xp} XP earned in all{next_level}.")
    _line(pdf, f"This week: {report.week_xp} XP earned. Balance: {report.xp} XP.")

    _heading(pdf, "Streak")
    _line(pdf, f"Current streak: {report.current_streak} day(s) (best {report.best_streak}); "
               f"weekly streak: {report.weekly_streak} week(s).")

    _heading(pdf, "Time spent")
    active_days = sum(1 for day in report.days if day.active_seconds)
    _line(pdf, f"{_duration(report.week_seconds)} of active learning on {active_days} of 7 days; "
               f"{sum(d.questions_answered for d in report.days)} questions answered, "
               f"{sum(d.lessons_completed for d in report.days)} lessons completed.")

    _heading(pdf, "Mastered skills")
    if report.mastered_skills:
        new = [name for name, this_week in report.mastered_skills if this_week]
        _line(pdf, f"{len(report.mastered_skills)} skill(s) mastered, {len(new)} this week: "
                   + ", ".join(name + (" (new)" if this_week else "")
                               for name, this_week in report.mastered_skills[:8])
                   + (", ..." if len(report.mastered_skills) > 8 else "") + ".")
    else:
        _line(pdf, "No skill mastered yet.")

    _chart(pdf, report)

    pdf.set_xy(20, CHART_BOX[1] + CHART_BOX[3] + 14)
    _heading(pdf, "Suggested next concepts")
    if report.next_concepts:
        for name in report.next_concepts:
            _line(pdf, f"- {name}")
    else:
        _line(pdf, "Nothing new is unlocked yet: keep practising the current skills.")
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(2)
    pdf.set_x(20)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)


def _line(pdf: FPDF, text: str) -> None:
    pdf.set_x(20)
    pdf.multi_cell(170, 5.5, _latin1(text), new_x="LMARGIN", new_y="NEXT")


def _chart(pdf: FPDF, report: ReportData) -> None:
    x, y, width, height = CHART_BOX
    pdf.set_font("Helvetica", "B", 12)
    pdf.set_xy(x, y - 9)
    pdf.cell(width, 7, "Daily activity (minutes)")
    plot_top, plot_bottom = y + 6, y + height - 8
    minutes = [day.active_seconds / 60 for day in report.days]
    scale_max = max(10.0, max(minutes, default=0))
    pdf.set_draw_color(120, 120, 120)
    pdf.line(x, plot_bottom, x + width, plot_bottom)
    pdf.line(x, plot_top - 2, x, plot_bottom)
    pdf.set_font("Helvetica", "", 8)
    pdf.set_xy(x + 1, plot_top - 5)
    pdf.cell(30, 4, f"{scale_max:.0f} min")
    slot = width / max(len(report.days), 1)
    pdf.set_fill_color(*BAR_COLOUR)
    for index, (day, value) in enumerate(zip(report.days, minutes)):
        bar_height = (plot_bottom - plot_top) * value / scale_max
        left = x + index * slot + slot * 0.2
        if bar_height > 0:
            pdf.rect(left, plot_bottom - bar_height, slot * 0.6, bar_height, style="F")
        pdf.set_xy(left - slot * 0.2, plot_bottom - bar_height - 5)
        pdf.cell(slot, 4, f"{value:.0f}", align="C")
        pdf.set_xy(x + index * slot, plot_bottom + 1)
        pdf.cell(slot, 4, f"{day.day:%a %d}", align="C")
