-- read content drafts as current staff
--
-- The content read policies kept an `author_id = uid()` arm: an educator removed from organization A (or who left
-- it) went on reading every course, lesson, test, question, concept, textbook, hook and example they had written
-- for A, unpublished drafts included, and lesson notes and prerequisite edges through them. An author now reads a
-- draft only while staff of the row's organization, which the staff arm already says: the author arm is dropped.
-- Unpublished platform-wide content (no organization) is read by service_role only. author_id stays as a record of
-- who wrote the row; nothing is read or written by it. Policy files: supabase/policies/<table>.sql.

-- ---------------------------------------------------------------- courses
drop policy "Users can read published courses, authors and staff drafts" on public.courses;
create policy "Users can read published courses and staff their organization's drafts"
  on public.courses for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- lessons
drop policy "Users can read published lessons, authors and staff drafts" on public.lessons;
create policy "Users can read published lessons and staff their organization's drafts"
  on public.lessons for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- tests
drop policy "Users can read published tests, authors and staff drafts" on public.tests;
create policy "Users can read published tests and staff their organization's drafts"
  on public.tests for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- questions
drop policy "Users can read published questions, authors and staff drafts" on public.questions;
create policy "Users can read published questions and staff their organization's drafts"
  on public.questions for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- concepts
drop policy "Users can read published concepts, authors and staff drafts" on public.concepts;
create policy "Users can read published concepts and staff their organization's drafts"
  on public.concepts for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- textbooks
drop policy "Users can read published textbooks, authors and staff drafts" on public.textbooks;
create policy "Users can read published textbooks and staff their organization's drafts"
  on public.textbooks for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- content_hooks
drop policy "Users can read published hooks, authors and staff drafts" on public.content_hooks;
create policy "Users can read published hooks and staff their organization's drafts"
  on public.content_hooks for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- content_examples
drop policy "Users can read published examples, authors and staff drafts" on public.content_examples;
create policy "Users can read published examples and staff their organization's drafts"
  on public.content_examples for select to authenticated
  using (
    (is_published and organization_id is null)
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));
