from django.urls import path

from participation import views

app_name = "participation"

urlpatterns = [
    path("council/", views.council, name="council"),
]
