insert into shop.promotions (promotion_code, discount_rate, starts_at, ends_at)
values (%(promotion_code)s, %(discount_rate)s, %(starts_at)s, %(ends_at)s);
