"""Every Dash component id, defined once. Layouts and callbacks import these; tests select `#<id>`."""

# Shell
URL = "url"
PAGE = "page"
DATASET_BADGE = "dataset-badge"
NAV = "nav"

# Explorer (home page): data
POINT_STORE = "explorer-point-store"  # compact columns of every establishment (sent once)
LOOKUP_STORE = "explorer-lookup-store"  # populations and names of territories, for choropleths
DATA_VERSION = "explorer-data-version"  # (dataset id, version) the point store was built from
CRITERIA = "explorer-criteria"  # current filters as query parameters (written in the browser)
SELECTED = "explorer-selected"  # public id of the establishment whose card is open

# Explorer: filters
FILTER_Q = "filter-q"
FILTER_DEPARTEMENT = "filter-departement"
FILTER_EPCI = "filter-epci"
FILTER_ZONE = "filter-zone-emploi"
FILTER_FILIERE = "filter-filiere"
FILTER_DIVISION = "filter-division"
FILTER_NAF = "filter-naf"
FILTER_SIZE = "filter-size-min"
FILTER_CAPABILITY = "filter-capability"
FILTER_CAPABILITY_MODE = "filter-capability-mode"
FILTER_CERTIFICATION = "filter-certification"
FILTER_MEMBER = "filter-member"
RESET = "filter-reset"
URL_NOTICES = "explorer-url-notices"

# Explorer: map
MAP = "explorer-map"
POINTS = "explorer-points"
COMMUNES_LAYER = "explorer-communes"
DEPARTMENTS_LAYER = "explorer-departements"
CHORO_LAYER = "explorer-choropleth"
CHORO_LEVEL = "choropleth-level"
CHORO_METRIC = "choropleth-metric"
CHORO_LEGEND = "choropleth-legend"
LEGEND = "explorer-legend"
EMPTY_STATE = "explorer-empty"

# Explorer: figures, card, table
KPI_STRIP = "explorer-kpis"
KPI_ESTABLISHMENTS = "kpi-establishments"
KPI_JOBS = "kpi-jobs"
KPI_SHARE = "kpi-share"
KPI_COMMUNES = "kpi-communes"
CARD = "establishment-card"
CARD_CLOSE = "establishment-card-close"
VIEW_TABS = "explorer-view-tabs"
TABLE = "explorer-table"
TABLE_NOTE = "explorer-table-note"
EXPORT_CSV = "export-csv"
EXPORT_XLSX = "export-xlsx"
DOWNLOAD = "explorer-download"
URL_SYNC = "explorer-url-sync"  # dummy output of the clientside callback that rewrites the address bar
MAP_AREA = "explorer-map-area"
TABLE_AREA = "explorer-table-area"
CARD_BODY = "establishment-card-body"
TABLE_BODY = "explorer-table-body"

# Partners page
PARTNER_ORIGIN_MODE = "partner-origin-mode"
PARTNER_ORIGIN_SITE = "partner-origin-site"
PARTNER_ORIGIN_COMMUNE = "partner-origin-commune"
PARTNER_ORIGIN_POINT = "partner-origin-point"  # {lat, lon} placed by a click on the map
PARTNER_CAPABILITY = "partner-capability"
PARTNER_CAPABILITY_MODE = "partner-capability-mode"
PARTNER_NAF = "partner-naf"
PARTNER_CERTIFICATION = "partner-certification"
PARTNER_SIZE = "partner-size-min"
PARTNER_MEMBER = "partner-member"
PARTNER_RADIUS = "partner-radius"
PARTNER_SORT = "partner-sort"
PARTNER_WIDEN = "partner-widen"
PARTNER_MAP = "partner-map"
PARTNER_ORIGIN_LAYER = "partner-origin-layer"
PARTNER_RESULTS_LAYER = "partner-results-layer"
PARTNER_SUMMARY = "partner-summary"
PARTNER_LIST = "partner-list"
PARTNER_QUERY = "partner-query"  # the current query as URL parameters (for the link and the exports)
PARTNER_NOTICES = "partner-notices"
PARTNER_EXPORT_CSV = "partner-export-csv"
PARTNER_EXPORT_XLSX = "partner-export-xlsx"
PARTNER_DOWNLOAD = "partner-download"
PARTNER_URL_SYNC = "partner-url-sync"
