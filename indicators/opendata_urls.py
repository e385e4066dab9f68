"""``/data/``: the open-data catalogue, its downloads and Data Packages, the DCAT catalogue, the releases."""
from django.urls import path, re_path

from indicators import opendata_views as views

app_name = "data"

urlpatterns = [
    path("", views.DataIndexView.as_view(), name="index"),
    path("catalog.jsonld", views.catalog_jsonld, name="catalog"),
    path("releases/", views.ReleaseListView.as_view(), name="release_list"),
    path("releases/<quarter:period>/", views.QuarterReleasesView.as_view(), name="release_quarter"),
    path("releases/<quarter:period>/<int:number>/", views.ReleaseDetailView.as_view(), name="release_detail"),
    re_path(
        r"^releases/(?P<period>[0-9]{4}-Q[1-4])/(?P<number>[0-9]+)/(?P<name>[A-Za-z0-9_.-]{1,100})$",
        views.release_file, name="release_file",
    ),
    path("<slug:dataset>/", views.DatasetView.as_view(), name="dataset"),
    path("<slug:dataset>/datapackage.json", views.dataset_package, name="datapackage"),
    re_path(r"^(?P<dataset>[-a-z0-9]+)/(?P<table>[-a-z0-9]+)\.(?P<fmt>csv|json|xlsx)$", views.download, name="download"),
]
