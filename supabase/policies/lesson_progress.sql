-- Policies of public.lesson_progress: learners record their own progress in lessons
-- they can read; guardians and staff read it.

create policy "Learners, guardians and staff can read lesson progress"
  on public.lesson_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.linked_learner_ids()));

create policy "Students can record progress in lessons they can read"
  on public.lesson_progress for insert to authenticated
  with check (
    user_id = (select private.uid())
    and exists (select from public.lessons where lessons.id = lesson_progress.lesson_id));

create policy "Students can update their own lesson progress"
  on public.lesson_progress for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
