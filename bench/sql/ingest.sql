-- bench/ingest.py: learners (md5-derived ids) and the statements both workloads send.

-- name: setup
insert into auth.users (id, email, raw_user_meta_data)
select md5('learner' || i)::uuid, 'ingest' || i || '@bench.learnkit.dev', jsonb_build_object('nickname', 'learner' || i)
from generate_series(1, %(learners)s) i;
analyze;

-- name: record
-- What PostgREST runs for POST /rpc/record_learning_events (after setting the request, bench/common.act_as).
select recorded, duplicates from public.record_learning_events(%(events)s::jsonb);

-- name: insert_one
-- The baseline: one plain INSERT per event, committed on its own, as the owner (no request set-up, no checks
-- but the table's own): the cheapest way to write one event at a time.
insert into public.learning_events (user_id, event_type, mode, is_correct, response_ms, active_seconds, occurred_at,
                                    client_event_id)
values (%(user_id)s, 'answer', 'practice', %(is_correct)s, %(response_ms)s, %(active_seconds)s, %(occurred_at)s,
        %(event_id)s)
on conflict do nothing;

-- name: count_events
select count(*) as events, count(distinct client_event_id) as distinct_ids from public.learning_events;
