"""Statistical analyses on warehouse data: revenue forecasts and shipment lateness."""
