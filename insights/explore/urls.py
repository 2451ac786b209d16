from django.urls import path

from insights.explore import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("notes/", views.notes, name="dashboard_notes"),
    path("csv/", views.figures_csv, name="dashboard_csv"),
    path("notes.csv", views.notes_csv, name="dashboard_notes_csv"),
    path("pdf/", views.dashboard_pdf, name="dashboard_pdf"),
]
