-- What the profit-leakage build found, for its status row.
select
    (
        select coalesce(sum(l.gross_sales), 0) from candidate.profit_leakage as l
        where l.dimension_name = 'all'
    ) as gross_sales,
    (select count(*) from candidate.profit_leakage) as leakage_rows;
