-- After a failed load: nothing of it stays behind.
drop schema if exists shop_loading cascade;
