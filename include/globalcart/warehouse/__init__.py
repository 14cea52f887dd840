"""The warehouse: migrations, change extraction from the shop, the mirror merge and the star-schema builds."""
