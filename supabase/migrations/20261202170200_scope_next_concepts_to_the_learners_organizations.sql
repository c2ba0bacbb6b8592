-- scope next concepts to the learner's organizations
--
-- public.next_available_concepts() walked every prerequisite edge of the platform, every organization's, and let
-- RLS drop the ones its caller could not read: anyone who founds an organization and writes a large concept graph
-- made every learner's call slower. It now starts from the concepts of the learner's organizations and of the
-- platform (by index on concepts.organization_id) and follows only their edges (by the edge table's primary key);
-- since 20261202170000_require_content_of_the_rows_organization an edge never leads from an organization's concept
-- to another organization's, so the walk stays inside that scope. The learner's organizations are known to the
-- learner, their guardians, the staff of those organizations and the server; anyone else gets platform concepts
-- only. Signature, result and security invoker (the caller's policies still filter concepts and progress)
-- unchanged.

-- ---------------------------------------------------------------- functions
create function private.learner_organization_ids(learner uuid) returns setof uuid
language plpgsql stable
security definer
set search_path = ''
as $$
begin
  return query
    select m.organization_id from public.organization_members as m
    where m.user_id = learner
      and ((select auth.role()) is distinct from 'authenticated'
           or learner = (select auth.uid())
           or learner in (select g.student_id from public.guardianships as g where g.guardian_id = (select auth.uid()))
           or m.organization_id in (
             select s.organization_id from public.organization_members as s
             where s.user_id = (select auth.uid()) and s.role in ('admin', 'educator')));
end
$$;
comment on function private.learner_organization_ids(uuid) is
  'The organizations a learner is a member of, as far as the caller may know them: all of them for the learner, '
  'their guardians and the server; those the caller staffs for staff; none for anyone else.';
revoke execute on function private.learner_organization_ids(uuid) from public;
grant execute on function private.learner_organization_ids(uuid) to authenticated, service_role;

create or replace function public.next_available_concepts(learner uuid default auth.uid(), subject uuid default null)
returns table (
  concept_id uuid, code text, name text, subject_id uuid, kind public.concept_kind,
  difficulty public.difficulty_level, order_index integer, status public.skill_status, mastery numeric
)
language sql stable
security invoker
set search_path = ''
as $$
  with recursive
  scope as materialized (
    select c.id from public.concepts as c
    where c.organization_id is null
    union all
    select c.id from public.concepts as c
    where c.organization_id = any (array(select private.learner_organization_ids(learner)))
  ),
  mastered as (
    select progress.concept_id from public.skill_progress as progress
    where progress.user_id = learner and progress.status = 'mastered'
  ),
  -- Each step reads the edges of known concepts by the edge table's primary key (a lateral lookup per concept,
  -- kept apart by offset 0), never a scan of every organization's edges.
  requirements (concept_id, prerequisite_id) as (
    select scope.id, edge.prerequisite_id
    from scope
    cross join lateral (
      select e.prerequisite_id from public.concept_prerequisites as e
      where e.concept_id = scope.id and not e.can_skip and e.strength <> 'weak'
      offset 0
    ) as edge
    union
    select requirements.concept_id, edge.prerequisite_id
    from requirements
    cross join lateral (
      select e.prerequisite_id from public.concept_prerequisites as e
      where e.concept_id = requirements.prerequisite_id and not e.can_skip and e.strength <> 'weak'
      offset 0
    ) as edge
  )
  select c.id, c.code, c.name, c.subject_id, c.kind, c.difficulty, c.order_index,
         coalesce(progress.status, 'not_started'), coalesce(progress.mastery, 0)
  from scope
  join public.concepts as c on c.id = scope.id
  left join public.skill_progress as progress on progress.concept_id = c.id and progress.user_id = learner
  where c.kind in ('concept', 'skill')
    and (subject is null or c.subject_id = subject)
    and c.id not in (select mastered.concept_id from mastered)
    and not exists (
      select from requirements
      where requirements.concept_id = c.id
        and requirements.prerequisite_id not in (select mastered.concept_id from mastered))
  order by c.subject_id, c.order_index, c.name
$$;
comment on function public.next_available_concepts(uuid, uuid) is
  'The concepts a learner can study next, among those of their organizations and the platform: not mastered, every '
  'required prerequisite (transitively) mastered.';
