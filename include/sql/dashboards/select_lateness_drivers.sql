-- The published regression of a late delivery: each term's odds ratio with its 95 per cent
-- interval, the strongest effects first.
select
    d.term,
    d.variable,
    d.level,
    d.reference_level,
    d.odds_ratio,
    d.odds_ratio_lower_95,
    d.odds_ratio_upper_95,
    d.p_value
from marts.sla_lateness_drivers as d
where d.variable <> 'intercept' and d.odds_ratio is not null
order by abs(ln(d.odds_ratio)) desc
limit %(top)s;
