"""Exports for analysts (CSV, JSON, NDJSON, XLSX, GraphML, GEXF) and bulk imports."""
