-- What each KPI means, for the tiles' hover text.
select
    c.kpi_name,
    c.label,
    c.unit,
    c.formula,
    c.attributed_to
from marts.kpi_catalog as c;
