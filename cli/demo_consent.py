"""`learnkit demo` section: membership and guardianship by consent (issue 14).

A learner and a parent sign up. The Maple Grove admin invites the learner, who cannot add
themselves to the roster but accepts the invitation; an educator then invites the parent as the
learner's guardian and the parent accepts; the link exists only once the learner confirms it too
(she reads the invitation about her and confirms): vouched for by Maple Grove, the parent then
reads their child's overview. Every step but the sign-ups runs as the real user through
the public RPCs (row level security and the functions' own checks decide).
"""

import uuid

import psycopg

from cli import output, queries, testing
from cli.settings import Settings


def _query(name: str) -> str:
    return queries.query("demo_consent.sql", name)


def _refusal(acting: psycopg.Connection, name: str, params: dict) -> str:
    """Runs a statement the schema must refuse; returns what the API would answer."""
    try:
        with acting.transaction():
            acting.execute(_query(name), params)
    except psycopg.Error as error:
        return f"refused: {error.sqlstate} {str(error).splitlines()[0]}"
    return "ACCEPTED (a hole: consent is missing)"


def show_consent(conn: psycopg.Connection, settings: Settings) -> None:
    staff = conn.execute(_query("staff")).fetchone()
    if staff is None:
        output.info("Skipping the consent section: the seed's Maple Grove organization is missing.")
        return
    tag = uuid.uuid4().hex[:6]
    learner, parent = uuid.uuid4(), uuid.uuid4()
    learner_email, parent_email = f"nova.{tag}@learners.example", f"nova.{tag}.parent@families.example"
    conn.execute(_query("sign_up"), {"id": learner, "email": learner_email, "nickname": "Nova"})
    conn.execute(_query("sign_up"), {"id": parent, "email": parent_email, "nickname": "Nova's mum"})
    organization = {"organization_id": staff["organization_id"]}
    steps: list[list[str]] = []

    with testing.as_user(conn, staff["admin"], commit=True) as acting:
        invitation = acting.execute(_query("create_invitation"), {**organization, "email": learner_email}).fetchone()
    steps.append(["admin", f"create_invitation(student, {learner_email})",
                  f"token shown once, expires {invitation['expires_at']:%Y-%m-%d}"])
    with testing.as_user(conn, learner, commit=True) as acting:
        steps.append(["Nova", "insert into organization_members (herself)",
                      _refusal(acting, "join_directly", organization)])
        joined = acting.execute(_query("accept_invitation"), {"token": invitation["token"]}).fetchone()
    steps.append(["Nova", "accept_invitation(token)", f"member of {staff['organization']} as {joined['role']}"])
    with testing.as_user(conn, parent, commit=True) as acting:
        steps.append(["Nova's mum", "accept_invitation(the same token)",
                      _refusal(acting, "accept_invitation", {"token": invitation["token"]})])
    with testing.as_user(conn, staff["educator"], commit=True) as acting:
        guardian_invitation = acting.execute(_query("create_guardian_invitation"), {
            **organization, "student_id": learner, "email": parent_email}).fetchone()
    steps.append(["educator", f"create_guardian_invitation(Nova, {parent_email})", "token shown once"])
    with testing.as_user(conn, parent, commit=True) as acting:
        steps.append(["Nova's mum", "get_child_overview(Nova) before accepting",
                      _refusal(acting, "child_overview", {"student_id": learner})])
        acting.execute(_query("accept_invitation"), {"token": guardian_invitation["token"]})
        steps.append(["Nova's mum", "accept_invitation(token), then get_child_overview(Nova)",
                      _refusal(acting, "child_overview", {"student_id": learner}) + " (Nova has not confirmed)"])
    with testing.as_user(conn, learner, commit=True) as acting:
        pending = acting.execute(_query("pending_guardian_invitation")).fetchone()
        steps.append(["Nova", "select from invitations (about her)",
                      f"{pending['invitee_email']} as her {pending['relationship']}, "
                      f"accepted by them: {pending['guardian_accepted']}"])
        confirmed = acting.execute(_query("confirm_guardian_invitation"), {"invitation_id": pending["id"]}).fetchone()
    steps.append(["Nova", "confirm_guardian_invitation(id)", f"linked: {confirmed['linked']}"])
    with testing.as_user(conn, parent, commit=True) as acting:
        link = acting.execute(_query("guardian_link")).fetchone()
        overview = acting.execute(_query("child_overview"), {"student_id": learner}).fetchone()
    steps.append(["Nova's mum", "select from guardianships",
                  f"guardian of {link['student']}, vouched for by {link['vouched_by']}"])
    steps.append(["Nova's mum", "get_child_overview(Nova)",
                  f"{overview['nickname']}: {overview['xp']} XP, level {overview['level']}"])
    output.table("Membership and guardianship by consent (invitations), as the real users",
                 ["As", "Request", "Outcome"], steps)
