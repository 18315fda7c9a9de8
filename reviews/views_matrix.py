"""The access matrix page and its CSV export (``/teams/<team>/matrix/``)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from accessctl.access import policy as p
from accessctl.audit.export import safe_cell
from accessctl.web.lookups import get_team
from reviews.forms import MatrixFilterForm
from reviews.matrix import Matrix, matrix_lines, team_matrix

APPS_PER_PAGE = 8
"""Columns per page: the matrix is paginated across apps as well as down people."""


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(matrix: Matrix) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for line in matrix_lines(matrix):
        yield writer.writerow([safe_cell(cell) for cell in line])


def _query_without(request: HttpRequest, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def team_matrix_page(request: HttpRequest, team: str) -> HttpResponse | StreamingHttpResponse:
    """People x apps with the permissions in each cell; ``?format=csv`` streams the whole filtered matrix."""
    found = get_team(request, team, perm=p.VIEW_MATRIX_TEAM)
    filters = MatrixFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    matrix = team_matrix(
        found, role=data.get("role") or None, app_name=data.get("app") or None, perm=data.get("perm") or None
    )
    if request.GET.get("format") == "csv":
        response = StreamingHttpResponse(_csv_lines(matrix), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{found.name}-access-matrix.csv"'
        return response
    people = Paginator(matrix.people, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    apps = Paginator(matrix.apps, APPS_PER_PAGE).get_page(request.GET.get("apps"))
    rows = [(person, person.cells(list(apps))) for person in people]
    context = {
        "team": found,
        "filters": filters,
        "page": people,
        "app_page": apps,
        "rows": rows,
        "query": _query_without(request, "page"),
        "app_query": _query_without(request, "apps"),
        "csv_query": _query_without(request, "page", "apps", "format"),
    }
    return render(request, "reviews/team_matrix.html", context)
