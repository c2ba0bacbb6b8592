-- SQL of cli.demo_consent: joining an organization and linking a guardian by invitation (issue 14).
-- The sign-up runs as the owner (Supabase Auth's part); every other step runs as the real user
-- (role authenticated, JWT claims) through the public RPCs.

-- name: staff
-- The seed's Maple Grove admin and one of its educators.
select m.organization_id, o.name as organization,
       max(m.user_id::text) filter (where m.role = 'admin')::uuid as admin,
       max(m.user_id::text) filter (where m.role = 'educator')::uuid as educator
from public.organization_members m
join public.organizations o on o.id = m.organization_id
where o.slug = 'maple-grove'
group by m.organization_id, o.name;

-- name: sign_up
-- A sign-up as Supabase Auth makes it (the trigger creates the profile).
insert into auth.users (id, email, raw_user_meta_data, email_confirmed_at)
values (%(id)s, %(email)s, jsonb_build_object('nickname', %(nickname)s::text, 'time_zone', 'America/Chicago'), now())
returning id;

-- name: create_invitation
-- POST /rpc/create_invitation, as the admin.
select invitation_id, token, expires_at
from public.create_invitation(%(organization_id)s, 'student', %(email)s, interval '7 days');

-- name: join_directly
-- What consent replaces: a membership written by its member (or anyone else). Refused (42501).
insert into public.organization_members (organization_id, user_id, role)
values (%(organization_id)s, (select auth.uid()), 'student');

-- name: accept_invitation
-- POST /rpc/accept_invitation, as the invitee.
select organization_id, role::text as role, student_id from public.accept_invitation(%(token)s);

-- name: create_guardian_invitation
-- POST /rpc/create_guardian_invitation, as an educator of the student's organization.
select invitation_id, token, expires_at
from public.create_guardian_invitation(%(organization_id)s, %(student_id)s, %(email)s, 'parent');

-- name: pending_guardian_invitation
-- The guardian invitations about the student, read as the student (never the token's hash).
select id, invitee_email, relationship, accepted_by is not null as guardian_accepted
from public.invitations
where student_id = (select auth.uid())
order by created_at desc
limit 1;

-- name: confirm_guardian_invitation
-- POST /rpc/confirm_guardian_invitation, as the student: true when the guardian had accepted and the link exists.
select public.confirm_guardian_invitation(%(invitation_id)s) as linked;

-- name: guardian_link
-- The guardian's link and the organizations vouching for it, read as the guardian.
select p.nickname as student, string_agg(o.name, ', ') as vouched_by
from public.guardianships g
join public.profiles p on p.id = g.student_id
left join public.guardianship_vouches v on v.guardian_id = g.guardian_id and v.student_id = g.student_id
left join public.organizations o on o.id = v.organization_id
where g.guardian_id = (select auth.uid())
group by p.nickname;

-- name: child_overview
select nickname, xp, level from public.get_child_overview(%(student_id)s);
