-- One history load at a time per database: held by the loading session until it is done.
select pg_try_advisory_lock(hashtext('globalcart.shop_loading'));
