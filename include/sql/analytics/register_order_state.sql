-- Registers analytics.order_state, which turns on the notes of changed orders
-- (definitions/92_analytics.note_changed_orders.sql). Committed before the
-- retention build takes its snapshot, so every change after that snapshot is noted.
insert into analytics.state_builds (state) values ('order_state')
on conflict (state) do nothing;
