-- Whether analytics.order_state is up to date but for the noted changes.
select coalesce(bool_or(b.is_built), false) as is_built
from analytics.state_builds as b
where b.state = 'order_state';
