-- SQL of workers.close_league_weeks.

-- name: close_due
select private.close_due_league_weeks(%(now)s) as closed;
