-- A new history is built in shop_loading, beside the live shop, and renamed to shop once
-- complete. A shop_loading left behind by a load that crashed is dropped first.
drop schema if exists shop_loading cascade;
create schema shop_loading;
