"""The reference model of the trust rules, in plain Python (issue 19).

Written from docs/security.md and docs/gamification.md, not from the SQL: it says, after every step of the
fuzzer, who may read which row, which writes must succeed or be refused, and what every score must be.
Objects are named by the fuzzer's own keys (users `u1`…, organizations `o1`…, questions `q1`…); the machine
maps them to database ids.

A decision is ALLOW (the write must succeed), DENY (it must be refused and change nothing) or MAY (the
documents leave the outcome open, e.g. accepting an invitation one already holds a membership for: the model
follows the database, then checks the state it leads to like any other).
"""

from dataclasses import dataclass, field
from enum import Enum

STAFF = frozenset({"admin", "educator"})
FIRST_TRY_XP, SECOND_TRY_XP = 10, 5  # the platform defaults (gamification.md "Awards")
FREE_HINTS_PER_DAY, HINT_COST = 10, 5
ACHIEVEMENT_UNLOCKS_PER_CRITERION = 10
ANONYMOUS = "Anonymous learner"


class Decision(Enum):
    ALLOW = "allow"
    DENY = "deny"
    MAY = "may"


@dataclass
class Invitation:
    org: str
    role: str
    invitee: str | None   # the user whose email it names
    issuer: str
    student: str | None = None  # guardian invitations: the student concerned
    state: str = "pending"  # pending, accepted (guardian, awaiting the student), used, declined, expired
    student_confirmed: bool = False


@dataclass
class Question:
    org: str
    answer: int


@dataclass
class Achievement:
    org: str
    db_id: str  # (target, id) order decides which unlock first: the id is the database's
    target: int
    reward: int


@dataclass
class Answer:
    """What submit_answer returned for an idempotency key: a replay must return the same."""
    user: str
    question: str
    correct: bool
    xp: int


@dataclass
class Model:
    users: list[str]
    nicknames: dict[str, str]
    orgs: dict[str, str] = field(default_factory=dict)              # org -> creator
    members: dict[tuple[str, str], str] = field(default_factory=dict)  # (org, user) -> role
    invitations: dict[str, Invitation] = field(default_factory=dict)
    vouches: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (guardian, student) -> orgs
    questions: dict[str, Question] = field(default_factory=dict)
    achievements: dict[str, Achievement] = field(default_factory=dict)
    unlocked: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (user, org) -> achievements
    tries: dict[tuple[str, str], list[bool]] = field(default_factory=dict)  # (user, question) -> correct?
    answers: dict[tuple[str, str], Answer] = field(default_factory=dict)   # (user, key) -> first result
    attempts: dict[str, str] = field(default_factory=dict)        # attempt -> user
    attempt_question: dict[str, str] = field(default_factory=dict)
    org_xp: dict[tuple[str, str], int] = field(default_factory=dict)  # (user, org) -> XP earned there
    balance: dict[str, int] = field(default_factory=dict)
    lifetime: dict[str, int] = field(default_factory=dict)
    hints_taken: dict[str, int] = field(default_factory=dict)
    hint_keys: dict[tuple[str, str], int] = field(default_factory=dict)  # (user, key) -> cost paid
    chats: dict[str, str] = field(default_factory=dict)      # chat -> owner
    messages: dict[str, str] = field(default_factory=dict)   # message -> owner
    opted_out: set[str] = field(default_factory=set)
    # With the process-awards job (issue 16) achievements are evaluated when the job runs, for the learners who
    # earned since: the answer pays its own XP at once, the achievement's reward a moment later.
    deferred_achievements: bool = False
    awaiting_evaluation: set[str] = field(default_factory=set)

    # ------------------------------------------------------------------ who is what
    def role(self, org: str, user: str) -> str | None:
        return self.members.get((org, user))

    def is_member(self, org: str, user: str) -> bool:
        return (org, user) in self.members

    def is_staff(self, org: str, user: str) -> bool:
        return self.role(org, user) in STAFF

    def is_student(self, org: str, user: str) -> bool:
        return self.role(org, user) == "student"

    def guardians_of(self, student: str) -> set[str]:
        return {g for (g, s) in self.vouches if s == student}

    def is_guardian(self, guardian: str, student: str) -> bool:
        return (guardian, student) in self.vouches

    def staff_reach(self, viewer: str, org: str | None, learner: str) -> bool:
        """Staff of `org` reach a learner's row of `org` while the learner is a current student there."""
        return org is not None and self.is_staff(org, viewer) and self.is_student(org, learner)

    # ------------------------------------------------------------------ reads (security.md)
    def may_read_membership(self, viewer: str, org: str, user: str) -> bool:
        return viewer == user or self.is_staff(org, viewer)

    def may_read_organization(self, viewer: str, org: str) -> bool:
        return self.is_member(org, viewer)

    def may_read_guardianship(self, viewer: str, guardian: str, student: str) -> bool:
        return viewer in (guardian, student) or any(
            self.is_staff(org, viewer) for org in self.vouches.get((guardian, student), ()))

    def may_read_owned_by(self, viewer: str, owner: str) -> bool:
        """Rows of no organization (tutor chats and messages, xp_profiles): the owner and their guardians."""
        return viewer == owner or self.is_guardian(viewer, owner)

    def may_read_learner_row(self, viewer: str, learner: str, org: str | None) -> bool:
        """A learner's row that belongs to `org` (an attempt: its question's; organization_xp: its own)."""
        return self.may_read_owned_by(viewer, learner) or self.staff_reach(viewer, org, learner)

    # ------------------------------------------------------------------ organizations and consent
    def create_organization(self, org: str, creator: str) -> None:
        self.orgs[org] = creator
        self.members[(org, creator)] = "admin"

    def may_invite(self, issuer: str, org: str, role: str) -> bool:
        """Admins invite any role; educators students and parents (security.md, "Who invites whom")."""
        issuer_role = self.role(org, issuer)
        return issuer_role == "admin" or (issuer_role == "educator" and role in ("student", "parent"))

    def decide_invitation(self, issuer: str, org: str, role: str) -> Decision:
        return Decision.ALLOW if self.may_invite(issuer, org, role) else Decision.DENY

    def decide_guardian_invitation(self, issuer: str, org: str, student: str, guardian: str) -> Decision:
        if not self.is_staff(org, issuer) or not self.is_student(org, student) or guardian == issuer:
            return Decision.DENY
        if guardian == student:
            return Decision.MAY  # the student cannot become their own guardian: refused, at once or at accepting
        return Decision.ALLOW

    def decide_accept(self, user: str, invitation: Invitation) -> Decision:
        if invitation.state not in ("pending",) or invitation.invitee != user:
            return Decision.DENY
        if invitation.student is None:
            if not self.may_invite(invitation.issuer, invitation.org, invitation.role):
                return Decision.DENY  # an invitation dies with its issuer's authority
            return Decision.MAY if self.is_member(invitation.org, user) else Decision.ALLOW
        if user in (invitation.issuer, invitation.student) or not self.is_staff(invitation.org, invitation.issuer):
            return Decision.DENY
        if not self.is_student(invitation.org, invitation.student):
            return Decision.DENY
        return Decision.MAY if self.is_member(invitation.org, user) else Decision.ALLOW

    def accept(self, user: str, invitation: Invitation) -> None:
        if invitation.student is None:
            self.members[(invitation.org, user)] = invitation.role
            invitation.state = "used"
            return
        invitation.state = "accepted"
        self._link_when_both_consented(invitation)

    def decide_confirm(self, user: str, invitation: Invitation) -> Decision:
        if invitation.student != user or invitation.state in ("declined", "used", "expired"):
            return Decision.DENY
        if invitation.student_confirmed or not self.link_conditions_hold(invitation):
            return Decision.MAY
        return Decision.ALLOW

    def confirm(self, invitation: Invitation) -> None:
        invitation.student_confirmed = True
        self._link_when_both_consented(invitation)

    def link_conditions_hold(self, invitation: Invitation) -> bool:
        """A link is made only while its issuer may still invite and the student is still in X."""
        return self.is_staff(invitation.org, invitation.issuer) and self.is_student(invitation.org,
                                                                                      invitation.student)

    def _link_when_both_consented(self, invitation: Invitation) -> None:
        if invitation.state == "accepted" and invitation.student_confirmed \
                and self.link_conditions_hold(invitation):
            guardian = invitation.invitee
            self.vouches.setdefault((guardian, invitation.student), set()).add(invitation.org)
            self.members.setdefault((invitation.org, guardian), "parent")
            invitation.state = "used"

    def remove_membership(self, org: str, user: str) -> None:
        """Leaving, or being removed: X's vouches for the student go, a link with none left lapses."""
        role = self.members.pop((org, user))
        if role == "student":
            for link in list(self.vouches):
                if link[1] == user:
                    self.vouches[link].discard(org)
                    if not self.vouches[link]:
                        del self.vouches[link]

    def admins(self, org: str) -> list[str]:
        return [user for (o, user), role in self.members.items() if o == org and role == "admin"]

    def decide_remove(self, actor: str, org: str, user: str) -> Decision:
        if not self.is_member(org, user) or self.admins(org) == [user]:
            return Decision.DENY  # an organization keeps at least one admin
        if actor == user or self.role(org, actor) == "admin":
            return Decision.ALLOW
        return Decision.DENY

    def decide_role_change(self, actor: str, org: str, user: str, role: str) -> Decision:
        """Admins move people between admin and educator only; nobody is put under staff authority."""
        if self.admins(org) == [user] and role != "admin":
            return Decision.DENY  # an organization keeps at least one admin
        if self.role(org, actor) == "admin" and self.role(org, user) in STAFF and role in STAFF:
            return Decision.ALLOW
        return Decision.DENY

    # ------------------------------------------------------------------ content and the economy
    def may_read_question(self, user: str, question: str) -> bool:
        return self.is_member(self.questions[question].org, user)  # published content: the org's members

    def decide_content(self, actor: str, org: str) -> Decision:
        return Decision.ALLOW if self.is_staff(org, actor) else Decision.DENY

    def decide_achievement(self, actor: str, org: str, reward: int) -> Decision:
        """Admins only, within the platform limits (reward ≤ 1000; at most 200 per organization)."""
        if self.role(org, actor) != "admin" or reward > 1000:
            return Decision.DENY
        return Decision.ALLOW

    def answer(self, user: str, question: str, correct: bool) -> int:
        """The award of one new attempt (gamification.md "Awards"); returns the XP paid."""
        tries = self.tries.setdefault((user, question), [])
        earlier_correct = any(tries)
        tries.append(correct)
        if not correct or earlier_correct:
            return 0
        xp = {1: FIRST_TRY_XP, 2: SECOND_TRY_XP}.get(len(tries), 0)
        if xp:
            self.earn(user, self.questions[question].org, xp)
            if self.deferred_achievements:
                self.awaiting_evaluation.add(user)
            else:
                self.evaluate_achievements(user)
        return xp

    def run_award_job(self) -> None:
        """The process-awards job: evaluates the achievements of each learner who earned since it last ran."""
        for user in sorted(self.awaiting_evaluation):
            self.evaluate_achievements(user)
        self.awaiting_evaluation.clear()

    def earn(self, user: str, org: str | None, xp: int) -> None:
        self.balance[user] = self.balance.get(user, 0) + xp
        self.lifetime[user] = self.lifetime.get(user, 0) + xp
        if org is not None:
            self.org_xp[(user, org)] = self.org_xp.get((user, org), 0) + xp

    def evaluate_achievements(self, user: str) -> None:
        """xp_total achievements of each organization the learner belongs to, read against the XP earned there;
        above the learner's last unlock in that organization; at most 10 per event; then one more pass. With the
        process-awards job the organization's XP the passes read is the one before this evaluation's rewards (the
        job counts a reward's organization XP in its next batch, and a reward asks for no evaluation of its own)."""
        counted = dict(self.org_xp)
        for _ in range(2):
            candidates = []
            for (org, member), _role in self.members.items():
                if member != user:
                    continue
                unlocked = self.unlocked.get((user, org), set())
                last = max(((a.target, a.db_id) for key, a in self.achievements.items() if key in unlocked),
                           default=(0, ""))
                xp = (counted if self.deferred_achievements else self.org_xp).get((user, org), 0)
                candidates += [(a.target, a.db_id, key) for key, a in self.achievements.items()
                               if a.org == org and (a.target, a.db_id) > last and a.target <= xp and xp > 0]
            picked = sorted(candidates)[:ACHIEVEMENT_UNLOCKS_PER_CRITERION]
            paid = False
            for _target, _id, key in picked:
                achievement = self.achievements[key]
                self.unlocked.setdefault((user, achievement.org), set()).add(key)
                if achievement.reward > 0:
                    self.earn(user, achievement.org, achievement.reward)
                    paid = True
            if not paid:
                return

    def take_hint(self, user: str) -> int | None:
        """The hint's cost, or None when it is refused for want of XP."""
        taken = self.hints_taken.get(user, 0)
        cost = 0 if taken < FREE_HINTS_PER_DAY else HINT_COST
        if cost > self.balance.get(user, 0):
            return None
        self.hints_taken[user] = taken + 1
        self.balance[user] = self.balance.get(user, 0) - cost
        return cost

    # ------------------------------------------------------------------ boards (gamification.md "Leaderboards")
    def board(self, org: str, viewer: str) -> list[tuple[int, str, int, bool]]:
        """X's all-time XP board as `viewer` sees it: its students, XP earned in X, competition ranks."""
        students = [user for (o, user), role in self.members.items() if o == org and role == "student"]
        scores = {user: self.org_xp.get((user, org), 0) for user in students}
        rows = []
        for user in students:
            rank = 1 + sum(1 for other in students if scores[other] > scores[user])
            name = ANONYMOUS if user in self.opted_out and user != viewer else self.nicknames[user]
            rows.append((rank, name, scores[user], user == viewer))
        return sorted(rows)[:100]
