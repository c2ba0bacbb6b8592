-- bench/retrieval.py: chunks of one platform concept with generated unit vectors (1536 dimensions), the
-- HNSW index as supabase/schemas/12_retrieval.sql declares it, and the kNN statement both searches run.
-- Random numbers come from random(): each run draws its own data; the figures are medians over queries.

-- name: vector_version
select extversion as version from pg_catalog.pg_extension where extname = 'vector';

-- name: drop_index
-- Built after the load (bulk-building is faster than inserting into the graph row by row).
drop index if exists public.content_chunks_embedding_idx;

-- name: platform_concept
insert into public.concepts (id, code, name, is_published)
values ('00000000-0000-4000-8000-0000000000c1', 'bench.retrieval', 'Retrieval bench', true)
on conflict do nothing;

-- name: centroids
-- Topic directions; `where c > 0` makes the subquery depend on the row, so each gets its own.
create unlogged table bench_centroids as
select
    c,
    extensions.l2_normalize(
        (select array_agg(random()::real - 0.5) from generate_series(1, 1536) where c > 0)::extensions.vector
    ) as v
from generate_series(1, %(clusters)s) as c;

-- name: load_chunks
-- Uniform noise in [-0.5, 0.5) per dimension has norm ≈ 0.2887 × √1536 ≈ 11.3: × 0.0885 gives norm ≈ 1, the
-- centroid's, so a chunk sits at cosine ≈ 0.7 from its topic.
insert into public.content_chunks (concept_id, chunk_index, content, embedding, is_published)
select
    '00000000-0000-4000-8000-0000000000c1'::uuid,
    n,
    'bench chunk ' || n,
    extensions.l2_normalize(case when %(clustered)s then centroid.v + noise.v else noise.v end),
    true
from generate_series(1, %(chunks)s) as n
inner join bench_centroids as centroid on centroid.c = 1 + n %% (select count(*) from bench_centroids)
cross join lateral (
    select (
        select array_agg((random()::real - 0.5) * 0.0885) from generate_series(1, 1536) where n > 0
    )::extensions.vector as v
) as noise;

-- name: build_index
create index content_chunks_embedding_idx on public.content_chunks
using hnsw (embedding extensions.vector_cosine_ops) with (m = 16, ef_construction = 64);

-- name: index_size
select pg_size_pretty(pg_relation_size('public.content_chunks_embedding_idx')) as size;

-- name: create_prewarm
create extension if not exists pg_prewarm schema extensions;

-- name: prewarm
select
    extensions.pg_prewarm('public.content_chunks'),
    extensions.pg_prewarm('public.content_chunks_embedding_idx');

-- name: make_queries
-- Each query: a fresh noisy copy of a topic (or, unclustered, a uniform random direction).
create unlogged table bench_queries as
select
    n,
    extensions.l2_normalize(case when %(clustered)s then centroid.v + noise.v else noise.v end) as v
from generate_series(1, %(queries)s) as n
inner join bench_centroids as centroid
    on centroid.c = 1 + (n * 7919) %% (select count(*) from bench_centroids)
cross join lateral (
    select (
        select array_agg((random()::real - 0.5) * 0.0885) from generate_series(1, 1536) where n > 0
    )::extensions.vector as v
) as noise;

-- name: queries
select n, v::text as v from bench_queries order by n;

-- name: exact_mode
-- No index scan: the exact top-10 by a sequential scan (parallel workers as the server allows).
set local enable_indexscan = off;

-- name: hnsw_mode
-- The planner's choice between the index and a scan moves with ef_search (pgvector 0.8 costs the index by it):
-- sequential scans off, so every HNSW figure is the index's.
select
    set_config('hnsw.ef_search', %(ef_search)s, true),
    set_config('enable_seqscan', 'off', true);

-- name: knn
select id
from public.content_chunks
order by embedding operator(extensions.<=>) %(q)s::extensions.vector
limit 10;

-- name: match_mode
-- The RPC as the schema declares it: its own ef_search (100) and iterative scan, the planner's choice of plan.
select set_config('hnsw.ef_search', '40', true);

-- name: match
-- public.match_content_chunks: 40 nearest candidates re-ranked (no interests, no threshold).
select id
from public.match_content_chunks(%(q)s::extensions.vector, 10, -1);
