"""The invariant fuzzer's state machine (issue 19).

Random API sessions by six signed-up people and anon, on a fresh migrated database per example: organization R
(`o1`) starts with u1 admin, u2 educator, u3 and u4 students, u5 a parent and u3's guardian (vouched by R), and
two published questions; u6 belongs nowhere. From there anyone may found organizations, invite, accept, decline,
leave, remove, change roles, link guardians, write content and achievements, answer (right, wrong, replayed),
take hints, chat, change time zone, opt out of boards, attempt writes no one may make, and the scheduled jobs and
the deferred award job run at random points. After every step the database is compared with the reference model
(tests/fuzz/model.py): see `check_all`. A failure carries the steps as a psql script.
"""

import collections
import functools
import uuid
from collections.abc import Callable
from typing import Any, ClassVar

import psycopg
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from cli import connection
from tests.fuzz.driver import ANON, OWNER, SERVICE_ROLE, Actor, Api, Outcome, Ref, Statement, Var
from tests.fuzz.model import Achievement, Answer, Decision, Invitation, Model, Question

USERS = ("u1", "u2", "u3", "u4", "u5", "u6")
ROLES = ("admin", "educator", "student", "parent")
TIME_ZONES = ("Europe/Paris", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC", "Asia/Kolkata")
REAL_ORG = "o1"

users = st.sampled_from(USERS)
pick = st.integers(min_value=0, max_value=7)  # an index into whatever list the step draws from, newest first


class Violation(AssertionError):
    pass


def step(function):
    """A rule that LEARNKIT_FUZZ_SKIP may leave out (the machine's `skipped`)."""
    @functools.wraps(function)
    def run(self, **arguments):
        if function.__name__ not in self.skipped:
            function(self, **arguments)
    return run


class TrustMachine(RuleBasedStateMachine):
    # Set by the test: a fresh database per example (its superuser URL, and how to drop it).
    new_database: ClassVar[Callable[[], tuple[str, Callable[[], None]]]]
    stats: ClassVar[collections.Counter] = collections.Counter()
    # Rules (by name) and read checks (`reads:<table>`) to leave out (LEARNKIT_FUZZ_SKIP): to let a run against an
    # old schema find its next hole once one is known.
    skipped: ClassVar[frozenset[str]] = frozenset()

    def __init__(self) -> None:
        super().__init__()
        self.url, self._drop = self.new_database()
        self.conn = connection.connect(self.url)
        self.second: psycopg.Connection | None = None  # a learner's second device, opened when needed
        self.api = Api(self.conn)
        self.user_ids = {user: uuid.UUID(int=0x19_0000 + n) for n, user in enumerate(USERS, start=1)}
        self.actors = {user: Actor("authenticated", user, self.user_ids[user], f"{user}@fuzz.learnkit.dev")
                       for user in USERS}
        self.model = Model(users=list(USERS), nicknames={user: f"learner {user}" for user in USERS})
        self.ids: dict[str, Var] = {}          # the fuzzer's keys -> database ids
        self.keys: dict[Any, str] = {}         # database ids -> keys
        self.tokens: dict[str, Var] = {}
        self.sessions: dict[str, Var] = {}
        self.answer_keys: dict[str, list[str]] = collections.defaultdict(list)
        self.hint_keys: dict[str, list[str]] = collections.defaultdict(list)
        self.counter = collections.Counter()
        self.award_orgs: set[str] = set()
        self.previous_org_xp: dict[tuple[str, str], int] = {}
        self.features = {
            "invitations": self._has("function", "public.create_invitation(uuid,public.organization_role,text,"
                                                 "interval)"),
            "organization_xp": self._has("table", "public.organization_xp"),
            "award_job": self._has("function", "private.process_awards(integer)"),
        }
        self.model.deferred_achievements = self.features["award_job"]
        self.drained = True
        self._set_up()
        self.stats["examples"] += 1

    def teardown(self) -> None:
        self.conn.close()
        if self.second is not None:
            self.second.close()
            self.monitor.close()
        self._drop()

    # ------------------------------------------------------------------ plumbing
    def _has(self, kind: str, name: str) -> bool:
        query = "has_function" if kind == "function" else "has_table"
        params = {"signature": name} if kind == "function" else {"relation": name}
        return self.api.owner_rows(query, **params)[0]["present"]

    def new_key(self, prefix: str) -> str:
        self.counter[prefix] += 1
        return f"{prefix}{self.counter[prefix]}"

    def remember(self, key: str, var: Var) -> None:
        self.ids[key] = var
        self.keys[var.value] = key

    def fail(self, message: str, check: str = "") -> None:
        raise Violation(f"{message}\n\n{self.api.replay(check)}")

    def choose(self, items: list[str], index: int) -> str | None:
        """Newest first: people act on what was just made (and shrinking moves towards it)."""
        return items[-1 - index % len(items)] if items else None

    def plausible(self, plausible: bool, user: str, candidates: list[str]) -> str:
        """`user`, or (half the time) one of the people the step makes sense for, so that sequences get
        somewhere: attacks come from the other half."""
        if not plausible or not candidates:
            return user
        return candidates[USERS.index(user) % len(candidates)]

    def members_of(self, org: str, roles: tuple[str, ...] = ("admin", "educator", "student", "parent")) -> list[str]:
        return [user for (o, user), role in self.model.members.items() if o == org and role in roles]

    def fingerprint(self) -> str:
        return self.api.owner_rows("fingerprint")[0]["digest"]

    def write(self, actor: Actor, decision: Decision, *statements: Statement, note: str = "") -> bool | None:
        """Send a write; judge it against the model's decision. Returns whether it took effect (None: the
        schema lacks this API, the step does not apply)."""
        before = self.fingerprint()
        outcome = self.api.request(actor, *statements, note=note)
        if outcome.absent:
            self.stats["steps_not_applicable"] += 1
            return None
        succeeded = outcome.ok and outcome.rowcount > 0
        self.stats["writes_checked"] += 1
        if succeeded and decision is Decision.DENY:
            self.fail(f"a write the model forbids succeeded: {note or statements[0].name} as {actor.label()}")
        if not succeeded:
            if self.fingerprint() != before:
                self.fail(f"a refused write changed data: {note or statements[0].name} as {actor.label()}")
            if decision is Decision.ALLOW and outcome.sqlstate != "PT429":
                self.fail(f"a write the model allows was refused: {note or statements[0].name} as "
                          f"{actor.label()}: {outcome.sqlstate} {outcome.message}")
        return succeeded

    def _owner(self, *statements: Statement, note: str = "") -> Outcome:
        outcome = self.api.request(OWNER, *statements, note=note)
        if not outcome.ok and not outcome.absent:
            raise RuntimeError(f"set-up failed: {outcome.sqlstate} {outcome.message}\n{self.api.replay()}")
        return outcome

    # ------------------------------------------------------------------ the starting world
    def _set_up(self) -> None:
        for user in USERS:
            self._owner(Statement("sign_up", {"id": self.user_ids[user], "email": self.actors[user].email,
                                              "metadata": '{"nickname": "' + self.model.nicknames[user] + '"}'}),
                        note=f"sign up {user}")
            self.keys[self.user_ids[user]] = user
        found = Statement("found_organization_as_owner", {"name": "Real School", "slug": "real-school",
                                                          "creator": self.user_ids["u1"]}, bind=REAL_ORG)
        self._owner(found, note="organization R (o1), founded by u1")
        self.remember(REAL_ORG, self.api.bound(found))
        self.counter["o"] = 1
        self.model.create_organization(REAL_ORG, "u1")
        org = self.ids[REAL_ORG]
        for user, role in (("u1", "admin"), ("u2", "educator"), ("u3", "student"), ("u4", "student"),
                           ("u5", "parent")):
            self._owner(Statement("add_member_as_owner", {"organization_id": org, "user_id": self.user_ids[user],
                                                          "role": role}), note=f"{user} joins R as {role}")
            self.model.members[(REAL_ORG, user)] = role
        link = {"guardian_id": self.user_ids["u5"], "student_id": self.user_ids["u3"], "organization_id": org}
        vouch = [Statement("vouch_as_owner", link)] if self._has("table", "public.guardianship_vouches") else []
        self._owner(Statement("link_guardian_as_owner", link), *vouch, note="u5 is u3's guardian, vouched by R")
        self.model.vouches[("u5", "u3")] = {REAL_ORG}
        for a, b in ((1, 1), (2, 3)):
            self._add_question_as_owner(REAL_ORG, a, b)

    def _add_question_as_owner(self, org: str, a: int, b: int) -> None:
        key = self.new_key("q")
        question = Statement("question_as_owner", {"organization_id": self.ids[org], "a": a, "b": b}, bind=key)
        self._owner(question, note=f"question {key} of {org}")
        self.remember(key, self.api.bound(question))
        self._owner(Statement("answer_key_as_owner", {"question_id": self.ids[key], "answer": str(a + b),
                                                      "value": a + b}), note=f"answer key of {key}")
        self.model.questions[key] = Question(org, a + b)

    # ------------------------------------------------------------------ organizations and consent
    @rule(actor=users)
    @step
    def found_organization(self, actor: str) -> None:
        if self.counter["o"] >= 4:
            return
        key = self.new_key("o")
        statement = Statement("create_organization", {"name": f"Organization {key}", "slug": f"org-{key}"},
                              bind=key)
        if self.write(self.actors[actor], Decision.ALLOW, statement, note=f"{actor} founds {key}"):
            self.remember(key, self.api.bound(statement))
            self.model.create_organization(key, actor)

    @precondition(lambda self: self.features["invitations"])
    @rule(issuer=users, org=pick, role=st.sampled_from(ROLES), invitee=users, plausible=st.booleans())
    @step
    def invite(self, issuer: str, org: int, role: str, invitee: str, plausible: bool) -> None:
        org_key = self.choose(list(self.model.orgs), org)
        issuer = self.plausible(plausible, issuer, self.members_of(org_key, ("admin", "educator")))
        key = self.new_key("i")
        statement = Statement("create_invitation", {"organization_id": self.ids[org_key], "role": role,
                                                    "email": self.actors[invitee].email}, bind=key)
        decision = self.model.decide_invitation(issuer, org_key, role)
        if self.write(self.actors[issuer], decision, statement, note=f"{issuer} invites {invitee} to {org_key} "
                                                                    f"as {role} ({key})"):
            self.remember(key, self.api.bound(statement))
            self.tokens[key] = Var(f"{key}_token", self.api.last_rows[0]["token"])
            self.model.invitations[key] = Invitation(org_key, role, invitee, issuer)

    @precondition(lambda self: self.features["invitations"])
    @rule(issuer=users, org=pick, student=users, guardian=users, plausible=st.booleans())
    @step
    def invite_guardian(self, issuer: str, org: int, student: str, guardian: str, plausible: bool) -> None:
        org_key = self.choose(list(self.model.orgs), org)
        issuer = self.plausible(plausible, issuer, self.members_of(org_key, ("admin", "educator")))
        student = self.plausible(plausible, student, self.members_of(org_key, ("student",)))
        key = self.new_key("i")
        statement = Statement("create_guardian_invitation", {
            "organization_id": self.ids[org_key], "student_id": self.user_ids[student],
            "email": self.actors[guardian].email}, bind=key)
        decision = self.model.decide_guardian_invitation(issuer, org_key, student, guardian)
        if self.write(self.actors[issuer], decision, statement,
                      note=f"{issuer} invites {guardian} as {student}'s guardian in {org_key} ({key})"):
            self.remember(key, self.api.bound(statement))
            self.tokens[key] = Var(f"{key}_token", self.api.last_rows[0]["token"])
            self.model.invitations[key] = Invitation(org_key, "parent", guardian, issuer, student=student)

    @precondition(lambda self: self.model.invitations)
    @rule(user=users, invitation=pick, plausible=st.booleans())
    @step
    def accept(self, user: str, invitation: int, plausible: bool) -> None:
        key = self.choose(list(self.model.invitations), invitation)
        held = self.model.invitations[key]
        user = self.plausible(plausible, user, [held.invitee])
        decision = self.model.decide_accept(user, held)
        if self.write(self.actors[user], decision, Statement("accept_invitation", {"token": self.tokens[key]}),
                      note=f"{user} accepts {key}"):
            self.model.accept(user, held)

    @precondition(lambda self: self.model.invitations)
    @rule(user=users, invitation=pick)
    @step
    def decline(self, user: str, invitation: int) -> None:
        key = self.choose(list(self.model.invitations), invitation)
        held = self.model.invitations[key]
        if held.state not in ("pending", "accepted", "expired") or held.invitee != user:
            decision = Decision.DENY
        elif held.student or held.state == "expired" or not self.model.may_invite(held.issuer, held.org, held.role):
            decision = Decision.MAY  # an invitation that can no longer be accepted may be gone already
        else:
            decision = Decision.ALLOW
        if self.write(self.actors[user], decision, Statement("decline_invitation", {"token": self.tokens[key]}),
                      note=f"{user} declines {key}"):
            held.state = "declined"

    @precondition(lambda self: any(i.student for i in self.model.invitations.values()))
    @rule(user=users, invitation=pick, plausible=st.booleans())
    @step
    def student_answers_guardian_invitation(self, user: str, invitation: int, plausible: bool) -> None:
        key = self.choose([k for k, i in self.model.invitations.items() if i.student], invitation)
        held = self.model.invitations[key]
        user = self.plausible(plausible, user, [held.student])
        decision = self.model.decide_confirm(user, held)
        if self.write(self.actors[user], decision,
                      Statement("confirm_guardian_invitation", {"invitation_id": self.ids[key]}),
                      note=f"{user} confirms {key}"):
            self.model.confirm(held)

    @precondition(lambda self: any(i.student for i in self.model.invitations.values()))
    @rule(user=users, invitation=pick)
    @step
    def student_declines_guardian_invitation(self, user: str, invitation: int) -> None:
        key = self.choose([k for k, i in self.model.invitations.items() if i.student], invitation)
        held = self.model.invitations[key]
        if held.student != user or held.state == "declined":
            decision = Decision.DENY
        elif held.state in ("used", "expired") or not self.model.link_conditions_hold(held):
            # The student may clear an invitation about them that can no longer link anyone, or find it gone.
            decision = Decision.MAY
        else:
            decision = Decision.ALLOW
        if self.write(self.actors[user], decision,
                      Statement("decline_guardian_invitation", {"invitation_id": self.ids[key]}),
                      note=f"{user} declines {key} as its student") and held.state != "used":
            held.state = "declined"

    @precondition(lambda self: self.model.invitations)
    @rule(invitation=pick)
    @step
    def time_passes_for_an_invitation(self, invitation: int) -> None:
        key = self.choose(list(self.model.invitations), invitation)
        self._owner(Statement("expire_invitation", {"invitation_id": self.ids[key]}), note=f"{key} expires")
        if self.model.invitations[key].state in ("pending", "accepted"):
            self.model.invitations[key].state = "expired"

    @rule(actor=users, org=pick, user=users, plausible=st.booleans())
    @step
    def remove_member(self, actor: str, org: int, user: str, plausible: bool) -> None:
        org_key = self.choose(list(self.model.orgs), org)
        user = self.plausible(plausible, user, self.members_of(org_key))
        decision = self.model.decide_remove(actor, org_key, user)
        verb = "leaves" if actor == user else f"removes {user} from"
        if self.write(self.actors[actor], decision, Statement("remove_member", {
                "organization_id": self.ids[org_key], "user_id": self.user_ids[user]}),
                note=f"{actor} {verb} {org_key}"):
            self.model.remove_membership(org_key, user)

    @rule(actor=users, org=pick, user=users, role=st.sampled_from(ROLES))
    @step
    def change_role(self, actor: str, org: int, user: str, role: str) -> None:
        org_key = self.choose(list(self.model.orgs), org)
        decision = self.model.decide_role_change(actor, org_key, user, role)
        if self.write(self.actors[actor], decision, Statement("change_role", {
                "organization_id": self.ids[org_key], "user_id": self.user_ids[user], "role": role}),
                note=f"{actor} makes {user} {role} of {org_key}"):
            self.model.members[(org_key, user)] = role

    @rule(actor=users, guardian=users, student=users)
    @step
    def end_guardianship(self, actor: str, guardian: str, student: str) -> None:
        allowed = actor == guardian and self.model.is_guardian(guardian, student)
        if self.write(self.actors[actor], Decision.ALLOW if allowed else Decision.DENY, Statement(
                "end_guardianship", {"guardian_id": self.user_ids[guardian], "student_id": self.user_ids[student]}),
                note=f"{actor} ends the link {guardian} -> {student}"):
            del self.model.vouches[(guardian, student)]

    @rule(actor=users, org=pick, user=users, role=st.sampled_from(ROLES), plausible=st.booleans())
    @step
    def attempt_to_add_a_member(self, actor: str, org: int, user: str, role: str, plausible: bool) -> None:
        org_key = self.choose(list(self.model.orgs), org)
        actor = self.plausible(plausible, actor, self.members_of(org_key, ("admin",)))
        if self.model.is_member(org_key, user):
            return  # a duplicate is refused by its key, whatever the policies: nothing to learn
        self.write(self.actors[actor], Decision.DENY, Statement("insert_member", {
            "organization_id": self.ids[org_key], "user_id": self.user_ids[user], "role": role}),
            note=f"{actor} adds {user} to {org_key} as {role}")

    @rule(actor=users, guardian=users, student=users)
    @step
    def attempt_to_link_a_guardian(self, actor: str, guardian: str, student: str) -> None:
        if guardian == student or self.model.is_guardian(guardian, student):
            return
        self.write(self.actors[actor], Decision.DENY, Statement("insert_guardianship", {
            "guardian_id": self.user_ids[guardian], "student_id": self.user_ids[student]}),
            note=f"{actor} links {guardian} as {student}'s guardian")

    # ------------------------------------------------------------------ content and the economy
    @rule(actor=users, org=pick, a=st.integers(1, 9), b=st.integers(1, 9), plausible=st.booleans())
    @step
    def write_question(self, actor: str, org: int, a: int, b: int, plausible: bool) -> None:
        org_key = self.choose(list(self.model.orgs), org)
        actor = self.plausible(plausible, actor, self.members_of(org_key, ("admin", "educator")))
        key = self.new_key("q")
        question = Statement("create_question", {"organization_id": self.ids[org_key], "a": a, "b": b}, bind=key)
        answer_key = Statement("create_answer_key", {"question_id": Ref(f"{key}_id"), "answer": str(a + b),
                                                     "value": a + b})
        if self.write(self.actors[actor], self.model.decide_content(actor, org_key), question, answer_key,
                      note=f"{actor} writes question {key} in {org_key}"):
            self.remember(key, self.api.bound(question))
            self.model.questions[key] = Question(org_key, a + b)

    @rule(actor=users, org=pick, goal=st.sampled_from((1, 5, 10, 20)), reward=st.sampled_from((0, 10, 1000, 5000)),
          plausible=st.booleans())
    @step
    def define_achievement(self, actor: str, org: int, goal: int, reward: int, plausible: bool) -> None:
        target = goal
        org_key = self.choose(list(self.model.orgs), org)
        actor = self.plausible(plausible, actor, self.members_of(org_key, ("admin",)))
        key = self.new_key("a")
        statement = Statement("create_achievement", {"organization_id": self.ids[org_key], "slug": f"ach-{key}",
                                                     "name": f"Achievement {key}", "target": target,
                                                     "reward": reward}, bind=key)
        if self.write(self.actors[actor], self.model.decide_achievement(actor, org_key, reward), statement,
                      note=f"{actor} defines achievement {key} in {org_key}: {target} XP -> {reward}"):
            self.remember(key, self.api.bound(statement))
            self.model.achievements[key] = Achievement(org_key, self.api.bound(statement).value, target, reward)

    def session_of(self, user: str) -> Var:
        if user not in self.sessions:
            statement = Statement("start_session", bind=f"s_{user}")
            outcome = self.api.request(self.actors[user], statement, note=f"{user} starts a practice session")
            if not outcome.ok:
                self.fail(f"{user} could not start a session: {outcome.sqlstate} {outcome.message}")
            self.sessions[user] = self.api.bound(statement)
        return self.sessions[user]

    @precondition(lambda self: self.model.questions)
    @rule(user=users, question=pick, correct=st.booleans(), replay=st.integers(0, 3), plausible=st.booleans())
    @step
    def answer(self, user: str, question: int, correct: bool, replay: int, plausible: bool) -> None:
        q = self.choose(list(self.model.questions), question)
        user = self.plausible(plausible, user, self.members_of(self.model.questions[q].org))
        earlier = self.answer_keys[user]
        key = earlier[-1] if replay == 0 and earlier else f"answer-{user}-{len(earlier) + 1}"
        value = self.model.questions[q].answer + (0 if correct else 1)
        statement = Statement("submit_answer", {"session_id": self.session_of(user), "question_id": self.ids[q],
                                                "answer": str(value), "key": key})
        before = self.fingerprint()
        outcome = self.api.request(self.actors[user], statement,
                                   note=f"{user} answers {q} {'right' if correct else 'wrong'} (key {key})")
        self.stats["answers"] += 1
        first = self.model.answers.get((user, key))
        if first is not None:  # a replay: the first result again, nothing changes
            if outcome.ok:
                result = outcome.rows[0]["result"]
                if not result.get("replayed") or result.get("xp_awarded") != first.xp:
                    self.fail(f"replaying key {key} of {user} did not return its first result: {result}")
            if self.fingerprint() != before:
                self.fail(f"replaying key {key} of {user} changed data")
            return
        readable = self.model.may_read_question(user, q)
        if not outcome.ok:
            if readable and outcome.sqlstate != "PT429":
                self.fail(f"{user} could not answer {q}: {outcome.sqlstate} {outcome.message}")
            if self.fingerprint() != before:
                self.fail(f"a refused answer changed data: {user} on {q}")
            return
        if not readable:
            self.fail(f"{user} answered {q}, a question of {self.model.questions[q].org} they cannot read")
        self.answer_keys[user].append(key)
        self._record_answer(user, q, correct, key, outcome.rows[0]["result"])

    def _record_answer(self, user: str, q: str, correct: bool, key: str, result: dict[str, Any]) -> None:
        """An answer the database took: the model's award, compared with what submit_answer returned."""
        xp = self.model.answer(user, q, correct)
        self.award_orgs.add(self.model.questions[q].org)
        self.award_orgs.update(a.org for a in self.model.achievements.values())
        self.model.answers[(user, key)] = Answer(user, q, correct, xp)
        attempt = uuid.UUID(result["attempt_id"])
        self.model.attempts[attempt] = user
        self.model.attempt_question[attempt] = q
        if result.get("is_correct") != correct or result.get("xp_awarded") != xp:
            self.fail(f"{user} answering {q} {'right' if correct else 'wrong'}: expected {xp} XP, got {result}")
        if self.features["award_job"]:
            self.drained = False

    @precondition(lambda self: self.model.questions)
    @rule(user=users, question=pick, correct=st.booleans())
    @step
    def answer_as_a_member(self, user: str, question: int, correct: bool) -> None:
        """Answers are what the economy's invariants need: a second, always plausible, way to make one."""
        self.answer(user=user, question=question, correct=correct, replay=1, plausible=True)

    @precondition(lambda self: self.model.questions)
    @rule(user=users, question=pick, correct=st.booleans(), also_correct=st.booleans())
    @step
    def answer_on_two_devices_at_once(self, user: str, question: int, correct: bool, also_correct: bool) -> None:
        """The same learner answers one question from two devices at once (new keys): judged as if one came
        first (gamification.md: "first occurrence only, across sessions and two devices at once")."""
        q = self.choose(list(self.model.questions), question)
        user = self.plausible(True, user, self.members_of(self.model.questions[q].org))
        if not self.model.may_read_question(user, q):
            return
        if self.second is None:
            self.second, self.monitor = connection.connect(self.url), connection.connect(self.url)
        statements = []
        for right in (correct, also_correct):
            key = f"answer-{user}-{len(self.answer_keys[user]) + 1}"
            self.answer_keys[user].append(key)
            value = self.model.questions[q].answer + (0 if right else 1)
            statements.append(Statement("submit_answer", {"session_id": self.session_of(user),
                                                          "question_id": self.ids[q], "answer": str(value),
                                                          "key": key}))
        first, second = self.api.at_once(self.second, self.monitor, self.actors[user], *statements,
                                         note=f"{user} answers {q} on two devices at once")
        self.stats["answers"] += 2
        self.stats["concurrent_answers"] += 1
        for outcome, right, statement in ((first, correct, statements[0]), (second, also_correct, statements[1])):
            if not outcome.ok:
                if outcome.sqlstate != "PT429":
                    self.fail(f"{user} could not answer {q} from one of two devices: {outcome.sqlstate} "
                              f"{outcome.message}")
                continue
            self._record_answer(user, q, right, statement.params["key"], outcome.rows[0]["result"])

    @precondition(lambda self: self.model.questions)
    @rule(user=users, question=pick, replay=st.booleans(), plausible=st.booleans())
    @step
    def take_hint(self, user: str, question: int, replay: bool, plausible: bool) -> None:
        q = self.choose(list(self.model.questions), question)
        user = self.plausible(plausible, user, self.members_of(self.model.questions[q].org))
        earlier = self.hint_keys[user]
        key = earlier[-1] if replay and earlier else f"hint-{user}-{len(earlier) + 1}"
        statement = Statement("use_hint", {"question_id": self.ids[q], "key": key})
        if (user, key) in self.model.hint_keys:
            before = self.fingerprint()
            self.api.request(self.actors[user], statement, note=f"{user} replays hint key {key}")
            if self.fingerprint() != before:
                self.fail(f"replaying hint key {key} of {user} changed data")
            return
        readable = self.model.may_read_question(user, q)
        cost = self.model.take_hint(user) if readable else None  # applied now, undone below if refused
        decision = Decision.ALLOW if cost is not None else Decision.DENY
        if not self.write(self.actors[user], decision, statement, note=f"{user} takes a hint on {q} ({key})"):
            if cost is not None:
                self.model.hints_taken[user] -= 1
                self.model.balance[user] += cost
            return
        self.hint_keys[user].append(key)
        self.model.hint_keys[(user, key)] = cost or 0

    @rule(actor=users, user=users, time_zone=st.sampled_from(TIME_ZONES))
    @step
    def change_time_zone(self, actor: str, user: str, time_zone: str) -> None:
        self.write(self.actors[actor], Decision.ALLOW if actor == user else Decision.DENY, Statement(
            "set_time_zone", {"user_id": self.user_ids[user], "time_zone": time_zone}),
            note=f"{actor} sets {user}'s time zone to {time_zone}")

    @rule(actor=users, user=users, opt_out=st.booleans())
    @step
    def opt_out_of_boards(self, actor: str, user: str, opt_out: bool) -> None:
        if self.write(self.actors[actor], Decision.ALLOW if actor == user else Decision.DENY, Statement(
                "set_opt_out", {"user_id": self.user_ids[user], "opt_out": opt_out}),
                note=f"{actor} sets {user}'s leaderboard opt-out to {opt_out}"):
            (self.model.opted_out.add if opt_out else self.model.opted_out.discard)(user)

    @rule(actor=users, victim=users, forgery=st.sampled_from(("forge_balance", "forge_organization_xp",
                                                              "forge_ledger", "forge_attempt", "gift_xp")))
    @step
    def attempt_to_forge_xp(self, actor: str, victim: str, forgery: str) -> None:
        question = next(iter(self.model.questions))
        self.write(self.actors[actor], Decision.DENY, Statement(forgery, {
            "user_id": self.user_ids[victim], "organization_id": self.ids[REAL_ORG], "key": f"forged-{actor}",
            "session_id": self.session_of(actor), "question_id": self.ids[question]}),
            note=f"{actor} tries {forgery} for {victim}")

    @rule(forgery=st.sampled_from(("create_organization", "submit_answer", "start_chat")))
    @step
    def anon_tries(self, forgery: str) -> None:
        question = next(iter(self.model.questions))
        self.write(ANON, Decision.DENY, Statement(forgery, {
            "name": "Anon School", "slug": "anon-school", "session_id": self.session_of("u3"),
            "question_id": self.ids[question], "answer": "2", "key": "anon", "title": "anon"}),
            note=f"anon tries {forgery}")

    # ------------------------------------------------------------------ tutor chats
    @rule(user=users)
    @step
    def start_chat(self, user: str) -> None:
        key = self.new_key("c")
        statement = Statement("start_chat", {"title": f"chat {key}"}, bind=key)
        if self.write(self.actors[user], Decision.ALLOW, statement, note=f"{user} starts chat {key}"):
            self.remember(key, self.api.bound(statement))
            self.model.chats[self.api.bound(statement).value] = user

    @precondition(lambda self: self.model.chats)
    @rule(user=users, chat=pick, plausible=st.booleans())
    @step
    def post_message(self, user: str, chat: int, plausible: bool) -> None:
        chat_id = self.choose(list(self.model.chats), chat)
        owner = self.model.chats[chat_id]
        user = self.plausible(plausible, user, [owner])
        statement = Statement("post_message", {"chat_id": self.ids[self.keys[chat_id]], "content": "hello"})
        if self.write(self.actors[user], Decision.ALLOW if owner == user else Decision.DENY, statement,
                      note=f"{user} posts in {self.keys[chat_id]} of {owner}"):
            self.model.messages[self.api.last_rows[0]["id"]] = owner

    # ------------------------------------------------------------------ jobs
    @rule()
    @step
    def scheduled_jobs(self) -> None:
        for job in ("recompute_streaks", "refresh_rollups", "close_due_league_weeks", "send_reengagement_nudges"):
            self._owner(Statement(job), note=f"scheduler: {job}")

    @rule()
    @step
    def deferred_award_job(self) -> None:
        if not self.features["award_job"]:
            return
        for _ in range(50):
            outcome = self.api.request(SERVICE_ROLE, Statement("process_awards"), note="the deferred award job")
            if not outcome.ok:
                self.fail(f"the deferred award job failed: {outcome.sqlstate} {outcome.message}")
            if not outcome.rows[0]["processed"]:
                break
        self.model.run_award_job()
        self.drained = True

    # ------------------------------------------------------------------ the invariants
    @invariant()
    def trust_invariants(self) -> None:
        self.stats["steps"] += 1
        self.check_state()
        self.check_reads_and_boards()
        self.check_economy()
        if self.drained:
            self.award_orgs = set()  # awards whose organization XP the job has not applied yet stay "awarded"

    def check(self, ok: bool, message: str | Callable[[], str], check: str | Callable[[], str] = "") -> None:
        """One invariant; the message and the check's SQL (callables: built only on failure)."""
        self.stats["invariants_checked"] += 1
        if not ok:
            self.fail(message() if callable(message) else message, check() if callable(check) else check)

    def key_of(self, value: Any) -> str:
        return self.keys.get(value, str(value))

    def check_state(self) -> None:
        members = {(self.key_of(r["organization_id"]), self.key_of(r["user_id"])): r["role"]
                   for r in self.api.owner_rows("owner_memberships")}
        self.check(members == self.model.members,
                   f"memberships differ from the model: database {sorted(members.items())}, "
                   f"model {sorted(self.model.members.items())}")
        links = {(self.key_of(r["guardian_id"]), self.key_of(r["student_id"]))
                 for r in self.api.owner_rows("owner_guardianships")}
        self.check(links == set(self.model.vouches),
                   f"guardian links differ from the model: database {sorted(links)}, model {sorted(self.model.vouches)}")
        attempts = {r["id"]: self.key_of(r["user_id"]) for r in self.api.owner_rows("read_answer_attempts")}
        self.check(attempts == self.model.attempts, "answer attempts differ from the model")
        chats = {r["id"]: self.key_of(r["user_id"]) for r in self.api.owner_rows("read_chat_sessions")}
        self.check(chats == self.model.chats, "tutor chats differ from the model")

    def _allowed_rows(self, viewer: str, table: str, rows: list[dict[str, Any]]) -> set[tuple]:
        """The owner's rows of `table` filtered by the model's read rule for `viewer`."""
        m = self.model
        k = self.key_of
        if table == "organizations":
            return {(r["id"],) for r in rows if m.may_read_organization(viewer, k(r["id"]))}
        if table == "organization_members":
            return {(r["organization_id"], r["user_id"]) for r in rows
                    if m.may_read_membership(viewer, k(r["organization_id"]), k(r["user_id"]))}
        if table == "guardianships":
            return {(r["guardian_id"], r["student_id"]) for r in rows
                    if m.may_read_guardianship(viewer, k(r["guardian_id"]), k(r["student_id"]))}
        if table in ("chat_sessions", "chat_messages"):
            return {(r["id"], r["user_id"]) for r in rows if m.may_read_owned_by(viewer, k(r["user_id"]))}
        if table == "answer_attempts":
            return {(r["id"], r["user_id"]) for r in rows
                    if m.may_read_learner_row(viewer, k(r["user_id"]),
                                              m.questions[m.attempt_question[r["id"]]].org)}
        if table == "xp_profiles":
            return {(r["user_id"],) for r in rows if m.may_read_owned_by(viewer, k(r["user_id"]))}
        if table == "organization_xp":
            return {(r["user_id"], r["organization_id"]) for r in rows
                    if m.may_read_learner_row(viewer, k(r["user_id"]), k(r["organization_id"]))}
        raise KeyError(table)

    def read_tables(self) -> list[str]:
        tables = ["organizations", "organization_members", "guardianships", "chat_sessions", "chat_messages",
                  "answer_attempts", "xp_profiles"]
        return tables + (["organization_xp"] if self.features["organization_xp"] else [])

    def check_reads_and_boards(self) -> None:
        """Per persona, one request reading every modelled table and every organization's board."""
        tables = [table for table in self.read_tables() if f"reads:{table}" not in self.skipped]
        everything = {table: self.api.owner_rows(f"read_{table}") for table in tables}
        for viewer in (*USERS, "anon"):
            actor = ANON if viewer == "anon" else self.actors[viewer]
            reads = {table: Statement(f"read_{table}") for table in tables}
            boards = {}
            if viewer != "anon":
                for org in self.model.orgs:
                    boards[f"board {org}"] = Statement("leaderboard", {"organization_id": self.ids[org]})
                    if self.drained and self.model.is_student(org, viewer):
                        boards[f"around {org}"] = Statement("around_me", {"organization_id": self.ids[org]})
            fallible = frozenset(tables if viewer == "anon" else
                                 [key for key in boards if not self.model.is_member(key.split()[1], viewer)])
            seen = self.api.read_many(actor, reads | boards, fallible)
            for table in tables:
                outcome = seen[table]
                rows = {tuple(r.values()) for r in outcome.rows} if outcome.ok else set()
                allowed = set() if viewer == "anon" else self._allowed_rows(viewer, table, everything[table])
                names = lambda found: sorted(tuple(self.key_of(v) for v in row) for row in found)  # noqa: E731
                self.check(rows == allowed, lambda: f"{viewer} reads {table} rows the model does not allow: "
                                                    f"{names(rows - allowed)}; misses allowed rows: "
                                                    f"{names(allowed - rows)}",
                           lambda: self.api.check_sql(actor, reads[table]))
            for key, statement in boards.items():
                kind, org = key.split()
                outcome = seen[key]
                check_sql = functools.partial(self.api.check_sql, actor, statement)
                if not self.model.is_member(org, viewer):
                    self.check(not outcome.ok or not outcome.rows,
                               f"{viewer} reads the board of {org}, which they are not a member of", check_sql)
                    continue
                expected = self.model.board(org, viewer)
                if kind == "board":
                    board = sorted((r["rank"], r["nickname"], r["score"], r["is_me"]) for r in outcome.rows)
                    self.check(board == expected, f"{org}'s board as {viewer} is {board}; the model's is {expected}",
                               check_sql)
                else:
                    mine = [r["rank"] for r in outcome.rows if r["is_me"]]
                    rank = [row[0] for row in expected if row[3]]
                    self.check(mine == rank, f"{viewer}'s rank on {org}'s board is {mine}; the model's is {rank}",
                               check_sql)

    def check_economy(self) -> None:
        m = self.model
        for row in self.api.owner_rows("xp_state"):
            user = self.key_of(row["user_id"])
            self.check(row["xp"] == row["ledger_sum"] and row["lifetime_xp"] == row["ledger_earned"],
                       f"{user}'s XP ({row['xp']}, lifetime {row['lifetime_xp']}) is not their ledger's "
                       f"({row['ledger_sum']}, earned {row['ledger_earned']})")
            self.check((row["xp"], row["lifetime_xp"]) == (m.balance.get(user, 0), m.lifetime.get(user, 0)),
                       f"{user}'s XP is {row['xp']} (lifetime {row['lifetime_xp']}), the model says "
                       f"{m.balance.get(user, 0)} (lifetime {m.lifetime.get(user, 0)})")
        repeats = self.api.owner_rows("ledger_key_repeats")
        self.check(not repeats, f"an idempotency key paid twice: {repeats}")
        if not self.features["organization_xp"] or not self.drained:
            return  # organization_xp follows the ledger once the process-awards job has applied the queue
        current = {}
        for row in self.api.owner_rows("organization_xp_state"):
            user, org = self.key_of(row["user_id"]), self.key_of(row["organization_id"])
            current[(user, org)] = row["lifetime_xp"]
            self.check(row["lifetime_xp"] == row["ledger_earned"],
                       f"{user}'s XP in {org} ({row['lifetime_xp']}) is not the ledger's ({row['ledger_earned']})")
            before = self.previous_org_xp.get((user, org), 0)
            self.check(row["lifetime_xp"] <= before or org in self.award_orgs,
                       f"{user}'s score in {org} rose from {before} to {row['lifetime_xp']} without an award there")
        expected = {key: xp for key, xp in m.org_xp.items() if xp}
        self.check({key: xp for key, xp in current.items() if xp} == expected,
                   f"XP per learner and organization differs from the model: database "
                   f"{sorted((k, v) for k, v in current.items() if v)}, model {sorted(expected.items())}")
        self.previous_org_xp = current

