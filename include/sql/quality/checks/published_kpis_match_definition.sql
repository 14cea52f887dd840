-- Candidate KPI rows that differ from the KPI definition recomputed from the facts,
-- on a sample: the newest 31 of the days this build recomputed (its dirty marks),
-- 5 other days at random, and the months of them all. Each KPI column is compared
-- (numbers within 0.00005); a row on one side only differs in every column. A build
-- that missed a changed day, or a candidate edited after it, fails here instead of
-- being published.
with built_days as (
    select distinct d.calendar_date as period_start
    from kpi.kpi_dirty_days as d
    inner join candidate.build_marks as m on d.marked_id = m.marked_id
    where isfinite(d.calendar_date)
),

sampled_days as (
    (
        select b.period_start from built_days as b
        order by b.period_start desc
        limit 31
    )
    union
    (
        select b.period_start from batch as b
        where b.grain = 'day' and b.dimension_name = 'all'
        order by random()
        limit 5
    )
),

sampled_months as (
    select distinct date_trunc('month', s.period_start::timestamp)::date as period_start
    from sampled_days as s
),

-- One call per month gives its days and the month itself.
defined as (
    select v.*
    from sampled_months as s
    cross join lateral kpi.kpi_values_between(s.period_start, (s.period_start + interval '1 month - 1 day')::date) as v
    where v.grain = 'month' or v.period_start in (select d.period_start from sampled_days as d)
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
