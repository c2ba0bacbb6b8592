-- create concept graph
--
-- Skills and concepts (Spool's Neo4j Subject/Topic/Section/Concept nodes and
-- Pathfinity's skills) with their prerequisite graph, which a trigger keeps
-- acyclic, and the interest-tagged hooks and examples that introduce them.
-- The function returning a learner's next concepts comes with skill_progress.

-- ---------------------------------------------------------------- types
create type public.concept_kind as enum ('topic', 'section', 'concept', 'skill');
create type public.life_category as enum ('personal', 'social', 'career', 'philanthropic');
create type public.prerequisite_strength as enum ('weak', 'moderate', 'strong');

-- ---------------------------------------------------------------- concepts
create table public.concepts (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid references public.organizations (id) on delete cascade,
  subject_id uuid references public.subjects (id) on delete set null,
  textbook_id uuid references public.textbooks (id) on delete set null,
  parent_id uuid references public.concepts (id) on delete cascade,
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  kind public.concept_kind not null default 'concept',
  code text not null unique check (code ~ '^[a-z0-9][a-z0-9._-]{0,127}$'),
  name text not null check (char_length(name) between 1 and 255),
  description text,
  learning_objectives text[] not null default '{}',
  key_vocabulary text[] not null default '{}',
  grade_level public.grade_level,
  difficulty public.difficulty_level,
  estimated_minutes integer check (estimated_minutes > 0),
  mastery_threshold numeric(3, 2) not null default 0.80 check (mastery_threshold between 0 and 1),
  order_index integer not null default 0,
  is_optional boolean not null default false,
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index concepts_organization_id_idx on public.concepts (organization_id);
create index concepts_subject_id_idx on public.concepts (subject_id, order_index);
create index concepts_textbook_id_idx on public.concepts (textbook_id);
create index concepts_parent_id_idx on public.concepts (parent_id);
create index concepts_author_id_idx on public.concepts (author_id);

alter table public.concepts enable row level security;
comment on table public.concepts is
  'A skill or concept in a topic → section → concept hierarchy (parent_id); mastered at mastery_threshold.';

revoke all on table public.concepts from anon, authenticated;
grant select, delete on table public.concepts to authenticated;
grant insert (organization_id, subject_id, textbook_id, parent_id, kind, code, name, description,
  learning_objectives, key_vocabulary, grade_level, difficulty, estimated_minutes, mastery_threshold,
  order_index, is_optional, is_published)
  on table public.concepts to authenticated;
grant update (subject_id, textbook_id, parent_id, kind, code, name, description, learning_objectives,
  key_vocabulary, grade_level, difficulty, estimated_minutes, mastery_threshold, order_index, is_optional,
  is_published)
  on table public.concepts to authenticated;
grant all on table public.concepts to service_role;

create trigger concepts_set_updated_at before update on public.concepts
  for each row execute function private.trigger_set_updated_at();
create trigger concepts_stamp_published_at before insert or update of is_published on public.concepts
  for each row execute function private.trigger_stamp_published_at();

-- ---------------------------------------------------------------- concept_prerequisites
create table public.concept_prerequisites (
  concept_id uuid not null references public.concepts (id) on delete cascade,
  prerequisite_id uuid not null references public.concepts (id) on delete cascade,
  strength public.prerequisite_strength not null default 'strong',
  can_skip boolean not null default false,
  reason text,
  created_at timestamptz not null default now(),
  primary key (concept_id, prerequisite_id),
  check (concept_id <> prerequisite_id)
);
create index concept_prerequisites_prerequisite_id_idx on public.concept_prerequisites (prerequisite_id);

alter table public.concept_prerequisites enable row level security;
comment on table public.concept_prerequisites is
  'Edge "concept requires prerequisite" of the concept graph (Spool''s REQUIRES_PREREQUISITE); kept acyclic.';

revoke all on table public.concept_prerequisites from anon, authenticated;
grant select, delete on table public.concept_prerequisites to authenticated;
grant insert (concept_id, prerequisite_id, strength, can_skip, reason)
  on table public.concept_prerequisites to authenticated;
grant update (strength, can_skip, reason) on table public.concept_prerequisites to authenticated;
grant all on table public.concept_prerequisites to service_role;

-- A new edge may not close a loop: the prerequisite must not (transitively)
-- require the concept. Definer: the whole graph counts, not only visible rows.
create function private.trigger_prevent_prerequisite_cycle() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (
    with recursive requirements (concept_id) as (
      select prerequisite_id from public.concept_prerequisites where concept_id = new.prerequisite_id
      union
      select edge.prerequisite_id
      from public.concept_prerequisites edge
      join requirements on edge.concept_id = requirements.concept_id
    )
    select from requirements where concept_id = new.concept_id
  ) then
    raise exception using
      errcode = '23514',
      message = 'this prerequisite would create a cycle in the concept graph',
      detail = format('concept %s is already required, directly or not, by %s', new.concept_id, new.prerequisite_id);
  end if;
  return new;
end
$$;
create trigger concept_prerequisites_prevent_cycle
  before insert or update of concept_id, prerequisite_id on public.concept_prerequisites
  for each row execute function private.trigger_prevent_prerequisite_cycle();

-- ---------------------------------------------------------------- content_hooks
create table public.content_hooks (
  id uuid primary key default gen_random_uuid(),
  concept_id uuid not null references public.concepts (id) on delete cascade,
  organization_id uuid references public.organizations (id) on delete cascade,
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  life_category public.life_category not null,
  sub_category text check (char_length(sub_category) <= 100),
  hook_type text not null default 'standard' check (hook_type in ('standard', 'advanced', 'simplified')),
  hook_text text not null,
  usage_count integer not null default 0,
  effectiveness_score numeric(3, 2) check (effectiveness_score between 0 and 1),
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index content_hooks_concept_id_idx on public.content_hooks (concept_id, life_category, sub_category);
create index content_hooks_organization_id_idx on public.content_hooks (organization_id);
create index content_hooks_author_id_idx on public.content_hooks (author_id);

alter table public.content_hooks enable row level security;
comment on table public.content_hooks is
  'Spool''s hooks: an opening for a concept per life category; usage and effectiveness are server-owned.';

revoke all on table public.content_hooks from anon, authenticated;
grant select, delete on table public.content_hooks to authenticated;
grant insert (concept_id, organization_id, life_category, sub_category, hook_type, hook_text, is_published)
  on table public.content_hooks to authenticated;
grant update (life_category, sub_category, hook_type, hook_text, is_published)
  on table public.content_hooks to authenticated;
grant all on table public.content_hooks to service_role;

create trigger content_hooks_set_updated_at before update on public.content_hooks
  for each row execute function private.trigger_set_updated_at();
create trigger content_hooks_stamp_published_at before insert or update of is_published on public.content_hooks
  for each row execute function private.trigger_stamp_published_at();

-- ---------------------------------------------------------------- content_examples
create table public.content_examples (
  id uuid primary key default gen_random_uuid(),
  concept_id uuid not null references public.concepts (id) on delete cascade,
  organization_id uuid references public.organizations (id) on delete cascade,
  author_id uuid default auth.uid() references public.profiles (id) on delete set null,
  example_text text not null,
  visual_media_id uuid references public.media_assets (id) on delete set null,
  interactive_element jsonb,
  interest_tags text[] not null default '{}',
  life_category public.life_category not null,
  difficulty public.difficulty_level not null default 'intermediate',
  usage_count integer not null default 0,
  effectiveness_score numeric(3, 2) check (effectiveness_score between 0 and 1),
  is_published boolean not null default false,
  published_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index content_examples_concept_id_idx on public.content_examples (concept_id);
create index content_examples_interest_tags_idx on public.content_examples using gin (interest_tags);
create index content_examples_organization_id_idx on public.content_examples (organization_id);
create index content_examples_author_id_idx on public.content_examples (author_id);
create index content_examples_visual_media_id_idx on public.content_examples (visual_media_id);

alter table public.content_examples enable row level security;
comment on table public.content_examples is
  'Spool''s interest-tagged examples of a concept; usage and effectiveness are server-owned.';

revoke all on table public.content_examples from anon, authenticated;
grant select, delete on table public.content_examples to authenticated;
grant insert (concept_id, organization_id, example_text, visual_media_id, interactive_element, interest_tags,
  life_category, difficulty, is_published)
  on table public.content_examples to authenticated;
grant update (example_text, visual_media_id, interactive_element, interest_tags, life_category, difficulty,
  is_published)
  on table public.content_examples to authenticated;
grant all on table public.content_examples to service_role;

create trigger content_examples_set_updated_at before update on public.content_examples
  for each row execute function private.trigger_set_updated_at();
create trigger content_examples_stamp_published_at before insert or update of is_published on public.content_examples
  for each row execute function private.trigger_stamp_published_at();

-- ---------------------------------------------------------------- policies
-- supabase/policies/concepts.sql
-- Policies of public.concepts: published concepts are readable by signed-in users (an
-- organization's only by its members); drafts only by their authors and the
-- organization's staff, who also write them. Global concepts (no organization)
-- are written by service_role.

create policy "Signed-in users can read published concepts"
  on public.concepts for select to authenticated
  using (is_published and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Authors can read their own concepts"
  on public.concepts for select to authenticated
  using (author_id = (select auth.uid()));

create policy "Staff can read their organization's concepts"
  on public.concepts for select to authenticated
  using (organization_id in (select private.staff_org_ids()));

create policy "Staff can create concepts for their organization"
  on public.concepts for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select auth.uid()));

create policy "Staff can update their organization's concepts"
  on public.concepts for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's concepts"
  on public.concepts for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- supabase/policies/concept_prerequisites.sql
-- Policies of public.concept_prerequisites: an edge is visible when both of its
-- concepts are (the concepts policies decide); the staff of the dependent
-- concept's organization write edges.

create policy "Users can read prerequisites between concepts they can read"
  on public.concept_prerequisites for select to authenticated
  using (
    exists (select from public.concepts where concepts.id = concept_prerequisites.concept_id)
    and exists (select from public.concepts where concepts.id = concept_prerequisites.prerequisite_id));

create policy "Staff can add prerequisites to their organization's concepts"
  on public.concept_prerequisites for insert to authenticated
  with check (concept_id in (
    select id from public.concepts where organization_id in (select private.staff_org_ids())));

create policy "Staff can update prerequisites of their organization's concepts"
  on public.concept_prerequisites for update to authenticated
  using (concept_id in (
    select id from public.concepts where organization_id in (select private.staff_org_ids())))
  with check (concept_id in (
    select id from public.concepts where organization_id in (select private.staff_org_ids())));

create policy "Staff can delete prerequisites of their organization's concepts"
  on public.concept_prerequisites for delete to authenticated
  using (concept_id in (
    select id from public.concepts where organization_id in (select private.staff_org_ids())));

-- supabase/policies/content_hooks.sql
-- Policies of public.content_hooks: published content hooks are readable by signed-in users (an
-- organization's only by its members); drafts only by their authors and the
-- organization's staff, who also write them. Global content hooks (no organization)
-- are written by service_role.

create policy "Signed-in users can read published content hooks"
  on public.content_hooks for select to authenticated
  using (is_published and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Authors can read their own content hooks"
  on public.content_hooks for select to authenticated
  using (author_id = (select auth.uid()));

create policy "Staff can read their organization's content hooks"
  on public.content_hooks for select to authenticated
  using (organization_id in (select private.staff_org_ids()));

create policy "Staff can create content hooks for their organization"
  on public.content_hooks for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select auth.uid()));

create policy "Staff can update their organization's content hooks"
  on public.content_hooks for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's content hooks"
  on public.content_hooks for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));

-- supabase/policies/content_examples.sql
-- Policies of public.content_examples: published content examples are readable by signed-in users (an
-- organization's only by its members); drafts only by their authors and the
-- organization's staff, who also write them. Global content examples (no organization)
-- are written by service_role.

create policy "Signed-in users can read published content examples"
  on public.content_examples for select to authenticated
  using (is_published and (organization_id is null or organization_id in (select private.member_org_ids())));

create policy "Authors can read their own content examples"
  on public.content_examples for select to authenticated
  using (author_id = (select auth.uid()));

create policy "Staff can read their organization's content examples"
  on public.content_examples for select to authenticated
  using (organization_id in (select private.staff_org_ids()));

create policy "Staff can create content examples for their organization"
  on public.content_examples for insert to authenticated
  with check (organization_id in (select private.staff_org_ids()) and author_id = (select auth.uid()));

create policy "Staff can update their organization's content examples"
  on public.content_examples for update to authenticated
  using (organization_id in (select private.staff_org_ids()))
  with check (organization_id in (select private.staff_org_ids()));

create policy "Staff can delete their organization's content examples"
  on public.content_examples for delete to authenticated
  using (organization_id in (select private.staff_org_ids()));
