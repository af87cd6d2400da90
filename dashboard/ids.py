"""Every Dash component id, defined once. Layouts and callbacks import these; tests select `#<id>`."""

# Shell
URL = "url"
PAGE = "page"
DATASET_BADGE = "dataset-badge"

# Explorer (home page)
MAP = "explorer-map"
POINT_STORE = "explorer-point-store"
POINTS = "explorer-points"
COMMUNES_LAYER = "explorer-communes"
DEPARTMENTS_LAYER = "explorer-departements"
KPI_STRIP = "explorer-kpis"
LEGEND = "explorer-legend"
