-- move question explanations out of questions, readable once answered
--
-- A question's explanation tells its answer, and it lived on public.questions,
-- which every member of the organization reads: a student could read it before
-- answering. It moves to public.question_explanations (as the hints and answer keys
-- did before it), whose policy admits the staff of the question's organization, and
-- a learner only for a question they have an answer_attempt for (any attempt, right or
-- wrong: the explanation is what they read after answering). Other columns that could
-- reveal an answer are already apart: question_answer_keys and question_hints are
-- hidden from students; questions.options holds the choices only.
-- Destructive: drops the column questions.explanation, whose values are copied first.

-- ---------------------------------------------------------------- question_explanations
create table public.question_explanations (
  question_id uuid primary key references public.questions (id) on delete cascade,
  explanation text not null check (char_length(explanation) between 1 and 10000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

alter table public.question_explanations enable row level security;
comment on table public.question_explanations is
  'The explanation of a question''s answer. Readable by the staff of the question''s organization, and by a '
  'learner only once they answered the question (an answer_attempt of theirs exists); written by staff.';
comment on column public.question_explanations.explanation is 'Why the answer is what it is, shown after answering.';

revoke all on table public.question_explanations from anon, authenticated;
grant select, delete on table public.question_explanations to authenticated;
grant insert (question_id, explanation) on table public.question_explanations to authenticated;
grant update (explanation) on table public.question_explanations to authenticated;
grant all on table public.question_explanations to service_role;

create trigger question_explanations_bound_input before insert or update on public.question_explanations
  for each row execute function private.trigger_bound_input('explanation:10000');
create trigger question_explanations_set_updated_at before update on public.question_explanations
  for each row execute function private.trigger_set_updated_at();

-- ---------------------------------------------------------------- existing explanations
insert into public.question_explanations (question_id, explanation)
select q.id, left(q.explanation, 10000) from public.questions as q
where q.explanation is not null and q.explanation <> '';

alter table public.questions drop column explanation;
comment on table public.questions is
  'A question or test item: math facts (operands, operation), multiple choice, ordering, video, coding. '
  'Belongs to a course/track, lesson/section or test; its answer key is in question_answer_keys, its hint in '
  'question_hints (both hidden from students) and its explanation in question_explanations (readable once '
  'answered).';

-- ---------------------------------------------------------------- policies
-- supabase/policies/question_explanations.sql
-- Policies of public.question_explanations: the staff of the question's organization
-- read and write its explanation; a learner reads it only once they answered the
-- question. Global questions' explanations are service_role's to write.

create policy "Learners who answered and staff can read explanations"
  on public.question_explanations for select to authenticated
  using (
    question_id in (select a.question_id from public.answer_attempts as a where a.user_id = (select private.uid()))
    or question_id in (
      select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())));

create policy "Staff can add explanations to their organization's questions"
  on public.question_explanations for insert to authenticated
  with check (question_id in (
    select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())));

create policy "Staff can update explanations of their organization's questions"
  on public.question_explanations for update to authenticated
  using (question_id in (
    select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())))
  with check (question_id in (
    select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())));

create policy "Staff can delete explanations of their organization's questions"
  on public.question_explanations for delete to authenticated
  using (question_id in (
    select q.id from public.questions as q where q.organization_id in (select private.staff_org_ids())));
