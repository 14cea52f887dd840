-- Candidate KPI rows that differ from the KPI definition recomputed from the facts,
-- on a sample: the newest 31 of the days this build recomputed (its dirty marks) with
-- their months, and 5 other days at random. Each KPI column is compared (numbers within
-- 0.00005); a row on one side only differs in every column. A build that missed a
-- changed day, or a candidate edited after it, fails here instead of being published.
-- The random days are recomputed alone, not with their months: a month costs a month of
-- facts, and the newest built days' months already check the months the build rewrote.
with built_days as (
    select distinct d.calendar_date as period_start
    from kpi.kpi_dirty_days as d
    inner join candidate.build_marks as m on d.marked_id = m.marked_id
    where isfinite(d.calendar_date)
),

newest_built_days as (
    select b.period_start from built_days as b
    order by b.period_start desc
    limit 31
),

sampled_months as (
    select distinct date_trunc('month', n.period_start::timestamp)::date as period_start
    from newest_built_days as n
),

random_days as (
    select b.period_start from batch as b
    where
        b.grain = 'day' and b.dimension_name = 'all'
        and date_trunc('month', b.period_start::timestamp)::date not in (select s.period_start from sampled_months as s)
    order by random()
    limit 5
),

sampled_days as (
    select n.period_start from newest_built_days as n
    union
    select r.period_start from random_days as r
),

-- One call per month gives its days and the month itself; one per random day, that day.
defined as (
    select v.*
    from sampled_months as s
    cross join lateral kpi.kpi_values_between(s.period_start, (s.period_start + interval '1 month - 1 day')::date) as v
    where v.grain = 'month' or v.period_start in (select n.period_start from newest_built_days as n)
    union all
    select v.*
    from random_days as r
    cross join lateral kpi.kpi_values_between(r.period_start, r.period_start) as v
    where v.grain = 'day'
),

published as (
    select b.* from batch as b
    where
        (b.grain = 'day' and b.period_start in (select s.period_start from sampled_days as s))
        or (b.grain = 'month' and b.period_start in (select s.period_start from sampled_months as s))
),

pairs as (
    select
        coalesce(p.grain, d.grain) as grain,
        coalesce(p.period_start, d.period_start) as period_start,
        coalesce(p.dimension_name, d.dimension_name) as dimension_name,
        coalesce(p.dimension_value, d.dimension_value) as dimension_value,
        to_jsonb(p) - array['grain', 'period_start', 'dimension_name', 'dimension_value'] as candidate_row,
        to_jsonb(d) - array['grain', 'period_start', 'dimension_name', 'dimension_value'] as defined_row
    from published as p
    full outer join defined as d
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
