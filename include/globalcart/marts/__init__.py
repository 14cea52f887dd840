"""The published layer: KPI tables built aside, validated, then swapped into `marts`."""
