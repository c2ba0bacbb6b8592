-- create tenancy
--
-- organizations (microschool, school, homeschool group, tutoring centre) with a
-- subscription tier and an enforced student limit; organization_members with
-- roles admin / educator / student / parent; guardianships linking a parent to
-- a student; guardian_actions, the append-only audit log of what guardians do.
-- Also the private RLS helpers every later policy uses, and profiles' policies.

-- ---------------------------------------------------------------- types
create type public.organization_kind as enum ('microschool', 'school', 'homeschool_group', 'tutoring_centre');
create type public.subscription_tier as enum ('starter', 'professional', 'enterprise');
create type public.organization_role as enum ('admin', 'educator', 'student', 'parent');
comment on type public.organization_role is
  'admin and educator are staff: they read their organization''s students; parent is a guardian''s membership.';

-- ---------------------------------------------------------------- organizations
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
create index organizations_created_by_idx on public.organizations (created_by);

alter table public.organizations enable row level security;
comment on table public.organizations is
  'A tenant: microschool, school, homeschool group or tutoring centre. Billing columns '
  '(subscription_tier, max_students, is_active, trial_ends_at) are server-owned.';

revoke all on table public.organizations from anon, authenticated;
grant select on table public.organizations to authenticated;
grant insert (name, slug, kind, billing_email, settings) on table public.organizations to authenticated;
grant update (name, slug, kind, billing_email, settings) on table public.organizations to authenticated;
grant all on table public.organizations to service_role;

create trigger organizations_set_updated_at before update on public.organizations
  for each row execute function private.trigger_set_updated_at();

-- ---------------------------------------------------------------- organization_members
create table public.organization_members (
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references public.profiles (id) on delete cascade,
  role public.organization_role not null,
  permissions jsonb not null default '{}' check (jsonb_typeof(permissions) = 'object'),
  invited_by uuid default auth.uid() references public.profiles (id) on delete set null,
  joined_at timestamptz not null default now(),
  primary key (organization_id, user_id)
);
create index organization_members_user_id_idx on public.organization_members (user_id, role);
create index organization_members_role_idx on public.organization_members (organization_id, role);
create index organization_members_invited_by_idx on public.organization_members (invited_by);

alter table public.organization_members enable row level security;
comment on table public.organization_members is
  'Who belongs to which organization, as admin, educator, student or parent.';

revoke all on table public.organization_members from anon, authenticated;
grant select, delete on table public.organization_members to authenticated;
grant insert (organization_id, user_id, role, permissions) on table public.organization_members to authenticated;
grant update (role, permissions) on table public.organization_members to authenticated;
grant all on table public.organization_members to service_role;

-- ---------------------------------------------------------------- guardianships
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
create index guardianships_student_id_idx on public.guardianships (student_id);
create index guardianships_created_by_idx on public.guardianships (created_by);

alter table public.guardianships enable row level security;
comment on table public.guardianships is
  'A parent or guardian linked to a student: the guardian reads (never writes) the student''s activity.';

revoke all on table public.guardianships from anon, authenticated;
grant select, delete on table public.guardianships to authenticated;
grant insert (guardian_id, student_id, relationship) on table public.guardianships to authenticated;
grant all on table public.guardianships to service_role;

-- ---------------------------------------------------------------- guardian_actions
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
create index guardian_actions_student_id_idx on public.guardian_actions (student_id, created_at desc);
create index guardian_actions_guardian_id_idx on public.guardian_actions (guardian_id, created_at desc);

alter table public.guardian_actions enable row level security;
comment on table public.guardian_actions is
  'Append-only audit log of guardian actions (Pathfinity''s parent_override_audit): '
  'override_skill, unlock_content, change_setting, view_report, ...';

revoke all on table public.guardian_actions from anon, authenticated;
grant select on table public.guardian_actions to authenticated;
grant insert (student_id, action, target_table, target_id, reason, details)
  on table public.guardian_actions to authenticated;
grant all on table public.guardian_actions to service_role;

-- ---------------------------------------------------------------- RLS helpers
-- security definer: they read organization_members and guardianships whose own
-- policies call them (no recursion), once per query through `in (select …)`.
create function private.member_org_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select organization_id from public.organization_members where user_id = (select auth.uid())
$$;
comment on function private.member_org_ids() is 'Organizations the current user belongs to, in any role.';

create function private.staff_org_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select organization_id from public.organization_members
  where user_id = (select auth.uid()) and role in ('admin', 'educator')
$$;
comment on function private.staff_org_ids() is 'Organizations where the current user is admin or educator.';

create function private.admin_org_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select organization_id from public.organization_members
  where user_id = (select auth.uid()) and role = 'admin'
$$;
comment on function private.admin_org_ids() is 'Organizations the current user administers.';

create function private.guardian_student_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select student_id from public.guardianships where guardian_id = (select auth.uid())
$$;
comment on function private.guardian_student_ids() is 'Students the current user is a guardian of.';

create function private.student_guardian_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select guardian_id from public.guardianships where student_id = (select auth.uid())
$$;
comment on function private.student_guardian_ids() is 'Guardians of the current user.';

create function private.staff_student_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select student.user_id
  from public.organization_members staff
  join public.organization_members student
    on student.organization_id = staff.organization_id and student.role = 'student'
  where staff.user_id = (select auth.uid()) and staff.role in ('admin', 'educator')
$$;
comment on function private.staff_student_ids() is
  'Students of the organizations where the current user is admin or educator.';

create function private.staff_member_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select member.user_id
  from public.organization_members staff
  join public.organization_members member on member.organization_id = staff.organization_id
  where staff.user_id = (select auth.uid()) and staff.role in ('admin', 'educator')
$$;
comment on function private.staff_member_ids() is
  'Every member of the organizations where the current user is admin or educator.';

create function private.member_org_staff_ids() returns setof uuid
language sql stable security definer
set search_path = ''
as $$
  select staff.user_id
  from public.organization_members me
  join public.organization_members staff
    on staff.organization_id = me.organization_id and staff.role in ('admin', 'educator')
  where me.user_id = (select auth.uid())
$$;
comment on function private.member_org_staff_ids() is
  'Admins and educators of the organizations the current user belongs to.';

create function private.is_org_member(org_id uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select from public.organization_members
    where organization_id = org_id and user_id = (select auth.uid()))
$$;
comment on function private.is_org_member(uuid) is 'Whether the current user belongs to the organization.';

create function private.is_org_staff(org_id uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select from public.organization_members
    where organization_id = org_id and user_id = (select auth.uid()) and role in ('admin', 'educator'))
$$;
comment on function private.is_org_staff(uuid) is 'Whether the current user is admin or educator of the organization.';

create function private.is_org_admin(org_id uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select from public.organization_members
    where organization_id = org_id and user_id = (select auth.uid()) and role = 'admin')
$$;
comment on function private.is_org_admin(uuid) is 'Whether the current user administers the organization.';

create function private.is_guardian_of(student uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select from public.guardianships where guardian_id = (select auth.uid()) and student_id = student)
$$;
comment on function private.is_guardian_of(uuid) is 'Whether the current user is a guardian of the student.';

create function private.is_staff_of_student(student uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select from public.organization_members staff
    join public.organization_members member
      on member.organization_id = staff.organization_id and member.role = 'student'
    where staff.user_id = (select auth.uid()) and staff.role in ('admin', 'educator')
      and member.user_id = student)
$$;
comment on function private.is_staff_of_student(uuid) is
  'Whether the student belongs, as a student, to an organization the current user staffs.';

create function private.can_link_guardian(guardian uuid, student uuid) returns boolean
language sql stable security definer
set search_path = ''
as $$
  select exists (
    select from public.organization_members staff
    join public.organization_members learner
      on learner.organization_id = staff.organization_id and learner.user_id = student and learner.role = 'student'
    join public.organization_members parent
      on parent.organization_id = staff.organization_id and parent.user_id = guardian and parent.role = 'parent'
    where staff.user_id = (select auth.uid()) and staff.role in ('admin', 'educator'))
$$;
comment on function private.can_link_guardian(uuid, uuid) is
  'Whether the current user staffs an organization where student is a student and guardian a parent.';

revoke execute on all functions in schema private from public;
grant execute on function
  private.member_org_ids(), private.staff_org_ids(), private.admin_org_ids(),
  private.guardian_student_ids(), private.student_guardian_ids(), private.staff_student_ids(),
  private.staff_member_ids(), private.member_org_staff_ids(),
  private.is_org_member(uuid), private.is_org_staff(uuid), private.is_org_admin(uuid),
  private.is_guardian_of(uuid), private.is_staff_of_student(uuid), private.can_link_guardian(uuid, uuid),
  private.is_valid_time_zone(text)
to authenticated, service_role;

-- ---------------------------------------------------------------- triggers
-- The creator of an organization becomes its first admin.
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
create trigger organizations_add_creator after insert on public.organizations
  for each row execute function private.trigger_add_organization_creator();

-- max_students: the organization row is locked so concurrent joins cannot both
-- take the last seat. A lowered limit keeps existing students (grandfathered).
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
create trigger organization_members_enforce_max_students
  before insert or update of role, organization_id on public.organization_members
  for each row execute function private.trigger_enforce_max_students();

-- An organization keeps at least one admin, except when the organization or
-- the admin's account itself is being deleted.
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
create trigger organization_members_keep_last_admin
  before update of role, organization_id or delete on public.organization_members
  for each row execute function private.trigger_keep_last_admin();

-- ---------------------------------------------------------------- policies
-- supabase/policies/profiles.sql
-- Policies of public.profiles: yourself, your guardians and students, and the
-- people of your organizations as their roles allow. Rows are created by the
-- sign-up trigger and deleted with the auth user, so no insert/delete policy.

create policy "Users can read their own profile"
  on public.profiles for select to authenticated
  using (id = (select auth.uid()));

create policy "Guardians can read their students' profiles"
  on public.profiles for select to authenticated
  using (id in (select private.guardian_student_ids()));

create policy "Students can read their guardians' profiles"
  on public.profiles for select to authenticated
  using (id in (select private.student_guardian_ids()));

create policy "Staff can read the profiles of their organizations' members"
  on public.profiles for select to authenticated
  using (id in (select private.staff_member_ids()));

create policy "Members can read the profiles of their organizations' staff"
  on public.profiles for select to authenticated
  using (id in (select private.member_org_staff_ids()));

create policy "Users can update their own profile"
  on public.profiles for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- supabase/policies/organizations.sql
-- Policies of public.organizations: members read their organizations, any
-- signed-in user may found one (becoming its admin), admins edit it. Billing
-- columns and deletion belong to service_role.

create policy "Members can read their organizations"
  on public.organizations for select to authenticated
  using (id in (select private.member_org_ids()));

create policy "Creators can read the organizations they created"
  on public.organizations for select to authenticated
  using (created_by = (select auth.uid()));

create policy "Signed-in users can create an organization they own"
  on public.organizations for insert to authenticated
  with check (created_by = (select auth.uid()));

create policy "Admins can update their organizations"
  on public.organizations for update to authenticated
  using (id in (select private.admin_org_ids()))
  with check (id in (select private.admin_org_ids()));

-- supabase/policies/organization_members.sql
-- Policies of public.organization_members: you see your own memberships, staff
-- see their organizations' rosters, admins manage them, anyone may leave.

create policy "Users can read their own memberships"
  on public.organization_members for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Staff can read their organizations' members"
  on public.organization_members for select to authenticated
  using (organization_id in (select private.staff_org_ids()));

create policy "Admins can add members to their organizations"
  on public.organization_members for insert to authenticated
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can change members' roles in their organizations"
  on public.organization_members for update to authenticated
  using (organization_id in (select private.admin_org_ids()))
  with check (organization_id in (select private.admin_org_ids()));

create policy "Admins can remove members from their organizations"
  on public.organization_members for delete to authenticated
  using (organization_id in (select private.admin_org_ids()));

create policy "Users can leave an organization"
  on public.organization_members for delete to authenticated
  using (user_id = (select auth.uid()));

-- supabase/policies/guardianships.sql
-- Policies of public.guardianships: the guardian, the student and the
-- student's organization staff see a link; staff create and remove links
-- between a parent and a student of an organization they staff.

create policy "Guardians can read their own guardianships"
  on public.guardianships for select to authenticated
  using (guardian_id = (select auth.uid()));

create policy "Students can read who their guardians are"
  on public.guardianships for select to authenticated
  using (student_id = (select auth.uid()));

create policy "Staff can read their students' guardianships"
  on public.guardianships for select to authenticated
  using (student_id in (select private.staff_student_ids()));

create policy "Staff can link a parent to a student of their organization"
  on public.guardianships for insert to authenticated
  with check (private.can_link_guardian(guardian_id, student_id));

create policy "Staff can unlink their students' guardians"
  on public.guardianships for delete to authenticated
  using (student_id in (select private.staff_student_ids()));

-- supabase/policies/guardian_actions.sql
-- Policies of public.guardian_actions: an append-only audit log. Guardians
-- record their own actions on their own students; the guardian, the student
-- and the student's organization staff read it; nobody updates or deletes.

create policy "Guardians can read their own actions"
  on public.guardian_actions for select to authenticated
  using (guardian_id = (select auth.uid()));

create policy "Students can read their guardians' actions about them"
  on public.guardian_actions for select to authenticated
  using (student_id = (select auth.uid()));

create policy "Staff can read guardian actions about their students"
  on public.guardian_actions for select to authenticated
  using (student_id in (select private.staff_student_ids()));

create policy "Guardians can record actions about their students"
  on public.guardian_actions for insert to authenticated
  with check (guardian_id = (select auth.uid()) and private.is_guardian_of(student_id));
