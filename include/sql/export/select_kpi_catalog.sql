select
    c.kpi_name,
    c.label,
    c.unit,
    c.formula,
    c.attributed_to,
    c.dimensions
from marts.kpi_catalog as c
order by c.kpi_name;
