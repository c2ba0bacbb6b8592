-- pin the search_path of every function Supabase's advisor would flag
--
-- Supabase's advisor (splinter lint 0011, function_search_path_mutable) warns on
-- every function outside Supabase's own schemas that takes its search_path from the
-- caller's session; `learnkit db advise` now checks the same rule. The one offender
-- was public.get_child_overview(uuid): 20261122090000 left it without a `set` clause
-- so that the planner could inline it into the caller's query (a pinned search_path
-- forbids SQL-function inlining; measured then at 20-80 us a call, bench/rls_overhead.py).
-- Security over that cost: a function whose names resolve through the caller's
-- search_path can be made to run the caller's objects. Its body already
-- schema-qualifies its one name, so an empty search_path changes nothing else.
-- Not destructive.

alter function public.get_child_overview(uuid) set search_path = '';
