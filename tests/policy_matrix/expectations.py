"""What each persona may do to each table: the policy matrix's expectations, declared.

One entry (a Target) per table — two for content that exists published and as a
draft — naming the row the cases aim at, the row an insert tries to add (for the
same owner: the student, or organization A), the column an update tries to
change, and the table's access class: who may select, insert, update and delete.

Outcomes:
  ALLOWED  it happened: the row was seen / inserted / changed / deleted (checked as the owner afterwards)
  HIDDEN   zero rows seen or affected, and the row is unchanged (RLS hides it)
  REFUSED  SQLSTATE 42501: no privilege (column or table grants) or a policy's WITH CHECK refused the row
  anything else: an exact SQLSTATE, declared per table with the reason.

Rules (issue 3 §5): anon reads and writes nothing; service_role does everything; a
persona in the access class's set for an operation is ALLOWED; otherwise an
operation `authenticated` holds no privilege for is REFUSED, an insert the
policies do not admit is REFUSED, and a select/update/delete of a row the
policies do not admit is HIDDEN.
"""

from dataclasses import dataclass, field

from tests.personas import ALL_PERSONAS

OPERATIONS = ("select", "insert", "update", "delete")
ALLOWED, HIDDEN, REFUSED = "allowed", "hidden", "42501"

# ---------------------------------------------------------------- persona groups (organization A's point of view)
NOBODY: frozenset[str] = frozenset()
SELF = frozenset({"student"})
STAFF = frozenset({"educator", "admin"})
LEARNER_PLUS = frozenset({"student", "guardian", "educator", "admin"})  # the learner, linked guardian, their staff
# Rows of no organization (tutor chats, AI usage, journeys): the learner and their guardian, no staff (issue 14).
SELF_AND_GUARDIAN = frozenset({"student", "guardian"})
MEMBERS = frozenset({"student", "classmate", "guardian", "unlinked_guardian", "educator", "admin"})
SIGNED_IN = frozenset(ALL_PERSONAS) - {"anon", "service_role"}


@dataclass(frozen=True)
class Access:
    """An access class: who among the signed-in personas may do each operation to the target row.

    `granted`: the operations `authenticated` holds a privilege for at all (letters of "iud";
    select is always granted): the others are refused with 42501 whoever asks.
    """

    name: str
    select: frozenset[str]
    insert: frozenset[str] = NOBODY
    update: frozenset[str] = NOBODY
    delete: frozenset[str] = NOBODY
    granted: str = ""

    def but(self, **changes) -> "Access":
        values = {**self.__dict__, **changes}
        return Access(**values)


OWN_ACTIVITY = Access("own activity", select=LEARNER_PLUS, insert=SELF, update=SELF, granted="iu")
SERVER_OWNED = Access("server-owned activity", select=LEARNER_PLUS)
PRIVATE = Access("private to the user", select=SELF)
PUBLISHED = Access("published org content", select=MEMBERS, insert=STAFF, update=STAFF, delete=STAFF,
                   granted="iud")
DRAFT = PUBLISHED.but(name="draft org content", select=STAFF)
STAFF_ONLY = DRAFT.but(name="staff-only org data")
GLOBAL_TAXONOMY = Access("global taxonomy", select=SIGNED_IN)


# Tables that exist only where the server has the extension they need (pgvector: supabase/schemas/12_retrieval.sql,
# absent on Debian's PostgreSQL 15): their targets apply where the table exists, and are not stale elsewhere.
OPTIONAL_TABLES = {"content_chunks": "vector"}


@dataclass(frozen=True)
class Target:
    table: str
    access: Access
    where: str                        # picks exactly one row; %(name)s are the world's references
    insert: dict[str, str]            # column → SQL value of a row for the same owner
    update: tuple[str, str]           # column, SQL value it is set to
    label: str = ""
    prepare: str = ""                 # run as the owner before an insert case (frees a unique slot)
    service_insert: dict[str, str] = field(default_factory=dict)  # columns only the server may set
    overrides: dict[tuple[str, str], str] = field(default_factory=dict)  # (persona, operation) → outcome
    reason: str = ""                  # why the overrides

    @property
    def name(self) -> str:
        return f"{self.table}[{self.label}]" if self.label else self.table

    def expected(self, persona: str, operation: str) -> str:
        if (persona, operation) in self.overrides:
            return self.overrides[(persona, operation)]
        if persona == "anon":
            return REFUSED
        if persona == "service_role":
            return ALLOWED
        if persona in getattr(self.access, operation):
            return ALLOWED
        if operation != "select" and operation[0] not in self.access.granted:
            return REFUSED
        return REFUSED if operation == "insert" else HIDDEN


def _service(**outcomes: str) -> dict[tuple[str, str], str]:
    return {("service_role", operation): outcome for operation, outcome in outcomes.items()}


STUDENT_ROW = "user_id = %(student)s"

TARGETS: list[Target] = [
    # ------------------------------------------------------------ identity and tenancy
    Target("profiles", PRIVATE.but(name="profile", select=LEARNER_PLUS, update=SELF, granted="u"),
           "id = %(student)s", {"id": "%(spare_bare)s", "nickname": "'spare'"}, ("nickname", "'renamed'")),
    Target("user_settings", PRIVATE.but(update=SELF, granted="u"), STUDENT_ROW,
           {"user_id": "%(spare_profile)s"}, ("daily_goal_minutes", "42")),
    Target("organizations",
           Access("organization", select=MEMBERS, insert=SIGNED_IN, update=frozenset({"admin"}), granted="iu"),
           "id = %(org)s", {"name": "'New school'", "slug": "%(fresh)s", "kind": "'school'"},
           ("name", "'Renamed school'")),
    # Memberships come only from accepted invitations (issue 14): nobody inserts one; admins change roles only
    # among staff, so a student's row is no one's to update.
    Target("organization_members",
           Access("student membership", select=frozenset({"student", "educator", "admin"}),
                  delete=frozenset({"student", "admin"}), granted="ud"),
           "organization_id = %(org)s and user_id = %(student)s",
           {"organization_id": "%(org)s", "user_id": "%(spare_profile)s", "role": "'student'"},
           ("permissions", "'{\"matrix\": true}'::jsonb"), label="student"),
    Target("organization_members",
           Access("staff membership", select=STAFF, update=frozenset({"admin"}), delete=STAFF, granted="ud"),
           "organization_id = %(org)s and user_id = %(educator)s",
           {"organization_id": "%(org)s", "user_id": "%(spare_profile)s", "role": "'educator'"},
           ("role", "'admin'"), label="staff"),
    # A link exists by an accepted guardian invitation; staff withdraw their organization's vouch, not the link.
    Target("guardianships",
           Access("guardianship", select=LEARNER_PLUS, delete=frozenset({"guardian"}), granted="d"),
           "guardian_id = %(guardian)s and student_id = %(student)s",
           {"guardian_id": "%(unlinked_guardian)s", "student_id": "%(student)s"}, ("relationship", "'relative'")),
    Target("guardianship_vouches",
           Access("vouch", select=LEARNER_PLUS, delete=STAFF, granted="d"),
           "guardian_id = %(guardian)s and student_id = %(student)s and organization_id = %(org)s",
           {"guardian_id": "%(guardian)s", "student_id": "%(student)s", "organization_id": "%(other_org)s"},
           ("vouched_by", "%(educator)s")),
    Target("invitations",
           Access("pending invitation", select=frozenset({"admin"}), delete=frozenset({"admin"}), granted="d"),
           "organization_id = %(org)s and role = 'student'",
           {"organization_id": "%(org)s", "role": "'parent'", "token_hash": "sha256(convert_to(%(fresh)s, 'UTF8'))",
            "invited_by": "%(admin)s", "expires_at": "now() + interval '1 day'"},
           ("expires_at", "timestamptz '2099-01-01 00:00+00'")),
    Target("guardian_actions",
           Access("guardian audit log", select=SELF_AND_GUARDIAN, insert=frozenset({"guardian"}), granted="i"),
           "id = %(guardian_action)s", {"student_id": "%(student)s", "action": "'view_report'"},
           ("reason", "'edited'"), service_insert={"guardian_id": "%(guardian)s"}),

    # ------------------------------------------------------------ content
    Target("subjects", GLOBAL_TAXONOMY, "id = %(subject_leaf)s", {"slug": "%(fresh)s", "name": "'New subject'"},
           ("name", "'Renamed subject'")),
    *[Target("courses", access, f"id = %({ref})s", {"organization_id": "%(org)s", "subject_id": "%(subject)s",
                                                    "slug": "%(fresh)s", "title": "'New course'"},
             ("title", "'Renamed'"), label=label)
      for label, access, ref in (("published", PUBLISHED, "course_pub"), ("draft", DRAFT, "course_draft"))],
    *[Target("lessons", access, f"id = %({ref})s", {"course_id": "%(course)s", "title": "'New lesson'"},
             ("title", "'Renamed'"), label=label)
      for label, access, ref in (("published", PUBLISHED, "lesson_pub"), ("draft", DRAFT, "lesson_draft"))],
    *[Target("lesson_notes", access, f"id = %({ref})s", {"lesson_id": "%(lesson_pub)s", "note_content": "'New'"},
             ("note_content", "'Edited'"), label=label)
      for label, access, ref in (("published lesson", PUBLISHED, "note_pub"), ("draft lesson", DRAFT, "note_draft"))],
    *[Target("tests", access, f"id = %({ref})s", {"course_id": "%(course)s", "title": "'New test'"},
             ("title", "'Renamed'"), label=label)
      for label, access, ref in (("published", PUBLISHED, "test_pub"), ("draft", DRAFT, "test_draft"))],
    *[Target("textbooks", access, f"id = %({ref})s", {"organization_id": "%(org)s", "title": "'New textbook'"},
             ("title", "'Renamed'"), label=label)
      for label, access, ref in (("published", PUBLISHED, "textbook_pub"), ("draft", DRAFT, "textbook_draft"))],
    *[Target("concepts", access, f"id = %({ref})s",
             {"organization_id": "%(org)s", "code": "%(fresh)s", "name": "'New concept'"},
             ("name", "'Renamed'"), label=label)
      for label, access, ref in (("published", PUBLISHED, "concept_pub"), ("draft", DRAFT, "concept_draft"))],
    Target("concept_prerequisites", PUBLISHED, "concept_id = %(concept_pub)s and prerequisite_id = %(concept)s",
           {"concept_id": "%(concept_spare)s", "prerequisite_id": "%(concept)s"}, ("reason", "'edited'")),
    *[Target("content_hooks", access, f"id = %({ref})s",
             {"concept_id": "%(concept)s", "organization_id": "%(org)s", "life_category": "'social'",
              "hook_text": "'New hook'"}, ("hook_text", "'Edited'"), label=label)
      for label, access, ref in (("published", PUBLISHED, "hook_pub"), ("draft", DRAFT, "hook_draft"))],
    *[Target("content_examples", access, f"id = %({ref})s",
             {"concept_id": "%(concept)s", "organization_id": "%(org)s", "life_category": "'social'",
              "example_text": "'New example'"}, ("example_text", "'Edited'"), label=label)
      for label, access, ref in (("published", PUBLISHED, "example_pub"), ("draft", DRAFT, "example_draft"))],
    *[Target("content_chunks", access, f"id = %({ref})s",
             {"concept_id": "%(concept)s", "organization_id": "%(org)s", "chunk_index": "7",
              "content": "'New chunk'", "embedding": "array_fill(0.01::real, array[1536])::extensions.vector"},
             ("content", "'Edited'"), label=label)
      for label, access, ref in (("published", PUBLISHED, "chunk_pub"), ("draft", DRAFT, "chunk_draft"))],
    *[Target("questions", access, f"id = %({ref})s",
             {"organization_id": "%(org)s", "question_type": "'short_answer'", "prompt": "'{\"text\": \"New\"}'"},
             ("category", "'counting on'"), label=label)
      for label, access, ref in (("published", PUBLISHED, "question_pub"), ("draft", DRAFT, "question_draft"))],
    Target("question_answer_keys", STAFF_ONLY, "question_id = %(question_pub)s",
           {"question_id": "%(question_draft)s", "correct_answer": "'\"no\"'"},
           ("correct_answer", "'\"maybe\"'::jsonb")),
    Target("question_hints", STAFF_ONLY, "question_id = %(question_pub)s",
           {"question_id": "%(question_draft)s", "hint": "'Draw it'"}, ("hint", "'Count on'")),
    # the explanation of the question the student answered (create_activity): theirs to read, nobody else's
    Target("question_explanations", STAFF_ONLY.but(name="explanations, once answered",
                                                    select=STAFF | SELF),
           "question_id = %(question)s",
           {"question_id": "%(question_draft)s", "explanation": "'Because'"}, ("explanation", "'Count on'")),
    Target("media_assets", Access("own upload", select=LEARNER_PLUS, insert=MEMBERS, update=SELF | STAFF,
                                  delete=SELF | STAFF, granted="iud"),
           "id = %(media_own)s",
           {"organization_id": "%(org)s", "bucket_id": "%(bucket)s", "object_path": "%(fresh)s",
            "media_type": "'image'"}, ("title", "'Renamed'"), label="own upload",
           prepare="insert into storage.objects (bucket_id, name) values (%(bucket)s, %(fresh)s)"),
    Target("media_assets", PUBLISHED.but(insert=MEMBERS), "id = %(media_pub)s",
           {"organization_id": "%(org)s", "bucket_id": "%(bucket)s", "object_path": "%(fresh)s",
            "media_type": "'image'"}, ("title", "'Renamed'"), label="published",
           prepare="insert into storage.objects (bucket_id, name) values (%(bucket)s, %(fresh)s)"),

    # ------------------------------------------------------------ learning activity
    Target("enrollments", OWN_ACTIVITY.but(insert=SELF | STAFF, update=SELF | STAFF), "id = %(enrollment)s",
           {"user_id": "%(student)s", "course_id": "%(course_pub)s"}, ("status", "'paused'")),
    Target("lesson_progress", OWN_ACTIVITY, "id = %(lesson_progress)s",
           {"user_id": "%(student)s", "lesson_id": "%(lesson_pub)s"}, ("time_spent_seconds", "999")),
    Target("learning_paths", OWN_ACTIVITY, "id = %(learning_path)s",
           {"user_id": "%(student)s", "subject_id": "%(subject_leaf)s"}, ("daily_target_minutes", "42")),
    Target("learning_sessions", OWN_ACTIVITY, "id = %(session)s",
           {"user_id": "%(student)s", "session_type": "'practice'"}, ("active_seconds", "42")),
    Target("answer_attempts", SERVER_OWNED, "id = %(attempt)s",
           {"user_id": "%(student)s", "session_id": "%(session)s", "question_id": "%(question)s", "answer": "'8'",
            "response_time_ms": "2000", "idempotency_key": "%(fresh)s"}, ("hints_used", "3")),
    Target("question_progress", SERVER_OWNED, "user_id = %(student)s and question_id = %(question)s",
           {"user_id": "%(student)s", "question_id": "%(question_pub)s"}, ("next_review_date", "date '2099-01-01'")),
    Target("skill_progress", OWN_ACTIVITY, "user_id = %(student)s and concept_id = %(concept)s",
           {"user_id": "%(student)s", "concept_id": "%(concept_pub)s"}, ("examples_viewed", "3")),
    Target("assessments", OWN_ACTIVITY, "id = %(assessment)s",
           {"user_id": "%(student)s", "assessment_type": "'initial_exercise'", "exercise_prompt": "'2 + 2 = ?'"},
           ("student_response", "'8'")),
    Target("exercise_generations", SERVER_OWNED, "id = %(exercise)s",
           {"user_id": "%(student)s", "generation_type": "'initial'", "generated_exercise": "'{}'"},
           ("generation_model", "'matrix'")),
    Target("coding_attempts", OWN_ACTIVITY, "id = %(coding_attempt)s",
           {"user_id": "%(student)s", "test_id": "%(test)s", "submitted_code": "'print(7)'"},
           ("submitted_code", "'print(3 + 4)  # edited'")),
    Target("remediation_paths", SERVER_OWNED, "id = %(remediation)s",
           {"user_id": "%(student)s", "focus_area": "'place value'"}, ("focus_area", "'edited'")),
    Target("journey_summaries", OWN_ACTIVITY.but(select=SELF_AND_GUARDIAN), "id = %(journey)s",
           {"user_id": "%(student)s", "career": "'Pilot'"}, ("companion", "'Finn'")),

    # ------------------------------------------------------------ tutor and messaging
    Target("chat_sessions", OWN_ACTIVITY.but(select=SELF_AND_GUARDIAN, delete=SELF, granted="iud"), "id = %(chat)s",
           {"user_id": "%(student)s", "title": "'New chat'"}, ("title", "'Renamed'")),
    Target("chat_messages", OWN_ACTIVITY.but(select=SELF_AND_GUARDIAN, update=NOBODY, granted="i"),
           "id = %(message)s", {"chat_id": "%(chat)s", "content": "'One more question'"}, ("content", "'edited'")),
    Target("ai_usage", SERVER_OWNED.but(select=SELF_AND_GUARDIAN), "id = %(ai_usage)s",
           {"user_id": "%(student)s", "interaction_type": "'tutor_reply'"}, ("latency_ms", "1")),
    Target("notifications", PRIVATE.but(update=SELF, delete=SELF, granted="ud"), "id = %(notification)s",
           {"user_id": "%(student)s", "type": "'welcome'", "title": "'Hi'", "message": "'Hello'"},
           ("is_read", "true")),
    Target("feedback", Access("own feedback, read by the content's staff", select=SELF | STAFF, insert=SELF,
                              granted="i"),
           "id = %(feedback)s", {"user_id": "%(student)s", "lesson_id": "%(lesson)s", "rating": "4"},
           ("rating", "1")),
    Target("error_logs", PRIVATE.but(insert=SELF, granted="i"), "id = %(error_log)s",
           {"user_id": "%(student)s", "service_name": "'web'", "error_type": "'render'", "error_message": "'oops'"},
           ("resolved", "true")),

    # ------------------------------------------------------------ gamification (issue 4)
    Target("gamification_settings", PUBLISHED.but(name="org rules", insert=frozenset({"admin"}),
                                                  update=frozenset({"admin"}), delete=frozenset({"admin"})),
           "id = %(settings_org)s", {"organization_id": "%(org)s"}, ("daily_xp_cap", "123"),
           prepare="delete from public.gamification_settings where organization_id = %(org)s"),
    Target("xp_profiles", SERVER_OWNED.but(select=SELF | {"guardian"}, update=SELF, granted="u"), STUDENT_ROW,
           {"user_id": "%(spare_profile)s"}, ("leaderboard_opt_out", "true")),
    Target("xp_transactions", SERVER_OWNED, STUDENT_ROW,
           {"user_id": "%(student)s", "kind": "'earned'", "category": "'bonus'", "amount": "5", "reason": "'matrix'",
            "balance_after": "15", "lifetime_xp_after": "15", "level_after": "1", "local_day": "current_date",
            "idempotency_key": "%(fresh)s"}, ("reason", "'rewritten'"),
           overrides=_service(update=REFUSED, delete=REFUSED),
           reason="the ledger is append-only for everyone (a trigger raises 42501): corrections are new entries"),
    Target("xp_activity_days", SERVER_OWNED.but(select=SELF | {"guardian"}), STUDENT_ROW,
           {"user_id": "%(spare_profile)s", "local_day": "current_date", "time_zone": "'UTC'"}, ("earned_xp", "99")),
    Target("streak_freezes", SERVER_OWNED.but(select=SELF | {"guardian"}), STUDENT_ROW,
           {"user_id": "%(student)s", "bought_on": "current_date"}, ("consumed_on", "current_date")),
    Target("hint_uses", SERVER_OWNED, STUDENT_ROW,
           {"user_id": "%(student)s", "question_id": "%(question)s", "local_day": "current_date",
            "idempotency_key": "%(fresh)s"}, ("cost", "3")),
    Target("achievements", PUBLISHED.but(name="org achievement", insert=frozenset({"admin"}),
                                         update=frozenset({"admin"}), delete=NOBODY, granted="iu"),
           "id = %(achievement_pub)s",
           {"organization_id": "%(org)s", "slug": "%(fresh)s", "name": "'New'", "description": "'New one'",
            "criteria": "'streak'", "target": "7"}, ("name", "'Renamed'"), label="visible"),
    Target("achievements", STAFF_ONLY.but(name="secret org achievement", insert=frozenset({"admin"}),
                                          update=frozenset({"admin"}), delete=NOBODY, granted="iu"),
           "id = %(achievement_secret)s",
           {"organization_id": "%(org)s", "slug": "%(fresh)s", "name": "'New'", "description": "'New one'",
            "criteria": "'streak'", "target": "7", "is_secret": "true"}, ("name", "'Renamed'"), label="secret"),
    Target("user_achievements", SERVER_OWNED, "user_id = %(student)s and achievement_id = %(achievement_pub)s",
           {"user_id": "%(student)s", "achievement_id": "%(achievement_secret)s", "target": "500"},
           ("progress", "20")),
    Target("daily_challenges", PUBLISHED.but(name="org challenge", insert=frozenset({"admin"}),
                                             update=frozenset({"admin"}), delete=frozenset({"admin"})),
           "id = %(challenge)s",
           {"organization_id": "%(org)s", "challenge_date": "current_date", "slug": "%(fresh)s", "name": "'New'",
            "description": "'New one'", "challenge_type": "'xp_earned'", "target": "50", "xp_reward": "10"},
           ("name", "'Renamed'")),
    Target("challenge_progress", SERVER_OWNED, "user_id = %(student)s and challenge_id = %(challenge)s",
           {"user_id": "%(classmate)s", "challenge_id": "%(challenge)s", "target": "5"}, ("progress", "3")),
    Target("league_groups", SERVER_OWNED.but(name="league group", select=SELF | STAFF), "id = %(league_group)s",
           {"organization_id": "%(org)s", "week_start": "date_trunc('week', current_date)::date + 7",
            "tier": "'silver'"}, ("tier", "'gold'")),
    Target("league_members", SERVER_OWNED, "group_id = %(league_group)s and user_id = %(student)s",
           {"group_id": "%(league_group)s", "user_id": "%(classmate)s", "organization_id": "%(org)s",
            "week_start": "date_trunc('week', current_date)::date", "tier": "'bronze'"}, ("final_xp", "10")),
    Target("organization_xp", SERVER_OWNED, "user_id = %(student)s and organization_id = %(org)s",
           {"user_id": "%(classmate)s", "organization_id": "%(org)s"}, ("lifetime_xp", "99")),
    Target("platform_limits", GLOBAL_TAXONOMY.but(name="platform limits"), "id", {"id": "true"},
           ("max_xp_per_answer", "99"), overrides=_service(insert=REFUSED, delete=REFUSED),
           reason="one row of limits: service_role only updates it (no insert or delete privilege)"),

    # ------------------------------------------------------------ data lifecycle
    Target("progress_reports", SERVER_OWNED.but(name="report for the student and guardians",
                                                select=frozenset({"student", "guardian"})),
           "student_id = %(student)s",
           {"student_id": "%(student)s", "period": "'2026-W02'", "period_start": "date '2026-01-05'",
            "period_end": "date '2026-01-11'", "object_path": "%(student)s || '/2026-W02/summary.pdf'",
            "target": "'local'", "location": "'/var/reports'", "byte_size": "2048", "sha256": "repeat('b', 64)",
            "generated_at": "now()"}, ("byte_size", "4096")),

    # ------------------------------------------------------------ analytics (issue 5)
    Target("analytics_events", OWN_ACTIVITY.but(update=NOBODY, granted="i"),
           "user_id = %(student)s and event_type = 'matrix.target' and occurred_at <= now()",
           {"user_id": "%(student)s", "organization_id": "%(org)s", "event_type": "'matrix.new'"},
           ("duration_seconds", "5")),
    Target("learning_events", SERVER_OWNED, "user_id = %(student)s and mode = 'matrix' and occurred_at <= now()",
           {"user_id": "%(student)s", "organization_id": "%(org)s", "event_type": "'fact_reviewed'",
            "mode": "'matrix_new'"}, ("active_seconds", "5")),
]

# A partition is read like its parent but written only through it: `authenticated`
# holds no write privilege on partitions. The server's direct insert fails on
# PostgreSQL 15 and 16 for want of the identity, which lives on the parent (23502,
# id is null). From PostgreSQL 17 a partition shares its parent's identity: the
# insert into the current month is allowed, as the parent's own would be (the
# parent's triggers and checks are the partition's too), and into another month it
# fails because the row, stamped now(), belongs to the current one (23514, the
# partition constraint).
PARTITION_TARGETS = {
    "analytics_events": "user_id = %(student)s and event_type = 'matrix.target'",
    "learning_events": "user_id = %(student)s and mode = 'matrix'",
}
IDENTITY_ON_PARENT, ROW_IN_ANOTHER_PARTITION = "23502", "23514"
PARTITIONS_SHARE_IDENTITY = 170000  # server_version_num from which a partition takes its parent's identity


def partition_target(partition: str, parent: Target, holds_now: bool, server_version: int) -> Target:
    access = parent.access.but(name=f"partition of {parent.table}", insert=NOBODY, update=NOBODY, delete=NOBODY,
                               granted="")
    if server_version < PARTITIONS_SHARE_IDENTITY:
        service_insert = IDENTITY_ON_PARENT
    else:
        service_insert = ALLOWED if holds_now else ROW_IN_ANOTHER_PARTITION
    return Target(partition, access, PARTITION_TARGETS[parent.table], parent.insert, parent.update,
                  overrides=_service(insert=service_insert), reason="rows enter a partition through its parent")


# Cases whose expectation is right and whose outcome is wrong today, each with
# the defect to fix. The matrix reports them as expected failures (strict: the
# test fails once they pass, so the entry is removed with the fix).
KNOWN_DEFECTS: dict[tuple[str, str, str], str] = {}
