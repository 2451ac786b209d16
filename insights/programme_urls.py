from django.urls import path

from insights import views

urlpatterns = [path("", views.programme_dashboard, name="programme_dashboard")]
