-- combine remaining content read policies
--
-- concepts, content examples, content hooks, tests and textbooks had three
-- permissive select policies for authenticated (published, own drafts,
-- staff's organization), media_assets five. PostgreSQL ORs permissive policies
-- in reverse order of their names, so "Staff can read their organization's …"
-- ran first and reading global published content called
-- private.staff_org_ids(). `learnkit db advise` reports it as
-- multiple_permissive_policies.
--
-- As in 20261122040000 for courses, lessons and questions: one select policy
-- per table whose cheapest test comes first. Global published rows pass on two
-- column tests and no helper runs; then the author's (or media owner's) own
-- rows on auth.uid() alone; then published organization content for members;
-- then guardians and staff (media: the learner's recordings), organization
-- staff last. published and (global or member's organization) is split in two
-- so that its column-only half runs first. Every expression is exactly the OR
-- of the policies it replaces, so who can read what is unchanged; the policy
-- matrix checks it.

-- ---------------------------------------------------------------- concepts
drop policy "Signed-in users can read published concepts" on public.concepts;
drop policy "Authors can read their own concepts" on public.concepts;
drop policy "Staff can read their organization's concepts" on public.concepts;

create policy "Users can read published concepts, authors and staff drafts"
  on public.concepts for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select auth.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- content_examples
drop policy "Signed-in users can read published content examples" on public.content_examples;
drop policy "Authors can read their own content examples" on public.content_examples;
drop policy "Staff can read their organization's content examples" on public.content_examples;

create policy "Users can read published examples, authors and staff drafts"
  on public.content_examples for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select auth.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- content_hooks
drop policy "Signed-in users can read published content hooks" on public.content_hooks;
drop policy "Authors can read their own content hooks" on public.content_hooks;
drop policy "Staff can read their organization's content hooks" on public.content_hooks;

create policy "Users can read published hooks, authors and staff drafts"
  on public.content_hooks for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select auth.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- tests
drop policy "Signed-in users can read published tests" on public.tests;
drop policy "Authors can read their own tests" on public.tests;
drop policy "Staff can read their organization's tests" on public.tests;

create policy "Users can read published tests, authors and staff drafts"
  on public.tests for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select auth.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- textbooks
drop policy "Signed-in users can read published textbooks" on public.textbooks;
drop policy "Authors can read their own textbooks" on public.textbooks;
drop policy "Staff can read their organization's textbooks" on public.textbooks;

create policy "Users can read published textbooks, authors and staff drafts"
  on public.textbooks for select to authenticated
  using (
    (is_published and organization_id is null)
    or author_id = (select auth.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or organization_id in (select private.staff_org_ids()));

-- ---------------------------------------------------------------- media_assets
drop policy "Owners can read their own media" on public.media_assets;
drop policy "Signed-in users can read published media" on public.media_assets;
drop policy "Guardians can read their students' media" on public.media_assets;
drop policy "Staff can read their students' media" on public.media_assets;
drop policy "Staff can read their organization's media" on public.media_assets;

create policy "Users can read published, own and supervised media"
  on public.media_assets for select to authenticated
  using (
    (is_published and organization_id is null)
    or owner_id = (select auth.uid())
    or (is_published and organization_id in (select private.member_org_ids()))
    or owner_id in (select private.guardian_student_ids())
    or owner_id in (select private.staff_student_ids())
    or organization_id in (select private.staff_org_ids()));
