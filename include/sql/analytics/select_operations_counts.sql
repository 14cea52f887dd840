-- What the payment-decline and return-timing builds found, for their status rows.
select
    (
        select coalesce(sum(d.payment_attempts), 0) from candidate.payment_declines as d
        where d.channel = 'any' and d.region = 'any'
    ) as payment_attempts,
    (select count(*) from candidate.payment_declines) as payment_rows,
    (
        select coalesce(sum(t.returned_lines), 0) from candidate.return_timing as t
        where t.channel = 'any' and t.region = 'any' and t.category = 'any'
    ) as returned_lines,
    (select count(*) from candidate.return_timing) as return_rows;
