-- require content of the row's organization
--
-- Content rows point at other content by id: a question at its lesson, test and concept, a test at its lesson, a
-- concept at its parent and textbook, a prerequisite edge at two concepts, a hook or example at its concept. Nothing
-- checked that what they point at belongs to the row's own organization, so any signed-in user could found an
-- organization and write questions naming organization A's lesson (completing A's lesson with their own questions,
-- or making it impossible to complete for A's students) or A's concept (showing as mastering it to A's staff).
--
-- Rule (docs/security.md, "Content belongs to its organization"): a content row of organization X may point at
-- content of X only; a concept (a question's, hook's or example's concept, a concept's parent, a prerequisite) or
-- a textbook may also be platform-wide (organization_id null: the shared taxonomy). A platform-wide row points at
-- platform-wide content only. A lesson or a test is never borrowed across organizations: their questions decide
-- who completes them. Refusals raise 23514 naming the row and the content. The organization of a row with a course
-- is the course's (as private.trigger_inherit_course_organization copies it), computed here too so that the check
-- does not depend on the order triggers fire in. lessons (their organization is their course's), lesson_notes
-- (their lesson's) and textbooks (they point at media only) need no check; media references are not content and
-- grant no read (media_assets' own policies decide).
--
-- DESTRUCTIVE for rows that already break the rule (none in a database built by learnkit's seed): references to
-- another organization's lesson, test, concept, parent or textbook are set to null (as if that content had been
-- deleted), and prerequisite edges, hooks and examples tied to another organization's concept are deleted.

-- ---------------------------------------------------------------- functions
create function private.require_content_of_organization(
  referencing text, referenced text, referenced_id uuid, organization uuid, platform_allowed boolean
) returns void
language plpgsql stable
security definer
set search_path = ''
as $$
declare
  owner uuid;
begin
  if referenced_id is null then
    return;
  end if;
  case referenced
    when 'lesson' then select l.organization_id into owner from public.lessons as l where l.id = referenced_id;
    when 'test' then select t.organization_id into owner from public.tests as t where t.id = referenced_id;
    when 'concept' then select c.organization_id into owner from public.concepts as c where c.id = referenced_id;
    when 'textbook' then select b.organization_id into owner from public.textbooks as b where b.id = referenced_id;
  end case;
  if not found or owner is not distinct from organization or (owner is null and platform_allowed) then
    return;  -- a missing row is the foreign key's to report
  end if;
  raise exception using
    errcode = '23514',
    message = format('a %s may only use a %s of its own organization%s', referencing, referenced,
                     case when platform_allowed and organization is not null then ' or of the platform' end),
    detail = format('%s %s belongs to %s', referenced, referenced_id,
                    case when owner is null then 'the platform' else 'another organization' end),
    hint = 'Content belongs to one organization: copy it into yours instead of pointing at another''s.';
end
$$;
comment on function private.require_content_of_organization(text, text, uuid, uuid, boolean) is
  'Raises 23514 unless the referenced lesson, test, concept or textbook belongs to the given organization (or, '
  'when platform_allowed, to the platform); a missing row is left to the foreign key.';
revoke execute on function private.require_content_of_organization(text, text, uuid, uuid, boolean) from public;

create function private.trigger_require_content_of_organization() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  organization uuid;
begin
  case tg_table_name
    when 'questions' then
      organization := case when new.course_id is null then new.organization_id
                           else private.course_organization_id(new.course_id) end;
      perform private.require_content_of_organization('question', 'lesson', new.lesson_id, organization, false);
      perform private.require_content_of_organization('question', 'test', new.test_id, organization, false);
      perform private.require_content_of_organization('question', 'concept', new.concept_id, organization, true);
    when 'tests' then
      organization := case when new.course_id is null then new.organization_id
                           else private.course_organization_id(new.course_id) end;
      perform private.require_content_of_organization('test', 'lesson', new.lesson_id, organization, false);
    when 'concepts' then
      perform private.require_content_of_organization('concept', 'concept', new.parent_id, new.organization_id, true);
      perform private.require_content_of_organization('concept', 'textbook', new.textbook_id, new.organization_id,
                                                      true);
    when 'concept_prerequisites' then
      organization := private.concept_organization_id(new.concept_id);
      perform private.require_content_of_organization('prerequisite edge', 'concept', new.prerequisite_id,
                                                      organization, true);
    when 'content_hooks' then
      perform private.require_content_of_organization('content hook', 'concept', new.concept_id,
                                                      new.organization_id, true);
    when 'content_examples' then
      perform private.require_content_of_organization('content example', 'concept', new.concept_id,
                                                      new.organization_id, true);
  end case;
  return new;
end
$$;
comment on function private.trigger_require_content_of_organization() is
  'BEFORE INSERT OR UPDATE of content: every lesson, test, concept or textbook the row points at belongs to the '
  'row''s organization (concepts and textbooks may be platform-wide); else 23514.';
revoke execute on function private.trigger_require_content_of_organization() from public;

-- ---------------------------------------------------------------- existing rows
update public.questions as q set lesson_id = null
from public.lessons as l
where l.id = q.lesson_id and l.organization_id is distinct from q.organization_id;
update public.questions as q set test_id = null
from public.tests as t
where t.id = q.test_id and t.organization_id is distinct from q.organization_id;
update public.questions as q set concept_id = null
from public.concepts as c
where c.id = q.concept_id and c.organization_id is not null and c.organization_id is distinct from q.organization_id;
update public.tests as t set lesson_id = null
from public.lessons as l
where l.id = t.lesson_id and l.organization_id is distinct from t.organization_id;
update public.concepts as c set parent_id = null
from public.concepts as parent
where parent.id = c.parent_id and parent.organization_id is not null
  and parent.organization_id is distinct from c.organization_id;
update public.concepts as c set textbook_id = null
from public.textbooks as b
where b.id = c.textbook_id and b.organization_id is not null and b.organization_id is distinct from c.organization_id;
delete from public.concept_prerequisites as edge
using public.concepts as concept, public.concepts as prerequisite
where concept.id = edge.concept_id and prerequisite.id = edge.prerequisite_id
  and prerequisite.organization_id is not null
  and prerequisite.organization_id is distinct from concept.organization_id;
delete from public.content_hooks as h
using public.concepts as c
where c.id = h.concept_id and c.organization_id is not null and c.organization_id is distinct from h.organization_id;
delete from public.content_examples as e
using public.concepts as c
where c.id = e.concept_id and c.organization_id is not null and c.organization_id is distinct from e.organization_id;

-- ---------------------------------------------------------------- triggers
create trigger questions_require_content_of_organization
  before insert or update of organization_id, course_id, lesson_id, test_id, concept_id on public.questions
  for each row execute function private.trigger_require_content_of_organization();
create trigger tests_require_content_of_organization
  before insert or update of organization_id, course_id, lesson_id on public.tests
  for each row execute function private.trigger_require_content_of_organization();
create trigger concepts_require_content_of_organization
  before insert or update of organization_id, parent_id, textbook_id on public.concepts
  for each row execute function private.trigger_require_content_of_organization();
create trigger concept_prerequisites_require_content_of_organization
  before insert or update of concept_id, prerequisite_id on public.concept_prerequisites
  for each row execute function private.trigger_require_content_of_organization();
create trigger content_hooks_require_content_of_organization
  before insert or update of organization_id, concept_id on public.content_hooks
  for each row execute function private.trigger_require_content_of_organization();
create trigger content_examples_require_content_of_organization
  before insert or update of organization_id, concept_id on public.content_examples
  for each row execute function private.trigger_require_content_of_organization();
