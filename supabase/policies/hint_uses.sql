-- Policies of public.hint_uses: read by the learner, their guardians and their
-- organizations' staff; written only by use_hint().

create policy "Users can read their own hint uses"
  on public.hint_uses for select to authenticated
  using (user_id = (select auth.uid()));

create policy "Guardians can read their students' hint uses"
  on public.hint_uses for select to authenticated
  using (user_id in (select private.guardian_student_ids()));

create policy "Staff can read their students' hint uses"
  on public.hint_uses for select to authenticated
  using (user_id in (select private.staff_student_ids()));
