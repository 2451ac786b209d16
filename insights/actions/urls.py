from django.urls import path

from insights.actions import views

urlpatterns = [
    path("", views.action_list, name="action_list"),
    path("new/", views.record, name="action_new"),
    path("<int:pk>/", views.action_detail, name="action_detail"),
    path("<int:pk>/edit/", views.edit, name="action_edit"),
]
