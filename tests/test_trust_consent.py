"""Membership and guardianship by consent (issue 14, items 1 and 2).

Nobody joins an organization, or becomes a child's guardian, without accepting an invitation:
staff create one (public.create_invitation, public.create_guardian_invitation), the invitee
accepts it with its token (public.accept_invitation) or declines it (public.decline_invitation).
A guardian link records the organizations that vouch for it (public.guardianship_vouches) and
lapses when the last of them no longer has the student.

Every attack is played as the API plays it (role authenticated plus the JWT claims), on the
personas of the policy matrix (tests/personas.py): organization A (admin, educator, student,
classmate, guardian linked to student and vouched by A, unlinked_guardian) and organization B
(other_org_educator, other_org_student).
"""

import uuid
from contextlib import contextmanager

import psycopg
import pytest

from cli import testing
from tests import personas as persona_data

CREATE = ("select * from public.create_invitation(%(organization_id)s, %(role)s::public.organization_role, "
          "%(email)s, %(expires_in)s::interval)")
CREATE_GUARDIAN = ("select * from public.create_guardian_invitation(%(organization_id)s, %(student_id)s, "
                   "%(email)s)")
ACCEPT = "select * from public.accept_invitation(%(token)s)"
DECLINE = "select public.decline_invitation(%(token)s)"
CONFIRM = "select public.confirm_guardian_invitation(%(invitation_id)s) as linked"
DECLINE_AS_STUDENT = "select public.decline_guardian_invitation(%(invitation_id)s)"
ADD_MEMBER = ("insert into public.organization_members (organization_id, user_id, role) "
              "values (%(organization_id)s, %(user_id)s, %(role)s)")
LINK = "insert into public.guardianships (guardian_id, student_id) values (%(guardian_id)s, %(student_id)s)"


@pytest.fixture
def people(conn):
    found = persona_data.create_personas(conn)
    persona_data.create_activity(conn, found)
    return found


def email_of(conn, user_id) -> str:
    return conn.execute("select email from auth.users where id = %s", [user_id]).fetchone()["email"]


def new_user(conn, name: str) -> uuid.UUID:
    return testing.create_user(conn, email=f"{name}.{uuid.uuid4().hex[:8]}@consent.learnkit.dev",
                               metadata={"nickname": name})


@contextmanager
def refused(acting: psycopg.Connection, sqlstate: str = "42501"):
    """The statement fails with `sqlstate`; the request's transaction goes on (a savepoint)."""
    with pytest.raises(psycopg.Error) as caught:
        with acting.transaction():
            yield
    assert caught.value.sqlstate == sqlstate, caught.value


def invite(conn, inviter, organization_id, role, email=None, expires_in="7 days") -> dict:
    with testing.as_user(conn, inviter, commit=True) as acting:
        return acting.execute(CREATE, {"organization_id": organization_id, "role": role, "email": email,
                                       "expires_in": expires_in}).fetchone()


def invite_guardian(conn, inviter, organization_id, student_id, email) -> dict:
    with testing.as_user(conn, inviter, commit=True) as acting:
        return acting.execute(CREATE_GUARDIAN, {"organization_id": organization_id, "student_id": student_id,
                                                "email": email}).fetchone()


def accept(conn, user_id, token) -> dict:
    with testing.as_user(conn, user_id, commit=True) as acting:
        return acting.execute(ACCEPT, {"token": token}).fetchone()


def confirm(conn, student_id, invitation_id) -> bool:
    """The student named by a guardian invitation confirms it; True when the link now exists."""
    with testing.as_user(conn, student_id, commit=True) as acting:
        return acting.execute(CONFIRM, {"invitation_id": invitation_id}).fetchone()["linked"]


def link_guardian(conn, inviter, organization_id, student_id, guardian_id) -> None:
    """The whole consent path: staff invite, the guardian accepts, the student confirms."""
    created = invite_guardian(conn, inviter, organization_id, student_id, email_of(conn, guardian_id))
    accept(conn, guardian_id, created["token"])
    assert confirm(conn, student_id, created["invitation_id"]) is True


def membership(conn, organization_id, user_id) -> str | None:
    row = conn.execute("select role::text from public.organization_members where organization_id = %s and user_id = %s",
                       [organization_id, user_id]).fetchone()
    return row["role"] if row else None


def is_linked(conn, guardian_id, student_id) -> bool:
    return conn.execute("select exists (select from public.guardianships where guardian_id = %s and student_id = %s) "
                        "as linked", [guardian_id, student_id]).fetchone()["linked"]


def found_organization(acting: psycopg.Connection, name: str = "Attacker Academy") -> uuid.UUID:
    return acting.execute("insert into public.organizations (name, kind) values (%s, 'school') returning id",
                          [name]).fetchone()["id"]


def victim_reads(acting: psycopg.Connection, victim) -> dict[str, int]:
    """What the caller sees of the victim: their profile, tutor chats, answers."""
    return {table: acting.execute(f"select count(*) as n from public.{table} where {column} = %s",  # noqa: S608
                                  [victim]).fetchone()["n"]
            for table, column in (("profiles", "id"), ("chat_sessions", "user_id"), ("chat_messages", "user_id"),
                                  ("answer_attempts", "user_id"))}


def child_overview_refused(acting: psycopg.Connection, victim) -> bool:
    try:
        with acting.transaction():
            acting.execute("select * from public.get_child_overview(%s)", [victim]).fetchall()
    except psycopg.errors.InsufficientPrivilege:
        return True
    return False


# ---------------------------------------------------------------- the attacks of issue 14


def test_a_student_cannot_add_a_victim_to_an_organization_they_created(conn, people):
    attacker, victim = people.other_org_student, people.student
    with testing.as_user(conn, attacker) as acting:
        organization_id = found_organization(acting)
        assert acting.execute("select role::text from public.organization_members where organization_id = %s",
                              [organization_id]).fetchone()["role"] == "admin", "the creator becomes its admin"
        with refused(acting):
            acting.execute(ADD_MEMBER, {"organization_id": organization_id, "user_id": victim, "role": "student"})
        assert victim_reads(acting, victim) == {"profiles": 0, "chat_sessions": 0, "chat_messages": 0,
                                                "answer_attempts": 0}
        assert child_overview_refused(acting, victim)


def test_a_student_cannot_make_a_victim_the_child_of_a_guardian_they_add(conn, people):
    attacker, victim, accomplice = people.other_org_student, people.student, new_user(conn, "accomplice")
    with testing.as_user(conn, attacker) as acting:
        organization_id = found_organization(acting)
        with refused(acting):
            acting.execute(ADD_MEMBER, {"organization_id": organization_id, "user_id": accomplice, "role": "parent"})
        for guardian in (accomplice, attacker):
            with refused(acting):
                acting.execute(LINK, {"guardian_id": guardian, "student_id": victim})
        assert victim_reads(acting, victim)["chat_sessions"] == 0
        assert child_overview_refused(acting, victim)
    assert not is_linked(conn, attacker, victim) and not is_linked(conn, accomplice, victim)


def test_a_student_cannot_read_a_victim_by_any_membership_they_write(conn, people):
    """Whatever the attacker tries (adding the victim, themselves as parent, a guardianship), no access follows."""
    attacker, victim = people.other_org_student, people.student
    with testing.as_user(conn, attacker) as acting:
        organization_id = found_organization(acting)
        for statement, params in (
            (ADD_MEMBER, {"organization_id": organization_id, "user_id": victim, "role": "student"}),
            (ADD_MEMBER, {"organization_id": people.org, "user_id": attacker, "role": "admin"}),
            (LINK, {"guardian_id": attacker, "student_id": victim}),
        ):
            try:
                with acting.transaction():
                    acting.execute(statement, params)
            except psycopg.errors.InsufficientPrivilege:
                pass
        assert victim_reads(acting, victim) == {"profiles": 0, "chat_sessions": 0, "chat_messages": 0,
                                                "answer_attempts": 0}
        assert child_overview_refused(acting, victim)


def test_staff_of_another_organization_cannot_remove_the_victims_guardian_link(conn, people):
    """The student really belongs to B too (they accepted), but A vouched for the link: B's staff cannot end it."""
    victim, guardian = people.student, people.guardian
    conn.execute(ADD_MEMBER, {"organization_id": people.other_org, "user_id": victim, "role": "student"})
    with testing.as_user(conn, people.other_org_educator, commit=True) as acting:
        assert acting.execute("delete from public.guardianships where student_id = %s", [victim]).rowcount == 0
        assert acting.execute("delete from public.guardianship_vouches where student_id = %s",
                              [victim]).rowcount == 0
    assert is_linked(conn, guardian, victim)


def test_an_attacker_organization_cannot_remove_the_victims_guardian_link(conn, people):
    attacker, victim = people.other_org_student, people.student
    with testing.as_user(conn, attacker, commit=True) as acting:
        organization_id = found_organization(acting)
        try:
            with acting.transaction():
                acting.execute(ADD_MEMBER, {"organization_id": organization_id, "user_id": victim, "role": "student"})
        except psycopg.errors.InsufficientPrivilege:
            pass
        acting.execute("delete from public.guardianships where student_id = %s", [victim])
    assert is_linked(conn, people.guardian, victim)


def test_an_admin_cannot_put_a_member_under_staff_authority_by_changing_their_role(conn, people):
    with testing.as_user(conn, people.admin) as acting:
        changed = acting.execute("update public.organization_members set role = 'student' "
                                 "where organization_id = %s and user_id = %s", [people.org, people.guardian]).rowcount
        assert changed == 0, "a parent's row is not the admin's to change"
        for user, role in ((people.educator, "student"), (people.educator, "parent")):
            with refused(acting):  # staff rows change only into staff roles
                acting.execute("update public.organization_members set role = %s "
                               "where organization_id = %s and user_id = %s", [role, people.org, user])
        promoted = acting.execute("update public.organization_members set role = 'admin' "
                                  "where organization_id = %s and user_id = %s", [people.org, people.educator]).rowcount
        assert promoted == 1, "promotions among staff stay the admin's"
        student_to_staff = acting.execute("update public.organization_members set role = 'educator' "
                                          "where organization_id = %s and user_id = %s",
                                          [people.org, people.student]).rowcount
        assert student_to_staff == 0


# ---------------------------------------------------------------- invitations


def test_an_invitee_joins_only_by_accepting(conn, people):
    newcomer = new_user(conn, "newcomer")
    created = invite(conn, people.admin, people.org, "student")
    assert set(created) == {"invitation_id", "token", "expires_at"}
    assert len(created["token"]) >= 40
    assert membership(conn, people.org, newcomer) is None
    with testing.as_user(conn, newcomer) as acting:
        assert acting.execute("select count(*) as n from public.organizations where id = %s",
                              [people.org]).fetchone()["n"] == 0, "an invitee who has not accepted sees nothing"
        assert acting.execute("select count(*) as n from public.invitations").fetchone()["n"] == 0
        assert victim_reads(acting, people.student)["profiles"] == 0
    joined = accept(conn, newcomer, created["token"])
    assert (joined["organization_id"], joined["role"]) == (people.org, "student")
    assert membership(conn, people.org, newcomer) == "student"
    with testing.as_user(conn, newcomer) as acting:
        assert acting.execute("select count(*) as n from public.organizations where id = %s",
                              [people.org]).fetchone()["n"] == 1


def test_a_token_works_once(conn, people):
    first, second = new_user(conn, "first"), new_user(conn, "second")
    token = invite(conn, people.admin, people.org, "parent")["token"]
    accept(conn, first, token)
    with testing.as_user(conn, second) as acting, refused(acting, "P0002"):
        acting.execute(ACCEPT, {"token": token})
    assert membership(conn, people.org, second) is None


def test_a_token_issued_to_an_email_works_only_for_that_email(conn, people):
    intended, thief = new_user(conn, "intended"), new_user(conn, "thief")
    token = invite(conn, people.admin, people.org, "student", email=email_of(conn, intended).upper())["token"]
    with testing.as_user(conn, thief) as acting, refused(acting):
        acting.execute(ACCEPT, {"token": token})
    with testing.as_user(conn, thief) as acting, refused(acting):
        acting.execute(DECLINE, {"token": token})
    assert membership(conn, people.org, thief) is None
    accept(conn, intended, token)
    assert membership(conn, people.org, intended) == "student"


def test_a_declined_invitation_leaves_nothing_and_cannot_be_accepted_later(conn, people):
    invitee = new_user(conn, "decliner")
    token = invite(conn, people.admin, people.org, "student", email=email_of(conn, invitee))["token"]
    with testing.as_user(conn, invitee, commit=True) as acting:
        acting.execute(DECLINE, {"token": token})
    assert conn.execute("select count(*) as n from public.invitations where invitee_email = %s",
                        [email_of(conn, invitee)]).fetchone()["n"] == 0
    with testing.as_user(conn, invitee) as acting, refused(acting, "P0002"):
        acting.execute(ACCEPT, {"token": token})
    assert membership(conn, people.org, invitee) is None


def test_an_expired_invitation_cannot_be_accepted(conn, people):
    invitee = new_user(conn, "late")
    created = invite(conn, people.admin, people.org, "student")
    conn.execute("update public.invitations set expires_at = now() - interval '1 minute' where id = %s",
                 [created["invitation_id"]])
    with testing.as_user(conn, invitee) as acting, refused(acting, "22023"):
        acting.execute(ACCEPT, {"token": created["token"]})
    assert membership(conn, people.org, invitee) is None


@pytest.mark.parametrize("statement", [CREATE, CREATE_GUARDIAN, ACCEPT, DECLINE])
def test_anon_cannot_call_the_invitation_api(conn, people, statement):
    params = {"organization_id": people.org, "role": "student", "email": "a@example.com", "expires_in": "1 day",
              "student_id": people.student, "token": "f" * 64}
    with testing.as_anon(conn) as acting, refused(acting):
        acting.execute(statement, params)


def test_an_unknown_token_is_not_found(conn, people):
    with testing.as_user(conn, people.student) as acting, refused(acting, "P0002"):
        acting.execute(ACCEPT, {"token": "f" * 64})


@pytest.mark.parametrize(("persona", "role", "sqlstate"), [
    ("educator", "admin", "42501"),         # educators cannot invite admins
    ("educator", "educator", "42501"),      # nor staff at all: granting authority is the admins'
    ("student", "student", "42501"),
    ("guardian", "parent", "42501"),
    ("other_org_educator", "student", "42501"),
    ("unlinked_guardian", "student", "42501"),
])
def test_only_the_right_staff_can_invite(conn, people, persona, role, sqlstate):
    with testing.as_user(conn, people.users[persona]) as acting, refused(acting, sqlstate):
        acting.execute(CREATE, {"organization_id": people.org, "role": role, "email": None,
                                "expires_in": "1 day"})


@pytest.mark.parametrize(("persona", "role"), [("admin", "admin"), ("admin", "educator"), ("educator", "student"),
                                               ("educator", "parent")])
def test_staff_invite_the_roles_they_may(conn, people, persona, role):
    invitee = new_user(conn, "invitee")
    accept(conn, invitee, invite(conn, people.users[persona], people.org, role)["token"])
    assert membership(conn, people.org, invitee) == role


@pytest.mark.parametrize(("email", "expires_in", "sqlstate"), [
    ("not-an-email", "1 day", "22023"),
    ("x" * 400 + "@example.com", "1 day", "22001"),
    (None, "1 minute", "22023"),
    (None, "90 days", "22023"),
])
def test_invitations_refuse_bad_input(conn, people, email, expires_in, sqlstate):
    with testing.as_user(conn, people.admin) as acting, refused(acting, sqlstate):
        acting.execute(CREATE, {"organization_id": people.org, "role": "student", "email": email,
                                "expires_in": expires_in})


@pytest.mark.parametrize(("persona", "statement", "params", "sqlstate"), [
    ("student", CREATE, {"role": "student", "email": "x" * 1_000_000, "expires_in": "1 day"}, "22001"),
    ("student", ACCEPT, {"token": "x" * 1_000_000}, "22001"),
    ("student", DECLINE, {"token": "x" * 1_000_000}, "22001"),
    ("admin", "select * from public.create_guardian_invitation(%(organization_id)s, %(student_id)s, "
              "'p@example.com', %(relationship)s)", {"relationship": "x" * 1_000_000}, "22001"),
    ("admin", "select * from public.create_guardian_invitation(%(organization_id)s, %(student_id)s, "
              "'p@example.com', %(relationship)s)", {"relationship": "uncle"}, "22023"),
])
def test_oversized_or_unknown_arguments_are_refused_before_anything_else(conn, people, persona, statement, params,
                                                                         sqlstate):
    with testing.as_user(conn, people.users[persona]) as acting, refused(acting, sqlstate):
        acting.execute(statement, {"organization_id": people.org, "student_id": people.student, **params})


def test_invitations_are_read_and_revoked_only_by_their_organizations_admins_and_creators(conn, people):
    created = invite(conn, people.educator, people.org, "student")
    for persona, sees in (("admin", 1), ("educator", 1), ("student", 0), ("guardian", 0), ("other_org_educator", 0)):
        with testing.as_user(conn, people.users[persona]) as acting:
            assert acting.execute("select count(*) as n from public.invitations where id = %s",
                                  [created["invitation_id"]]).fetchone()["n"] == sees, persona
    with testing.as_user(conn, people.admin) as acting, refused(acting):
        acting.execute("select token_hash from public.invitations")
    with testing.as_user(conn, people.other_org_educator) as acting:
        assert acting.execute("delete from public.invitations where organization_id = %s",
                              [people.org]).rowcount == 0
    with testing.as_user(conn, people.admin, commit=True) as acting:
        assert acting.execute("delete from public.invitations where id = %s",
                              [created["invitation_id"]]).rowcount == 1
    with testing.as_user(conn, new_user(conn, "too-late")) as acting, refused(acting, "P0002"):
        acting.execute(ACCEPT, {"token": created["token"]})


def test_a_token_is_stored_only_as_its_hash(conn, people):
    created = invite(conn, people.admin, people.org, "student")
    token = created["token"]
    stored = conn.execute("select token_hash from public.invitations where id = %s",
                          [created["invitation_id"]]).fetchone()["token_hash"]
    assert token.encode() not in bytes(stored)
    assert conn.execute("select sha256(convert_to(%s, 'utf8')) = %s as same", [token, stored]).fetchone()["same"]


def test_an_invitation_dies_with_its_issuers_authority(conn, people):
    created = invite(conn, people.educator, people.org, "student")
    conn.execute("delete from public.organization_members where user_id = %s", [people.educator])
    with testing.as_user(conn, new_user(conn, "orphan")) as acting, refused(acting, "P0002"):
        acting.execute(ACCEPT, {"token": created["token"]})


# ---------------------------------------------------------------- leaving


def test_a_former_member_keeps_no_access_through_the_organization(conn, people):
    leaver = new_user(conn, "leaver")
    accept(conn, leaver, invite(conn, people.admin, people.org, "educator")["token"])
    with testing.as_user(conn, leaver) as acting:
        assert victim_reads(acting, people.student)["profiles"] == 1
    with testing.as_user(conn, leaver, commit=True) as acting:
        assert acting.execute("delete from public.organization_members where user_id = %s", [leaver]).rowcount == 1
    with testing.as_user(conn, leaver) as acting:
        assert victim_reads(acting, people.student) == {"profiles": 0, "chat_sessions": 0, "chat_messages": 0,
                                                        "answer_attempts": 0}
        for table in ("organizations", "organization_members", "invitations", "guardianship_vouches"):
            assert acting.execute(f"select count(*) as n from public.{table}").fetchone()["n"] == 0, table  # noqa: S608


def test_the_creator_of_an_organization_who_left_no_longer_reads_it(conn, people):
    founder = new_user(conn, "founder")
    with testing.as_user(conn, founder, commit=True) as acting:
        organization_id = found_organization(acting, "Founders School")
        token = acting.execute(CREATE, {"organization_id": organization_id, "role": "admin",
                                        "email": None, "expires_in": "1 day"}).fetchone()["token"]
    accept(conn, people.admin, token)
    with testing.as_user(conn, founder, commit=True) as acting:
        acting.execute("delete from public.organization_members where user_id = %s", [founder])
        assert acting.execute("select count(*) as n from public.organizations where id = %s",
                              [organization_id]).fetchone()["n"] == 0


# ---------------------------------------------------------------- guardianships by invitation and vouching


def test_staff_link_a_guardian_who_accepts(conn, people):
    """The guardian accepts, then the student confirms: only then is there a link."""
    parent = new_user(conn, "parent")
    created = invite_guardian(conn, people.educator, people.org, people.classmate, email_of(conn, parent))
    assert not is_linked(conn, parent, people.classmate)
    with testing.as_user(conn, parent) as acting:
        assert child_overview_refused(acting, people.classmate), "no access before accepting"
    accepted = accept(conn, parent, created["token"])
    assert (accepted["organization_id"], accepted["role"], accepted["student_id"]) == (
        people.org, "parent", people.classmate)
    assert not is_linked(conn, parent, people.classmate), "the student has not confirmed yet"
    assert membership(conn, people.org, parent) is None
    with testing.as_user(conn, parent) as acting:
        assert child_overview_refused(acting, people.classmate), "no access before the student confirms"
    assert confirm(conn, people.classmate, created["invitation_id"]) is True
    assert is_linked(conn, parent, people.classmate)
    assert membership(conn, people.org, parent) == "parent"
    vouches = conn.execute("select organization_id from public.guardianship_vouches where guardian_id = %s",
                           [parent]).fetchall()
    assert [row["organization_id"] for row in vouches] == [people.org]
    with testing.as_user(conn, parent) as acting:
        assert not child_overview_refused(acting, people.classmate)
    assert conn.execute("select count(*) as n from public.invitations where id = %s",
                        [created["invitation_id"]]).fetchone()["n"] == 0, "the linked invitation is gone"


def test_the_student_may_confirm_first(conn, people):
    parent = new_user(conn, "parent")
    parent_email = email_of(conn, parent)
    created = invite_guardian(conn, people.admin, people.org, people.classmate, parent_email)
    with testing.as_user(conn, people.classmate) as acting:  # the student reads it, never the token's hash
        seen = acting.execute("select invitee_email, relationship, accepted_by from public.invitations"
                              " where id = %s", [created["invitation_id"]]).fetchall()
        assert seen == [{"invitee_email": parent_email, "relationship": "parent", "accepted_by": None}]
        with refused(acting):
            acting.execute("select token_hash from public.invitations")
    assert confirm(conn, people.classmate, created["invitation_id"]) is False, "the guardian has not accepted"
    assert not is_linked(conn, parent, people.classmate)
    accept(conn, parent, created["token"])
    assert is_linked(conn, parent, people.classmate)
    assert membership(conn, people.org, parent) == "parent"


def test_a_student_who_declines_leaves_no_link(conn, people):
    parent = new_user(conn, "parent")
    created = invite_guardian(conn, people.admin, people.org, people.classmate, email_of(conn, parent))
    accept(conn, parent, created["token"])
    with testing.as_user(conn, people.classmate, commit=True) as acting:
        acting.execute(DECLINE_AS_STUDENT, {"invitation_id": created["invitation_id"]})
    assert not is_linked(conn, parent, people.classmate)
    assert conn.execute("select count(*) as n from public.invitations where id = %s",
                        [created["invitation_id"]]).fetchone()["n"] == 0
    with testing.as_user(conn, parent) as acting, refused(acting, "P0002"):
        acting.execute(ACCEPT, {"token": created["token"]})
    with testing.as_user(conn, people.classmate) as acting, refused(acting, "P0002"):
        acting.execute(CONFIRM, {"invitation_id": created["invitation_id"]})


def test_only_the_student_concerned_confirms_or_declines(conn, people):
    parent = new_user(conn, "parent")
    created = invite_guardian(conn, people.admin, people.org, people.classmate, email_of(conn, parent))
    accept(conn, parent, created["token"])
    for persona in ("student", "guardian", "educator", "admin", "outsider_admin", "other_org_student"):
        with testing.as_user(conn, people.users[persona]) as acting:
            assert acting.execute("select count(*) as n from public.invitations where student_id = %s",
                                  [people.classmate]).fetchone()["n"] == (1 if persona == "admin" else 0)
            for statement in (CONFIRM, DECLINE_AS_STUDENT):
                with refused(acting, "P0002"):
                    acting.execute(statement, {"invitation_id": created["invitation_id"]})
    with testing.as_user(conn, parent) as acting:
        with refused(acting, "22023"):  # single use: accepted once, it waits for the student
            acting.execute(ACCEPT, {"token": created["token"]})
        assert acting.execute("select count(*) as n from public.invitations where accepted_by = %s",
                              [parent]).fetchone()["n"] == 1, "the guardian sees what they accepted"
    assert not is_linked(conn, parent, people.classmate)


def test_a_guardian_invitation_links_nothing_once_expired(conn, people):
    for guardian_first in (True, False):
        parent = new_user(conn, "parent")
        created = invite_guardian(conn, people.admin, people.org, people.classmate, email_of(conn, parent))
        if guardian_first:
            accept(conn, parent, created["token"])
        else:
            confirm(conn, people.classmate, created["invitation_id"])
        conn.execute("update public.invitations set expires_at = now() - interval '1 second' where id = %s",
                     [created["invitation_id"]])
        acting_user, statement, params = (
            (people.classmate, CONFIRM, {"invitation_id": created["invitation_id"]}) if guardian_first
            else (parent, ACCEPT, {"token": created["token"]}))
        with testing.as_user(conn, acting_user) as acting, refused(acting, "22023"):
            acting.execute(statement, params)
        assert not is_linked(conn, parent, people.classmate)


def test_staff_cannot_invite_or_accept_themselves_as_a_guardian(conn, people):
    with testing.as_user(conn, people.admin) as acting, refused(acting):
        acting.execute(CREATE_GUARDIAN, {"organization_id": people.org, "student_id": people.classmate,
                                         "email": email_of(conn, people.admin).upper()})
    # The issuer's email changed after issuing: the account that issued it still cannot accept it.
    created = invite_guardian(conn, people.educator, people.org, people.classmate, "new.address@example.com")
    conn.execute("update auth.users set email = 'new.address@example.com' where id = %s", [people.educator])
    with testing.as_user(conn, people.educator) as acting, refused(acting):
        acting.execute(ACCEPT, {"token": created["token"]})
    assert not is_linked(conn, people.educator, people.classmate)


def test_staff_see_only_the_guardian_links_their_organization_vouches_for(conn, people):
    """The victim joins the outsider's organization: its admin sees none of the links A vouches for."""
    victim = people.student
    outsider_org = conn.execute("select organization_id from public.organization_members where user_id = %s",
                                [people.outsider_admin]).fetchone()["organization_id"]
    accept(conn, victim, invite(conn, people.outsider_admin, outsider_org, "student", email_of(conn, victim))["token"])
    with testing.as_user(conn, people.outsider_admin) as acting:
        assert acting.execute("select count(*) as n from public.guardianships where student_id = %s",
                              [victim]).fetchone()["n"] == 0
    with testing.as_user(conn, people.educator) as acting:
        assert acting.execute("select count(*) as n from public.guardianships where student_id = %s",
                              [victim]).fetchone()["n"] == 1


def test_a_guardian_invitation_needs_a_student_of_the_organization_and_an_email(conn, people):
    with testing.as_user(conn, people.admin) as acting:
        with refused(acting, "22023"):  # other_org_student is not a student of A
            acting.execute(CREATE_GUARDIAN, {"organization_id": people.org, "student_id": people.other_org_student,
                                             "email": "p@example.com"})
        with refused(acting, "22023"):  # the educator is a member, not a student
            acting.execute(CREATE_GUARDIAN, {"organization_id": people.org, "student_id": people.educator,
                                             "email": "p@example.com"})
        with refused(acting, "22023"):
            acting.execute(CREATE_GUARDIAN, {"organization_id": people.org, "student_id": people.student,
                                             "email": None})
    for persona in ("student", "guardian", "other_org_educator"):
        with testing.as_user(conn, people.users[persona]) as acting, refused(acting):
            acting.execute(CREATE_GUARDIAN, {"organization_id": people.org, "student_id": people.student,
                                             "email": "p@example.com"})


def test_a_guardian_invitation_for_a_student_who_left_cannot_be_accepted(conn, people):
    parent = new_user(conn, "parent")
    token = invite_guardian(conn, people.admin, people.org, people.classmate, email_of(conn, parent))["token"]
    conn.execute("delete from public.organization_members where organization_id = %s and user_id = %s",
                 [people.org, people.classmate])
    with testing.as_user(conn, parent) as acting, refused(acting, "P0002"):
        acting.execute(ACCEPT, {"token": token})
    assert not is_linked(conn, parent, people.classmate)


def test_the_student_cannot_be_their_own_guardian(conn, people):
    token = invite_guardian(conn, people.admin, people.org, people.classmate,
                            email_of(conn, people.classmate))["token"]
    with testing.as_user(conn, people.classmate) as acting, refused(acting, "22023"):
        acting.execute(ACCEPT, {"token": token})


def test_a_link_lapses_when_the_student_leaves_the_only_vouching_organization(conn, people):
    parent = new_user(conn, "parent")
    link_guardian(conn, people.admin, people.org, people.classmate, parent)
    with testing.as_user(conn, people.classmate, commit=True) as acting:
        acting.execute("delete from public.organization_members where organization_id = %s and user_id = %s",
                       [people.org, people.classmate])
    assert not is_linked(conn, parent, people.classmate)
    with testing.as_user(conn, parent) as acting:
        assert child_overview_refused(acting, people.classmate)
        assert victim_reads(acting, people.classmate)["answer_attempts"] == 0


def test_a_link_lapses_when_an_admin_removes_the_student(conn, people):
    with testing.as_user(conn, people.admin, commit=True) as acting:
        acting.execute("delete from public.organization_members where organization_id = %s and user_id = %s",
                       [people.org, people.student])
    assert not is_linked(conn, people.guardian, people.student)


def test_a_link_lapses_when_the_vouching_organization_is_deleted(conn, people):
    with testing.as_service_role(conn, commit=True) as acting:
        acting.execute("delete from public.organizations where id = %s", [people.org])
    assert not is_linked(conn, people.guardian, people.student)


def test_a_link_stays_while_another_organization_vouches(conn, people):
    victim, guardian = people.student, people.guardian
    accept(conn, victim, invite(conn, people.other_org_educator, people.other_org, "student")["token"])
    link_guardian(conn, people.other_org_educator, people.other_org, victim, guardian)
    assert conn.execute("select count(*) as n from public.guardianship_vouches where student_id = %s",
                        [victim]).fetchone()["n"] == 2
    with testing.as_user(conn, victim, commit=True) as acting:
        acting.execute("delete from public.organization_members where organization_id = %s and user_id = %s",
                       [people.org, victim])
    assert is_linked(conn, guardian, victim), "B still vouches"
    with testing.as_user(conn, people.other_org_educator, commit=True) as acting:
        assert acting.execute("delete from public.guardianship_vouches where student_id = %s",
                              [victim]).rowcount == 1
    assert not is_linked(conn, guardian, victim), "no vouch left"


def test_staff_remove_only_their_own_organizations_vouch(conn, people):
    with testing.as_user(conn, people.other_org_educator, commit=True) as acting:
        assert acting.execute("delete from public.guardianship_vouches where student_id = %s",
                              [people.student]).rowcount == 0
    assert is_linked(conn, people.guardian, people.student)
    with testing.as_user(conn, people.educator, commit=True) as acting:
        assert acting.execute("select count(*) as n from public.guardianship_vouches").fetchone()["n"] == 1
        assert acting.execute("delete from public.guardianships").rowcount == 0, "staff end a vouch, not a link"
        assert acting.execute("delete from public.guardianship_vouches").rowcount == 1
    assert not is_linked(conn, people.guardian, people.student)


def test_a_guardian_may_end_their_own_link(conn, people):
    with testing.as_user(conn, people.guardian, commit=True) as acting:
        assert acting.execute("delete from public.guardianships where student_id = %s",
                              [people.student]).rowcount == 1
    assert conn.execute("select count(*) as n from public.guardianship_vouches where guardian_id = %s",
                        [people.guardian]).fetchone()["n"] == 0


# ---------------------------------------------------------------- the student consents to a guardian too
# (moved from tests/test_redteam_findings.py)


@pytest.fixture
def world(conn):
    return persona_data.create_personas(conn)


def test_an_attackers_organization_cannot_make_its_admin_the_guardian_of_a_student_who_joined_it(conn, world):
    """The victim (a student of A) accepts a student invitation to the attacker's organization O; the attacker,
    O's admin, then issues a guardian invitation for the victim to their own email and accepts it: they are now
    the victim's guardian and read the victim's rows of A and of no organization (tutor chats)."""
    victim, attacker = world.classmate, world.outsider_admin
    victim_email, attacker_email = email_of(conn, victim), email_of(conn, attacker)
    chat = conn.execute("insert into public.chat_sessions (user_id, title) values (%s, 'private worries')"
                        " returning id", (victim,)).fetchone()["id"]
    with testing.as_user(conn, attacker, commit=True) as acting:
        outsider_org = acting.execute("select organization_id from public.organization_members"
                                      " where user_id = %s", (attacker,)).fetchone()["organization_id"]
        token = acting.execute("select token from public.create_invitation(%s, 'student', %s)",
                               (outsider_org, victim_email)).fetchone()["token"]
    with testing.as_user(conn, victim, commit=True) as acting:  # consent to a membership, nothing more
        acting.execute("select * from public.accept_invitation(%s)", (token,))
    with testing.as_user(conn, attacker) as acting:
        try:
            with acting.transaction():
                guardian_token = acting.execute(
                    "select token from public.create_guardian_invitation(%s, %s, %s)",
                    (outsider_org, victim, attacker_email)).fetchone()["token"]
                acting.execute("select * from public.accept_invitation(%s)", (guardian_token,))
        except psycopg.Error:
            pass  # refused: the secure outcome
        seen = acting.execute("select id from public.chat_sessions where id = %s", (chat,)).fetchall()
        assert not seen, "the attacker made themselves the victim's guardian and reads their tutor chats"
        overview_refused = False
        try:
            with acting.transaction():
                acting.execute("select public.get_child_overview(%s)", (victim,))
        except psycopg.Error:
            overview_refused = True
        assert overview_refused, "the attacker reads get_child_overview of a learner who never consented"


def test_staff_of_another_organization_read_none_of_a_learners_guardian_actions(conn, world):
    """guardian_actions belong to no organization (a guardian's actions about their child), yet their policy
    admits staff of ANY organization the child is a student of (private.staff_student_ids()): the admin of an
    organization the victim merely joined reads what the victim's parent did and why."""
    ids = persona_data.create_activity(conn, world)  # the student's guardian recorded an action about them
    victim_email = email_of(conn, world.student)
    with testing.as_user(conn, world.outsider_admin, commit=True) as acting:
        outsider_org = acting.execute("select organization_id from public.organization_members"
                                      " where user_id = %s", (world.outsider_admin,)).fetchone()["organization_id"]
        token = acting.execute("select token from public.create_invitation(%s, 'student', %s)",
                               (outsider_org, victim_email)).fetchone()["token"]
    with testing.as_user(conn, world.student, commit=True) as acting:
        acting.execute("select * from public.accept_invitation(%s)", (token,))
    with testing.as_user(conn, world.outsider_admin) as acting:
        seen = acting.execute("select action, details from public.guardian_actions where id = %s",
                              (ids["guardian_action"],)).fetchall()
    assert seen == [], f"the admin of an organization the victim joined reads their guardian's actions: {seen}"


def test_an_educator_cannot_make_themselves_a_students_guardian(conn, world):
    """Staff must read none of a learner's rows of no organization (tutor chats, AI usage, notifications). An
    educator of A issues a guardian invitation for A's student to their OWN email and accepts it: they are the
    student's guardian, with nobody but themselves having consented, and read the student's tutor chats."""
    victim, educator = world.classmate, world.educator
    educator_email = email_of(conn, educator)
    chat = conn.execute("insert into public.chat_sessions (user_id, title) values (%s, 'about home')"
                        " returning id", (victim,)).fetchone()["id"]
    with testing.as_user(conn, educator) as acting:
        try:
            with acting.transaction():
                token = acting.execute("select token from public.create_guardian_invitation(%s, %s, %s)",
                                       (world.org, victim, educator_email)).fetchone()["token"]
                acting.execute("select * from public.accept_invitation(%s)", (token,))
        except psycopg.Error:
            pass  # refused: the secure outcome
        seen = acting.execute("select id from public.chat_sessions where id = %s", (chat,)).fetchall()
    assert not seen, "an educator made themselves the student's guardian and reads their tutor chats"


# ---------------------------------------------------------------- the seed and the demo


def test_the_seeds_guardian_links_are_vouched_for_by_the_students_organization(seeded_conn):
    unvouched = seeded_conn.execute("""
        select count(*) as n from public.guardianships g
        where not exists (
          select from public.guardianship_vouches v
          join public.organization_members m
            on m.organization_id = v.organization_id and m.user_id = v.student_id and m.role = 'student'
          where v.guardian_id = g.guardian_id and v.student_id = g.student_id)""").fetchone()["n"]
    assert unvouched == 0
    assert seeded_conn.execute("select count(*) as n from public.guardianship_vouches").fetchone()["n"] > 0


def test_the_demo_joins_and_links_by_invitation(seeded_conn, settings, capsys):
    from cli.demo_consent import show_consent

    show_consent(seeded_conn, settings)
    shown = capsys.readouterr().out
    assert "accept_invitation" in shown and "refused: 42501" in shown and "refused: P0002" in shown
    assert "confirm_guardian_invitation" in shown and "linked: True" in shown
    assert "A hole" not in shown and "ACCEPTED" not in shown
    nova = seeded_conn.execute("""
        select m.role::text as role, g.guardian_id is not null as linked,
               (select count(*) from public.guardianship_vouches v where v.student_id = p.id) as vouches
        from public.profiles p
        join public.organization_members m on m.user_id = p.id
        left join public.guardianships g on g.student_id = p.id
        where p.nickname = 'Nova'""").fetchone()
    assert nova == {"role": "student", "linked": True, "vouches": 1}
    assert seeded_conn.execute("select count(*) as n from public.invitations").fetchone()["n"] == 0
