-- create invitations
--
-- Issue 14, item 1: membership by consent, after basejump's invitations.
-- Until now an admin could insert any user id into organization_members, and
-- any signed-in user can found an organization (becoming its admin): a
-- student could make a victim "their" student or child and read the
-- victim's profile, tutor chats and answers.
--
-- Now a membership (or a guardian link, 20261202100000) exists only through
-- an invitation its invitee accepts:
--   public.create_invitation(organization_id, role, invitee_email, expires_in)
--     admins invite any role, educators students and parents;
--   public.create_guardian_invitation(organization_id, student_id, invitee_email, ...)
--     staff of an organization the student belongs to (as a student) invite a
--     guardian for that student; the email is required;
--   public.accept_invitation(token) / public.decline_invitation(token).
-- Both create functions return the token once; only its sha256 is stored. A
-- token is single-use (accepting or declining deletes the invitation),
-- expires (1 hour to 30 days, 7 days by default), and, when issued to an
-- email, is accepted or declined only by the account with that email.
-- Invitations die with their issuer's authority and with their student's
-- membership. Nothing is left by a declined, revoked or expired invitation.
--
-- Destructive: authenticated loses the insert privilege on
-- organization_members; admins change roles only among staff (admin,
-- educator), so no role change puts anyone under staff authority without
-- their consent; an organization's creator reads it only while a member
-- (and in the transaction that creates it, for insert ... returning).

-- ---------------------------------------------------------------- invitations
create table public.invitations (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  role public.organization_role not null,
  student_id uuid references public.profiles (id) on delete cascade,
  relationship text check (relationship in ('parent', 'guardian', 'relative', 'other')),
  invitee_email text check (char_length(invitee_email) <= 320 and invitee_email = lower(invitee_email)),
  token_hash bytea not null unique check (octet_length(token_hash) = 32),
  invited_by uuid not null references public.profiles (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  check ((student_id is null) = (relationship is null)),
  check (student_id is null or (role = 'parent' and invitee_email is not null))
);
create index invitations_organization_id_idx on public.invitations (organization_id, role);
create index invitations_invited_by_idx on public.invitations (invited_by);
create index invitations_student_id_idx on public.invitations (student_id);

alter table public.invitations enable row level security;
comment on table public.invitations is
  'Pending invitations to join an organization in a role, or to become a student''s guardian (student_id). '
  'Created and accepted only through public.create_invitation, public.create_guardian_invitation and '
  'public.accept_invitation; the token is shown once and stored as its sha256.';
comment on column public.invitations.token_hash is 'sha256 of the token; readable by no API role.';

revoke all on table public.invitations from anon, authenticated;
grant select (id, organization_id, role, student_id, relationship, invitee_email, invited_by, created_at, expires_at)
  on table public.invitations to authenticated;
grant delete on table public.invitations to authenticated;
grant all on table public.invitations to service_role;

-- ---------------------------------------------------------------- triggers
-- An invitation dies with its issuer's authority (they left, or an admin
-- became an educator) and with its student's membership.
create function private.trigger_drop_orphaned_invitations() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'DELETE' or new.role <> old.role then
    delete from public.invitations i
    where i.organization_id = old.organization_id
      and (i.invited_by = old.user_id or i.student_id = old.user_id);
  end if;
  return null;
end
$$;
comment on function private.trigger_drop_orphaned_invitations() is
  'After a membership ends or changes role: deletes the invitations that member issued, or that name them '
  'as the student, in that organization.';
create trigger organization_members_drop_orphaned_invitations
  after update of role or delete on public.organization_members
  for each row execute function private.trigger_drop_orphaned_invitations();
revoke execute on function private.trigger_drop_orphaned_invitations() from public;

-- ---------------------------------------------------------------- memberships: consent only
revoke insert on table public.organization_members from authenticated;
drop policy "Admins can add members to their organizations" on public.organization_members;
drop policy "Admins can change members' roles in their organizations" on public.organization_members;
drop policy "Members and creators can read their organizations" on public.organizations;

-- ---------------------------------------------------------------- policies
-- supabase/policies/organizations.sql
create policy "Members can read their organizations and creators the one they just created"
  on public.organizations for select to authenticated
  using (
    id in (select private.member_org_ids())
    or (created_by = (select private.uid()) and created_at = (select now())));

-- supabase/policies/organization_members.sql
create policy "Admins can change staff roles in their organizations"
  on public.organization_members for update to authenticated
  using (organization_id in (select private.admin_org_ids()) and role in ('admin', 'educator'))
  with check (organization_id in (select private.admin_org_ids()) and role in ('admin', 'educator'));

-- supabase/policies/invitations.sql
create policy "Admins and issuers can read their organizations' invitations"
  on public.invitations for select to authenticated
  using (
    invited_by = (select private.uid())
    or organization_id in (select private.admin_org_ids()));

create policy "Admins and issuers can revoke their organizations' invitations"
  on public.invitations for delete to authenticated
  using (
    invited_by = (select private.uid())
    or organization_id in (select private.admin_org_ids()));

-- ---------------------------------------------------------------- functions
create function private.create_invitation(
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
comment on function private.create_invitation(uuid, public.organization_role, uuid, text, text, interval) is
  'The body of public.create_invitation() and public.create_guardian_invitation(): checks the caller''s role '
  'in the organization, stores the token''s sha256 and returns the token once.';

create function private.find_invitation(token text) returns public.invitations
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  invitation public.invitations;
  caller_email text;
begin
  if char_length(token) > 128 then
    raise exception using errcode = '22001', message = 'token is longer than 128 characters';
  end if;
  select * into invitation from public.invitations i
  where i.token_hash = sha256(convert_to(coalesce(token, ''), 'UTF8'))
  for update;
  if not found then
    raise exception using
      errcode = 'P0002',
      message = 'no such invitation: it was used, declined, revoked or never existed';
  end if;
  if invitation.invitee_email is not null then
    select lower(u.email) into caller_email from auth.users u where u.id = auth.uid();
    if caller_email is distinct from invitation.invitee_email then
      raise exception using
        errcode = '42501',
        message = 'this invitation was issued to another email address';
    end if;
  end if;
  return invitation;
end
$$;
comment on function private.find_invitation(text) is
  'The invitation a token opens, locked, if the caller may answer it (the invitee''s email, when set); '
  'P0002 or 42501 otherwise.';

create function private.accept_invitation(token text)
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
  else
    if caller = invitation.student_id then
      raise exception using errcode = '22023', message = 'a student cannot become their own guardian';
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
    values (invitation.organization_id, caller, 'parent', invitation.invited_by)
    on conflict on constraint organization_members_pkey do nothing;
    insert into public.guardianships as g (guardian_id, student_id, relationship, created_by)
    values (caller, invitation.student_id, invitation.relationship, invitation.invited_by)
    on conflict on constraint guardianships_guardian_id_student_id_key do nothing;
    insert into public.guardianship_vouches as v (guardian_id, student_id, organization_id, vouched_by)
    values (caller, invitation.student_id, invitation.organization_id, invitation.invited_by)
    on conflict on constraint guardianship_vouches_pkey do nothing;
  end if;
  delete from public.invitations i where i.id = invitation.id;
  return query select invitation.organization_id, invitation.role, invitation.student_id;
end
$$;
comment on function private.accept_invitation(text) is
  'The body of public.accept_invitation(): re-checks the invitation (expiry, invitee email, issuer''s '
  'authority, the student''s membership), adds the membership or the guardian link and its vouch, and '
  'deletes the invitation.';

create function private.decline_invitation(token text) returns void
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
  invitation public.invitations := private.find_invitation(token);
begin
  delete from public.invitations i where i.id = invitation.id;
end
$$;
comment on function private.decline_invitation(text) is
  'The body of public.decline_invitation(): deletes the invitation if the caller may answer it.';

revoke execute on function
  private.create_invitation(uuid, public.organization_role, uuid, text, text, interval),
  private.find_invitation(text), private.accept_invitation(text), private.decline_invitation(text)
from public;
-- find_invitation runs only inside the other bodies (as their owner): no grant.
grant execute on function
  private.create_invitation(uuid, public.organization_role, uuid, text, text, interval),
  private.accept_invitation(text), private.decline_invitation(text)
to authenticated, service_role;

-- ---------------------------------------------------------------- the API
-- security invoker wrappers PostgREST serves at /rpc/<name>; the checks are
-- in their private bodies.
create function public.create_invitation(
  organization_id uuid, role public.organization_role, invitee_email text default null,
  expires_in interval default interval '7 days'
) returns table (invitation_id uuid, token text, expires_at timestamptz)
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from private.create_invitation(
    create_invitation.organization_id, create_invitation.role, null, null, create_invitation.invitee_email,
    create_invitation.expires_in)
$$;
comment on function public.create_invitation(uuid, public.organization_role, text, interval) is
  'Invites someone to join the organization in `role`: admins invite any role, educators students and parents. '
  'Returns the token once (single use, expires after `expires_in`, 1 hour to 30 days); with `invitee_email` '
  'only that account can accept it. 42501 for callers who may not invite that role, 22023/22001 for bad input.';

create function public.create_guardian_invitation(
  organization_id uuid, student_id uuid, invitee_email text, relationship text default 'parent',
  expires_in interval default interval '7 days'
) returns table (invitation_id uuid, token text, expires_at timestamptz)
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from private.create_invitation(
    create_guardian_invitation.organization_id, 'parent', create_guardian_invitation.student_id,
    create_guardian_invitation.relationship, create_guardian_invitation.invitee_email,
    create_guardian_invitation.expires_in)
$$;
comment on function public.create_guardian_invitation(uuid, uuid, text, text, interval) is
  'Staff of an organization where `student_id` is a student invite the account with `invitee_email` to become '
  'the student''s guardian, vouched for by the organization. Returns the token once.';

create function public.accept_invitation(token text)
returns table (organization_id uuid, role public.organization_role, student_id uuid)
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from private.accept_invitation(accept_invitation.token)
$$;
comment on function public.accept_invitation(text) is
  'Accepts an invitation: joins its organization in its role, or, for a guardian invitation, becomes the '
  'student''s guardian (and a parent member). P0002 for an unknown or used token, 22023 once expired, 42501 '
  'when it was issued to another email.';

create function public.decline_invitation(token text) returns void
language sql
volatile
security invoker
set search_path = ''
as $$
  select private.decline_invitation(decline_invitation.token)
$$;
comment on function public.decline_invitation(text) is
  'Declines an invitation: it is deleted and its token no longer works.';

revoke execute on function
  public.create_invitation(uuid, public.organization_role, text, interval),
  public.create_guardian_invitation(uuid, uuid, text, text, interval),
  public.accept_invitation(text), public.decline_invitation(text)
from public;
grant execute on function
  public.create_invitation(uuid, public.organization_role, text, interval),
  public.create_guardian_invitation(uuid, uuid, text, text, interval),
  public.accept_invitation(text), public.decline_invitation(text)
to authenticated, service_role;
