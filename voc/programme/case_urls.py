from django.urls import path

from voc.programme import case_views

urlpatterns = [
    path("", case_views.case_list, name="case_list"),
    path("<int:pk>/", case_views.case_detail, name="case_detail"),
    path("<int:pk>/contact/", case_views.case_contact, name="case_contact"),
    path("<int:pk>/<slug:step>/", case_views.case_step, name="case_step"),
]
