-- Policies of public.lesson_notes: a note is visible with its lesson (the
-- lessons policies decide) and written by the staff of the lesson's organization.

create policy "Users can read the notes of lessons they can read"
  on public.lesson_notes for select to authenticated
  using (exists (select from public.lessons where lessons.id = lesson_notes.lesson_id));

create policy "Staff can add notes to their organization's lessons"
  on public.lesson_notes for insert to authenticated
  with check (lesson_id in (
    select id from public.lessons where organization_id in (select private.staff_org_ids())));

create policy "Staff can update notes of their organization's lessons"
  on public.lesson_notes for update to authenticated
  using (lesson_id in (
    select id from public.lessons where organization_id in (select private.staff_org_ids())))
  with check (lesson_id in (
    select id from public.lessons where organization_id in (select private.staff_org_ids())));

create policy "Staff can delete notes of their organization's lessons"
  on public.lesson_notes for delete to authenticated
  using (lesson_id in (
    select id from public.lessons where organization_id in (select private.staff_org_ids())));
