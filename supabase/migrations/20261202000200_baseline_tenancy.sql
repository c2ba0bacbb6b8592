-- baseline: tenancy
--
-- learnkit 0.1.0's baseline for this domain: identical to supabase/schemas/02_tenancy.sql when 0.1.0 was cut
-- (the 97 migrations before it were squashed; no database depended on them, see CHANGELOG.md).
-- Never edit it: change the declared file, then `learnkit db diff -f <name>` writes the next migration.

-- Tenancy: organizations, their members and roles, guardians and the organizations that vouch for them, and
-- the invitations that are the only way in (nobody gains power over another person without that person's
-- consent: docs/security.md). The RLS helpers here answer "who may see whose rows"; staff authority is
-- always checked against the row's own organization (private.staff_learner_pairs / staff_member_pairs).
-- Policies: supabase/policies/organizations.sql, organization_members.sql, guardianships.sql,
-- guardian_actions.sql, guardianship_vouches.sql, invitations.sql.

-- ======================================================================
-- types
-- ======================================================================

create type public.organization_kind as enum ('microschool', 'school', 'homeschool_group', 'tutoring_centre');

create type public.subscription_tier as enum ('starter', 'professional', 'enterprise');

create type public.organization_role as enum ('admin', 'educator', 'student', 'parent');
comment on type public.organization_role is
  'admin and educator are staff: they read their organization''s students; parent is a guardian''s membership.';

-- ======================================================================
-- tables
-- ======================================================================

create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 2 and 200),
  slug text unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  kind public.organization_kind not null,
  subscription_tier public.subscription_tier not null default 'starter',
  max_students integer not null default 25 check (max_students > 0),
  billing_email text check (billing_email ~ '^[^@\s]+@[^@\s]+$'),
  settings jsonb not null default '{}' check (jsonb_typeof(settings) = 'object'),
  is_active boolean not null default true,
  trial_ends_at timestamptz,
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.organizations enable row level security;
comment on table public.organizations is
  'A tenant: microschool, school, homeschool group or tutoring centre. Billing columns '
  '(subscription_tier, max_students, is_active, trial_ends_at) are server-owned.';
revoke all on table public.organizations from anon, authenticated;
grant select on table public.organizations to authenticated;
grant insert (name, slug, kind, billing_email, settings) on table public.organizations to authenticated;
grant update (name, slug, kind, billing_email, settings) on table public.organizations to authenticated;
grant all on table public.organizations to service_role;
create index organizations_created_by_idx on public.organizations (created_by);

create table public.organization_members (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role public.organization_role not null,
  permissions jsonb not null default '{}' check (jsonb_typeof(permissions) = 'object'),
  invited_by uuid default auth.uid() references public.profiles (id) on delete set null,
  joined_at timestamptz not null default now(),
  primary key (organization_id, user_id)
);
alter table public.organization_members enable row level security;
comment on table public.organization_members is
  'Who belongs to which organization, as admin, educator, student or parent.';
revoke all on table public.organization_members from anon, authenticated;
grant select, delete on table public.organization_members to authenticated;
grant insert (organization_id, user_id, role, permissions) on table public.organization_members to authenticated;
grant update (role, permissions) on table public.organization_members to authenticated;
grant all on table public.organization_members to service_role;
revoke insert on table public.organization_members from authenticated;
create index organization_members_user_id_idx on public.organization_members (user_id, role);
create index organization_members_role_idx on public.organization_members (organization_id, role);
create index organization_members_invited_by_idx on public.organization_members (invited_by);

create table public.guardianships (
  id uuid primary key default gen_random_uuid(),
  guardian_id uuid not null references public.profiles (id) on delete cascade,
  student_id uuid not null references public.profiles (id) on delete cascade,
  relationship text not null default 'parent' check (relationship in ('parent', 'guardian', 'relative', 'other')),
  created_by uuid default auth.uid() references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  unique (guardian_id, student_id),
  check (guardian_id <> student_id)
);
alter table public.guardianships enable row level security;
comment on table public.guardianships is
  'A parent or guardian linked to a student: the guardian reads (never writes) the student''s activity.';
revoke all on table public.guardianships from anon, authenticated;
grant select, delete on table public.guardianships to authenticated;
grant insert (guardian_id, student_id, relationship) on table public.guardianships to authenticated;
grant all on table public.guardianships to service_role;
revoke insert on table public.guardianships from authenticated;
create index guardianships_student_id_idx on public.guardianships (student_id);
create index guardianships_created_by_idx on public.guardianships (created_by);

create table public.guardian_actions (
  id uuid primary key default gen_random_uuid(),
  guardian_id uuid not null default auth.uid() references public.profiles (id) on delete cascade,
  student_id uuid not null references public.profiles (id) on delete cascade,
  action text not null check (action ~ '^[a-z][a-z_]{1,49}$'),
  target_table text check (char_length(target_table) <= 63),
  target_id uuid,
  reason text check (char_length(reason) <= 2000),
  details jsonb not null default '{}' check (jsonb_typeof(details) = 'object'),
  created_at timestamptz not null default now()
);
alter table public.guardian_actions enable row level security;
comment on table public.guardian_actions is
  'Append-only audit log of guardian actions (Pathfinity''s parent_override_audit): '
  'override_skill, unlock_content, change_setting, view_report, ...';
revoke all on table public.guardian_actions from anon, authenticated;
grant select on table public.guardian_actions to authenticated;
grant insert (student_id, action, target_table, target_id, reason, details)
  on table public.guardian_actions to authenticated;
grant all on table public.guardian_actions to service_role;
create index guardian_actions_student_id_idx on public.guardian_actions (student_id, created_at desc);
create index guardian_actions_guardian_id_idx on public.guardian_actions (guardian_id, created_at desc);

create table public.guardianship_vouches (
  guardian_id uuid not null,
  student_id uuid not null,
  organization_id uuid not null references public.organizations (id) on delete cascade,
  vouched_by uuid references public.profiles (id) on delete set null,
  created_at timestamptz not null default now(),
  primary key (guardian_id, student_id, organization_id),
  foreign key (guardian_id, student_id)
    references public.guardianships (guardian_id, student_id) on delete cascade
);
alter table public.guardianship_vouches enable row level security;
comment on table public.guardianship_vouches is
  'The organizations vouching for a guardian link: written when the guardian accepts an invitation issued '
  'by staff of an organization the student belongs to; the link lapses with its last vouch.';
comment on column public.guardianship_vouches.vouched_by is 'The staff member who issued the accepted invitation.';
revoke all on table public.guardianship_vouches from anon, authenticated;
grant select, delete on table public.guardianship_vouches to authenticated;
grant all on table public.guardianship_vouches to service_role;
create index guardianship_vouches_student_id_idx on public.guardianship_vouches (student_id, organization_id);
create index guardianship_vouches_organization_id_idx on public.guardianship_vouches (organization_id);
create index guardianship_vouches_vouched_by_idx on public.guardianship_vouches (vouched_by);

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
  accepted_by uuid references public.profiles (id) on delete cascade,
  accepted_at timestamptz,
  student_confirmed_at timestamptz,
  check ((student_id is null) = (relationship is null)),
  check (student_id is null or (role = 'parent' and invitee_email is not null)),
  constraint invitations_consents_only_for_guardian_invitations check (
    student_id is not null or (accepted_by is null and accepted_at is null and student_confirmed_at is null)),
  constraint invitations_accepted_by_and_at_together check ((accepted_by is null) = (accepted_at is null))
);
alter table public.invitations enable row level security;
comment on table public.invitations is
  'Pending invitations to join an organization in a role, or to become a student''s guardian (student_id). '
  'Created and accepted only through public.create_invitation, public.create_guardian_invitation and '
  'public.accept_invitation; the token is shown once and stored as its sha256.';
comment on column public.invitations.token_hash is 'sha256 of the token; readable by no API role.';
revoke all on table public.invitations from anon, authenticated;
grant select (id, organization_id, role, student_id, relationship, invitee_email, invited_by, created_at, expires_at,
  accepted_by, accepted_at, student_confirmed_at)
  on table public.invitations to authenticated;
grant delete on table public.invitations to authenticated;
grant all on table public.invitations to service_role;
comment on column public.invitations.accepted_by is
  'A guardian invitation: the invited guardian, once they accepted it while the student has not yet confirmed.';
comment on column public.invitations.accepted_at is 'When accepted_by accepted.';
comment on column public.invitations.student_confirmed_at is
  'A guardian invitation: when the student confirmed it, while the guardian has not yet accepted.';
create index invitations_organization_id_idx on public.invitations (organization_id, role);
create index invitations_invited_by_idx on public.invitations (invited_by);
create index invitations_student_id_idx on public.invitations (student_id);
create index invitations_accepted_by_idx on public.invitations (accepted_by);

-- ======================================================================
-- functions
-- ======================================================================

create function private.member_org_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select organization_id from public.organization_members where user_id = (select auth.uid());
end
$$;
comment on function private.member_org_ids() is 'Organizations the current user belongs to, in any role.';
grant execute on function private.member_org_ids() to authenticated, service_role;

create function private.staff_org_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select organization_id from public.organization_members
    where user_id = (select auth.uid()) and role in ('admin', 'educator');
end
$$;
comment on function private.staff_org_ids() is 'Organizations where the current user is admin or educator.';
grant execute on function private.staff_org_ids() to authenticated, service_role;

create function private.admin_org_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select organization_id from public.organization_members
    where user_id = (select auth.uid()) and role = 'admin';
end
$$;
comment on function private.admin_org_ids() is 'Organizations the current user administers.';
grant execute on function private.admin_org_ids() to authenticated, service_role;

create function private.guardian_student_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select student_id from public.guardianships where guardian_id = (select auth.uid());
end
$$;
comment on function private.guardian_student_ids() is 'Students the current user is a guardian of.';
grant execute on function private.guardian_student_ids() to authenticated, service_role;

create function private.student_guardian_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select guardian_id from public.guardianships where student_id = (select auth.uid());
end
$$;
comment on function private.student_guardian_ids() is 'Guardians of the current user.';
grant execute on function private.student_guardian_ids() to authenticated, service_role;

create function private.is_org_member(org_id uuid) returns boolean
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return exists (
    select from public.organization_members
    where organization_id = org_id and user_id = (select auth.uid()));
end
$$;
comment on function private.is_org_member(uuid) is 'Whether the current user belongs to the organization.';
grant execute on function private.is_org_member(uuid) to authenticated, service_role;

create function private.is_org_staff(org_id uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select from public.organization_members
    where organization_id = org_id and user_id = (select auth.uid()) and role in ('admin', 'educator'))
$$;
comment on function private.is_org_staff(uuid) is 'Whether the current user is admin or educator of the organization.';
grant execute on function private.is_org_staff(uuid) to authenticated, service_role;

create function private.is_org_admin(org_id uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select from public.organization_members
    where organization_id = org_id and user_id = (select auth.uid()) and role = 'admin')
$$;
comment on function private.is_org_admin(uuid) is 'Whether the current user administers the organization.';
grant execute on function private.is_org_admin(uuid) to authenticated, service_role;

create function private.is_guardian_of(student uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select from public.guardianships where guardian_id = (select auth.uid()) and student_id = student)
$$;
comment on function private.is_guardian_of(uuid) is 'Whether the current user is a guardian of the student.';
grant execute on function private.is_guardian_of(uuid) to authenticated, service_role;

create function private.trigger_add_organization_creator() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.created_by is not null then
    insert into public.organization_members (organization_id, user_id, role, invited_by)
    values (new.id, new.created_by, 'admin', new.created_by)
    on conflict do nothing;
  end if;
  return new;
end
$$;

create function private.trigger_enforce_max_students() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  organization record;
  student_count integer;
begin
  if new.role <> 'student'
     or (tg_op = 'UPDATE' and old.role = 'student' and old.organization_id = new.organization_id) then
    return new;
  end if;
  select name, max_students into organization
  from public.organizations where id = new.organization_id for update;
  select count(*) into student_count
  from public.organization_members where organization_id = new.organization_id and role = 'student';
  if student_count >= organization.max_students then
    raise exception using
      errcode = '23514',
      message = format('organization %L has reached its limit of %s students', organization.name,
                       organization.max_students),
      hint = 'Remove a student or upgrade the subscription tier.';
  end if;
  return new;
end
$$;

create function private.trigger_keep_last_admin() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.role = 'admin'
     and (tg_op = 'DELETE' or new.role <> 'admin' or new.organization_id <> old.organization_id)
     and exists (select from public.organizations where id = old.organization_id)
     and exists (select from public.profiles where id = old.user_id)
     and not exists (
       select from public.organization_members
       where organization_id = old.organization_id and role = 'admin' and user_id <> old.user_id) then
    raise exception using
      errcode = '23514',
      message = 'an organization must keep at least one admin',
      hint = 'Make another member admin first.';
  end if;
  return coalesce(new, old);
end
$$;

create function private.linked_profile_ids() returns setof uuid
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select guardianship.student_id
    from public.guardianships guardianship
    where guardianship.guardian_id = (select auth.uid())
    union all
    select guardianship.guardian_id
    from public.guardianships guardianship
    where guardianship.student_id = (select auth.uid())
    union all
    select member.user_id
    from public.organization_members staff
    join public.organization_members member on member.organization_id = staff.organization_id
    where staff.user_id = (select auth.uid()) and staff.role in ('admin', 'educator')
    union all
    select staff.user_id
    from public.organization_members me
    join public.organization_members staff
      on staff.organization_id = me.organization_id and staff.role in ('admin', 'educator')
    where me.user_id = (select auth.uid());
end
$$;
comment on function private.linked_profile_ids() is
  'People whose profile the current user reads besides their own: their students and guardians, '
  'their organizations'' members if staff, and their organizations'' staff.';
revoke execute on function private.linked_profile_ids() from public;
grant execute on function private.linked_profile_ids() to authenticated, service_role;

create function private.trigger_lapse_unvouched_guardianship() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform from public.guardianships g
  where g.guardian_id = old.guardian_id and g.student_id = old.student_id
  for update;
  delete from public.guardianships g
  where g.guardian_id = old.guardian_id and g.student_id = old.student_id
    and not exists (
      select from public.guardianship_vouches v
      where v.guardian_id = old.guardian_id and v.student_id = old.student_id);
  return null;
end
$$;
comment on function private.trigger_lapse_unvouched_guardianship() is
  'After a vouch is deleted: deletes its guardianship when no organization vouches for it any more.';
revoke execute on function private.trigger_lapse_unvouched_guardianship() from public;

create function private.trigger_withdraw_departed_students_vouches() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.role = 'student' and (tg_op = 'DELETE' or new.role <> 'student') then
    delete from public.guardianship_vouches v
    where v.student_id = old.user_id and v.organization_id = old.organization_id;
  end if;
  return null;
end
$$;
comment on function private.trigger_withdraw_departed_students_vouches() is
  'After a student membership ends: deletes the vouches that organization gave for the student''s guardians.';
revoke execute on function private.trigger_withdraw_departed_students_vouches() from public;

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
revoke execute on function private.trigger_drop_orphaned_invitations() from public;

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
comment on function private.create_invitation(uuid, public.organization_role, uuid, text, text, interval) is
  'The body of public.create_invitation() and public.create_guardian_invitation(): checks the caller''s role '
  'in the organization, stores the token''s sha256 and returns the token once.';
revoke execute on function
  private.create_invitation(uuid, public.organization_role, uuid, text, text, interval)
  from public;
grant execute on function
  private.create_invitation(uuid, public.organization_role, uuid, text, text, interval)
  to authenticated, service_role;

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
revoke execute on function private.find_invitation(text) from public;

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
revoke execute on function private.link_guardian(public.invitations, uuid) from public;

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
revoke execute on function private.accept_invitation(text) from public;
grant execute on function private.accept_invitation(text) to authenticated, service_role;
comment on function private.accept_invitation(text) is
  'The body of public.accept_invitation(): re-checks the invitation (expiry, invitee email, issuer''s '
  'authority, the student''s membership) and adds the membership; a guardian invitation becomes the link (and '
  'its vouch) only once the student confirmed it too, else the acceptance is recorded.';

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
revoke execute on function private.decline_invitation(text) from public;
grant execute on function private.decline_invitation(text) to authenticated, service_role;

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
revoke execute on function public.create_invitation(uuid, public.organization_role, text, interval) from public;
grant execute on function
  public.create_invitation(uuid, public.organization_role, text, interval)
  to authenticated, service_role;

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
revoke execute on function public.create_guardian_invitation(uuid, uuid, text, text, interval) from public;
grant execute on function
  public.create_guardian_invitation(uuid, uuid, text, text, interval)
  to authenticated, service_role;
comment on function public.create_guardian_invitation(uuid, uuid, text, text, interval) is
  'Staff of an organization where `student_id` is a student invite the account with `invitee_email` (never '
  'their own: 42501) to become the student''s guardian, vouched for by the organization. Returns the token once. '
  'The link exists once the guardian accepted and the student confirmed (public.confirm_guardian_invitation).';

create function public.accept_invitation(token text)
returns table (organization_id uuid, role public.organization_role, student_id uuid)
language sql
volatile
security invoker
set search_path = ''
as $$
  select * from private.accept_invitation(accept_invitation.token)
$$;
revoke execute on function public.accept_invitation(text) from public;
grant execute on function public.accept_invitation(text) to authenticated, service_role;
comment on function public.accept_invitation(text) is
  'Accepts an invitation: joins its organization in its role. For a guardian invitation, the caller becomes the '
  'student''s guardian (and a parent member) once the student has confirmed it too '
  '(public.confirm_guardian_invitation), in either order. P0002 for an unknown or used token, 22023 once expired '
  'or already accepted, 42501 when it was issued to another email or by the caller.';

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
revoke execute on function public.decline_invitation(text) from public;
grant execute on function public.decline_invitation(text) to authenticated, service_role;

create function private.staff_learner_pairs()
returns table (organization_id uuid, learner_id uuid)
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select staff.organization_id, student.user_id
    from public.organization_members staff
    join public.organization_members student
      on student.organization_id = staff.organization_id and student.role = 'student'
    where staff.user_id = (select auth.uid()) and staff.role in ('admin', 'educator');
end
$$;
comment on function private.staff_learner_pairs() is
  'Each organization the current user staffs (admin or educator) with each of its current students: '
  'staff reach a learner''s row when (the row''s organization, the learner) is one of these pairs.';
revoke execute on function private.staff_learner_pairs() from public;
grant execute on function private.staff_learner_pairs() to authenticated, service_role;

create function private.staff_member_pairs()
returns table (organization_id uuid, member_id uuid)
language plpgsql stable security definer
set search_path = ''
as $$
begin
  return query
    select staff.organization_id, member.user_id
    from public.organization_members staff
    join public.organization_members member on member.organization_id = staff.organization_id
    where staff.user_id = (select auth.uid()) and staff.role in ('admin', 'educator');
end
$$;
comment on function private.staff_member_pairs() is
  'Each organization the current user staffs (admin or educator) with each of its current members, any role.';
revoke execute on function private.staff_member_pairs() from public;
grant execute on function private.staff_member_pairs() to authenticated, service_role;

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
revoke execute on function private.find_guardian_invitation_for_student(uuid) from public;

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
revoke execute on function private.confirm_guardian_invitation(uuid) from public;
grant execute on function private.confirm_guardian_invitation(uuid) to authenticated, service_role;

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
revoke execute on function private.decline_guardian_invitation(uuid) from public;
grant execute on function private.decline_guardian_invitation(uuid) to authenticated, service_role;

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
revoke execute on function public.confirm_guardian_invitation(uuid) from public;
grant execute on function public.confirm_guardian_invitation(uuid) to authenticated, service_role;

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
revoke execute on function public.decline_guardian_invitation(uuid) from public;
grant execute on function public.decline_guardian_invitation(uuid) to authenticated, service_role;

-- ======================================================================
-- triggers
-- ======================================================================

create trigger organizations_set_updated_at before update on public.organizations
  for each row execute function private.trigger_set_updated_at();

create trigger organizations_add_creator after insert on public.organizations
  for each row execute function private.trigger_add_organization_creator();

create trigger organization_members_enforce_max_students
  before insert or update of role, organization_id on public.organization_members
  for each row execute function private.trigger_enforce_max_students();

create trigger organization_members_keep_last_admin
  before update of role, organization_id or delete on public.organization_members
  for each row execute function private.trigger_keep_last_admin();

create trigger guardianship_vouches_lapse_unvouched after delete on public.guardianship_vouches
  for each row execute function private.trigger_lapse_unvouched_guardianship();

create trigger organization_members_withdraw_vouches after update of role or delete on public.organization_members
  for each row execute function private.trigger_withdraw_departed_students_vouches();

create trigger organization_members_drop_orphaned_invitations
  after update of role or delete on public.organization_members
  for each row execute function private.trigger_drop_orphaned_invitations();

create trigger guardian_actions_bound_input before insert or update on public.guardian_actions
  for each row execute function private.trigger_bound_input(
    'action:100', 'details:16384:json', 'reason:2000', 'target_table:63');

create trigger guardianships_bound_input before insert or update on public.guardianships
  for each row execute function private.trigger_bound_input(
    'relationship:100');

create trigger organization_members_bound_input before insert or update on public.organization_members
  for each row execute function private.trigger_bound_input(
    'permissions:16384:json');

create trigger organizations_bound_input before insert or update on public.organizations
  for each row execute function private.trigger_bound_input(
    'billing_email:320', 'name:200', 'settings:16384:json', 'slug:200');
