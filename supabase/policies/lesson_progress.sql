-- Policies of public.lesson_progress: learners record their own progress in lessons
-- they can read; guardians read it, and staff of the lesson's organization
-- while the learner is a student there.

create policy "Learners, guardians and staff can read lesson progress"
  on public.lesson_progress for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (private.lesson_organization_id(lesson_progress.lesson_id), user_id)
       in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

create policy "Students can record progress in lessons they can read"
  on public.lesson_progress for insert to authenticated
  with check (
    user_id = (select private.uid())
    and exists (select from public.lessons where lessons.id = lesson_progress.lesson_id));

create policy "Students can update their own lesson progress"
  on public.lesson_progress for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
