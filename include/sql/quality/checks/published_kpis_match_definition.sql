-- Candidate KPI rows that differ from the KPI definition. Two comparisons, each
-- KPI column (numbers within 0.00005; a row on one side only differs in every column):
--   * a sample of days recomputed from the facts, each day alone: the newest 3 days
--     this build recomputed (its dirty marks), 2 more of them and 2 days of the
--     candidate at random. A day costs a day of facts, so the check's cost follows
--     the size of a day, not of the months the build touched.
--   * every day and month of the months the build rewrote, recomputed from the kept
--     daily parts (kpi.kpi_day_parts) with the same formulas and month sums.
-- A build that missed a changed day on a sampled day, parts that do not add up to
-- their months, or a candidate edited after the build fail here instead of being
-- published.
with built_days as (
    select distinct d.calendar_date as period_start
    from kpi.kpi_dirty_days as d
    inner join candidate.build_marks as m on d.marked_id = m.marked_id
    where isfinite(d.calendar_date)
),

newest_built_days as (
    select b.period_start from built_days as b
    order by b.period_start desc
    limit 3
),

other_built_days as (
    select b.period_start from built_days as b
    where b.period_start not in (select n.period_start from newest_built_days as n)
    order by random()
    limit 2
),

any_days as (
    select b.period_start from batch as b
    where b.grain = 'day' and b.dimension_name = 'all'
    order by random()
    limit 2
),

days_from_facts as (
    select n.period_start from newest_built_days as n
    union
    select o.period_start from other_built_days as o
    union
    select a.period_start from any_days as a
),

-- The months the build rewrote (a full rebuild's mark of -infinity rewrites them all).
rewritten_months as (
    select distinct date_trunc('month', b.period_start::timestamp)::date as period_start
    from batch as b
    where
        b.grain = 'month'
        and (
            exists (
                select from kpi.kpi_dirty_days as d
                inner join candidate.build_marks as m on d.marked_id = m.marked_id
                where d.calendar_date = '-infinity'
            )
            or b.period_start in (
                select date_trunc('month', d.period_start::timestamp)::date from built_days as d
            )
        )
),

from_facts as (
    select v.*
    from days_from_facts as s
    cross join lateral kpi.kpi_values_between(s.period_start, s.period_start) as v
    where v.grain = 'day'
),

from_kept_parts as (
    select v.*
    from rewritten_months as s
    cross join lateral kpi.kpi_values_between(
        s.period_start, (s.period_start + interval '1 month - 1 day')::date, true
    ) as v
),

pairs as (
    select
        coalesce(p.grain, d.grain) as grain,
        coalesce(p.period_start, d.period_start) as period_start,
        coalesce(p.dimension_name, d.dimension_name) as dimension_name,
        coalesce(p.dimension_value, d.dimension_value) as dimension_value,
        to_jsonb(p) - array['grain', 'period_start', 'dimension_name', 'dimension_value'] as candidate_row,
        to_jsonb(d) - array['grain', 'period_start', 'dimension_name', 'dimension_value'] as defined_row
    from (
        select b.* from batch as b
        where b.grain = 'day' and b.period_start in (select s.period_start from days_from_facts as s)
    ) as p
    full outer join from_facts as d
        on
            p.grain = d.grain
            and p.period_start = d.period_start
            and p.dimension_name = d.dimension_name
            and p.dimension_value = d.dimension_value
    union all
    select
        coalesce(p.grain, d.grain),
        coalesce(p.period_start, d.period_start),
        coalesce(p.dimension_name, d.dimension_name),
        coalesce(p.dimension_value, d.dimension_value),
        to_jsonb(p) - array['grain', 'period_start', 'dimension_name', 'dimension_value'],
        to_jsonb(d) - array['grain', 'period_start', 'dimension_name', 'dimension_value']
    from (
        select b.* from batch as b
        where date_trunc('month', b.period_start::timestamp)::date in (select s.period_start from rewritten_months as s)
    ) as p
    full outer join from_kept_parts as d
        on
            p.grain = d.grain
            and p.period_start = d.period_start
            and p.dimension_name = d.dimension_name
            and p.dimension_value = d.dimension_value
),

compared as (
    select
        p.grain,
        p.period_start,
        p.dimension_name,
        p.dimension_value,
        k.kpi,
        p.candidate_row -> k.kpi as candidate_value,
        p.defined_row -> k.kpi as defined_value
    from pairs as p
    cross join lateral (
        select jsonb_object_keys(coalesce(p.defined_row, p.candidate_row)) as kpi
    ) as k
)

select
    c.grain,
    c.period_start,
    c.dimension_name,
    c.dimension_value,
    c.kpi,
    c.candidate_value,
    c.defined_value
from compared as c
where
    c.candidate_value is null
    or c.defined_value is null
    or (
        jsonb_typeof(c.candidate_value) = 'number' and jsonb_typeof(c.defined_value) = 'number'
        and abs(c.candidate_value::numeric - c.defined_value::numeric) > 0.00005
    )
    or (
        not (jsonb_typeof(c.candidate_value) = 'number' and jsonb_typeof(c.defined_value) = 'number')
        and c.candidate_value <> c.defined_value
    )
