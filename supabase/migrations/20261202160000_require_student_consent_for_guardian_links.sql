-- require student consent for guardian links
--
-- Issue 14, item 2 (red-team findings): a guardian link needed only the
-- consent of the guardian. Staff of any organization a learner joined could
-- invite themselves (or an accomplice) as the learner's guardian, accept, and
-- read the learner's chats and activity everywhere; the learner had consented
-- to a membership, never to a guardian.
--
-- Now a guardian invitation becomes a link only when BOTH have consented, in
-- either order:
--   the invited guardian accepts it with its token (public.accept_invitation:
--     recorded in accepted_by / accepted_at while the student has not yet
--     confirmed), and
--   the student confirms it (public.confirm_guardian_invitation(id)); the
--     student reads the guardian invitations about them (never the token's
--     hash) and may decline one (public.decline_guardian_invitation(id)).
-- Until both, there is no row in public.guardianships, no vouch and no parent
-- membership. The link is made only while the invitation is unexpired and
-- its issuer may still invite; declining (either side), revoking, expiry or
-- the student leaving leave nothing.
-- Staff may not invite themselves as a student's guardian (42501, at creation
-- by email and at acceptance by account): another staff member must invite
-- them, and the student must confirm.
--
-- Also scoped: staff read only the guardian links their own organization
-- vouches for (was: links of a student of any organization they staff), and
-- guardian_actions, rows of no organization, are read only by the acting
-- guardian and the student (was: also staff of any organization the student
-- is a student of).
--
-- Destructive: a pending guardian invitation accepted by its guardian before
-- this migration already made its link; nothing is rewritten.

-- ---------------------------------------------------------------- invitations: the two consents
alter table public.invitations
  add column accepted_by uuid references public.profiles (id) on delete cascade,
  add column accepted_at timestamptz,
  add column student_confirmed_at timestamptz,
  add constraint invitations_consents_only_for_guardian_invitations check (
    student_id is not null or (accepted_by is null and accepted_at is null and student_confirmed_at is null)),
  add constraint invitations_accepted_by_and_at_together check ((accepted_by is null) = (accepted_at is null));
create index invitations_accepted_by_idx on public.invitations (accepted_by);

comment on column public.invitations.accepted_by is
  'A guardian invitation: the invited guardian, once they accepted it while the student has not yet confirmed.';
comment on column public.invitations.accepted_at is 'When accepted_by accepted.';
comment on column public.invitations.student_confirmed_at is
  'A guardian invitation: when the student confirmed it, while the guardian has not yet accepted.';

grant select (accepted_by, accepted_at, student_confirmed_at) on table public.invitations to authenticated;

-- ---------------------------------------------------------------- policies
-- supabase/policies/invitations.sql
drop policy "Admins and issuers can read their organizations' invitations" on public.invitations;
create policy "Admins, issuers, the student and the accepting guardian can read invitations"
  on public.invitations for select to authenticated
  using (
    invited_by = (select private.uid())
    or student_id = (select private.uid())
    or accepted_by = (select private.uid())
    or organization_id in (select private.admin_org_ids()));

-- supabase/policies/guardianships.sql
drop policy "Guardians, students and staff can read their guardianships" on public.guardianships;
create policy "Guardians, students and vouching staff can read guardianships"
  on public.guardianships for select to authenticated
  using (
    (select private.uid()) in (guardian_id, student_id)
    or (guardian_id, student_id) in (
      select v.guardian_id, v.student_id from public.guardianship_vouches as v
      where v.organization_id in (select private.staff_org_ids())));

-- supabase/policies/guardian_actions.sql
drop policy "Guardians, students and staff can read guardian actions" on public.guardian_actions;
create policy "Guardians and students can read guardian actions"
  on public.guardian_actions for select to authenticated
  using ((select private.uid()) in (guardian_id, student_id));

-- ---------------------------------------------------------------- functions
-- The body of both create RPCs, as in 20261202100100, plus: staff do not
-- invite themselves as a student's guardian.
create or replace function private.create_invitation(
  target_organization uuid, invited_role public.organization_role, target_student uuid, relation text,
  email text, lifetime interval
) returns table (invitation_id uuid, token text, expires_at timestamptz)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  caller_role public.organization_role;
  normalized_email text := lower(btrim(email));
  new_token text := replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
  pending integer;
begin
  -- Input bounds first: whoever calls, an oversized argument is refused as such.
  if char_length(email) > 320 then
    raise exception using errcode = '22001', message = 'invitee_email is longer than 320 characters';
  end if;
  if char_length(relation) > 20 then
    raise exception using errcode = '22001', message = 'relationship is longer than 20 characters';
  end if;
  if relation not in ('parent', 'guardian', 'relative', 'other') then
    raise exception using
      errcode = '22023',
      message = format('unknown relationship %L', relation),
      hint = 'One of parent, guardian, relative, other.';
  end if;
  select m.role into caller_role
  from public.organization_members m
  where m.organization_id = target_organization and m.user_id = caller;
  if caller is null or caller_role is null or caller_role not in ('admin', 'educator') then
    raise exception using
      errcode = '42501',
      message = 'only the organization''s admins and educators can invite',
      hint = 'Ask an admin of the organization.';
  end if;
  if invited_role in ('admin', 'educator') and caller_role <> 'admin' then
    raise exception using
      errcode = '42501',
      message = format('only admins can invite an %s', invited_role),
      hint = 'Educators invite students and parents.';
  end if;
  if normalized_email !~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' then
    raise exception using errcode = '22023', message = format('%L is not an email address', email);
  end if;
  if lifetime is null or lifetime < interval '1 hour' or lifetime > interval '30 days' then
    raise exception using
      errcode = '22023',
      message = 'expires_in must be between 1 hour and 30 days';
  end if;
  if target_student is not null then
    if normalized_email is null then
      raise exception using
        errcode = '22023',
        message = 'a guardian invitation needs the guardian''s email',
        hint = 'Only the account with that email can accept it.';
    end if;
    if exists (select from auth.users u where u.id = caller and lower(u.email) = normalized_email) then
      raise exception using
        errcode = '42501',
        message = 'staff cannot invite themselves as a student''s guardian',
        hint = 'Another staff member of the organization can invite you; the student confirms.';
    end if;
    if not exists (
      select from public.organization_members m
      where m.organization_id = target_organization and m.user_id = target_student and m.role = 'student'
    ) then
      raise exception using
        errcode = '22023',
        message = format('%s is not a student of this organization', target_student);
    end if;
  end if;
  select count(*) into pending from public.invitations i
  where i.organization_id = target_organization and i.expires_at > now();
  if pending >= 500 then
    raise exception using
      errcode = '54000',
      message = 'this organization already has 500 pending invitations',
      hint = 'Revoke unused invitations (public.invitations) first.';
  end if;
  -- Expired invitations of the organization leave nothing behind.
  delete from public.invitations i where i.organization_id = target_organization and i.expires_at <= now();
  return query
    insert into public.invitations as i
      (organization_id, role, student_id, relationship, invitee_email, token_hash, invited_by, expires_at)
    values (target_organization, invited_role, target_student, relation, normalized_email,
            sha256(convert_to(new_token, 'UTF8')), caller, now() + lifetime)
    returning i.id, new_token, i.expires_at;
end
$$;

-- Makes the link of a guardian invitation both sides consented to: re-checks
-- that it is unexpired, that its issuer may still invite and that the student
-- is still a student of the organization, then adds the guardian's parent
-- membership, the link and the organization's vouch, and deletes the
-- invitation. Callers hold the invitation's row lock.
create function private.link_guardian(invitation public.invitations, guardian uuid) returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
begin
  if invitation.expires_at <= now() then
    raise exception using
      errcode = '22023',
      message = 'this invitation has expired',
      hint = 'Ask the organization for a new one.';
  end if;
  if not exists (
    select from public.organization_members m
    where m.organization_id = invitation.organization_id and m.user_id = invitation.invited_by
      and m.role in ('admin', 'educator')
  ) then
    raise exception using
      errcode = '42501',
      message = 'this invitation is no longer valid: its issuer may no longer invite';
  end if;
  if not exists (
    select from public.organization_members m
    where m.organization_id = invitation.organization_id and m.user_id = invitation.student_id
      and m.role = 'student'
  ) then
    raise exception using
      errcode = '42501',
      message = 'this invitation is no longer valid: the student left the organization';
  end if;
  insert into public.organization_members as m (organization_id, user_id, role, invited_by)
  values (invitation.organization_id, guardian, 'parent', invitation.invited_by)
  on conflict on constraint organization_members_pkey do nothing;
  insert into public.guardianships as g (guardian_id, student_id, relationship, created_by)
  values (guardian, invitation.student_id, invitation.relationship, invitation.invited_by)
  on conflict on constraint guardianships_guardian_id_student_id_key do nothing;
  insert into public.guardianship_vouches as v (guardian_id, student_id, organization_id, vouched_by)
  values (guardian, invitation.student_id, invitation.organization_id, invitation.invited_by)
  on conflict on constraint guardianship_vouches_pkey do nothing;
  delete from public.invitations i where i.id = invitation.id;
end
$$;
comment on function private.link_guardian(public.invitations, uuid) is
  'Makes the guardian link of an invitation its guardian accepted and its student confirmed (re-checking '
  'expiry, the issuer''s authority and the student''s membership), with its vouch and the guardian''s parent '
  'membership; deletes the invitation.';

create or replace function private.accept_invitation(token text)
returns table (organization_id uuid, role public.organization_role, student_id uuid)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  invitation public.invitations := private.find_invitation(token);
  member_added integer;
begin
  if invitation.expires_at <= now() then
    raise exception using
      errcode = '22023',
      message = 'this invitation has expired',
      hint = 'Ask the organization for a new one.';
  end if;
  if not exists (
    select from public.organization_members m
    where m.organization_id = invitation.organization_id and m.user_id = invitation.invited_by
      and (m.role = 'admin' or (m.role = 'educator' and invitation.role in ('student', 'parent')))
  ) then
    raise exception using
      errcode = '42501',
      message = 'this invitation is no longer valid: its issuer may no longer invite';
  end if;
  if invitation.student_id is null then
    insert into public.organization_members as m (organization_id, user_id, role, invited_by)
    values (invitation.organization_id, caller, invitation.role, invitation.invited_by)
    on conflict on constraint organization_members_pkey do nothing;
    get diagnostics member_added = row_count;
    if member_added = 0 then
      raise exception using
        errcode = '22023',
        message = 'you are already a member of this organization',
        hint = 'An admin can change a staff member''s role; otherwise leave and accept a new invitation.';
    end if;
    delete from public.invitations i where i.id = invitation.id;
  else
    if caller = invitation.student_id then
      raise exception using errcode = '22023', message = 'a student cannot become their own guardian';
    end if;
    if caller = invitation.invited_by then
      raise exception using
        errcode = '42501',
        message = 'staff cannot accept their own guardian invitation',
        hint = 'Another staff member of the organization can invite you; the student confirms.';
    end if;
    if invitation.accepted_by is not null then
      raise exception using
        errcode = '22023',
        message = 'this guardian invitation was already accepted; it awaits the student''s confirmation';
    end if;
    if not exists (
      select from public.organization_members m
      where m.organization_id = invitation.organization_id and m.user_id = invitation.student_id
        and m.role = 'student'
    ) then
      raise exception using
        errcode = '42501',
        message = 'this invitation is no longer valid: the student left the organization';
    end if;
    if invitation.student_confirmed_at is null then
      update public.invitations as i set accepted_by = caller, accepted_at = now() where i.id = invitation.id;
    else
      perform private.link_guardian(invitation, caller);
    end if;
  end if;
  return query select invitation.organization_id, invitation.role, invitation.student_id;
end
$$;
comment on function private.accept_invitation(text) is
  'The body of public.accept_invitation(): re-checks the invitation (expiry, invitee email, issuer''s '
  'authority, the student''s membership) and adds the membership; a guardian invitation becomes the link (and '
  'its vouch) only once the student confirmed it too, else the acceptance is recorded.';

create function private.find_guardian_invitation_for_student(invitation_id uuid) returns public.invitations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  invitation public.invitations;
begin
  select * into invitation from public.invitations i
  where i.id = invitation_id and i.student_id = auth.uid()
  for update;
  if not found then
    raise exception using
      errcode = 'P0002',
      message = 'no such guardian invitation about you: it was used, declined, revoked or never existed';
  end if;
  return invitation;
end
$$;
comment on function private.find_guardian_invitation_for_student(uuid) is
  'The guardian invitation `invitation_id` about the caller, locked; P0002 for any other.';

create function private.confirm_guardian_invitation(invitation_id uuid) returns boolean
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  invitation public.invitations := private.find_guardian_invitation_for_student(invitation_id);
begin
  if invitation.expires_at <= now() then
    raise exception using
      errcode = '22023',
      message = 'this invitation has expired',
      hint = 'Ask the organization for a new one.';
  end if;
  if invitation.accepted_by is null then
    update public.invitations as i set student_confirmed_at = coalesce(i.student_confirmed_at, now())
    where i.id = invitation.id;
    return false;
  end if;
  perform private.link_guardian(invitation, invitation.accepted_by);
  return true;
end
$$;
comment on function private.confirm_guardian_invitation(uuid) is
  'The body of public.confirm_guardian_invitation(): the student concerned confirms; makes the link when the '
  'guardian already accepted (true), else records the confirmation (false).';

create function private.decline_guardian_invitation(invitation_id uuid) returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  invitation public.invitations := private.find_guardian_invitation_for_student(invitation_id);
begin
  delete from public.invitations i where i.id = invitation.id;
end
$$;
comment on function private.decline_guardian_invitation(uuid) is
  'The body of public.decline_guardian_invitation(): the student concerned declines; the invitation is deleted.';

revoke execute on function
  private.link_guardian(public.invitations, uuid), private.find_guardian_invitation_for_student(uuid),
  private.confirm_guardian_invitation(uuid), private.decline_guardian_invitation(uuid)
from public;
-- link_guardian and find_guardian_invitation_for_student run only inside the
-- other bodies (as their owner): no grant.
grant execute on function private.confirm_guardian_invitation(uuid), private.decline_guardian_invitation(uuid)
to authenticated, service_role;

-- ---------------------------------------------------------------- the API
comment on function public.accept_invitation(text) is
  'Accepts an invitation: joins its organization in its role. For a guardian invitation, the caller becomes the '
  'student''s guardian (and a parent member) once the student has confirmed it too '
  '(public.confirm_guardian_invitation), in either order. P0002 for an unknown or used token, 22023 once expired '
  'or already accepted, 42501 when it was issued to another email or by the caller.';
comment on function public.create_guardian_invitation(uuid, uuid, text, text, interval) is
  'Staff of an organization where `student_id` is a student invite the account with `invitee_email` (never '
  'their own: 42501) to become the student''s guardian, vouched for by the organization. Returns the token once. '
  'The link exists once the guardian accepted and the student confirmed (public.confirm_guardian_invitation).';

create function public.confirm_guardian_invitation(invitation_id uuid) returns boolean
language sql
volatile
security invoker
set search_path = ''
as $$
  select private.confirm_guardian_invitation(confirm_guardian_invitation.invitation_id)
$$;
comment on function public.confirm_guardian_invitation(uuid) is
  'The student a guardian invitation names (they read it in public.invitations) consents to it: true when the '
  'guardian had already accepted and the link now exists, false when it waits for the guardian. P0002 for an '
  'invitation that is not about the caller, 22023 once expired.';

create function public.decline_guardian_invitation(invitation_id uuid) returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select private.decline_guardian_invitation(decline_guardian_invitation.invitation_id)
$$;
comment on function public.decline_guardian_invitation(uuid) is
  'The student a guardian invitation names declines it: it is deleted, whether or not the guardian accepted.';

revoke execute on function
  public.confirm_guardian_invitation(uuid), public.decline_guardian_invitation(uuid)
from public;
grant execute on function
  public.confirm_guardian_invitation(uuid), public.decline_guardian_invitation(uuid)
to authenticated, service_role;
