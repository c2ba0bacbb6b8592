-- create level curve
--
-- Levels from XP by Level Up XP's relative curve: reaching level n takes
-- XP(n) = round(120·(1 − 1.3^(n−1)) / (1 − 1.3)) — 0, 120, 276, 479, 742, …
-- and PathIQ tiers from levels. Immutable, so tables use them in generated
-- columns; public, so apps can draw progress bars with the same numbers.

create function public.level_threshold(level integer) returns bigint
language sql immutable parallel safe
set search_path = ''
as $$
  select case when level <= 1 then 0::bigint
    else round(120 * (1 - power(1.3::double precision, level - 1)) / (1 - 1.3::double precision))::bigint end
$$;
comment on function public.level_threshold(integer) is
  'XP needed to reach a level: round(120·(1−1.3^(n−1))/(1−1.3)); level 1 is 0, level 2 is 120.';

-- The closed form gives the level up to rounding; the thresholds settle it.
create function public.level_for_xp(xp bigint) returns integer
language plpgsql immutable parallel safe
set search_path = ''
as $$
declare
  guess integer;
begin
  if xp is null or xp < 120 then
    return 1;
  end if;
  guess := 1 + floor(ln(1 + xp * 0.3 / 120) / ln(1.3))::integer;
  while public.level_threshold(guess + 1) <= xp loop
    guess := guess + 1;
  end loop;
  while guess > 1 and public.level_threshold(guess) > xp loop
    guess := guess - 1;
  end loop;
  return guess;
end
$$;
comment on function public.level_for_xp(bigint) is 'The level reached with this much XP (at least 1).';

create function public.pathiq_tier(level integer) returns text
language sql immutable parallel safe
set search_path = ''
as $$
  select case
    when level >= 30 then 'luminary'
    when level >= 20 then 'pioneer'
    when level >= 15 then 'navigator'
    when level >= 10 then 'trailblazer'
    when level >= 5 then 'pathfinder'
    else 'explorer' end
$$;
comment on function public.pathiq_tier(integer) is
  'PathIQ tier of a level: explorer 1–4, pathfinder 5–9, trailblazer 10–14, navigator 15–19, pioneer 20–29, '
  'luminary 30+.';

grant execute on function public.level_threshold(integer), public.level_for_xp(bigint), public.pathiq_tier(integer)
  to anon, authenticated, service_role;
