insert into marts.kpi_catalog (kpi_name, label, unit, formula, attributed_to, dimensions)
values (%(name)s, %(label)s, %(unit)s, %(formula)s, %(attributed_to)s, %(dimensions)s)
on conflict (kpi_name) do update
    set
        label = excluded.label,
        unit = excluded.unit,
        formula = excluded.formula,
        attributed_to = excluded.attributed_to,
        dimensions = excluded.dimensions;
