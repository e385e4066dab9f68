from django.urls import path

from provinces import views

app_name = "provinces"

urlpatterns = [
    path("", views.UnitListView.as_view(), name="unit_list"),
    # Before the slug pattern, which would otherwise take "asean" for a unit.
    path("asean/", views.AseanNetworkView.as_view(), name="asean"),
    path("<slug:slug>/", views.UnitDetailView.as_view(), name="unit_detail"),
]
