-- Every KPI, per day and per month, for the whole shop and by category, region,
-- channel, carrier and fulfillment center: the live numbers, before any gate.
drop view if exists kpi.kpi_values;

create view kpi.kpi_values as
select * from kpi.kpi_values_between('-infinity', 'infinity');
