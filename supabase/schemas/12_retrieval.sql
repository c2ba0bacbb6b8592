-- Semantic retrieval (Spool's Pinecone index, as pgvector): content_chunks holds passages of concepts and
-- textbooks with their embeddings, and public.match_content_chunks() finds the nearest ones to a query embedding,
-- favouring chunks tagged with the learner's interests. Embeddings come from the app: learnkit calls no model.
--
-- Everything here needs pgvector's `vector` type. Hosted Supabase and the embedded server have the extension;
-- Debian's PostgreSQL 15 does not. So one DO block creates the extension (in schema extensions) and the objects
-- only where pg_available_extensions lists `vector`; elsewhere it raises a NOTICE (`learnkit db push` prints it,
-- `learnkit db advise` reports an INFO finding, semantic_retrieval_unavailable) and the rest of the schema works
-- without retrieval. Inside the block the statements are the ones a declared file holds (PL/pgSQL resolves them
-- only when it reaches them). Policies: supabase/policies/content_chunks.sql, guarded the same way.
-- A change to these objects needs a hand-written migration wrapped the same way (docs/development.md).

do $retrieval$
begin
  if not exists (select from pg_catalog.pg_available_extensions where name = 'vector') then
    raise notice using
      message = 'semantic retrieval unavailable: this server has no pgvector extension (vector)',
      detail = 'public.content_chunks and public.match_content_chunks() were not created; everything else was.',
      hint = 'hosted Supabase and the embedded server (learnkit db start) have pgvector';
    return;
  end if;

  create extension if not exists vector with schema extensions;

  -- ====================================================================
  -- tables
  -- ====================================================================

  create table public.content_chunks (
    id uuid primary key default gen_random_uuid(),
    organization_id uuid references public.organizations (id) on delete cascade,
    concept_id uuid references public.concepts (id) on delete cascade,
    textbook_id uuid references public.textbooks (id) on delete cascade,
    author_id uuid default auth.uid() references public.profiles (id) on delete set null,
    chunk_index integer not null default 0 check (chunk_index between 0 and 100000),
    content text not null check (char_length(content) between 1 and 8000),
    grade_level public.grade_level,
    difficulty public.difficulty_level,
    interest_tags text[] not null default '{}' check (cardinality(interest_tags) <= 32),
    metadata jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
    embedding extensions.vector(1536) not null,
    embedding_model text check (char_length(embedding_model) <= 100),
    is_published boolean not null default false,
    published_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (concept_id is not null or textbook_id is not null),
    unique nulls not distinct (concept_id, textbook_id, chunk_index)
  );
  alter table public.content_chunks enable row level security;
  comment on table public.content_chunks is
    'A passage of a concept or textbook with its embedding (1536 dimensions, cosine), for semantic retrieval '
    '(Spool''s Pinecone index): grade, difficulty and interest tags filter and rank it; '
    'public.match_content_chunks() searches it. Content like the rest: one organization''s, or the platform''s.';
  comment on column public.content_chunks.embedding is
    'The chunk''s embedding, computed by the app (e.g. text-embedding-3-small); learnkit calls no model.';
  comment on column public.content_chunks.interest_tags is
    'Lower-case interests the passage speaks to (sports, music, ...): match_content_chunks() favours overlaps.';
  revoke all on table public.content_chunks from anon, authenticated;
  grant select, delete on table public.content_chunks to authenticated;
  grant insert (organization_id, concept_id, textbook_id, chunk_index, content, grade_level, difficulty,
    interest_tags, metadata, embedding, embedding_model, is_published)
    on table public.content_chunks to authenticated;
  grant update (chunk_index, content, grade_level, difficulty, interest_tags, metadata, embedding, embedding_model,
    is_published)
    on table public.content_chunks to authenticated;
  grant all on table public.content_chunks to service_role;
  -- HNSW with cosine distance, pgvector's defaults (m 16, ef_construction 64); match_content_chunks() searches it
  -- with ef_search 100. bench/retrieval.py measures recall@10 against exact search at 100k chunks.
  create index content_chunks_embedding_idx on public.content_chunks
    using hnsw (embedding extensions.vector_cosine_ops) with (m = 16, ef_construction = 64);
  create index content_chunks_organization_id_idx on public.content_chunks (organization_id);
  create index content_chunks_concept_id_idx on public.content_chunks (concept_id);
  create index content_chunks_textbook_id_idx on public.content_chunks (textbook_id);
  create index content_chunks_author_id_idx on public.content_chunks (author_id);

  -- ====================================================================
  -- functions
  -- ====================================================================

  create function public.match_content_chunks(
    query_embedding extensions.vector(1536),
    match_count integer default 10,
    match_threshold double precision default 0,
    filter_concept_id uuid default null,
    filter_textbook_id uuid default null,
    filter_grade_level public.grade_level default null,
    filter_difficulty public.difficulty_level default null,
    interests text[] default null,
    interest_boost double precision default 0.1
  ) returns table (
    id uuid,
    concept_id uuid,
    textbook_id uuid,
    chunk_index integer,
    content text,
    grade_level public.grade_level,
    difficulty public.difficulty_level,
    interest_tags text[],
    metadata jsonb,
    similarity double precision,
    interest_overlap integer,
    score double precision
  )
  language plpgsql stable
  security invoker
  set search_path = ''
  -- pgvector 0.8's iterative index scan: the HNSW scan goes on past hnsw.ef_search (40) candidates until enough
  -- rows pass the filters and the caller's RLS (a learner of a small organization in a big table), and
  -- 4 × match_count candidates can exceed ef_search; relaxed order, as the outer query sorts them again.
  set hnsw.iterative_scan = 'relaxed_order'
  -- recall@10 against exact search at 100k chunks: 0.89–0.98 at pgvector's default ef_search (40), 0.99 at 100,
  -- still ~50× faster than exact search at p95 (bench/retrieval.py, docs/performance.md).
  set hnsw.ef_search = 100
  -- A generic plan does not know the candidate limit (a variable) and guesses a tenth of the table, for which a
  -- sequential scan and sort look cheaper than the index: each call is planned with its own values instead.
  set plan_cache_mode = 'force_custom_plan'
  -- pgvector's costs make a parallel sequential scan look cheaper than the index at ef_search 100 and 100k chunks,
  -- though it reads every 6 kB vector out of line (0.5 s against 10 ms, bench/retrieval.py): scans penalised here.
  set enable_seqscan = off
  as $match$
  declare
    wanted text[];
  begin
    if query_embedding is null or match_count is null or match_count not between 1 and 200 then
      raise exception using
        errcode = '22023',
        message = 'match_content_chunks needs a query_embedding and a match_count between 1 and 200';
    end if;
    if interest_boost is null or interest_boost not between 0 and 1 then
      raise exception using errcode = '22023', message = 'interest_boost must be between 0 and 1';
    end if;
    if cardinality(interests) > 32 then
      raise exception using
        errcode = '22001',
        message = format('argument interests is too long: %s tags, at most 32 allowed', cardinality(interests));
    end if;
    perform private.check_argument_length('interests', array_to_string(interests, ','), 2000);
    -- The caller's interests by default: Spool's interview results in their profile ([{interest, ...}]).
    wanted := case
      when interests is not null then
        coalesce((select array_agg(distinct lower(btrim(tag))) from unnest(interests) as tag), '{}')
      else
      (select array_agg(distinct lower(btrim(item ->> 'interest')))
       from public.profiles as p
       cross join lateral jsonb_array_elements(p.interests) as item
       where p.id = (select private.uid()) and jsonb_typeof(item) = 'object' and item ? 'interest')
    end;
    wanted := coalesce(wanted, '{}');
    -- Security invoker: the chunks' RLS decides what the caller may find. The inner query walks the HNSW index
    -- for the nearest candidates (4 × match_count, at least 40); the outer one re-ranks them by similarity plus
    -- the interest boost, so an interest match reorders close chunks but never pulls in a far one.
    return query
    with candidates as materialized (
      select c.*, c.embedding operator(extensions.<=>) query_embedding as distance
      from public.content_chunks as c
      where
        (filter_concept_id is null or c.concept_id = filter_concept_id)
        and (filter_textbook_id is null or c.textbook_id = filter_textbook_id)
        and (filter_grade_level is null or c.grade_level = filter_grade_level)
        and (filter_difficulty is null or c.difficulty = filter_difficulty)
      order by c.embedding operator(extensions.<=>) query_embedding
      limit greatest(4 * match_count, 40)
    ),
    scored as (
      select
        candidates.*,
        1 - candidates.distance as cosine_similarity,
        cardinality(array(select unnest(candidates.interest_tags) intersect select unnest(wanted))) as overlap
      from candidates
    )
    select
      scored.id, scored.concept_id, scored.textbook_id, scored.chunk_index, scored.content, scored.grade_level,
      scored.difficulty, scored.interest_tags, scored.metadata,
      scored.cosine_similarity,
      scored.overlap,
      scored.cosine_similarity
        + interest_boost * scored.overlap::double precision / greatest(cardinality(wanted), 1)
    from scored
    where scored.cosine_similarity >= match_threshold
    order by 12 desc, scored.distance, scored.id
    limit match_count;
  end
  $match$;
  comment on function public.match_content_chunks(
    extensions.vector, integer, double precision, uuid, uuid, public.grade_level, public.difficulty_level, text[],
    double precision
  ) is
    'Semantic search over the content_chunks the caller may read (RLS), in the style of Supabase''s '
    'match_documents: the match_count chunks with the best score = cosine similarity + interest_boost × '
    '(the chunk''s tags among the interests) / (number of interests), among the 4 × match_count nearest '
    '(at least 40) with similarity ≥ match_threshold, after the optional concept, textbook, grade and difficulty '
    'filters. interests default to the caller''s profile interests (profiles.interests).';
  revoke execute on function public.match_content_chunks(
    extensions.vector, integer, double precision, uuid, uuid, public.grade_level, public.difficulty_level, text[],
    double precision
  ) from public;
  grant execute on function public.match_content_chunks(
    extensions.vector, integer, double precision, uuid, uuid, public.grade_level, public.difficulty_level, text[],
    double precision
  ) to authenticated, service_role;

  -- ====================================================================
  -- triggers
  -- ====================================================================

  create trigger content_chunks_set_updated_at before update on public.content_chunks
    for each row execute function private.trigger_set_updated_at();

  create trigger content_chunks_stamp_published_at before insert or update of is_published on public.content_chunks
    for each row execute function private.trigger_stamp_published_at();

  create trigger content_chunks_bound_input before insert or update on public.content_chunks
    for each row execute function private.trigger_bound_input(
      'content:8000', 'embedding_model:100', 'interest_tags:4096:json', 'metadata:16384:json');

  create trigger content_chunks_require_content_of_organization
    before insert or update of organization_id, concept_id, textbook_id on public.content_chunks
    for each row execute function private.trigger_require_content_of_organization();
end
$retrieval$;
