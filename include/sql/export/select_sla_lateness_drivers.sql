-- The lateness model's terms: odds ratios above 1 make a late delivery more likely.
select
    d.term,
    d.variable,
    d.level,
    d.reference_level,
    d.coefficient,
    d.std_error,
    d.odds_ratio,
    d.odds_ratio_lower_95,
    d.odds_ratio_upper_95,
    d.p_value
from marts.sla_lateness_drivers as d
order by d.variable, d.term;
