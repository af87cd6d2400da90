"""Every Dash component id, defined once. Layouts and callbacks import these; tests select `#<id>`."""

# Shell
URL = "url"
PAGE = "page"
DATASET_BADGE = "dataset-badge"
NAV = "nav"

# Explorer (home page): data
PAYLOAD_URLS = "explorer-payload-urls"  # versioned URLs of the point and lookup stores (fetched by the browser)
POINT_STORE = "explorer-point-store"  # compact columns of every establishment (filled from its payload URL)
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
FILTER_TI = "filter-territoire-industrie"  # shown once the ANCT list is imported
RESET = "filter-reset"
FILTER_TOGGLE = "filter-toggle"  # phones: opens and closes the filter panel
FILTER_PANEL = "filter-panel"
SIDE_PANEL = "explorer-side"
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
TABLE_CRITERIA = "explorer-table-criteria"  # criteria of the open table: written in the browser only when open
TABLE_PICK = "explorer-table-pick"  # the row a visitor selected in the grid (empty selections stay in the browser)
TABLE_OPENED = "explorer-table-opened"  # set once, the first time the table tab opens: the grid is created then

# Partners page
PARTNER_ORIGIN_MODE = "partner-origin-mode"
PARTNER_ORIGIN_SITE = "partner-origin-site"
PARTNER_ORIGIN_COMMUNE = "partner-origin-commune"
PARTNER_COMMUNES_URL = "partner-communes-url"  # the URL of the commune options' payload
PARTNER_ORIGIN_POINT = "partner-origin-point"  # {lat, lon} placed by a click on the map
PARTNER_CAPABILITY = "partner-capability"
PARTNER_CAPABILITY_MODE = "partner-capability-mode"
PARTNER_NAF = "partner-naf"
PARTNER_CERTIFICATION = "partner-certification"  # required certifications (filter)
PARTNER_CERTIFICATION_WISHED = "partner-certification-wished"  # wished certifications (rank up)
PARTNER_MATCH = "partner-match"  # the origin site's context: peers, complementary or none
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

# Coverage page
COVERAGE_CAPABILITY = "coverage-capability"
COVERAGE_RADIUS = "coverage-radius"
COVERAGE_WEIGHT = "coverage-weight"
COVERAGE_LEVEL = "coverage-level"
COVERAGE_KPIS = "coverage-kpis"
COVERAGE_MAP = "coverage-map"
COVERAGE_COMMUNES = "coverage-communes"
COVERAGE_SUPPLIERS = "coverage-suppliers"
COVERAGE_LEGEND = "coverage-legend"
COVERAGE_RANKING = "coverage-ranking"
COVERAGE_MATRIX = "coverage-matrix"
COVERAGE_TABLE = "coverage-table"
COVERAGE_SINGLES = "coverage-singles"
COVERAGE_EXPORT_CHOICE = "coverage-export-choice"
COVERAGE_EXPORT_CSV = "coverage-export-csv"
COVERAGE_EXPORT_XLSX = "coverage-export-xlsx"
COVERAGE_DOWNLOAD = "coverage-download"
COVERAGE_QUERY = "coverage-query"
COVERAGE_URL_SYNC = "coverage-url-sync"
COVERAGE_NOTICES = "coverage-notices"

# Indicators page (Réindustrialisation) and the territory scorecard (fiche)
IND_DEPARTEMENT = "ind-departement"
IND_EPCI = "ind-epci"
IND_ZONE = "ind-zone-emploi"
IND_TI = "ind-territoire-industrie"
IND_FILIERE = "ind-filiere"
IND_PERIOD = "ind-period"
IND_INDEX100 = "ind-index100"
IND_THRESHOLD = "ind-threshold"
IND_SERIES_CODE = "ind-series-code"
IND_NOTICES = "ind-notices"
IND_SCOPE = "ind-scope"
IND_KPIS = "ind-kpis"
IND_SERIES_GRAPH = "ind-series-graph"
IND_FLOWS_GRAPH = "ind-flows-graph"
IND_CONTEXT_GRAPH = "ind-context-graph"  # deeptech creations (France) against the Plan Deeptech target
IND_DGE_GRAPH = "ind-dge-graph"  # the DGE barometer's national net balance of factories
IND_MAP = "ind-map"
IND_PROJECTS_LAYER = "ind-projects-layer"
IND_PROJECTS_SUMMARY = "ind-projects-summary"
IND_FICHE_LINK = "ind-fiche-link"
IND_QUERY = "ind-query"  # the current filters as URL parameters
IND_URL_SYNC = "ind-url-sync"
IND_EXPORT_CSV = "ind-export-csv"
IND_EXPORT_XLSX = "ind-export-xlsx"
IND_DOWNLOAD = "ind-download"
FICHE_LEVEL = "fiche-level"
FICHE_TERRITORY = "fiche-territory"
FICHE_OPEN = "fiche-open"

# Skills page
SKILLS_DEPARTEMENT = "skills-departement"
SKILLS_TERRITORY = "skills-territory"
SKILLS_FAMILY = "skills-family"
SKILLS_INDUSTRIAL = "skills-industrial"
SKILLS_YEAR = "skills-year"
SKILLS_INDICATOR = "skills-indicator"
SKILLS_TRADE = "skills-trade"
SKILLS_NOTICES = "skills-notices"
SKILLS_KPIS = "skills-kpis"
SKILLS_HEATMAP = "skills-heatmap"
SKILLS_RANKING = "skills-ranking"
SKILLS_TREND = "skills-trend"
SKILLS_MAP = "skills-map"
SKILLS_AREAS_LAYER = "skills-areas"
SKILLS_SITES_LAYER = "skills-sites"
SKILLS_EMPLOYERS_LAYER = "skills-employers"
SKILLS_MAP_TITLE = "skills-map-title"
SKILLS_MAP_LEGEND = "skills-map-legend"
SKILLS_QUERY = "skills-query"  # current filters as URL parameters (for the link and the exports)
SKILLS_URL_SYNC = "skills-url-sync"
SKILLS_EXPORT_HEATMAP_CSV = "skills-export-heatmap-csv"
SKILLS_EXPORT_HEATMAP_XLSX = "skills-export-heatmap-xlsx"
SKILLS_EXPORT_RANKING_CSV = "skills-export-ranking-csv"
SKILLS_EXPORT_RANKING_XLSX = "skills-export-ranking-xlsx"
SKILLS_EXPORT_TREND_CSV = "skills-export-trend-csv"
SKILLS_EXPORT_TREND_XLSX = "skills-export-trend-xlsx"
SKILLS_EXPORT_MAP_CSV = "skills-export-map-csv"
SKILLS_EXPORT_MAP_XLSX = "skills-export-map-xlsx"
SKILLS_DOWNLOAD = "skills-download"

# Event pages
EVENT_WALL = "event-wall"  # live counts, refreshed by EVENT_WALL_TICK
EVENT_WALL_TICK = "event-wall-tick"
EVENT_PARTICIPANT = "event-participant"
EVENT_PARTICIPANTS_URL = "event-participants-url"  # the URL of the participant options' payload
EVENT_AGENDA_LINK = "event-agenda-link"
EVENT_MEETING_ID = "event-meeting-id"
EVENT_MARK_HELD = "event-mark-held"
EVENT_MARK_CANCELLED = "event-mark-cancelled"
EVENT_RESCHEDULE = "event-reschedule"
EVENT_ADMIN_MESSAGE = "event-admin-message"
EVENT_AGENDA = "event-agenda"
EVENT_PRINT = "event-print"
KIOSK = "kiosk"
KIOSK_DECK = "kiosk-deck"  # className "kiosk-deck show-<n>" selects the visible slide
KIOSK_TICK = "kiosk-tick"
KIOSK_CONFIG = "kiosk-config"  # static: number of slides
KIOSK_PAUSE = "kiosk-pause"
KIOSK_MAP = "kiosk-map"  # prefix: one map per department slide, "kiosk-map-<code>"
KIOSK_COUNTER = "kiosk-counter"
KIOSK_COUNTER_TICK = "kiosk-counter-tick"

# Accounts (sign-in, my account, account management, audit log)
ACCOUNT_AREA = "account-area"  # header corner: sign-in link or the signed-in account
LOGIN_EMAIL = "login-email"
LOGIN_PASSWORD = "login-password"
LOGIN_SUBMIT = "login-submit"
TOKEN_LABEL = "token-label"
TOKEN_CREATE = "token-create"
TOKEN_MESSAGE = "token-message"
TOKEN_LIST = "token-list"
TOKEN_REVOKE = "token-revoke"  # pattern-matching id type: {"type": TOKEN_REVOKE, "token": <id>}
ADMIN_EMAIL = "admin-email"
ADMIN_NAME = "admin-name"
ADMIN_ROLE = "admin-role"
ADMIN_SIRETS = "admin-sirets"
ADMIN_CREATE = "admin-create"
ADMIN_MESSAGE = "admin-message"
ADMIN_ACCOUNTS = "admin-accounts"
ADMIN_ACTION = "admin-action"  # pattern-matching id: {"type": ADMIN_ACTION, "action": ..., "user": <id>}
AUDIT_TABLE = "audit-table"
AUDIT_EXPORT_CSV = "audit-export-csv"
AUDIT_EXPORT_XLSX = "audit-export-xlsx"
AUDIT_DOWNLOAD = "audit-download"

# Network (/reseau): needs, offers, opportunities, introductions
NET_TABS = "net-tabs"
NET_NEED_SITE = "net-need-site"
NET_NEED_TITLE = "net-need-title"
NET_NEED_CAPABILITIES = "net-need-capabilities"
NET_NEED_CERT_REQUIRED = "net-need-cert-required"
NET_NEED_CERT_WISHED = "net-need-cert-wished"
NET_NEED_QUANTITY = "net-need-quantity"
NET_NEED_RADIUS = "net-need-radius"
NET_NEED_DEADLINE = "net-need-deadline"
NET_NEED_VISIBILITY = "net-need-visibility"
NET_NEED_DESCRIPTION = "net-need-description"
NET_NEED_SUBMIT = "net-need-submit"
NET_NEED_MESSAGE = "net-need-message"
NET_NEEDS_LIST = "net-needs-list"
NET_NEED_MATCH = "net-need-match"  # pattern-matching id: {"type": NET_NEED_MATCH, "need": <id>}
NET_MATCHES = "net-matches"  # the selected need's suppliers and their "pourquoi"
NET_MAP = "net-map"
NET_MAP_LAYER = "net-map-layer"
NET_OFFERS_LIST = "net-offers-list"
NET_OPPORTUNITIES = "net-opportunities"
NET_ASK = "net-ask"  # pattern-matching id: {"type": NET_ASK, "need": <id>, "site": <public id>}
NET_ASK_MESSAGE = "net-ask-message"
NET_INTRO_LIST = "net-intro-list"
NET_INTRO_MOVE = "net-intro-move"  # pattern-matching id: {"type": NET_INTRO_MOVE, "intro": <id>, "status": ...}
NET_INTRO_REASON = "net-intro-reason"  # pattern-matching id: {"type": NET_INTRO_REASON, "intro": <id>}
NET_INTRO_MESSAGE = "net-intro-message"

# Practice sheets (/cercles/pratiques): list and search, a sheet, my sheets and the form, the review queue
PRAC_TABS = "prac-tabs"
PRAC_SEARCH = "prac-search"
PRAC_THEME = "prac-theme"
PRAC_CAPABILITY = "prac-capability"
PRAC_DEPARTMENT = "prac-department"
PRAC_CIRCLE = "prac-circle"  # dcc.Store: the ?cercle= of the URL, kept by the list's callback
PRAC_LIST = "prac-list"
PRAC_COUNT = "prac-count"
PRAC_SHEET = "prac-sheet"
PRAC_EDITING = "prac-editing"  # dcc.Store: the id of the sheet in the form (None: a new sheet)
PRAC_FORM = "prac-form"
PRAC_FORM_TITLE = "prac-form-title"
PRAC_SITE = "prac-site"
PRAC_TITLE = "prac-title"
PRAC_PROBLEM = "prac-problem"
PRAC_ACTIONS = "prac-actions"
PRAC_RESULTS = "prac-results"
PRAC_THEMES = "prac-themes"
PRAC_CAPABILITIES = "prac-capabilities"
PRAC_CONTACT = "prac-contact"
PRAC_CIRCLE_ID = "prac-circle-id"
PRAC_SAVE = "prac-save"
PRAC_SUBMIT = "prac-submit"
PRAC_FORM_MESSAGE = "prac-form-message"
PRAC_MINE = "prac-mine"
PRAC_EDIT = "prac-edit"  # pattern-matching id: {"type": PRAC_EDIT, "sheet": <id>}
PRAC_SEND = "prac-send"  # pattern-matching id: {"type": PRAC_SEND, "sheet": <id>}
PRAC_QUEUE = "prac-queue"
PRAC_REVIEW_MESSAGE = "prac-review-message"
PRAC_COMMENT = "prac-comment"  # pattern-matching id: {"type": PRAC_COMMENT, "sheet": <id>}
PRAC_DECIDE = "prac-decide"  # pattern-matching id: {"type": PRAC_DECIDE, "sheet": <id>, "decision": ...}
