-- Passwords come from the environment of whoever provisions; they are never stored in the project.
alter role globalcart_shop password %(shop_password)s;
alter role globalcart_extract password %(extract_password)s;
alter role globalcart_load password %(load_password)s;
alter role globalcart_bi password %(bi_password)s;
