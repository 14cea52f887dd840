select pg_advisory_unlock(hashtext('globalcart.shop_loading'));
