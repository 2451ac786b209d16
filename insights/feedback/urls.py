from django.urls import path

from insights.feedback import views

urlpatterns = [path("", views.what_happened, name="what_happened")]
