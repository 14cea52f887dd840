insert into candidate.sla_lateness_drivers (
    term, variable, level, reference_level, coefficient, std_error,
    odds_ratio, odds_ratio_lower_95, odds_ratio_upper_95, p_value
)
values (
    %(term)s, %(variable)s, %(level)s, %(reference_level)s, %(coefficient)s, %(std_error)s,
    %(odds_ratio)s, %(odds_ratio_lower_95)s, %(odds_ratio_upper_95)s, %(p_value)s
);
