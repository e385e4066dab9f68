from django.urls import path

app_name = "provinces"

urlpatterns = []
