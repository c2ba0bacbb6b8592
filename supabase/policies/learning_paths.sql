-- Policies of public.learning_paths: a learner starts and steers their own paths;
-- guardians read them, and staff of the organization of the path's course
-- (else textbook) while the learner is a student there; metrics are server-owned.

create policy "Learners, guardians and staff can read learning paths"
  on public.learning_paths for select to authenticated
  using (
    user_id = (select private.uid())
    or user_id in (select private.guardian_student_ids())
    or (case
          when learning_paths.course_id is not null
            then private.course_organization_id(learning_paths.course_id)
          else private.textbook_organization_id(learning_paths.textbook_id)
        end,
        user_id) in (select pair.organization_id, pair.learner_id from private.staff_learner_pairs() as pair));

create policy "Students can start their own learning paths"
  on public.learning_paths for insert to authenticated
  with check (user_id = (select private.uid()));

create policy "Students can update their own learning paths"
  on public.learning_paths for update to authenticated
  using (user_id = (select private.uid()))
  with check (user_id = (select private.uid()));
