-- SQL of workers.process_awards.

-- name: process_batch
-- One batch of the queue, oldest first (0: empty, or another run holds the lock).
select private.process_awards(%(batch_size)s) as applied;

-- name: queued
select count(*) as queued from private.award_outbox;

-- name: listen
listen learnkit_awards;

-- name: sleep
-- Before sleeping on LISTEN: the follower's sleep lock (private.queue_award takes it shared, and notifies when it
-- cannot); false while an answer or award is being committed. Then whether anything is queued: a row committed
-- before the lock was taken is visible now, one committed after it notifies.
select pg_try_advisory_lock(hashtext('learnkit.process_awards'), 1) as asleep;

-- name: another_follower_asleep
-- After the sleep lock was refused: true when another follower holds it (then this one waits as that one does),
-- false when writers hold it shared (they are committing rows: look again in a moment).
select case when pg_try_advisory_lock_shared(hashtext('learnkit.process_awards'), 1)
            then not pg_advisory_unlock_shared(hashtext('learnkit.process_awards'), 1)
            else true end as asleep;

-- name: anything_queued
select exists (select from private.award_outbox) as queued;

-- name: wake
select pg_advisory_unlock(hashtext('learnkit.process_awards'), 1) as awake;
