"""The explorer's filters read from an API request's query (the establishments and the map's routes)."""

from __future__ import annotations

from flask import request

from dashboard.analytics.filters import PARAMETERS, Criteria, CriteriaError, parse_criteria
from dashboard.api.params import ApiError, Params
from dashboard.policy import check_criteria
from dashboard.services import DataService
from dashboard.services.industry_territories import filter_vocabulary
from dashboard.sessions import current_viewer


def query_criteria(service: DataService, others: set[str]) -> Criteria:
    """The filters of this request's query (400 on an unknown parameter or value; 403 on the member filter for a
    viewer who may not see membership); `others` are the route's other parameters."""
    Params(set(PARAMETERS) | others)
    params = {k: request.args.getlist(k) for k in request.args if k in PARAMETERS}
    try:
        criteria, _ = parse_criteria(params, filter_vocabulary(service), strict=True)
    except CriteriaError as err:
        raise ApiError(400, "bad_parameter", str(err), err.parameter) from None
    if criteria.member is not None:
        check_criteria(current_viewer(), ["member"])
    return criteria
