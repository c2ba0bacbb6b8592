-- create guardianship vouches
--
-- Issue 14, item 2: a guardian link exists only while an organization vouches
-- for it. Until now any staff member could insert a guardianship between a
-- parent and a student of "any organization they staff", and delete any link
-- of such a student, so a student who founded an organization (becoming its
-- admin) could link an accomplice to a victim or cut the victim's real link.
--
-- public.guardianship_vouches records which organizations vouch for a link:
-- one row per (guardian, student, organization), written by
-- public.accept_invitation() when the guardian accepts a guardian invitation
-- issued by that organization's staff (20261202100100). A link lapses (its
-- row in public.guardianships is deleted) when its last vouch goes: the
-- student leaves or is removed from the vouching organization, the
-- organization is deleted, or its staff withdraw the vouch. Links with no
-- vouch at all can only be written by the owner or service_role (the seed,
-- fixtures, support) and do not lapse.
--
-- Destructive: authenticated loses the insert privilege on guardianships and
-- staff lose their delete policy (they withdraw their own organization's
-- vouch instead); the guardian may end their own link.

-- ---------------------------------------------------------------- guardianship_vouches
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
create index guardianship_vouches_student_id_idx on public.guardianship_vouches (student_id, organization_id);
create index guardianship_vouches_organization_id_idx on public.guardianship_vouches (organization_id);
create index guardianship_vouches_vouched_by_idx on public.guardianship_vouches (vouched_by);

alter table public.guardianship_vouches enable row level security;
comment on table public.guardianship_vouches is
  'The organizations vouching for a guardian link: written when the guardian accepts an invitation issued '
  'by staff of an organization the student belongs to; the link lapses with its last vouch.';
comment on column public.guardianship_vouches.vouched_by is 'The staff member who issued the accepted invitation.';

revoke all on table public.guardianship_vouches from anon, authenticated;
grant select, delete on table public.guardianship_vouches to authenticated;
grant all on table public.guardianship_vouches to service_role;

-- ---------------------------------------------------------------- triggers
-- A link lapses with its last vouch. The link's row is locked first, so two
-- organizations withdrawing at once cannot each see the other's vouch and
-- both keep the link.
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
create trigger guardianship_vouches_lapse_unvouched after delete on public.guardianship_vouches
  for each row execute function private.trigger_lapse_unvouched_guardianship();

-- A student who leaves an organization (or is removed, or stops being its
-- student) takes that organization's vouches for their guardians with them.
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
create trigger organization_members_withdraw_vouches after update of role or delete on public.organization_members
  for each row execute function private.trigger_withdraw_departed_students_vouches();

revoke execute on function private.trigger_lapse_unvouched_guardianship(),
  private.trigger_withdraw_departed_students_vouches() from public;

-- ---------------------------------------------------------------- guardianships: no direct links
revoke insert on table public.guardianships from authenticated;
drop policy "Staff can link a parent to a student of their organization" on public.guardianships;
drop policy "Staff can unlink their students' guardians" on public.guardianships;

-- ---------------------------------------------------------------- policies
-- supabase/policies/guardianships.sql
create policy "Guardians can end their own guardianships"
  on public.guardianships for delete to authenticated
  using (guardian_id = (select private.uid()));

-- supabase/policies/guardianship_vouches.sql
create policy "Guardians, students and the vouching staff can read vouches"
  on public.guardianship_vouches for select to authenticated
  using (
    (select private.uid()) in (guardian_id, student_id)
    or organization_id in (select private.staff_org_ids()));

create policy "Staff can withdraw their organization's vouches"
  on public.guardianship_vouches for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));
