-- SQL of cli.demo_retrieval: semantic retrieval over the seed's content chunks (supabase/seed.sql), as a
-- learner through public.match_content_chunks() (row level security decides what she may find).

-- name: available
select to_regclass('public.content_chunks') is not null as available;

-- name: learner
-- Ava, Maple Grove's student 1: the seed gives her the interests sports and music.
select
    p.id,
    p.nickname,
    array(select item ->> 'interest' from jsonb_array_elements(p.interests) as item) as interests
from public.profiles as p
where p.id = '5eed0000-0000-4000-8000-000000000101';

-- name: match
-- POST /rpc/match_content_chunks with the embedding of a question about the concept. The seed's embeddings
-- are deterministic stand-ins (supabase/seed.sql): the query is the concept's own direction, as an app's
-- model would embed "how do I add numbers up to 10?". interests null: the caller's profile interests.
select
    m.content,
    m.interest_tags,
    round(m.similarity::numeric, 3) as similarity,
    m.interest_overlap,
    round(m.score::numeric, 3) as score
from public.match_content_chunks(
    query_embedding => extensions.l2_normalize((
        select array_agg((hashtext(format('%%s:%%s', %(concept_code)s::text, i)) / 2147483648.0)::real order by i)
        from generate_series(1, 1536) as i
    )::extensions.vector),
    match_count => %(match_count)s,
    interests => %(interests)s::text[]
) as m;
