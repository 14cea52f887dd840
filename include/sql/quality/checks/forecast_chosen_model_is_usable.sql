-- Days of a chosen model whose forecast collapsed while another model's did not.
select
    b.model,
    b.period_start,
    b.collapse_reason
from batch as b
where
    b.is_chosen
    and b.is_collapsed
    and exists (
        select from batch as o
        where not o.is_collapsed
    )
