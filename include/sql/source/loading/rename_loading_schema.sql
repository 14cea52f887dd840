-- The last step of a load, in the transaction that checks or drops the old shop.
alter schema shop_loading rename to shop;
set local search_path to default;
