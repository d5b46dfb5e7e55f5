from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.permissions import council_required


@council_required
def council(request: HttpRequest) -> HttpResponse:
    return render(request, "participation/council.html")
