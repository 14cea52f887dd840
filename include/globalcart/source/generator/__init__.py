"""Fill the shop database with a seeded, realistic history, and say what was planted.

The package is the shop model and a thin layer that writes it:

- ``model``: the whole history drawn from world.py and a seed, as tables of numpy
  arrays (``tables``), from its sections: ``timeline`` (calendar and demand),
  ``catalogue`` (carriers, centers, products, prices, promotions), ``orders``
  (customers, orders, lines), ``lifecycle`` (payments, cancellations, shipping),
  ``returns`` and ``manifest`` (the signals as they came out);
- ``binary_copy``: a table as the bytes of a binary COPY;
- ``load``: ``generate``, which streams the tables to PostgreSQL on two backends in
  parallel and swaps the new history in at once, or leaves the database as it was.
"""

from globalcart.source.generator.load import generate
from globalcart.source.generator.params import MAX_DAYS, MAX_ORDER_LINES, GenerationParams, validate

__all__ = ["MAX_DAYS", "MAX_ORDER_LINES", "GenerationParams", "generate", "validate"]
