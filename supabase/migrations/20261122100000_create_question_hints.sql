-- create question hints
--
-- A question's hint moves out of public.questions, where every signed-in
-- reader of the question could select it for free, into its own table that,
-- like question_answer_keys, only the staff of the question's organization
-- read and write. Learners get a hint through public.use_hint(), which charges
-- the hint economy (20261122100100 switches it to this table and drops
-- questions.hint). Existing non-empty hints are copied here.

-- ---------------------------------------------------------------- question_hints
create table public.question_hints (
  question_id uuid primary key references public.questions (id) on delete cascade,
  hint text not null check (char_length(hint) > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

alter table public.question_hints enable row level security;
comment on table public.question_hints is
  'The hint of a question. Never readable by students or guardians: staff of the question''s organization '
  'and service_role only; learners take hints through public.use_hint(), which applies the hint economy.';
comment on column public.question_hints.hint is 'The text public.use_hint() returns to the learner.';

revoke all on table public.question_hints from anon, authenticated;
grant select, delete on table public.question_hints to authenticated;
grant insert (question_id, hint) on table public.question_hints to authenticated;
grant update (hint) on table public.question_hints to authenticated;
grant all on table public.question_hints to service_role;

create trigger question_hints_set_updated_at before update on public.question_hints
  for each row execute function private.trigger_set_updated_at();

-- ---------------------------------------------------------------- existing hints
insert into public.question_hints (question_id, hint)
select id, hint from public.questions where hint is not null and hint <> '';

-- ---------------------------------------------------------------- policies
-- supabase/policies/question_hints.sql
-- Policies of public.question_hints: only the staff of the question's
-- organization read and write its hint. There is deliberately no policy a
-- student, guardian or anonymous user can match (they pay for hints through
-- public.use_hint()); global questions' hints are service_role's.

create policy "Staff can read hints of their organization's questions"
  on public.question_hints for select to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can add hints to their organization's questions"
  on public.question_hints for insert to authenticated
  with check (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can update hints of their organization's questions"
  on public.question_hints for update to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())))
  with check (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));

create policy "Staff can delete hints of their organization's questions"
  on public.question_hints for delete to authenticated
  using (question_id in (
    select id from public.questions where organization_id in (select private.staff_org_ids())));
